import {
  constants,
  createHash,
  sign as cryptoSign,
  generateKeyPair,
  type KeyObject,
  randomBytes,
  X509Certificate,
} from 'node:crypto';
import { promisify } from 'node:util';
import {
  bitString,
  boolean,
  explicit,
  integer,
  octetString,
  oid,
  readTlv,
  sequence,
  set,
  time,
  utf8String,
} from '@netsuite-oauth/core/der';
import { type AssertionAlgorithm, recommendedAlgorithm } from './algorithms.js';
import { JwtAssertionError } from './errors.js';
import { importPrivateKey, type NetSuiteCurve, type PrivateKeyInput } from './keys.js';
import { readCertificate } from './signer.js';

const generateKeyPairAsync = promisify(generateKeyPair);

/**
 * The key types NetSuite accepts for client-credentials certificates.
 *
 * @example
 * const keyType: CertificateKeyType = 'ec-p256';
 */
export type CertificateKeyType = 'rsa-3072' | 'rsa-4096' | 'ec-p256' | 'ec-p384' | 'ec-p521';

/**
 * NetSuite's longest certificate validity, in days: two years.
 *
 * @example
 * await generateCertificate({ validityDays: MAX_VALIDITY_DAYS });
 */
export const MAX_VALIDITY_DAYS = 730;

/**
 * Options of {@link generateCertificate}.
 *
 * @example
 * const options: GenerateCertificateOptions = { keyType: 'rsa-3072', commonName: 'acme-sync', validityDays: 365 };
 */
export interface GenerateCertificateOptions {
  /** @default 'rsa-3072' */
  readonly keyType?: CertificateKeyType | undefined;
  /** The subject and issuer common name (1 to 64 characters). @default 'netsuite-oauth client credentials' */
  readonly commonName?: string | undefined;
  /** Days from `now` to `notAfter`, an integer from 1 to 730 (NetSuite's two-year maximum). @default 730 */
  readonly validityDays?: number | undefined;
  /** Encrypt `privateKeyPem` (PKCS#8, AES-256-CBC) with this passphrase. @default unencrypted */
  readonly passphrase?: string | undefined;
  /** The clock, in epoch milliseconds. @default Date.now */
  readonly now?: (() => number) | undefined;
}

/**
 * A new key pair and its self-signed certificate, as PEM text.
 *
 * @example
 * await writeFile('netsuite-key.pem', generated.privateKeyPem, { mode: 0o600 });
 * await writeFile('netsuite-cert.pem', generated.certificatePem); // upload this one to NetSuite
 */
export interface GeneratedCertificate {
  /** The private key, PKCS#8 PEM (`BEGIN PRIVATE KEY`, or `BEGIN ENCRYPTED PRIVATE KEY` with a passphrase). */
  readonly privateKeyPem: string;
  /** The self-signed X.509 certificate to upload in NetSuite's OAuth 2.0 Client Credentials (M2M) Setup. */
  readonly certificatePem: string;
  /** SHA-256 fingerprint, upper-case hex pairs separated by colons (as `openssl x509 -fingerprint -sha256`). */
  readonly fingerprint: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** The JWT algorithm to sign assertions with for this key. */
  readonly algorithm: AssertionAlgorithm;
  readonly keyType: CertificateKeyType;
}

const KEY_TYPES: Record<
  CertificateKeyType,
  { family: 'rsa'; bits: 3072 | 4096 } | { family: 'ec'; curve: NetSuiteCurve; nodeCurve: string }
> = {
  'rsa-3072': { family: 'rsa', bits: 3072 },
  'rsa-4096': { family: 'rsa', bits: 4096 },
  'ec-p256': { family: 'ec', curve: 'P-256', nodeCurve: 'prime256v1' },
  'ec-p384': { family: 'ec', curve: 'P-384', nodeCurve: 'secp384r1' },
  'ec-p521': { family: 'ec', curve: 'P-521', nodeCurve: 'secp521r1' },
};

const OID = {
  commonName: '2.5.4.3',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  subjectKeyIdentifier: '2.5.29.14',
  rsassaPss: '1.2.840.113549.1.1.10',
  mgf1: '1.2.840.113549.1.1.8',
  sha256: '2.16.840.1.101.3.4.2.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecdsaWithSha384: '1.2.840.10045.4.3.3',
  ecdsaWithSha512: '1.2.840.10045.4.3.4',
} as const;

const DAY_MS = 86_400_000;
const DEFAULT_COMMON_NAME = 'netsuite-oauth client credentials';

function clockOf(now: unknown): () => number {
  if (now === undefined) return Date.now;
  if (typeof now === 'function') return now as () => number;
  if (typeof now === 'number') return () => now;
  throw new JwtAssertionError(
    'ERR_ASSERTION_INVALID_OPTION',
    'now must be a function returning epoch milliseconds',
  );
}

function readClock(now: () => number): number {
  const value = now();
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new JwtAssertionError(
      'ERR_ASSERTION_INVALID_CLOCK',
      'the clock must return a finite, non-negative number of epoch milliseconds',
    );
  }
  return value;
}

function signatureAlgorithm(publicKey: KeyObject): { id: Buffer; hash: string; pss: boolean } {
  if (publicKey.asymmetricKeyType === 'rsa') {
    // Oracle's own recipe signs the certificate with RSASSA-PSS (`-sigopt rsa_padding_mode:pss`):
    // SHA-256, MGF1-SHA-256, 32-byte salt (RFC 4055 §3.1; SHA-2 parameters omitted, as OpenSSL does).
    const params = sequence(
      explicit(0, sequence(oid(OID.sha256))),
      explicit(1, sequence(oid(OID.mgf1), sequence(oid(OID.sha256)))),
      explicit(2, integer(32)),
    );
    return { id: sequence(oid(OID.rsassaPss), params), hash: 'sha256', pss: true };
  }
  const curve = publicKey.asymmetricKeyDetails?.namedCurve;
  if (curve === 'secp521r1') return { id: sequence(oid(OID.ecdsaWithSha512)), hash: 'sha512', pss: false };
  if (curve === 'secp384r1') return { id: sequence(oid(OID.ecdsaWithSha384)), hash: 'sha384', pss: false };
  return { id: sequence(oid(OID.ecdsaWithSha256)), hash: 'sha256', pss: false };
}

function name(commonName: string): Buffer {
  return sequence(set(sequence(oid(OID.commonName), utf8String(commonName))));
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical
    ? sequence(oid(id), boolean(true), octetString(value))
    : sequence(oid(id), octetString(value));
}

/** RFC 7093 §2 method 1: the leftmost 160 bits of the SHA-256 of the subjectPublicKey BIT STRING value. */
function subjectKeyIdentifier(spki: Buffer): Buffer {
  const outer = readTlv(spki, 0);
  const algorithm = readTlv(spki, outer.start);
  const bits = readTlv(spki, algorithm.end);
  return createHash('sha256')
    .update(spki.subarray(bits.start + 1, bits.end))
    .digest()
    .subarray(0, 20);
}

/** PEM armour (RFC 7468) with 64-character lines. */
export function toPem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/**
 * Builds and signs a self-signed X.509 v3 certificate for an RSA or EC key pair (internal; tests also use it
 * to make certificates NetSuite would refuse).
 */
export function selfSignedCertificate(
  privateKey: KeyObject,
  publicKey: KeyObject,
  commonName: string,
  notBefore: Date,
  notAfter: Date,
): Buffer {
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const algorithm = signatureAlgorithm(publicKey);
  // 16 random bytes, top bit cleared: positive, unique, at most 20 octets (RFC 5280 §4.1.2.2).
  const serial = randomBytes(16);
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x01;
  const subject = name(commonName);
  const tbs = sequence(
    explicit(0, integer(2)),
    integer(serial),
    algorithm.id,
    subject,
    sequence(time(notBefore), time(notAfter)),
    subject,
    spki,
    explicit(
      3,
      sequence(
        extension(OID.basicConstraints, true, sequence()),
        extension(OID.keyUsage, true, bitString(Buffer.from([0x80]), 7)),
        extension(OID.subjectKeyIdentifier, false, octetString(subjectKeyIdentifier(spki))),
      ),
    ),
  );
  const signature = algorithm.pss
    ? cryptoSign(algorithm.hash, tbs, {
        key: privateKey,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: 32,
      })
    : cryptoSign(algorithm.hash, tbs, privateKey);
  return sequence(tbs, algorithm.id, bitString(signature));
}

/**
 * Generates a key pair and a self-signed X.509 certificate that NetSuite accepts for the client-credentials
 * (M2M) flow: RSA 3072/4096 (certificate signed with RSASSA-PSS, as in Oracle's recipe) or EC P-256/384/521,
 * valid for at most two years. What tutorials do with `openssl req -x509 -newkey rsa:4096 ...`, done right,
 * in process and without OpenSSL's CLI.
 *
 * Upload `certificatePem` in Setup > Integration > Manage Authentication > OAuth 2.0 Client Credentials (M2M)
 * Setup; keep `privateKeyPem` secret and pass it as `key` to {@link createAssertionSigner}.
 *
 * @see https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/subsect_162755332391.html
 * @throws {JwtAssertionError} `ERR_ASSERTION_INVALID_OPTION` for an unknown keyType or a bad commonName,
 *   `ERR_ASSERTION_VALIDITY_TOO_LONG` for validityDays over 730, `ERR_ASSERTION_INVALID_CLOCK`.
 * @example
 * const { privateKeyPem, certificatePem, algorithm } = await generateCertificate({ keyType: 'ec-p256' });
 */
export async function generateCertificate(
  options: GenerateCertificateOptions = {},
): Promise<GeneratedCertificate> {
  if (typeof options !== 'object' || options === null) {
    throw new JwtAssertionError('ERR_ASSERTION_INVALID_OPTION', 'options must be an object');
  }
  for (const key of Object.keys(options)) {
    if (!['keyType', 'commonName', 'validityDays', 'passphrase', 'now'].includes(key)) {
      throw new JwtAssertionError(
        'ERR_ASSERTION_INVALID_OPTION',
        `generateCertificate has an unknown option ${key}`,
      );
    }
  }
  const keyType = options.keyType ?? 'rsa-3072';
  const spec = Object.hasOwn(KEY_TYPES, keyType) ? KEY_TYPES[keyType] : undefined;
  if (spec === undefined) {
    throw new JwtAssertionError(
      'ERR_ASSERTION_INVALID_OPTION',
      `keyType must be one of ${Object.keys(KEY_TYPES).join(', ')} (NetSuite accepts no other key)`,
    );
  }
  const commonName = options.commonName ?? DEFAULT_COMMON_NAME;
  if (
    typeof commonName !== 'string' ||
    commonName.length < 1 ||
    commonName.length > 64 ||
    hasControlCharacter(commonName)
  ) {
    throw new JwtAssertionError(
      'ERR_ASSERTION_INVALID_OPTION',
      'commonName must be 1 to 64 characters without control characters',
    );
  }
  const validityDays = options.validityDays ?? MAX_VALIDITY_DAYS;
  if (typeof validityDays !== 'number' || !Number.isInteger(validityDays) || validityDays < 1) {
    throw new JwtAssertionError(
      'ERR_ASSERTION_INVALID_OPTION',
      'validityDays must be a whole number from 1 to 730',
    );
  }
  if (validityDays > MAX_VALIDITY_DAYS) {
    throw new JwtAssertionError(
      'ERR_ASSERTION_VALIDITY_TOO_LONG',
      'validityDays must be at most 730: NetSuite accepts certificates valid for two years at most',
    );
  }
  if (
    options.passphrase !== undefined &&
    (typeof options.passphrase !== 'string' || options.passphrase === '')
  ) {
    throw new JwtAssertionError('ERR_ASSERTION_INVALID_OPTION', 'passphrase must be a non-empty string');
  }
  const start = Math.floor(readClock(clockOf(options.now)) / 1000) * 1000;
  const notBefore = new Date(start);
  const notAfter = new Date(start + validityDays * DAY_MS);

  const { privateKey, publicKey } =
    spec.family === 'rsa'
      ? await generateKeyPairAsync('rsa', { modulusLength: spec.bits, publicExponent: 0x10001 })
      : await generateKeyPairAsync('ec', { namedCurve: spec.nodeCurve });
  const der = selfSignedCertificate(privateKey, publicKey, commonName, notBefore, notAfter);
  const certificate = new X509Certificate(der);
  const privateKeyPem =
    options.passphrase === undefined
      ? (privateKey.export({ type: 'pkcs8', format: 'pem' }) as string)
      : (privateKey.export({
          type: 'pkcs8',
          format: 'pem',
          cipher: 'aes-256-cbc',
          passphrase: options.passphrase,
        }) as string);
  return {
    privateKeyPem,
    certificatePem: toPem('CERTIFICATE', der),
    fingerprint: certificate.fingerprint256,
    notBefore,
    notAfter,
    algorithm: recommendedAlgorithm(
      spec.family === 'rsa' ? { family: 'rsa' } : { family: 'ec', curve: spec.curve },
    ),
    keyType,
  };
}

/**
 * Options of {@link inspectCertificate}.
 *
 * @example
 * inspectCertificate(certPem, { privateKey: keyPem });
 */
export interface InspectCertificateOptions {
  /** A private key to test against the certificate (any form {@link createAssertionSigner} takes). */
  readonly privateKey?: PrivateKeyInput | undefined;
  /** Passphrase of an encrypted `privateKey`. */
  readonly passphrase?: string | undefined;
  /** The clock (epoch milliseconds, or a function returning it). @default Date.now */
  readonly now?: (() => number) | number | undefined;
}

/**
 * What {@link inspectCertificate} found. `problems` lists what NetSuite would refuse; `notes` lists what it
 * would change or warn about. `acceptedByNetSuite` is `problems.length === 0`.
 *
 * @example
 * if (!info.acceptedByNetSuite) console.error(info.problems.join('\n'));
 */
export interface CertificateInfo {
  /** Subject distinguished name, e.g. `CN=acme-sync`. */
  readonly subject: string;
  readonly issuer: string;
  readonly selfSigned: boolean;
  /** `rsa`, `rsa-pss`, `ec`, or another node:crypto key type NetSuite refuses (`ed25519`, ...). */
  readonly keyType: string;
  /** RSA modulus bits, or the EC field size (256, 384, 521). */
  readonly keySize?: number | undefined;
  /** EC curve by its JOSE name when NetSuite accepts it (`P-256`), else node's name (`secp256k1`). */
  readonly curve?: string | undefined;
  /** SHA-256 fingerprint, `AB:CD:…`. */
  readonly fingerprint: string;
  readonly serialNumber: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Whole days until `notAfter` (negative once expired). */
  readonly daysLeft: number;
  readonly expired: boolean;
  readonly acceptedByNetSuite: boolean;
  readonly problems: readonly string[];
  readonly notes: readonly string[];
  /** The JWT algorithm for this key, when NetSuite accepts the key. */
  readonly recommendedAlgorithm?: AssertionAlgorithm | undefined;
  /** Present when `privateKey` was given: whether it belongs to this certificate. */
  readonly matchesPrivateKey?: boolean | undefined;
}

const JOSE_CURVE: Record<string, NetSuiteCurve> = {
  prime256v1: 'P-256',
  secp384r1: 'P-384',
  secp521r1: 'P-521',
};

/**
 * Reads an X.509 certificate and reports what NetSuite cares about: key type and size, validity and days left,
 * SHA-256 fingerprint, whether NetSuite accepts it (and why not), and whether a private key matches it.
 * Parsing is node:crypto's `X509Certificate` (OpenSSL, in process).
 *
 * @see https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/subsect_162755332391.html
 * @throws {JwtAssertionError} `ERR_ASSERTION_INVALID_CERTIFICATE` for anything but a PEM/DER certificate;
 *   the key errors of {@link createAssertionSigner} for a bad `privateKey`.
 * @example
 * const info = inspectCertificate(await readFile('netsuite-cert.pem', 'utf8'), { privateKey: keyPem });
 * console.log(info.daysLeft, info.matchesPrivateKey, info.problems);
 */
export function inspectCertificate(
  pem: string | Uint8Array,
  options: InspectCertificateOptions = {},
): CertificateInfo {
  if (typeof options !== 'object' || options === null) {
    throw new JwtAssertionError('ERR_ASSERTION_INVALID_OPTION', 'options must be an object');
  }
  if (
    typeof pem === 'string' &&
    /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem) &&
    !pem.includes('BEGIN CERTIFICATE')
  ) {
    throw new JwtAssertionError(
      'ERR_ASSERTION_INVALID_CERTIFICATE',
      'certificate holds a private key, not a certificate; pass the certificate PEM (BEGIN CERTIFICATE)',
    );
  }
  const certificate = readCertificate(pem);
  const nowMs = readClock(clockOf(options.now));
  const publicKey = certificate.publicKey;
  const keyType = publicKey.asymmetricKeyType ?? 'unknown';
  const details = publicKey.asymmetricKeyDetails ?? {};
  const notBefore = new Date(Date.parse(certificate.validFrom));
  const notAfter = new Date(Date.parse(certificate.validTo));
  const problems: string[] = [];
  const notes: string[] = [];

  let keySize: number | undefined;
  let curve: string | undefined;
  let algorithm: AssertionAlgorithm | undefined;
  if (keyType === 'rsa' || keyType === 'rsa-pss') {
    keySize = details.modulusLength;
    if (keySize === 3072 || keySize === 4096) {
      algorithm = recommendedAlgorithm({
        family: 'rsa',
        pssHash: details.hashAlgorithm,
      });
    } else {
      problems.push(`RSA key of ${keySize ?? 'unknown'} bits: NetSuite accepts only RSA 3072 or 4096 bits`);
    }
  } else if (keyType === 'ec') {
    const jose = JOSE_CURVE[details.namedCurve ?? ''];
    curve = jose ?? details.namedCurve;
    if (jose === undefined) {
      problems.push(
        `EC curve ${details.namedCurve ?? 'unknown'}: NetSuite accepts only P-256, P-384 and P-521`,
      );
    } else {
      keySize = { 'P-256': 256, 'P-384': 384, 'P-521': 521 }[jose];
      algorithm = recommendedAlgorithm({ family: 'ec', curve: jose });
    }
  } else {
    problems.push(
      `${keyType} key: NetSuite accepts only RSA (3072/4096 bits) and EC (P-256/P-384/P-521) keys`,
    );
  }

  const expired = nowMs > notAfter.getTime();
  if (expired)
    problems.push('expired: NetSuite refuses assertions for it; generate and map a new certificate');
  if (nowMs < notBefore.getTime()) problems.push('not valid yet (notBefore is in the future)');
  const daysLeft = Math.floor((notAfter.getTime() - nowMs) / DAY_MS);
  if (notAfter.getTime() - notBefore.getTime() > (MAX_VALIDITY_DAYS + 1) * DAY_MS) {
    notes.push('valid for more than two years: NetSuite shortens the validity to two years');
  }
  if (!expired && daysLeft < 60) notes.push(`expires in ${daysLeft} days: map a new certificate before then`);

  let matchesPrivateKey: boolean | undefined;
  if (options.privateKey !== undefined) {
    const key = importPrivateKey(options.privateKey, options.passphrase, 'privateKey');
    try {
      matchesPrivateKey = certificate.checkPrivateKey(key);
    } catch {
      matchesPrivateKey = false;
    }
  }
  const selfSigned = certificate.subject === certificate.issuer && safeVerify(certificate);

  return {
    subject: certificate.subject.split('\n').join(', '),
    issuer: certificate.issuer.split('\n').join(', '),
    selfSigned,
    keyType,
    keySize,
    curve,
    fingerprint: certificate.fingerprint256,
    serialNumber: certificate.serialNumber,
    notBefore,
    notAfter,
    daysLeft,
    expired,
    acceptedByNetSuite: problems.length === 0,
    problems,
    notes,
    recommendedAlgorithm: algorithm,
    matchesPrivateKey,
  };
}

function safeVerify(certificate: X509Certificate): boolean {
  try {
    return certificate.verify(certificate.publicKey);
  } catch {
    return false;
  }
}

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}
