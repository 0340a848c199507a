import {
  createPrivateKey,
  createPublicKey,
  type JsonWebKey,
  KeyObject,
  type webcrypto,
  X509Certificate,
} from 'node:crypto';
import { JwtAssertionError } from './errors.js';

/**
 * A JSON Web Key holding a private key (RFC 7517); only the members this package reads are typed.
 *
 * @example
 * const jwk: PrivateJwk = JSON.parse(await readFile('netsuite-key.jwk.json', 'utf8'));
 */
export interface PrivateJwk {
  readonly kty?: string | undefined;
  readonly d?: string | undefined;
  readonly crv?: string | undefined;
  readonly [member: string]: unknown;
}

/**
 * A private key in any form people have: PKCS#8 PEM (`BEGIN PRIVATE KEY`), PKCS#1 (`BEGIN RSA PRIVATE KEY`),
 * SEC1 (`BEGIN EC PRIVATE KEY`), encrypted PEM (with `passphrase`), PKCS#8 DER bytes, a JWK, a node:crypto
 * `KeyObject`, or a WebCrypto `CryptoKey` with the `sign` usage.
 *
 * @example
 * const key: PrivateKeyInput = await readFile('netsuite-key.pem', 'utf8');
 */
export type PrivateKeyInput = string | Uint8Array | PrivateJwk | KeyObject | webcrypto.CryptoKey;

/**
 * The curves NetSuite accepts, by their JOSE names.
 *
 * @example
 * const curve: NetSuiteCurve = 'P-256'; // signs ES256
 */
export type NetSuiteCurve = 'P-256' | 'P-384' | 'P-521';

/** What this package learned about a key once it was imported. */
export interface KeyInfo {
  readonly keyObject: KeyObject;
  readonly family: 'rsa' | 'ec';
  /** RSA modulus length in bits, or the curve's field size (256, 384, 521). */
  readonly bits: number;
  readonly curve?: NetSuiteCurve | undefined;
  /** For an `RSASSA-PSS`-only key (id-RSASSA-PSS SPKI) that is bound to one hash, that hash ('sha256', ...). */
  readonly pssHash?: string | undefined;
  readonly pssMinSaltLength?: number | undefined;
}

const CURVES: Record<string, NetSuiteCurve> = {
  prime256v1: 'P-256',
  'P-256': 'P-256',
  secp384r1: 'P-384',
  'P-384': 'P-384',
  secp521r1: 'P-521',
  'P-521': 'P-521',
};

const CURVE_BITS: Record<NetSuiteCurve, number> = { 'P-256': 256, 'P-384': 384, 'P-521': 521 };

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;
const PRIVATE_LABELS = new Set(['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY', 'ENCRYPTED PRIVATE KEY']);
const PUBLIC_LABELS = new Set([
  'PUBLIC KEY',
  'RSA PUBLIC KEY',
  'CERTIFICATE',
  'X509 CERTIFICATE',
  'TRUSTED CERTIFICATE',
  'CERTIFICATE REQUEST',
]);

const KEY_FORMS =
  'a PEM private key (PKCS#8, PKCS#1 or SEC1), PKCS#8 DER bytes, a private JWK, a KeyObject or a CryptoKey';

function isCryptoKey(value: object): value is webcrypto.CryptoKey {
  const v = value as { type?: unknown; algorithm?: unknown; usages?: unknown; extractable?: unknown };
  return (
    typeof v.type === 'string' &&
    typeof v.algorithm === 'object' &&
    v.algorithm !== null &&
    Array.isArray(v.usages) &&
    typeof v.extractable === 'boolean'
  );
}

function hmacError(option: string): JwtAssertionError {
  return new JwtAssertionError(
    'ERR_ASSERTION_HMAC_KEY',
    `${option} is a symmetric (HMAC) secret; NetSuite client credentials need an RSA or EC private key whose certificate is registered with the integration`,
  );
}

function fromKeyObject(key: KeyObject, option: string): KeyObject {
  if (key.type === 'secret') throw hmacError(option);
  if (key.type === 'public') {
    throw new JwtAssertionError(
      'ERR_ASSERTION_PUBLIC_KEY',
      `${option} is a public key; pass the private key that belongs to the certificate`,
    );
  }
  return key;
}

function fromCryptoKey(key: webcrypto.CryptoKey, option: string): KeyObject {
  const name = (key.algorithm as { name?: unknown }).name;
  if (key.type === 'secret' || name === 'HMAC') throw hmacError(option);
  if (key.type === 'public') {
    throw new JwtAssertionError(
      'ERR_ASSERTION_PUBLIC_KEY',
      `${option} is a public CryptoKey; pass the private key that belongs to the certificate`,
    );
  }
  if (!key.usages.includes('sign')) {
    throw new JwtAssertionError(
      'ERR_ASSERTION_INVALID_KEY',
      `${option} is a CryptoKey without the "sign" usage; import it with usages ["sign"]`,
    );
  }
  try {
    return fromKeyObject(KeyObject.from(key), option);
  } catch (cause) {
    if (cause instanceof JwtAssertionError) throw cause;
    throw new JwtAssertionError(
      'ERR_ASSERTION_INVALID_KEY',
      `${option} is a CryptoKey node:crypto cannot use`,
      {
        cause,
      },
    );
  }
}

function fromJwk(jwk: PrivateJwk, option: string): KeyObject {
  if (jwk.kty === 'oct') throw hmacError(option);
  if (typeof jwk.kty !== 'string') {
    throw new JwtAssertionError('ERR_ASSERTION_INVALID_KEY', `${option} must be ${KEY_FORMS}`);
  }
  if (jwk.d === undefined) {
    throw new JwtAssertionError(
      'ERR_ASSERTION_PUBLIC_KEY',
      `${option} is a public JWK (no "d" member); pass the private JWK that belongs to the certificate`,
    );
  }
  try {
    return createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' });
  } catch (cause) {
    // The cause comes from node:crypto, which never echoes key material.
    throw new JwtAssertionError('ERR_ASSERTION_INVALID_KEY', `${option} is a JWK node:crypto cannot read`, {
      cause,
    });
  }
}

function fromPem(text: string, passphrase: string | undefined, option: string): KeyObject {
  const blocks = [...text.matchAll(PEM_BLOCK)].map((m) => ({ label: m[1] ?? '', pem: m[0] }));
  const privateBlock = blocks.find((b) => PRIVATE_LABELS.has(b.label));
  if (privateBlock === undefined) {
    if (blocks.some((b) => PUBLIC_LABELS.has(b.label))) {
      throw new JwtAssertionError(
        'ERR_ASSERTION_PUBLIC_KEY',
        `${option} holds a public key or a certificate; pass the private key that belongs to the certificate`,
      );
    }
    throw new JwtAssertionError(
      'ERR_ASSERTION_INVALID_KEY',
      blocks.length === 0
        ? `${option} is not a PEM key; it must be ${KEY_FORMS}`
        : `${option} holds no private key PEM block (BEGIN PRIVATE KEY, RSA PRIVATE KEY, EC PRIVATE KEY or ENCRYPTED PRIVATE KEY)`,
    );
  }
  const encrypted =
    privateBlock.label === 'ENCRYPTED PRIVATE KEY' || /Proc-Type:\s*4,ENCRYPTED/.test(privateBlock.pem);
  if (encrypted && passphrase === undefined) {
    throw new JwtAssertionError(
      'ERR_ASSERTION_PASSPHRASE_REQUIRED',
      `${option} is encrypted; pass its passphrase in the passphrase option`,
    );
  }
  try {
    return createPrivateKey(
      encrypted
        ? { key: privateBlock.pem, format: 'pem', passphrase: passphrase ?? '' }
        : { key: privateBlock.pem, format: 'pem' },
    );
  } catch (cause) {
    if (encrypted) {
      throw new JwtAssertionError(
        'ERR_ASSERTION_BAD_PASSPHRASE',
        `passphrase does not decrypt ${option} (or the encrypted key is corrupt)`,
        { cause },
      );
    }
    throw new JwtAssertionError(
      'ERR_ASSERTION_INVALID_KEY',
      `${option} is a PEM key node:crypto cannot read`,
      {
        cause,
      },
    );
  }
}

// EncryptedPrivateKeyInfo (RFC 5958) opens with the algorithm OID: PBES2 (1.2.840.113549.1.5.13) or a
// PKCS#12 PBE scheme (1.2.840.113549.1.12.1.x).
const PBES2 = Buffer.from('06092a864886f70d01050d', 'hex');
const PKCS12_PBE = Buffer.from('060a2a864886f70d010c01', 'hex');

function isEncryptedDer(key: Buffer): boolean {
  const head = key.subarray(0, 24);
  return head.includes(PBES2) || head.includes(PKCS12_PBE);
}

function fromDer(bytes: Uint8Array, passphrase: string | undefined, option: string): KeyObject {
  const key = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (isEncryptedDer(key)) {
    if (passphrase === undefined) {
      throw new JwtAssertionError(
        'ERR_ASSERTION_PASSPHRASE_REQUIRED',
        `${option} is encrypted; pass its passphrase in the passphrase option`,
      );
    }
    try {
      return createPrivateKey({ key, format: 'der', type: 'pkcs8', passphrase });
    } catch (cause) {
      throw new JwtAssertionError(
        'ERR_ASSERTION_BAD_PASSPHRASE',
        `passphrase does not decrypt ${option} (or the encrypted key is corrupt)`,
        { cause },
      );
    }
  }
  for (const type of ['pkcs8', 'pkcs1', 'sec1'] as const) {
    try {
      return createPrivateKey({ key, format: 'der', type });
    } catch {
      // try the next container
    }
  }
  let isPublic = false;
  try {
    createPublicKey({ key, format: 'der', type: 'spki' });
    isPublic = true;
  } catch {
    try {
      new X509Certificate(key);
      isPublic = true;
    } catch {
      // neither a public key nor a certificate
    }
  }
  if (isPublic) {
    throw new JwtAssertionError(
      'ERR_ASSERTION_PUBLIC_KEY',
      `${option} holds a public key or a certificate; pass the private key that belongs to the certificate`,
    );
  }
  throw new JwtAssertionError(
    'ERR_ASSERTION_INVALID_KEY',
    `${option} bytes are neither PEM nor a DER private key; it must be ${KEY_FORMS}`,
  );
}

/**
 * Reads a private key in any supported form into a node:crypto `KeyObject`, refusing public keys,
 * certificates and HMAC secrets with a typed error.
 */
export function importPrivateKey(input: unknown, passphrase: unknown, option = 'key'): KeyObject {
  if (passphrase !== undefined && typeof passphrase !== 'string') {
    throw new JwtAssertionError('ERR_ASSERTION_INVALID_OPTION', 'passphrase must be a string');
  }
  if (input instanceof KeyObject) return fromKeyObject(input, option);
  if (typeof input === 'string') {
    const trimmed = input.trim();
    if (trimmed.startsWith('{')) {
      let jwk: unknown;
      try {
        jwk = JSON.parse(trimmed);
      } catch {
        throw new JwtAssertionError(
          'ERR_ASSERTION_INVALID_KEY',
          `${option} looks like JSON but is not a valid JWK; it must be ${KEY_FORMS}`,
        );
      }
      return importPrivateKey(jwk, passphrase, option);
    }
    return fromPem(input, passphrase, option);
  }
  if (input instanceof Uint8Array) {
    const head = Buffer.from(input.buffer, input.byteOffset, Math.min(input.byteLength, 64)).toString(
      'latin1',
    );
    if (head.trimStart().startsWith('-----BEGIN') || head.trimStart().startsWith('{')) {
      return importPrivateKey(Buffer.from(input).toString('utf8'), passphrase, option);
    }
    return fromDer(input, passphrase, option);
  }
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
    if (isCryptoKey(input)) return fromCryptoKey(input, option);
    if ('kty' in input) return fromJwk(input as PrivateJwk, option);
  }
  throw new JwtAssertionError(
    input === undefined || input === null ? 'ERR_ASSERTION_INVALID_OPTION' : 'ERR_ASSERTION_INVALID_KEY',
    `${option} must be ${KEY_FORMS}`,
  );
}

/**
 * Classifies a key and refuses the ones NetSuite does not accept: RSA other than 3072/4096 bits and
 * curves other than P-256, P-384 and P-521.
 */
export function describeKey(keyObject: KeyObject, option = 'key'): KeyInfo {
  const type = keyObject.asymmetricKeyType;
  const details = keyObject.asymmetricKeyDetails ?? {};
  if (type === 'rsa' || type === 'rsa-pss') {
    const bits = details.modulusLength ?? 0;
    if (bits < 3072) {
      throw new JwtAssertionError(
        'ERR_ASSERTION_WEAK_KEY',
        `${option} is an RSA key of ${bits} bits; NetSuite accepts only RSA 3072 or 4096 bits (or EC P-256/P-384/P-521): make a new key pair with generateCertificate()`,
      );
    }
    if (bits !== 3072 && bits !== 4096) {
      throw new JwtAssertionError(
        'ERR_ASSERTION_UNSUPPORTED_KEY',
        `${option} is an RSA key of ${bits} bits; NetSuite accepts only RSA 3072 or 4096 bits`,
      );
    }
    const info: KeyInfo = { keyObject, family: 'rsa', bits };
    if (type === 'rsa-pss' && details.hashAlgorithm !== undefined) {
      return {
        ...info,
        pssHash: details.hashAlgorithm,
        pssMinSaltLength: details.saltLength,
      };
    }
    return info;
  }
  if (type === 'ec') {
    const curve = CURVES[details.namedCurve ?? ''];
    if (curve === undefined) {
      throw new JwtAssertionError(
        'ERR_ASSERTION_UNSUPPORTED_KEY',
        `${option} is an EC key on curve ${details.namedCurve ?? 'unknown'}; NetSuite accepts only P-256, P-384 and P-521`,
      );
    }
    return { keyObject, family: 'ec', bits: CURVE_BITS[curve], curve };
  }
  throw new JwtAssertionError(
    'ERR_ASSERTION_UNSUPPORTED_KEY',
    `${option} is a ${type ?? 'unknown'} key; NetSuite accepts only RSA (3072/4096 bits) and EC (P-256/P-384/P-521) keys`,
  );
}
