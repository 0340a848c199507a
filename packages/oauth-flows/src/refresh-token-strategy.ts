import { OAuthResponseError } from './errors.js';
import { type GrantStrategy, type GrantTransport, reauthenticationRequired } from './grant-strategy.js';
import { type AccountOptions, checkClient, type OAuthClient } from './options.js';
import { refreshAccessTokenWith } from './refresh.js';
import { checkLifetime, defaultRefreshLifetime } from './refresh-lifetime.js';
import { revokeToken } from './revoke.js';

/**
 * An Authorization Code session: the manager refreshes with the refresh token kept in the store.
 * Seed it once after login with {@link TokenManager.setTokenSet}. A public client (no `clientSecret`) gets
 * rotating, single-use refresh tokens, coordinated through the store's lock and compare-and-set.
 *
 * @example
 * const grant: RefreshTokenGrant = { type: 'refresh_token', accountId, client: { clientId, clientSecret } };
 */
export interface RefreshTokenGrant extends AccountOptions {
  readonly type: 'refresh_token';
  readonly client: OAuthClient;
  /** Lifetime to assume for a refresh token when nothing says, ms. @default 7 days (confidential), 48 h (public) */
  readonly refreshTokenLifetimeMs?: number | undefined;
}

/**
 * An Authorization Code session kept alive with its refresh token (RFC 6749 §6). A public client's refresh
 * tokens rotate and are single-use; `invalid_grant` is terminal (the session is over).
 *
 * @throws {OAuthFlowError} `ERR_OAUTH_INVALID_OPTION` synchronously for a bad client or lifetime.
 */
export function refreshTokenStrategy(grant: RefreshTokenGrant, transport: GrantTransport): GrantStrategy {
  const client = checkClient(grant.client);
  const lifetimeMs = defaultRefreshLifetime(client, checkLifetime(grant.refreshTokenLifetimeMs));
  const { now } = transport;
  return {
    type: 'refresh_token',
    rotating: client.clientSecret === undefined,
    recreatable: false,
    entryExpiresAt: (tokens, obtainedAt) =>
      Math.max(tokens.expiresAt, tokens.refreshTokenExpiresAt ?? obtainedAt + lifetimeMs),
    isTerminal: (error) => error instanceof OAuthResponseError && error.error === 'invalid_grant',
    async fetchTokens(base, { timeoutMs, skew }) {
      const refreshToken = base?.tokens.refreshToken;
      if (refreshToken === undefined) throw reauthenticationRequired();
      const refreshTokenExpiresAt = base?.tokens.refreshTokenExpiresAt;
      if (refreshTokenExpiresAt !== undefined && refreshTokenExpiresAt <= now()) {
        throw reauthenticationRequired();
      }
      return await refreshAccessTokenWith(
        { ...grant, fetch: transport.fetch, timeoutMs, now, client, refreshToken, refreshTokenExpiresAt },
        { onResponse: skew.observe, skewMs: skew.skewMs },
      );
    },
    async revoke(token) {
      await revokeToken({ ...grant, fetch: transport.fetch, timeoutMs: transport.timeoutMs, now, token });
    },
  };
}
