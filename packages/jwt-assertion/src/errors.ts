import { createErrorGuard, NetSuiteError } from '@netsuite-oauth/core';

/**
 * Every code a {@link JwtAssertionError} can carry. The codes are stable; messages may be reworded.
 *
 * @example
 * if (isJwtAssertionError(e) && e.code === 'ERR_ASSERTION_WEAK_KEY') generateNewCertificate();
 */
export type JwtAssertionErrorCode =
  /** An option has the wrong type or an unknown name. */
  | 'ERR_ASSERTION_INVALID_OPTION'
  /** `certificateId` (the JWT `kid`) is missing or empty. */
  | 'ERR_ASSERTION_MISSING_KID'
  /** `certificateId` looks like a certificate fingerprint, not NetSuite's certificate ID. */
  | 'ERR_ASSERTION_INVALID_KID'
  /** A multi-certificate signer has no certificate left that is valid now and not refused by NetSuite. */
  | 'ERR_ASSERTION_NO_USABLE_CERTIFICATE'
  /** `clientId` (the JWT `iss`) is missing or empty. */
  | 'ERR_ASSERTION_MISSING_ISS'
  /** `clientId` looks like the Application ID (a GUID) or contains whitespace. */
  | 'ERR_ASSERTION_INVALID_ISS'
  /** Neither `accountId` nor `audience` was given. */
  | 'ERR_ASSERTION_MISSING_AUDIENCE'
  /** `audience` is not an https URL (or an http URL on a loopback host). */
  | 'ERR_ASSERTION_INVALID_AUDIENCE'
  /** `scope` holds a value NetSuite does not know, or is empty. */
  | 'ERR_ASSERTION_INVALID_SCOPE'
  /** `lifetimeSeconds` is above 3600 (NetSuite's limit for `exp − iat`). */
  | 'ERR_ASSERTION_LIFETIME_TOO_LONG'
  /** A caller tried to set a claim the package owns (`iss`, `sub`, `aud`, `iat`, `exp`, `jti`, `nbf`). */
  | 'ERR_ASSERTION_RESERVED_CLAIM'
  /** The algorithm is one NetSuite refuses: RS256/384/512, HS*, `none`, or unknown. */
  | 'ERR_ASSERTION_UNSUPPORTED_ALGORITHM'
  /** The algorithm does not fit the key (ES256 with an RSA key, ES384 with a P-256 key, ...). */
  | 'ERR_ASSERTION_ALGORITHM_KEY_MISMATCH'
  /** An RSA key under 3072 bits. */
  | 'ERR_ASSERTION_WEAK_KEY'
  /** A key type NetSuite does not accept (Ed25519, secp256k1, RSA of a size other than 3072/4096, ...). */
  | 'ERR_ASSERTION_UNSUPPORTED_KEY'
  /** A symmetric (HMAC) secret was passed as the key. */
  | 'ERR_ASSERTION_HMAC_KEY'
  /** A public key or a certificate was passed where the private key belongs. */
  | 'ERR_ASSERTION_PUBLIC_KEY'
  /** The key could not be read (not PEM, DER, JWK, KeyObject or CryptoKey, or corrupt). */
  | 'ERR_ASSERTION_INVALID_KEY'
  /** The key is encrypted and no `passphrase` was given. */
  | 'ERR_ASSERTION_PASSPHRASE_REQUIRED'
  /** The key is encrypted and `passphrase` does not decrypt it. */
  | 'ERR_ASSERTION_BAD_PASSPHRASE'
  /** The certificate could not be read as an X.509 PEM or DER certificate. */
  | 'ERR_ASSERTION_INVALID_CERTIFICATE'
  /** The private key does not belong to the certificate. */
  | 'ERR_ASSERTION_CERTIFICATE_MISMATCH'
  /** The certificate has expired or is not valid yet. */
  | 'ERR_ASSERTION_CERTIFICATE_EXPIRED'
  /** `validityDays` is above 730 (NetSuite's two-year maximum). */
  | 'ERR_ASSERTION_VALIDITY_TOO_LONG'
  /** The injected clock returned something that is not a finite, non-negative epoch-milliseconds number. */
  | 'ERR_ASSERTION_INVALID_CLOCK';

/**
 * The one error class of `@netsuite-oauth/jwt-assertion`.
 *
 * Messages are short, lowercase, name the offending option and say what to do. They never contain a key,
 * a passphrase, a certificate or an assertion.
 *
 * @example
 * try {
 *   await createAssertionSigner({ key: rsa2048Pem, certificateId, clientId, accountId });
 * } catch (e) {
 *   if (isJwtAssertionError(e)) console.error(e.code); // 'ERR_ASSERTION_WEAK_KEY'
 * }
 */
export class JwtAssertionError extends NetSuiteError {
  declare readonly code: JwtAssertionErrorCode;

  constructor(code: JwtAssertionErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'JwtAssertionError';
  }
}

/**
 * True when `value` is a {@link JwtAssertionError}, from any installed copy of the package.
 * Pass `code` to test for one code.
 *
 * @example
 * if (isJwtAssertionError(e)) console.log(e.code);
 */
export const isJwtAssertionError = createErrorGuard<JwtAssertionError>('ERR_ASSERTION_');
