import { TokenStoreError } from './errors.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const LOOKUP = new Map<string, number>([...ALPHABET].map((c, i) => [c, i]));

/**
 * Encodes bytes as unpadded base64url (RFC 4648 §5).
 *
 * @example
 * encodeBase64Url(new Uint8Array([1, 2, 3])); // 'AQID'
 */
export function encodeBase64Url(bytes: Uint8Array): string {
  if (!(bytes instanceof Uint8Array)) {
    throw new TokenStoreError('ERR_STORE_INVALID_ARGUMENT', 'bytes must be a Uint8Array');
  }
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out +=
      ALPHABET[(n >> 18) & 63]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += ALPHABET[(n >> 18) & 63]! + ALPHABET[(n >> 12) & 63]!;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += ALPHABET[(n >> 18) & 63]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]!;
  }
  return out;
}

/**
 * Decodes unpadded base64url strictly: any character outside the alphabet, a impossible length, or unused
 * trailing bits that are not zero answer `undefined` (so every text has exactly one meaning — a flipped
 * padding bit cannot slip through).
 *
 * @example
 * decodeBase64Url('AQID'); // Uint8Array [1, 2, 3]
 */
export function decodeBase64Url(text: string): Uint8Array | undefined {
  if (typeof text !== 'string') return undefined;
  if (text.length % 4 === 1) return undefined;
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let buffer = 0;
  let bits = 0;
  let o = 0;
  for (const c of text) {
    const v = LOOKUP.get(c);
    if (v === undefined) return undefined;
    buffer = ((buffer << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (buffer >> bits) & 0xff;
    }
  }
  if (bits > 0 && (buffer & ((1 << bits) - 1)) !== 0) return undefined;
  return out;
}

/**
 * Decodes a key given as base64 or base64url, with or without `=` padding; `undefined` when malformed.
 *
 * @example
 * decodeKeyText(generateEncryptionKey())?.length; // 32
 */
export function decodeKeyText(text: string): Uint8Array | undefined {
  if (typeof text !== 'string') return undefined;
  const trimmed = text.trim().replace(/=+$/, '').replaceAll('+', '-').replaceAll('/', '_');
  return decodeBase64Url(trimmed);
}
