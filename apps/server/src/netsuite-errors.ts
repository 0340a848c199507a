import {
  AuthorizationResponseError,
  isOAuthFlowError,
  OAuthResponseError,
  oauthErrorHint,
} from '@netsuite-oauth/oauth-flows';
import { apiErrorHint, isRecordClientError, NetSuiteApiError } from '@netsuite-oauth/record-client';
import { isServerError, ServerError } from './errors.js';

/** What the gateway was doing when a package failed: the same refusal means different things. */
export type GatewayStep = 'authorize' | 'callback' | 'connect' | 'use' | 'm2m';

// The store's failures pass through untranslated: the web layer reports its own store and this one alike (503).
const STORE_CODES = new Set([
  'ERR_OAUTH_STORE',
  'ERR_STORE_UNAVAILABLE',
  'ERR_STORE_LOCK_TIMEOUT',
  'ERR_STORE_IO',
]);

/**
 * Translates what oauth-flows and record-client throw into the server's own errors, once, at the gateway: the
 * web layer sees only {@link ServerError}s (and store failures), matched by code, never by class name. The
 * package error stays as `cause` (logged, never shown); the message and hint are safe to show.
 *
 * @example
 * try { await exchange(); } catch (error) { throw toServerError(error, 'connect'); }
 */
export function toServerError(error: unknown, step: GatewayStep): unknown {
  if (isServerError(error)) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && STORE_CODES.has(code)) return error;
  // record-client wraps a token source's failure, the token manager a grant it could not build: the cause is the story.
  if (
    (code === 'ERR_RECORD_TOKEN' || code === 'ERR_OAUTH_RESOLVE_FAILED') &&
    error instanceof Error &&
    error.cause
  ) {
    return toServerError(error.cause, step);
  }
  if (error instanceof AuthorizationResponseError) {
    const denied = error.error === 'access_denied';
    return new ServerError(
      'ERR_SERVER_AUTHORIZATION_DENIED',
      denied
        ? 'you declined the request on NetSuite’s consent page, so nothing was connected.'
        : `NetSuite answered with the error “${error.error}”.`,
      { status: denied ? 403 : 400, cause: error, hint: oauthErrorHint(error.error, 'authorize') },
    );
  }
  if (step === 'callback') {
    return new ServerError(
      'ERR_SERVER_INVALID_CALLBACK',
      code === 'ERR_OAUTH_ISSUER_MISMATCH'
        ? 'this sign-in response names another authorization server (iss)'
        : 'this sign-in response is malformed',
      { status: 400, cause: error },
    );
  }
  const refused = error instanceof OAuthResponseError;
  if (refused && error.error === 'invalid_grant' && step === 'connect') {
    return new ServerError(
      'ERR_SERVER_CODE_REJECTED',
      'netsuite refused the sign-in code: it expired or was already used',
      {
        status: 400,
        cause: error,
      },
    );
  }
  if (
    code === 'ERR_OAUTH_REAUTHENTICATION_REQUIRED' ||
    (refused && error.error === 'invalid_grant' && step !== 'm2m') ||
    (error instanceof NetSuiteApiError && error.status === 401 && step !== 'm2m')
  ) {
    return new ServerError(
      'ERR_SERVER_NOT_CONNECTED',
      'NetSuite no longer accepts this connection’s tokens (they expired or were revoked).',
      {
        status: 401,
        cause: error,
      },
    );
  }
  if (refused) {
    return new ServerError(
      'ERR_SERVER_NETSUITE_REFUSED',
      `NetSuite’s token endpoint answered “${error.error}”${error.status === undefined ? '' : ` (HTTP ${error.status})`}.`,
      {
        status: 502,
        cause: error,
        hint: oauthErrorHint(
          error.error,
          step === 'm2m' ? 'client_credentials' : step === 'connect' ? 'authorization_code' : 'refresh_token',
        ),
      },
    );
  }
  if (error instanceof NetSuiteApiError) {
    const status = error.status === 404 ? 404 : error.status >= 500 || error.status === 429 ? 502 : 400;
    const detail = error.detail ?? error.title ?? 'NetSuite returned an error';
    return new ServerError(
      'ERR_SERVER_NETSUITE_ERROR',
      `${detail}${error.errorCode === undefined ? '' : ` (${error.errorCode})`}`.slice(0, 600),
      {
        status,
        cause: error,
        hint:
          error.status === 429
            ? 'NetSuite is busy (concurrency limit); try again in a moment.'
            : apiErrorHint(error.errorCode, error.status),
      },
    );
  }
  if (isOAuthFlowError(error) || isRecordClientError(error)) {
    const network = /NETWORK|TIMEOUT|ABORTED|CIRCUIT/.test(error.code);
    return new ServerError(
      network ? 'ERR_SERVER_NETSUITE_UNREACHABLE' : 'ERR_SERVER_NETSUITE_ERROR',
      network ? 'the server could not reach NetSuite in time.' : 'the request to NetSuite failed.',
      { status: network ? 502 : 500, cause: error, hint: 'Try again in a moment.' },
    );
  }
  return error;
}
