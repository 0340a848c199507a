import { createErrorGuard, NetSuiteError } from '@netsuite-oauth/core';

/**
 * Every code an {@link OAuthFlowError} can carry. Stable: match on these, not on messages.
 *
 * @example
 * const retryable = (code: OAuthFlowErrorCode) => code === 'ERR_OAUTH_NETWORK' || code === 'ERR_OAUTH_TIMEOUT';
 */
export type OAuthFlowErrorCode =
  | 'ERR_OAUTH_INVALID_OPTION'
  | 'ERR_OAUTH_NETWORK'
  | 'ERR_OAUTH_TIMEOUT'
  | 'ERR_OAUTH_ABORTED'
  | 'ERR_OAUTH_REDIRECT'
  | 'ERR_OAUTH_RESPONSE'
  | 'ERR_OAUTH_UNEXPECTED_STATUS'
  | 'ERR_OAUTH_INVALID_RESPONSE'
  | 'ERR_OAUTH_RESPONSE_TOO_LARGE'
  | 'ERR_OAUTH_UNSUPPORTED_TOKEN_TYPE'
  | 'ERR_OAUTH_ASSERTION_FAILED'
  | 'ERR_OAUTH_INVALID_CALLBACK'
  | 'ERR_OAUTH_AUTHORIZATION_ERROR'
  | 'ERR_OAUTH_STATE_MISMATCH'
  | 'ERR_OAUTH_STATE_REUSED'
  | 'ERR_OAUTH_ISSUER_MISMATCH'
  | 'ERR_OAUTH_REAUTHENTICATION_REQUIRED'
  | 'ERR_OAUTH_STORE'
  | 'ERR_OAUTH_LOCK_TIMEOUT'
  | 'ERR_OAUTH_CLOSED'
  | 'ERR_OAUTH_UNKNOWN_KEY'
  | 'ERR_OAUTH_RESOLVE_FAILED';

/**
 * Base class of every error thrown by `@netsuite-oauth/oauth-flows`.
 *
 * Messages are short and lowercase and never contain a token, secret, assertion, authorization code,
 * code verifier, state or response body; `cause` chains are sanitised the same way.
 *
 * @example
 * try { await requestClientCredentialsToken(options) } catch (e) {
 *   if (isOAuthFlowError(e) && e.code === 'ERR_OAUTH_TIMEOUT') retryLater();
 * }
 */
export class OAuthFlowError extends NetSuiteError {
  declare readonly code: OAuthFlowErrorCode;
  /** The HTTP status, for errors raised from a response. */
  readonly status?: number | undefined;
  /** How long the server asked to wait (`Retry-After`), in ms, when it said. */
  readonly retryAfterMs?: number | undefined;

  constructor(
    code: OAuthFlowErrorCode,
    message: string,
    options?: { cause?: unknown; status?: number | undefined; retryAfterMs?: number | undefined },
  ) {
    super(code, message, options);
    this.name = 'OAuthFlowError';
    if (options?.status !== undefined) this.status = options.status;
    if (options?.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
}

/** Longest `error_description` an error keeps (RFC 6749 §5.2 fields are echoed, bodies never are). */
const MAX_DESCRIPTION = 512;

/**
 * The authorization server answered with an OAuth error (`{"error":"invalid_grant"}`, RFC 6749 §5.2).
 *
 * Carries only the sanitised `error`, `errorDescription` (≤ 512 printable characters) and HTTP `status`.
 *
 * @example
 * catch (e) { if (e instanceof OAuthResponseError && e.error === 'invalid_grant') askUserToLogIn() }
 * @see https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/subsect_158521832417.html
 */
export class OAuthResponseError extends OAuthFlowError {
  /** The OAuth `error` value, e.g. `invalid_client`. */
  readonly error: string;
  /** The `error_description`, when the server sent one (NetSuite does not document one). */
  readonly errorDescription: string | undefined;
  /** The HTTP status of the response. */
  declare readonly status: number;

  constructor(error: string, errorDescription: string | undefined, status: number, retryAfterMs?: number) {
    super('ERR_OAUTH_RESPONSE', `authorization server returned error ${error} (http ${status})`, {
      status,
      retryAfterMs,
    });
    this.name = 'OAuthResponseError';
    this.error = error;
    this.errorDescription = errorDescription;
  }
}

/**
 * The authorization server redirected back with `error=` instead of a code (RFC 6749 §4.1.2.1).
 *
 * @example
 * catch (e) { if (e instanceof AuthorizationResponseError && e.error === 'access_denied') showDenied() }
 * @see https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/subsect_158521823069.html
 */
export class AuthorizationResponseError extends OAuthFlowError {
  /** The OAuth `error` value, e.g. `access_denied`. */
  readonly error: string;
  /** The `error_description`, when present. */
  readonly errorDescription: string | undefined;

  constructor(error: string, errorDescription: string | undefined) {
    super('ERR_OAUTH_AUTHORIZATION_ERROR', `authorization failed with error ${error}`);
    this.name = 'AuthorizationResponseError';
    this.error = error;
    this.errorDescription = errorDescription;
  }
}

/**
 * True for any error thrown by this package, from any installed copy of the package.
 * Pass `code` to test for one code.
 *
 * @example
 * if (isOAuthFlowError(e)) console.log(e.code)
 */
export const isOAuthFlowError = createErrorGuard<OAuthFlowError>('ERR_OAUTH_');

// An OAuth error code is a short printable-ASCII word (RFC 6749 §5.2: %x20-21 / %x23-5B / %x5D-7E).
const ERROR_CODE = /^[\x20\x21\x23-\x5B\x5D-\x7E]{1,64}$/;

/** The `error` value if it is a well-formed OAuth error code, else undefined. */
export function sanitizeErrorCode(value: unknown): string | undefined {
  return typeof value === 'string' && ERROR_CODE.test(value) ? value : undefined;
}

/** A printable, truncated `error_description`, or undefined. */
export function sanitizeDescription(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return undefined;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
  const clean = value.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
  return clean.length > MAX_DESCRIPTION ? `${clean.slice(0, MAX_DESCRIPTION)}…` : clean;
}
