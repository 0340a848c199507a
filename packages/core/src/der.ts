// A minimal DER (X.690) writer: just the types a self-signed X.509 v3 certificate needs (RFC 5280 §4.1).
// Node's crypto can parse, verify and fingerprint certificates but cannot write one; this fills that gap for
// jwt-assertion's `generateCertificate` and the emulator's `generateTestCertificate`, and every certificate
// they produce is re-parsed by node:crypto (OpenSSL) in their tests. Published as `@netsuite-oauth/core/der`.

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/**
 * A tag-length-value triple (definite length, short or long form).
 *
 * @example
 * tlv(0x05, new Uint8Array()) // NULL
 */
export function tlv(tag: number, content: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([tag]), length(content.length), content]);
}

/**
 * A SEQUENCE of already encoded parts.
 *
 * @example
 * sequence(oid('1.2.840.10045.4.3.2')) // AlgorithmIdentifier ecdsa-with-SHA256
 */
export function sequence(...parts: Uint8Array[]): Buffer {
  return tlv(0x30, Buffer.concat(parts));
}

/**
 * A SET of already encoded parts (written in the given order).
 *
 * @example
 * set(sequence(oid('2.5.4.3'), utf8String('my-integration'))) // one RDN: CN=my-integration
 */
export function set(...parts: Uint8Array[]): Buffer {
  return tlv(0x31, Buffer.concat(parts));
}

/**
 * A non-negative INTEGER, minimal: from a number or big-endian magnitude bytes (leading zeros are dropped, and
 * a 0x00 is prepended when the top bit is set).
 *
 * @example
 * integer(2) // 02 01 02 — the X.509 v3 version
 * integer(randomBytes(16)) // a serial number
 */
export function integer(magnitude: Uint8Array | number): Buffer {
  let bytes: Buffer;
  if (typeof magnitude === 'number') {
    const out: number[] = [];
    for (let v = magnitude; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
    bytes = Buffer.from(out.length === 0 ? [0] : out);
  } else {
    let start = 0;
    while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
    bytes = Buffer.from(magnitude.subarray(start));
  }
  if ((bytes[0] ?? 0) & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return tlv(0x02, bytes);
}

/**
 * An OBJECT IDENTIFIER from its dotted form.
 *
 * @example
 * oid('2.5.4.3') // 06 03 55 04 03 — commonName
 */
export function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const first = (arcs[0] ?? 0) * 40 + (arcs[1] ?? 0);
  const out: number[] = [];
  for (const arc of [first, ...arcs.slice(2)]) {
    const chunk: number[] = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

/**
 * NULL: the parameters of an RSA PKCS #1 v1.5 AlgorithmIdentifier.
 *
 * @example
 * sequence(oid('1.2.840.113549.1.1.11'), nullValue()) // sha256WithRSAEncryption
 */
export function nullValue(): Buffer {
  return Buffer.from([0x05, 0x00]);
}

/**
 * A BIT STRING of whole bytes (a signature, a public key).
 *
 * @example
 * bitString(signature)
 */
export function bitString(bytes: Uint8Array, unusedBits = 0): Buffer {
  return tlv(0x03, Buffer.concat([Buffer.from([unusedBits]), bytes]));
}

/**
 * An OCTET STRING.
 *
 * @example
 * octetString(subjectKeyIdentifier)
 */
export function octetString(bytes: Uint8Array): Buffer {
  return tlv(0x04, bytes);
}

/**
 * A UTF8String.
 *
 * @example
 * utf8String('my-integration')
 */
export function utf8String(text: string): Buffer {
  return tlv(0x0c, Buffer.from(text, 'utf8'));
}

/**
 * A BOOLEAN (DER: 0xff for true).
 *
 * @example
 * boolean(true) // an extension's `critical`
 */
export function boolean(value: boolean): Buffer {
  return tlv(0x01, Buffer.from([value ? 0xff : 0x00]));
}

/**
 * An `[n] EXPLICIT` context-specific constructed tag around `content`.
 *
 * @example
 * explicit(0, integer(2)) // [0] EXPLICIT Version v3
 */
export function explicit(n: number, content: Uint8Array): Buffer {
  return tlv(0xa0 | n, content);
}

/**
 * A certificate Time (RFC 5280 §4.1.2.5): UTCTime through 2049, GeneralizedTime from 2050, in UTC with seconds.
 *
 * @example
 * time(new Date()) // 17 0d 'YYMMDDHHMMSSZ'
 */
export function time(date: Date): Buffer {
  const year = date.getUTCFullYear();
  const pad = (n: number) => String(n).padStart(2, '0');
  const rest = `${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}${pad(date.getUTCHours())}${pad(
    date.getUTCMinutes(),
  )}${pad(date.getUTCSeconds())}Z`;
  if (year >= 1950 && year < 2050) return tlv(0x17, Buffer.from(`${pad(year % 100)}${rest}`, 'ascii'));
  return tlv(0x18, Buffer.from(`${String(year).padStart(4, '0')}${rest}`, 'ascii'));
}

/**
 * Reads one TLV at `offset`: returns the content's start and end. Enough to walk a SubjectPublicKeyInfo.
 *
 * @example
 * const { tag, start, end } = readTlv(spki, 0); // the outer SEQUENCE
 */
export function readTlv(buf: Uint8Array, offset: number): { tag: number; start: number; end: number } {
  const tag = buf[offset] ?? 0;
  let len = buf[offset + 1] ?? 0;
  let start = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (buf[start + i] ?? 0);
    start += n;
  }
  return { tag, start, end: start + len };
}
