import {
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
  X509Certificate,
} from 'node:crypto';
import {
  bitString,
  explicit,
  integer,
  nullValue,
  oid,
  sequence,
  set,
  time,
  utf8String,
} from '@netsuite-oauth/core/der';
import { EmulatorError } from './errors.js';

/** Key types NetSuite accepts for client-credentials certificates (RSA 3072/4096, EC P-256/384/521). */
export type TestKeyType = 'rsa-3072' | 'rsa-4096' | 'ec-p256' | 'ec-p384' | 'ec-p521';

/** Options of {@link generateTestCertificate}. */
export interface TestCertificateOptions {
  /** @default 'ec-p256' (fast to generate; RSA 3072 takes about a second) */
  readonly keyType?: TestKeyType | undefined;
  /** @default 'netsuite-emulator' */
  readonly commonName?: string | undefined;
  /** @default 365 */
  readonly validityDays?: number | undefined;
  /** Clock for `notBefore`. @default Date.now */
  readonly now?: (() => number) | undefined;
}

/** A self-signed certificate and its private key, both PEM. */
export interface TestCertificate {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
  /** The JWS algorithm to sign assertions with: `PS256` for RSA, `ES256`/`ES384`/`ES512` for EC. */
  readonly algorithm: 'PS256' | 'ES256' | 'ES384' | 'ES512';
}

/**
 * Makes a self-signed X.509 certificate NetSuite (and the emulator) would accept for the client-credentials
 * flow, with node:crypto only. For tests and the `netsuite-emulator` bin; use a real CA or
 * `@netsuite-oauth/jwt-assertion` in production.
 *
 * @example
 * const { certificatePem, privateKeyPem, algorithm } = generateTestCertificate({ keyType: 'ec-p256' });
 * const { certificateId } = await emu.admin.addCertificate({ clientId, certificatePem });
 * @throws {EmulatorError} `ERR_EMULATOR_INVALID_OPTION` for an unknown key type or validity.
 * @see https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/subsect_162755332391.html
 */
export function generateTestCertificate(options: TestCertificateOptions = {}): TestCertificate {
  const keyType = options.keyType ?? 'ec-p256';
  const validityDays = options.validityDays ?? 365;
  if (!Number.isInteger(validityDays) || validityDays < 1 || validityDays > 3650) {
    throw new EmulatorError('ERR_EMULATOR_INVALID_OPTION', 'validityDays must be an integer from 1 to 3650');
  }
  let privateKey: KeyObject;
  let publicKey: KeyObject;
  let algorithm: TestCertificate['algorithm'];
  let sigAlg: Buffer;
  let hash: string;
  if (keyType === 'rsa-3072' || keyType === 'rsa-4096') {
    ({ privateKey, publicKey } = generateKeyPairSync('rsa', {
      modulusLength: keyType === 'rsa-3072' ? 3072 : 4096,
    }));
    algorithm = 'PS256';
    sigAlg = sequence(oid('1.2.840.113549.1.1.11'), nullValue());
    hash = 'sha256';
  } else if (keyType === 'ec-p256' || keyType === 'ec-p384' || keyType === 'ec-p521') {
    const curve = { 'ec-p256': 'P-256', 'ec-p384': 'P-384', 'ec-p521': 'P-521' }[keyType];
    ({ privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve }));
    algorithm = ({ 'ec-p256': 'ES256', 'ec-p384': 'ES384', 'ec-p521': 'ES512' } as const)[keyType];
    hash = { 'ec-p256': 'sha256', 'ec-p384': 'sha384', 'ec-p521': 'sha512' }[keyType];
    sigAlg = sequence(
      oid(
        {
          'ec-p256': '1.2.840.10045.4.3.2',
          'ec-p384': '1.2.840.10045.4.3.3',
          'ec-p521': '1.2.840.10045.4.3.4',
        }[keyType],
      ),
    );
  } else {
    throw new EmulatorError(
      'ERR_EMULATOR_INVALID_OPTION',
      'keyType must be rsa-3072, rsa-4096, ec-p256, ec-p384 or ec-p521',
    );
  }
  const cn = String(options.commonName ?? 'netsuite-emulator').slice(0, 64);
  const name = sequence(set(sequence(oid('2.5.4.3'), utf8String(cn))));
  const now = (options.now ?? Date.now)();
  const serial = randomBytes(16);
  // Positive (top bit clear) and minimal (first byte non-zero): a leading 0x00 before a byte < 0x80 is illegal DER.
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x01;
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const tbs = sequence(
    explicit(0, integer(2)),
    integer(serial),
    sigAlg,
    name,
    sequence(time(new Date(now - 60_000)), time(new Date(now + validityDays * 86_400_000))),
    name,
    spki,
  );
  const signature = sign(hash, tbs, privateKey);
  const cert = sequence(tbs, sigAlg, bitString(signature));
  const b64 = cert
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '');
  return {
    certificatePem: `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    algorithm,
  };
}

/** What the emulator keeps of an uploaded certificate. */
export interface ParsedCertificate {
  readonly publicKey: KeyObject;
  readonly keyType: string;
  readonly notBefore: number;
  /** Effective expiry: NetSuite silently caps validity at two years. */
  readonly notAfter: number;
  readonly fingerprint: string;
}

const TWO_YEARS_MS = 730 * 86_400_000;

/** Parses and checks a PEM certificate against NetSuite's rules (RSA 3072/4096, EC 256/384/521). */
export function parseCertificate(pem: unknown): ParsedCertificate {
  if (typeof pem !== 'string' || pem.length > 64_000 || !pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new EmulatorError(
      'ERR_EMULATOR_INVALID_CERTIFICATE',
      'certificatePem must be a PEM X.509 certificate',
    );
  }
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch (cause) {
    throw new EmulatorError(
      'ERR_EMULATOR_INVALID_CERTIFICATE',
      'certificatePem is not a readable X.509 certificate',
      {
        cause,
      },
    );
  }
  const publicKey = createPublicKey(cert.publicKey.export({ type: 'spki', format: 'pem' }));
  const details = publicKey.asymmetricKeyDetails ?? {};
  let keyType: string;
  if (publicKey.asymmetricKeyType === 'rsa' || publicKey.asymmetricKeyType === 'rsa-pss') {
    const bits = details.modulusLength ?? 0;
    if (bits !== 3072 && bits !== 4096) {
      throw new EmulatorError(
        'ERR_EMULATOR_INVALID_CERTIFICATE',
        `certificate RSA key has ${bits} bits; NetSuite accepts only 3072 or 4096`,
      );
    }
    keyType = `rsa-${bits}`;
  } else if (publicKey.asymmetricKeyType === 'ec') {
    const curve = details.namedCurve ?? '';
    const map: Record<string, string> = { prime256v1: 'ec-p256', secp384r1: 'ec-p384', secp521r1: 'ec-p521' };
    const mapped = map[curve];
    if (!mapped) {
      throw new EmulatorError(
        'ERR_EMULATOR_INVALID_CERTIFICATE',
        'certificate EC curve must be P-256, P-384 or P-521',
      );
    }
    keyType = mapped;
  } else {
    throw new EmulatorError('ERR_EMULATOR_INVALID_CERTIFICATE', 'certificate key must be RSA or EC');
  }
  const notBefore = Date.parse(cert.validFrom);
  const notAfter = Math.min(Date.parse(cert.validTo), notBefore + TWO_YEARS_MS);
  return { publicKey, keyType, notBefore, notAfter, fingerprint: cert.fingerprint256 };
}
