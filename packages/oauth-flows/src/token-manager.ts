import type { ClientCredentialsGrant } from './client-credentials-strategy.js';
import { ClockSkew } from './clock-skew.js';
import type { OAuthFlowError } from './errors.js';
import {
  checkAccessTokenArgument,
  checkStore,
  checkStoreFitsGrant,
  checkTokenSetArgument,
  closedError,
  grantStrategy,
  invalidKeyError,
  isTokenKey,
  managerContext,
  type TokenManagerBaseOptions,
} from './manager-context.js';
import { requireObject } from './options.js';
import type { RefreshTokenGrant } from './refresh-token-strategy.js';
import type { TokenSet } from './token-set.js';
import {
  clearSlot,
  createTokenSlot,
  freshAccessToken,
  invalidateSlotToken,
  logoutSlot,
  saveSlotTokenSet,
  slotTokenSet,
} from './token-slot.js';

/**
 * How a {@link TokenManager} gets tokens.
 *
 * @example
 * const grant: TokenManagerGrant = { type: 'client_credentials', accountId, signer };
 */
export type TokenManagerGrant = ClientCredentialsGrant | RefreshTokenGrant;

/**
 * Options of {@link createTokenManager}.
 *
 * @example
 * const options: TokenManagerOptions = { store: memoryTokenStore(), key: 'netsuite:m2m', grant };
 */
export interface TokenManagerOptions extends TokenManagerBaseOptions {
  /** The store key of this credential, e.g. `netsuite:1234567_SB1:integration-a`. */
  readonly key: string;
  readonly grant: TokenManagerGrant;
}

/**
 * A token source that caches, refreshes ahead, and shares one refresh among all callers.
 *
 * @example
 * const manager: TokenManager = createTokenManager(options);
 * const res = await fetch(url, { headers: { authorization: `Bearer ${await manager.getAccessToken()}` } });
 * if (res.status === 401) await manager.invalidate(token);
 */
export interface TokenManager {
  /** A valid access token: from memory when fresh (no await on the store), else from the store or the server. */
  getAccessToken(): Promise<string>;
  /** The current, valid token set (refreshing as {@link TokenManager.getAccessToken} would). */
  getTokenSet(): Promise<TokenSet>;
  /** Drops exactly this access token (seen with a 401), here and in the store; a newer one is left alone. */
  invalidate(token: string): Promise<void>;
  /** Saves tokens from a code exchange (or any source) as this session's current tokens. */
  setTokenSet(tokens: TokenSet): Promise<void>;
  /** Forgets everything stored under the key (use with `revokeToken` to log out). */
  clear(): Promise<void>;
  /**
   * Logs out: reads the stored grant as it is (never refreshing — the server may be down), deletes it locally
   * whatever happens next, then revokes its refresh token (or a still-valid access token) at NetSuite.
   * Resolves `{ revoked: true }` when revocation succeeded or there was nothing to revoke, else
   * `{ revoked: false, error }`: the grant may stay valid at NetSuite until it expires. Never rejects for a
   * revocation failure; rejects `ERR_OAUTH_CLOSED` / `ERR_OAUTH_STORE` only.
   * Needs a `refresh_token` grant (client-credentials tokens have no revocation: they just expire).
   *
   * @example
   * const { revoked } = await manager.logout();
   * if (!revoked) warn('NetSuite could not be reached: revoke the app under OAuth 2.0 Authorized Applications');
   * @see https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_161071224088.html
   */
  logout(): Promise<{ revoked: boolean; error?: OAuthFlowError | undefined }>;
  /** The server's clock minus the local one, ms, as last seen in a `Date` header (0 until then). */
  readonly clockSkewMs: number;
  /** Waits for a running refresh and stops; later calls reject with `ERR_OAUTH_CLOSED`. The store stays open. */
  close(): Promise<void>;
}

/**
 * Creates a token manager: the piece that makes tokens cheap, safe and invisible to the code that uses them.
 *
 * - Serves a cached token from memory without touching the store while it is fresh.
 * - Refreshes `refreshAheadMs` (+ jitter) before expiry in the background, still serving the old token;
 *   if that refresh fails, keeps serving the old token until `minValidityMs` before expiry (stale-while-error).
 * - One refresh at a time: concurrent callers share it in process, and across processes when the store can
 *   lock (the loser re-reads the store instead of asking the server again).
 * - Public clients' rotating refresh tokens are spent under the store lock and written with compare-and-set;
 *   a cross-process store without a lock is refused, since a refresh spent twice logs the user out.
 * - Corrects assertion times for clock skew from the server's `Date` header.
 *
 * Fits the record client's token source as is.
 *
 * @example
 * const manager = createTokenManager({ store: memoryTokenStore(), key: 'netsuite:cc',
 *   grant: { type: 'client_credentials', accountId: emu.accountId, origin: emu.url,
 *            allowInsecureLoopback: true, signer } });
 * const token = await manager.getAccessToken();
 * @throws {OAuthFlowError} `ERR_OAUTH_INVALID_OPTION` synchronously for a bad store, key, grant or timing.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 */
export function createTokenManager(options: TokenManagerOptions): TokenManager {
  requireObject(options, 'options');
  const store = checkStore(options.store);
  const key = options.key;
  if (!isTokenKey(key)) throw invalidKeyError();
  requireObject(options.grant, 'grant');
  const { context, transport } = managerContext(store, options);
  const grant = grantStrategy(options.grant, transport);
  checkStoreFitsGrant(context, grant);
  const slot = createTokenSlot(key, grant, new ClockSkew());
  let closed = false;

  const getTokenSet = (): Promise<TokenSet> =>
    closed ? Promise.reject(closedError()) : slotTokenSet(context, slot);

  return {
    getAccessToken(): Promise<string> {
      // The hot path: no await, no store access while the cached token is fresh.
      const fresh = closed ? undefined : freshAccessToken(context, slot);
      if (fresh !== undefined) return Promise.resolve(fresh);
      return getTokenSet().then((tokens) => tokens.accessToken);
    },
    getTokenSet,
    async invalidate(token: string): Promise<void> {
      checkAccessTokenArgument(token);
      if (closed) throw closedError();
      await invalidateSlotToken(context, slot, token);
    },
    async setTokenSet(tokens: TokenSet): Promise<void> {
      checkTokenSetArgument(tokens);
      if (closed) throw closedError();
      await saveSlotTokenSet(context, slot, tokens);
    },
    async clear(): Promise<void> {
      await clearSlot(context, slot);
    },
    async logout(): Promise<{ revoked: boolean; error?: OAuthFlowError | undefined }> {
      if (closed) throw closedError();
      return await logoutSlot(context, slot);
    },
    get clockSkewMs(): number {
      return slot.skew.skewMs;
    },
    async close(): Promise<void> {
      closed = true;
      await slot.inflight?.catch(() => {});
      slot.cached = undefined;
    },
  };
}
