import { OAuthFlowError } from './errors.js';
import { errorFromResponse, type FormResponse, parseJsonObject } from './http.js';
import { TokenSet } from './token-set.js';

/** NetSuite access tokens live 60 minutes; used when a response omits `expires_in` (article_0907013045). */
export const DEFAULT_EXPIRES_IN_SECONDS = 3600;
const MAX_EXPIRES_IN_SECONDS = 10 * 365 * 24 * 3600;
const MAX_TOKEN_LENGTH = 64 * 1024;

export interface ParseOptions {
  readonly secrets: readonly (string | undefined)[];
  /** Refresh-token lifetime to assume when neither the response nor the token says, ms. */
  readonly refreshTokenLifetimeMs?: number | undefined;
  /** Server clock minus local clock, ms; converts server times found in tokens to local time. */
  readonly skewMs?: number | undefined;
}

function invalid(message: string): OAuthFlowError {
  return new OAuthFlowError('ERR_OAUTH_INVALID_RESPONSE', message);
}

function parseSeconds(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  let seconds: number;
  if (typeof value === 'number') seconds = value;
  // NetSuite's OIDC example sends "3600" as a string (section_162755359851).
  else if (typeof value === 'string' && /^\d{1,10}(?:\.\d+)?$/.test(value.trim())) seconds = Number(value);
  else throw invalid(`${name} must be a number of seconds`);
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > MAX_EXPIRES_IN_SECONDS) {
    throw invalid(`${name} must be a finite, non-negative number of seconds`);
  }
  return seconds;
}

// Refresh tokens from NetSuite are JWTs; their `exp` (server clock) tells when the user must log in again.
// Informational only: nothing is trusted or verified from it, and access tokens are never decoded (RFC 6749 §5.1: access tokens are opaque to the client).
function jwtExpiry(token: string): number | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    const exp = (payload as { exp?: unknown } | null)?.exp;
    return typeof exp === 'number' && Number.isFinite(exp) && exp > 0 ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

function isToken(value: unknown): value is string {
  // A token is visible ASCII (RFC 6750 b64token and friends), never empty, never huge.
  return (
    typeof value === 'string' &&
    value.length > 0 &&
    value.length <= MAX_TOKEN_LENGTH &&
    /^[\x21-\x7e]+$/.test(value)
  );
}

/**
 * Validates a token endpoint response strictly (RFC 6749 §5.1/§5.2, docs/security.md#token-responses) and returns a
 * {@link TokenSet}, or throws a typed error that carries no part of the body.
 */
export function parseTokenResponse(response: FormResponse, options: ParseOptions): TokenSet {
  if (response.status !== 200) throw errorFromResponse(response, options.secrets);
  const json = parseJsonObject(response);
  if (!json) throw invalid('token response is not a json object');
  if (!isToken(json.access_token)) throw invalid('token response has no valid access_token');
  if (typeof json.token_type !== 'string' || json.token_type.length === 0) {
    throw invalid('token response has no token_type');
  }
  if (json.token_type.toLowerCase() !== 'bearer') {
    throw new OAuthFlowError('ERR_OAUTH_UNSUPPORTED_TOKEN_TYPE', 'token_type must be bearer');
  }
  const expiresIn = parseSeconds(json.expires_in, 'expires_in') ?? DEFAULT_EXPIRES_IN_SECONDS;
  let refreshToken: string | undefined;
  if (json.refresh_token !== undefined && json.refresh_token !== null) {
    if (!isToken(json.refresh_token)) throw invalid('refresh_token must be a non-empty string');
    refreshToken = json.refresh_token;
  }
  let scope: string | undefined;
  if (json.scope !== undefined && json.scope !== null) {
    if (typeof json.scope === 'string') scope = json.scope;
    else if (Array.isArray(json.scope) && json.scope.every((s) => typeof s === 'string'))
      scope = json.scope.join(' ');
    else throw invalid('scope must be a string');
  }
  let refreshTokenExpiresAt: number | undefined;
  if (refreshToken !== undefined) {
    const refreshIn = parseSeconds(
      json.refresh_token_expires_in ?? json.refresh_expires_in,
      'refresh_token_expires_in',
    );
    const fromJwt = jwtExpiry(refreshToken);
    if (refreshIn !== undefined && refreshIn > 0) refreshTokenExpiresAt = response.sentAt + refreshIn * 1000;
    else if (fromJwt !== undefined) refreshTokenExpiresAt = fromJwt - (options.skewMs ?? 0);
    else if (options.refreshTokenLifetimeMs !== undefined) {
      refreshTokenExpiresAt = response.sentAt + options.refreshTokenLifetimeMs;
    }
  }
  return new TokenSet({
    accessToken: json.access_token,
    tokenType: 'Bearer',
    expiresAt: response.sentAt + expiresIn * 1000,
    refreshToken,
    refreshTokenExpiresAt,
    scope,
  });
}
