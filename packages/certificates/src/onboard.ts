import { type CertificateKeyType, generateCertificate } from '@netsuite-oauth/jwt-assertion';
import { type AccessTokenSource, createCertificatesClient } from './client.js';
import { CertificatesError, isCertificatesError, optionError } from './errors.js';
import { proveCertificate } from './prove.js';
import type { NewCertificateKey } from './rotate.js';

/**
 * Options of {@link onboardClientCredentials}.
 *
 * @example
 * const options: OnboardOptions = { accountId, clientId, accessToken: tokens.accessToken, role, entity, saveKey };
 */
export interface OnboardOptions {
  readonly accountId: string;
  readonly origin?: string | URL | undefined;
  readonly allowInsecureLoopback?: boolean | undefined;
  /** The integration's Client ID (the same integration the user signed in to). */
  readonly clientId: string;
  /** The access token of the Authorization Code Grant (or a function returning it). */
  readonly accessToken: AccessTokenSource;
  /** The role and entity the login reported (the `role` and `entity` of the authorization redirect). */
  readonly role: number | string;
  readonly entity: number | string;
  /** @default 'rsa-3072' */
  readonly keyType?: CertificateKeyType;
  /** @default 730 */
  readonly validityDays?: number;
  /** Stores the new private key in the caller's secret storage, before the certificate is uploaded. */
  readonly saveKey: (key: NewCertificateKey) => Promise<void> | void;
  /** @default ['rest_webservices'] */
  readonly scope?: string | readonly string[];
  /** @default 5 */
  readonly proveAttempts?: number;
  /** @default 2000 */
  readonly proveDelayMs?: number;
  readonly fetch?: typeof globalThis.fetch | undefined;
  readonly timeoutMs?: number | undefined;
  /** @default Date.now */
  readonly now?: () => number;
}

/**
 * A ready client-credentials configuration: give it a signer made from the saved key and it runs unattended.
 *
 * @example
 * const signer = await createAssertionSigner({ key: await secrets.get(result.fingerprint), ...result.signer });
 */
export interface OnboardResult {
  readonly certificateId: string;
  readonly fingerprint: string;
  readonly algorithm: string;
  readonly notAfter: Date;
  /** Options for `createAssertionSigner` (add `key`). */
  readonly signer: {
    readonly certificateId: string;
    readonly clientId: string;
    readonly audience?: string;
    readonly accountId: string;
  };
  /** A `client_credentials` grant for `createTokenManager` (add `signer`). */
  readonly grant: {
    readonly type: 'client_credentials';
    readonly accountId: string;
    readonly origin?: string;
    readonly allowInsecureLoopback?: boolean;
  };
}

/**
 * Onboards an integration from one interactive login: with the token of the Authorization Code Grant, generates a
 * key and certificate (the key goes to `saveKey`), maps the certificate to the user's role and entity, proves a
 * client-credentials token works with it, and returns the configuration to run on from then on — no 7-day refresh
 * token to renew. A certificate that cannot be proven is revoked again before the error is thrown.
 *
 * @example
 * const { role, entity } = callback; // from parseAuthorizationCallback
 * const ready = await onboardClientCredentials({ accountId, clientId, accessToken: tokens.accessToken, role, entity,
 *   saveKey: (k) => secrets.put(k.fingerprint, k.privateKeyPem) });
 * @throws {CertificatesError} `ERR_CERTIFICATES_INVALID_OPTION` synchronously; rejects with the client's codes,
 *   `ERR_CERTIFICATES_PROOF_FAILED` or `ERR_CERTIFICATES_CALLBACK`.
 * @see https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/article_0209112025.html
 */
export function onboardClientCredentials(options: OnboardOptions): Promise<OnboardResult> {
  if (typeof options !== 'object' || options === null) throw optionError('options must be an object');
  const client = createCertificatesClient(options);
  if (typeof options.saveKey !== 'function') throw optionError('saveKey must be a function');
  for (const name of ['role', 'entity'] as const) {
    const v = options[name];
    if (!(typeof v === 'number' ? Number.isInteger(v) : typeof v === 'string' && /^-?\d{1,12}$/.test(v))) {
      throw optionError(`${name} must be an internal id (the ${name} of the authorization redirect)`);
    }
  }
  const now = options.now ?? Date.now;
  return (async () => {
    const generated = await generateCertificate({
      ...(options.keyType === undefined ? {} : { keyType: options.keyType }),
      ...(options.validityDays === undefined ? {} : { validityDays: options.validityDays }),
      now,
    });
    try {
      await options.saveKey(
        Object.freeze({
          fingerprint: generated.fingerprint,
          privateKeyPem: generated.privateKeyPem,
          certificatePem: generated.certificatePem,
          algorithm: generated.algorithm,
          notAfter: generated.notAfter,
        }),
      );
    } catch (cause) {
      throw new CertificatesError('ERR_CERTIFICATES_CALLBACK', 'saveKey failed', { cause });
    }
    const created = await client.upload({
      certificatePem: generated.certificatePem,
      role: options.role,
      entity: options.entity,
    });
    try {
      await proveCertificate(
        { ...options, now },
        generated.privateKeyPem,
        created.certificateId,
        options.proveAttempts ?? 5,
        options.proveDelayMs ?? 2000,
      );
    } catch (error) {
      await client.revoke(created.certificateId).catch(() => {});
      throw isCertificatesError(error)
        ? error
        : new CertificatesError('ERR_CERTIFICATES_PROOF_FAILED', 'proof failed');
    }
    const origin = options.origin === undefined ? undefined : new URL(String(options.origin)).origin;
    return Object.freeze({
      certificateId: created.certificateId,
      fingerprint: generated.fingerprint,
      algorithm: generated.algorithm,
      notAfter: generated.notAfter,
      signer: Object.freeze({
        certificateId: created.certificateId,
        clientId: options.clientId,
        accountId: options.accountId,
        ...(origin === undefined ? {} : { audience: `${origin}/services/rest/auth/oauth2/v1/token` }),
      }),
      grant: Object.freeze({
        type: 'client_credentials' as const,
        accountId: options.accountId,
        ...(origin === undefined
          ? {}
          : { origin, allowInsecureLoopback: options.allowInsecureLoopback === true }),
      }),
    });
  })();
}
