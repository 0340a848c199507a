import { createErrorGuard, NetSuiteError } from '@netsuite-oauth/core';

/**
 * Every code a {@link CertificatesError} can carry. The codes are stable; messages may be reworded.
 *
 * @example
 * if (isCertificatesError(e, 'ERR_CERTIFICATES_LIMIT')) await client.revoke(oldestId);
 */
export type CertificatesErrorCode =
  /** A bad option or argument (thrown synchronously by factories). */
  | 'ERR_CERTIFICATES_INVALID_OPTION'
  /** The access-token source threw or returned something that is not a token. */
  | 'ERR_CERTIFICATES_ACCESS_TOKEN'
  /** No answer: DNS, connection refused or reset. */
  | 'ERR_CERTIFICATES_NETWORK'
  /** No answer within `timeoutMs`. */
  | 'ERR_CERTIFICATES_TIMEOUT'
  /** 401: the bearer token was refused (expired, revoked, no `rest_webservices` scope). */
  | 'ERR_CERTIFICATES_UNAUTHORIZED'
  /** 403: the role lacks "Manage own OAuth 2.0 Client Credentials certificates", or another integration's id. */
  | 'ERR_CERTIFICATES_FORBIDDEN'
  /** 404: no such certificate (or endpoint). */
  | 'ERR_CERTIFICATES_NOT_FOUND'
  /** The integration already has 5 active certificates. */
  | 'ERR_CERTIFICATES_LIMIT'
  /** This certificate is already mapped (one certificate per integration + role + entity). */
  | 'ERR_CERTIFICATES_DUPLICATE'
  /** NetSuite refused the certificate (format, key type or size, expired). */
  | 'ERR_CERTIFICATES_REFUSED'
  /** Any other non-2xx answer. */
  | 'ERR_CERTIFICATES_HTTP'
  /** A 2xx answer this package cannot read. */
  | 'ERR_CERTIFICATES_INVALID_RESPONSE'
  /** Another process holds the rotation's lock. */
  | 'ERR_CERTIFICATES_ROTATION_BUSY'
  /** The persisted rotation record cannot be read (not written by this package, or a newer version). */
  | 'ERR_CERTIFICATES_ROTATION_STATE'
  /** `loadKey` has no private key for the rotation's certificate: the rotation was abandoned and cleaned up. */
  | 'ERR_CERTIFICATES_KEY_LOST'
  /** No token could be obtained with the new certificate id (it may still be propagating: run again). */
  | 'ERR_CERTIFICATES_PROOF_FAILED'
  /** A caller callback (`saveKey`, `loadKey`, `onSwitch`) threw. */
  | 'ERR_CERTIFICATES_CALLBACK'
  /** The state store failed. */
  | 'ERR_CERTIFICATES_STORE';

/**
 * The error of `@netsuite-oauth/certificates`. Messages never hold a token, a key or a response body.
 *
 * @example
 * try { await client.upload({ certificatePem, role: 3, entity: -5 }) }
 * catch (e) { if (isCertificatesError(e)) console.log(e.code) }
 */
export class CertificatesError extends NetSuiteError {
  declare readonly code: CertificatesErrorCode;

  constructor(code: CertificatesErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'CertificatesError';
  }
}

/**
 * A non-2xx answer of the certificates endpoint, with its status and NetSuite's error code (`o:errorCode`).
 *
 * @example
 * if (e instanceof CertificatesApiError && e.status === 403) askForPermission();
 */
export class CertificatesApiError extends CertificatesError {
  readonly status: number;
  /** NetSuite's `o:errorCode`, when the body had one. */
  readonly errorCode: string | undefined;

  constructor(code: CertificatesErrorCode, message: string, status: number, errorCode: string | undefined) {
    super(code, message);
    this.name = 'CertificatesApiError';
    this.status = status;
    this.errorCode = errorCode;
  }
}

/**
 * True for a {@link CertificatesError} from any installed copy of the package; pass `code` to test for one code.
 *
 * @example
 * if (isCertificatesError(e, 'ERR_CERTIFICATES_FORBIDDEN')) showPermissionHelp();
 */
export const isCertificatesError = createErrorGuard<CertificatesError>('ERR_CERTIFICATES_');

export function optionError(message: string): CertificatesError {
  return new CertificatesError('ERR_CERTIFICATES_INVALID_OPTION', message);
}
