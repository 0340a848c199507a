import { type FormResponse, postForm } from './http.js';
import {
  type AccountOptions,
  applyClientAuth,
  checkClient,
  checkString,
  checkTransport,
  type OAuthClient,
  requireObject,
  resolveEndpoints,
  type TransportOptions,
} from './options.js';
import { checkLifetime, defaultRefreshLifetime } from './refresh-lifetime.js';
import { parseTokenResponse } from './response.js';
import { TokenSet } from './token-set.js';

/**
 * Options of {@link refreshAccessToken}.
 *
 * @example
 * const options: RefreshOptions = { accountId, client: { clientId, clientSecret }, refreshToken };
 */
export interface RefreshOptions extends AccountOptions, TransportOptions {
  /** Confidential clients pass `clientSecret` (HTTP Basic); public clients omit it. */
  readonly client: OAuthClient;
  readonly refreshToken: string;
  /**
   * When the refresh token runs out, if known (kept when the server does not rotate it: NetSuite's
   * confidential refresh tokens keep their original 7-day expiry).
   */
  readonly refreshTokenExpiresAt?: number | undefined;
  /** Lifetime to assume for a newly issued (rotated) refresh token when nothing says, ms. @default 48 hours */
  readonly refreshTokenLifetimeMs?: number | undefined;
}

/** Internal hooks for the token manager. */
export interface RefreshInternals {
  readonly onResponse?: ((response: FormResponse) => void) | undefined;
  readonly skewMs?: number | undefined;
}

/**
 * Refresh grant. Confidential clients keep their refresh token (NetSuite does not rotate it), so the result
 * carries the same `refreshToken` and `refreshTokenExpiresAt`; public clients get a new, single-use refresh
 * token that must replace the old one at once (use the token manager, which coordinates this across processes).
 *
 * @example
 * const next = await refreshAccessToken({ accountId, client: { clientId, clientSecret }, refreshToken });
 * @throws {OAuthResponseError} `invalid_grant` when the refresh token expired, was revoked or was already used.
 * @throws {OAuthFlowError} `ERR_OAUTH_INVALID_OPTION`, transport and response errors.
 * @see https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_158082518856.html
 */
export async function refreshAccessToken(options: RefreshOptions): Promise<TokenSet> {
  return await refreshAccessTokenWith(options, {});
}

/** {@link refreshAccessToken} with the token manager's hooks. */
export async function refreshAccessTokenWith(
  options: RefreshOptions,
  internals: RefreshInternals,
): Promise<TokenSet> {
  requireObject(options, 'options');
  const endpoints = resolveEndpoints(options);
  checkTransport(options);
  const client = checkClient(options.client);
  const refreshToken = checkString(options.refreshToken, 'refreshToken');
  const lifetime = defaultRefreshLifetime(client, checkLifetime(options.refreshTokenLifetimeMs));
  const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken });
  const headers = applyClientAuth(client, form);
  const response = await postForm(endpoints.tokenUrl, form, headers, options);
  internals.onResponse?.(response);
  const tokens = parseTokenResponse(response, {
    secrets: [refreshToken, client.clientSecret],
    refreshTokenLifetimeMs: lifetime,
    skewMs: internals.skewMs,
  });
  if (tokens.refreshToken !== undefined) return tokens;
  // Not rotated: the old refresh token stays valid until its original expiry.
  return new TokenSet({
    accessToken: tokens.accessToken,
    tokenType: 'Bearer',
    expiresAt: tokens.expiresAt,
    refreshToken,
    refreshTokenExpiresAt: options.refreshTokenExpiresAt,
    scope: tokens.scope,
  });
}
