import { randomInt } from 'node:crypto';
import { isNetSuiteError } from '@netsuite-oauth/core';
import {
  type AssertionSignerLike,
  checkSigner,
  requestClientCredentialsTokenWith,
} from './client-credentials.js';
import { OAuthFlowError, OAuthResponseError } from './errors.js';
import { checkFunction, checkTimeout, type FormResponse } from './http.js';
import {
  type AccountOptions,
  checkClient,
  type OAuthClient,
  requireObject,
  resolveEndpoints,
  type TransportOptions,
} from './options.js';
import { refreshAccessTokenWith } from './refresh.js';
import { revokeToken } from './revoke.js';
import type { TokenStoreLike } from './store-types.js';
import { TokenSet } from './token-set.js';

/**
 * Client Credentials: the manager signs a new assertion whenever it needs a token.
 *
 * @example
 * const grant: ClientCredentialsGrant = { type: 'client_credentials', accountId: '1234567_SB1', signer };
 */
export interface ClientCredentialsGrant extends AccountOptions {
  readonly type: 'client_credentials';
  readonly signer: AssertionSignerLike;
}

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
export interface TokenManagerOptions extends Omit<TransportOptions, 'signal'> {
  /** Where tokens live: any `TokenStore` (memory, file, Redis, …). Cross-process single flight needs `lock`. */
  readonly store: TokenStoreLike;
  /** The store key of this credential, e.g. `netsuite:1234567_SB1:integration-a`. */
  readonly key: string;
  readonly grant: TokenManagerGrant;
  /** Refresh this long before expiry, in the background, while the old token is still served. @default 300000 */
  readonly refreshAheadMs?: number | undefined;
  /** Up to this much random extra lead per token, so a fleet does not refresh at one instant. @default 60000 */
  readonly refreshJitterMs?: number | undefined;
  /** Never hand out a token with less than this left; callers wait for the refresh instead. @default 30000 */
  readonly minValidityMs?: number | undefined;
  /** Lease of the store lock around a refresh; must exceed `timeoutMs`. @default timeoutMs + 5000 */
  readonly lockTtlMs?: number | undefined;
  /** How long to wait for another process's refresh. @default lockTtlMs + 1000 */
  readonly lockWaitMs?: number | undefined;
  /** First delay before a failed background refresh is tried again (doubles up to 30 s). @default 5000 */
  readonly retryDelayMs?: number | undefined;
  /** Server-minus-local clock difference above which assertions are signed on the server's clock. @default 30000 */
  readonly skewThresholdMs?: number | undefined;
  /** Told about failures of background refreshes (the caller still gets the old, valid token). */
  readonly onError?: ((error: OAuthFlowError) => void) | undefined;
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
   * whatever happens next (R45, G27), then revokes its refresh token (or a still-valid access token) at NetSuite.
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
  logout(): Promise<{ revoked: boolean; error?: OAuthFlowError }>;
  /** The server's clock minus the local one, ms, as last seen in a `Date` header (0 until then). */
  readonly clockSkewMs: number;
  /** Waits for a running refresh and stops; later calls reject with `ERR_OAUTH_CLOSED`. The store stays open. */
  close(): Promise<void>;
}

interface Cached {
  readonly tokens: TokenSet;
  /** Store version this came from or was written as (undefined when unknown). */
  readonly version: number | undefined;
  readonly refreshAt: number;
  readonly hardAt: number;
}

interface Stored {
  readonly tokens: TokenSet;
  readonly obtainedAt: number;
  readonly version: number;
}

interface Serialized {
  v: 1;
  a?: string;
  e: number;
  o: number;
  r?: string;
  re?: number;
  s?: string;
}

function encode(tokens: TokenSet, obtainedAt: number, withAccess = true): string {
  const out: Serialized = { v: 1, e: withAccess ? tokens.expiresAt : 0, o: obtainedAt };
  if (withAccess) out.a = tokens.accessToken;
  if (tokens.refreshToken !== undefined) out.r = tokens.refreshToken;
  if (tokens.refreshTokenExpiresAt !== undefined) out.re = tokens.refreshTokenExpiresAt;
  if (tokens.scope !== undefined) out.s = tokens.scope;
  return JSON.stringify(out);
}

// Placeholder access token of an entry whose access token was invalidated but whose refresh token lives on.
const NO_ACCESS = '-';

function decode(entry: { value: string; version: number } | undefined): Stored | undefined {
  if (!entry) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(entry.value);
  } catch {
    return undefined;
  }
  const s = raw as Partial<Serialized> | null;
  if (s?.v !== 1 || typeof s.e !== 'number' || typeof s.o !== 'number') return undefined;
  if (s.a !== undefined && typeof s.a !== 'string') return undefined;
  if (s.r !== undefined && typeof s.r !== 'string') return undefined;
  return {
    tokens: new TokenSet({
      accessToken: s.a ?? NO_ACCESS,
      tokenType: 'Bearer',
      expiresAt: s.a === undefined ? 0 : s.e,
      refreshToken: s.r,
      refreshTokenExpiresAt: typeof s.re === 'number' ? s.re : undefined,
      scope: typeof s.s === 'string' ? s.s : undefined,
    }),
    obtainedAt: s.o,
    version: entry.version,
  };
}

function checkMs(value: unknown, name: string, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > 7 * 24 * 3600 * 1000) {
    throw new OAuthFlowError('ERR_OAUTH_INVALID_OPTION', `${name} must be a number of ms`);
  }
  return value;
}

const UNREADABLE_ENTRY = new Set(['ERR_STORE_INTEGRITY', 'ERR_STORE_KEY_NOT_FOUND', 'ERR_STORE_CORRUPT']);

function isUnreadableEntry(cause: unknown): boolean {
  return isNetSuiteError(cause) && UNREADABLE_ENTRY.has(cause.code);
}

function storeError(cause: unknown): OAuthFlowError {
  return new OAuthFlowError('ERR_OAUTH_STORE', 'token store failed', {
    cause: isNetSuiteError(cause) ? cause : undefined,
  });
}

function checkStore(store: unknown): TokenStoreLike {
  const s = store as Partial<TokenStoreLike> | null;
  if (
    !s ||
    typeof s !== 'object' ||
    typeof s.get !== 'function' ||
    typeof s.set !== 'function' ||
    typeof s.delete !== 'function' ||
    !s.capabilities ||
    typeof s.capabilities !== 'object'
  ) {
    throw new OAuthFlowError(
      'ERR_OAUTH_INVALID_OPTION',
      'store must be a TokenStore (get, set, delete, capabilities)',
    );
  }
  return s as TokenStoreLike;
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
 * @see ../../shared/reference/security-checklist.md §2.4
 */
export function createTokenManager(options: TokenManagerOptions): TokenManager {
  requireObject(options, 'options');
  const store = checkStore(options.store);
  const key = options.key;
  if (typeof key !== 'string' || key.length === 0 || key.length > 512) {
    throw new OAuthFlowError(
      'ERR_OAUTH_INVALID_OPTION',
      'key must be a non-empty string of at most 512 characters',
    );
  }
  requireObject(options.grant, 'grant');
  const grant = options.grant;
  if (grant.type !== 'client_credentials' && grant.type !== 'refresh_token') {
    throw new OAuthFlowError(
      'ERR_OAUTH_INVALID_OPTION',
      'grant.type must be client_credentials or refresh_token',
    );
  }
  resolveEndpoints(grant);
  checkFunction(options.fetch, 'fetch');
  checkFunction(options.now, 'now');
  checkFunction(options.onError, 'onError');
  const timeoutMs = checkTimeout(options.timeoutMs);
  const now = options.now ?? Date.now;
  const refreshAheadMs = checkMs(options.refreshAheadMs, 'refreshAheadMs', 300_000);
  const jitterMs = checkMs(options.refreshJitterMs, 'refreshJitterMs', 60_000);
  const minValidityMs = checkMs(options.minValidityMs, 'minValidityMs', 30_000);
  const lockTtlMs = Math.ceil(checkMs(options.lockTtlMs, 'lockTtlMs', timeoutMs + 5_000, 1));
  if (lockTtlMs <= timeoutMs) {
    throw new OAuthFlowError('ERR_OAUTH_INVALID_OPTION', 'lockTtlMs must be longer than timeoutMs');
  }
  const lockWaitMs = checkMs(options.lockWaitMs, 'lockWaitMs', lockTtlMs + 1_000);
  const retryDelayMs = checkMs(options.retryDelayMs, 'retryDelayMs', 5_000, 1);
  const skewThresholdMs = checkMs(options.skewThresholdMs, 'skewThresholdMs', 30_000);
  let signer: AssertionSignerLike | undefined;
  let client: OAuthClient | undefined;
  if (grant.type === 'client_credentials') signer = checkSigner(grant.signer);
  else client = checkClient(grant.client);
  const rotating = grant.type === 'refresh_token' && client?.clientSecret === undefined;
  const canLock = store.capabilities.lock === true && typeof store.lock === 'function';
  const canCas = store.capabilities.compareAndSet === true && typeof store.compareAndSet === 'function';
  if (rotating && store.capabilities.crossProcess && !(canLock && canCas)) {
    throw new OAuthFlowError(
      'ERR_OAUTH_INVALID_OPTION',
      'a public client needs a store with lock and compareAndSet when it is shared across processes',
    );
  }

  let cached: Cached | undefined;
  let inflight: Promise<TokenSet> | undefined;
  let closed = false;
  let skewMs = 0;
  let retryAt = 0;
  let failures = 0;

  const observe = (response: FormResponse) => {
    if (response.serverDate !== undefined) skewMs = response.serverDate - response.receivedAt;
  };

  const schedule = (tokens: TokenSet, obtainedAt: number, version: number | undefined): Cached => {
    const lifetime = Math.max(0, tokens.expiresAt - obtainedAt);
    const lead = Math.min(
      refreshAheadMs + (jitterMs > 0 ? randomInt(0, Math.floor(jitterMs) + 1) : 0),
      lifetime / 2,
    );
    const hard = Math.min(minValidityMs, lifetime / 4);
    return { tokens, version, refreshAt: tokens.expiresAt - lead, hardAt: tokens.expiresAt - hard };
  };

  const usable = (stored: Stored | undefined, t: number): Stored | undefined => {
    if (!stored || stored.tokens.accessToken === NO_ACCESS) return undefined;
    const c = schedule(stored.tokens, stored.obtainedAt, stored.version);
    return t < c.hardAt ? stored : undefined;
  };

  const fresh = (stored: Stored | undefined, t: number): boolean => {
    if (!stored || stored.tokens.accessToken === NO_ACCESS) return false;
    const lifetime = stored.tokens.expiresAt - stored.obtainedAt;
    return t < stored.tokens.expiresAt - Math.min(refreshAheadMs, lifetime / 2);
  };

  const adopt = (stored: Stored): TokenSet => {
    cached = schedule(stored.tokens, stored.obtainedAt, stored.version);
    return stored.tokens;
  };

  const readStore = async (): Promise<Stored | undefined> => {
    try {
      return decode(await store.get(key));
    } catch (cause) {
      // A client-credentials entry is only a cache (R61): one that cannot be decrypted or parsed (key rotated
      // away, tampered, corrupt) is dropped and treated as a miss, so a new token can be fetched and stored.
      // Refresh-token entries fail closed: the grant in them cannot be re-created, an operator may recover it.
      if (grant.type === 'client_credentials' && isUnreadableEntry(cause)) {
        try {
          await store.delete(key);
          return undefined;
        } catch {
          // The store cannot even delete: report the original failure below.
        }
      }
      throw storeError(cause);
    }
  };

  const entryExpiry = (tokens: TokenSet, obtainedAt: number): number => {
    if (grant.type === 'client_credentials') return tokens.expiresAt;
    const fallback =
      obtainedAt + (grant.refreshTokenLifetimeMs ?? (rotating ? 48 * 3600 * 1000 : 7 * 24 * 3600 * 1000));
    return Math.max(tokens.expiresAt, tokens.refreshTokenExpiresAt ?? fallback);
  };

  const reauth = (cause?: unknown) =>
    new OAuthFlowError(
      'ERR_OAUTH_REAUTHENTICATION_REQUIRED',
      'the session has no usable refresh token; log in again',
      {
        cause,
      },
    );

  // Asks the server for tokens. `base` is the stored state the refresh starts from.
  const fetchTokens = async (base: Stored | undefined, deadlineMs: number): Promise<TokenSet> => {
    const transport = {
      ...(options.fetch ? { fetch: options.fetch } : {}),
      timeoutMs: Math.max(1, Math.min(timeoutMs, deadlineMs)),
      now,
    };
    if (grant.type === 'client_credentials' && signer) {
      const request = (signAt: number | undefined) =>
        requestClientCredentialsTokenWith(
          { ...grant, ...transport, signer: signer as AssertionSignerLike },
          { signAt, onResponse: observe },
        );
      const correctedAt = () => (Math.abs(skewMs) > skewThresholdMs ? now() + skewMs : undefined);
      const signAt = correctedAt();
      try {
        return await request(signAt);
      } catch (error) {
        // R15: a rejected assertion with a server clock far from ours is retried once on the server's clock.
        const corrected = correctedAt();
        if (
          error instanceof OAuthResponseError &&
          signAt === undefined &&
          corrected !== undefined &&
          (error.status === 400 || error.status === 401)
        ) {
          return await request(corrected);
        }
        throw error;
      }
    }
    const refreshToken = base?.tokens.refreshToken;
    if (refreshToken === undefined || client === undefined) throw reauth();
    if (base?.tokens.refreshTokenExpiresAt !== undefined && base.tokens.refreshTokenExpiresAt <= now()) {
      throw reauth();
    }
    return await refreshAccessTokenWith(
      {
        ...grant,
        ...transport,
        client,
        refreshToken,
        refreshTokenExpiresAt: base?.tokens.refreshTokenExpiresAt,
      },
      { onResponse: observe, skewMs },
    );
  };

  const write = async (
    tokens: TokenSet,
    obtainedAt: number,
    base: Stored | undefined,
    fencingToken: number | undefined,
  ): Promise<number | undefined> => {
    const entry = { value: encode(tokens, obtainedAt), expiresAt: entryExpiry(tokens, obtainedAt) };
    if (canCas && store.compareAndSet) {
      const condition =
        fencingToken === undefined ? { version: base?.version } : { version: base?.version, fencingToken };
      if (await store.compareAndSet(key, entry, condition)) return (await readStore())?.version;
      // Lost the race. If nobody spent our refresh token meanwhile, write over the newer entry (it holds the
      // same grant); otherwise keep what is there.
      const now2 = await readStore();
      if (
        rotating &&
        now2 &&
        now2.tokens.refreshToken === base?.tokens.refreshToken &&
        (await store.compareAndSet(key, entry, { version: now2.version }))
      ) {
        return (await readStore())?.version;
      }
      return undefined;
    }
    await store.set(key, entry);
    return undefined;
  };

  const onRefreshFailure = async (error: unknown, base: Stored | undefined): Promise<TokenSet> => {
    if (
      grant.type === 'refresh_token' &&
      error instanceof OAuthResponseError &&
      error.error === 'invalid_grant'
    ) {
      // Terminal (R39) unless another process rotated the token meanwhile.
      const latest = await readStore();
      if (latest && latest.tokens.refreshToken !== base?.tokens.refreshToken && usable(latest, now())) {
        return adopt(latest);
      }
      if (latest && latest.tokens.refreshToken === base?.tokens.refreshToken) {
        try {
          await (canCas && store.compareAndSet
            ? store.compareAndSet(
                key,
                { value: encode(latest.tokens, latest.obtainedAt, false), expiresAt: 1 },
                {
                  version: latest.version,
                },
              )
            : store.delete(key));
        } catch {
          // The grant is dead either way.
        }
      }
      cached = undefined;
      throw reauth(error);
    }
    throw error;
  };

  const refresh = async (background: boolean): Promise<TokenSet> => {
    let base = await readStore();
    const t0 = now();
    if (background ? fresh(base, t0) : usable(base, t0)) return adopt(base as Stored);
    let lock: Awaited<ReturnType<NonNullable<TokenStoreLike['lock']>>>;
    let lockedAt = 0;
    if (canLock && store.lock) {
      try {
        lock = await store.lock(key, { ttlMs: lockTtlMs, waitMs: lockWaitMs });
        lockedAt = now();
      } catch (cause) {
        // Fail closed for rotating refresh tokens; for other grants the lock only saves requests.
        if (rotating) throw storeError(cause);
        lock = undefined;
      }
      if (lock) {
        try {
          base = await readStore();
        } catch (error) {
          await lock.release().catch(() => {});
          throw error;
        }
        const t1 = now();
        if (background ? fresh(base, t1) : usable(base, t1)) {
          await lock.release().catch(() => {});
          return adopt(base as Stored);
        }
      } else if (rotating) {
        const latest = await readStore();
        if (usable(latest, now())) return adopt(latest as Stored);
        throw new OAuthFlowError(
          'ERR_OAUTH_LOCK_TIMEOUT',
          'timed out waiting for another refresh of this session',
        );
      }
    }
    try {
      const startedAt = now();
      // Stop the request before the lease runs out, so a late answer never races the next holder.
      const margin = Math.min(1_000, lockTtlMs / 10);
      // A rotating token counts the lease from when it was taken; for other grants the lock only saves requests.
      const deadline = lock ? lockTtlMs - margin - (rotating ? startedAt - lockedAt : 0) : timeoutMs;
      if (lock && deadline <= 0) {
        // The lease ran out before the request left (a paused process, G08): another holder may have spent
        // the refresh token we read, and sending it again would revoke the grant. Take what the store has now.
        const latest = await readStore();
        if (usable(latest, now())) return adopt(latest as Stored);
        throw new OAuthFlowError(
          'ERR_OAUTH_LOCK_TIMEOUT',
          'the lock of this session ran out before the refresh was sent; try again',
        );
      }
      let tokens: TokenSet;
      try {
        tokens = await fetchTokens(base, deadline);
      } catch (error) {
        return await onRefreshFailure(error, base);
      }
      const obtainedAt = startedAt;
      let version: number | undefined;
      try {
        version = await write(tokens, obtainedAt, base, lock?.fencingToken);
      } catch (cause) {
        // The new token is valid; a rotated refresh token that cannot be saved is reported.
        if (rotating) throw storeError(cause);
      }
      cached = schedule(tokens, obtainedAt, version);
      return tokens;
    } finally {
      if (lock) await lock.release().catch(() => {});
    }
  };

  const run = (background: boolean): Promise<TokenSet> => {
    if (inflight) return inflight;
    const p = refresh(background).then(
      (tokens) => {
        failures = 0;
        retryAt = 0;
        return tokens;
      },
      (error: unknown) => {
        failures += 1;
        const delay = Math.min(30_000, retryDelayMs * 2 ** (failures - 1));
        retryAt = now() + delay / 2 + randomInt(0, Math.floor(delay / 2) + 1);
        throw error instanceof OAuthFlowError || isNetSuiteError(error) ? error : storeError(error);
      },
    );
    inflight = p.finally(() => {
      if (inflight === q) inflight = undefined;
    });
    const q = inflight;
    return q;
  };

  const backgroundRefresh = () => {
    if (inflight || now() < retryAt) return;
    run(true).catch((error: unknown) => {
      if (options.onError && error instanceof OAuthFlowError) {
        try {
          options.onError(error);
        } catch {
          // A throwing listener must not break token serving.
        }
      }
    });
  };

  const closedError = () => new OAuthFlowError('ERR_OAUTH_CLOSED', 'token manager is closed');

  const getTokenSet = (): Promise<TokenSet> => {
    if (closed) return Promise.reject(closedError());
    const c = cached;
    if (c !== undefined) {
      const t = now();
      if (t < c.refreshAt) return Promise.resolve(c.tokens);
      if (t < c.hardAt) {
        backgroundRefresh();
        return Promise.resolve(c.tokens);
      }
    }
    return run(false);
  };

  return {
    getAccessToken(): Promise<string> {
      // The hot path: no await, no store access while the cached token is fresh.
      const c = cached;
      if (c !== undefined && !closed && now() < c.refreshAt) return Promise.resolve(c.tokens.accessToken);
      return getTokenSet().then((tokens) => tokens.accessToken);
    },
    getTokenSet,
    async invalidate(token: string): Promise<void> {
      if (typeof token !== 'string' || token.length === 0) {
        throw new OAuthFlowError('ERR_OAUTH_INVALID_OPTION', 'token must be a non-empty string');
      }
      if (closed) throw closedError();
      if (cached?.tokens.accessToken === token) cached = undefined;
      const stored = await readStore();
      if (!stored || stored.tokens.accessToken !== token) return;
      try {
        if (grant.type === 'refresh_token' && stored.tokens.refreshToken !== undefined) {
          // Keep the refresh token: only the access token is dropped.
          const entry = {
            value: encode(stored.tokens, stored.obtainedAt, false),
            expiresAt: entryExpiry(stored.tokens, stored.obtainedAt),
          };
          if (canCas && store.compareAndSet)
            await store.compareAndSet(key, entry, { version: stored.version });
          else await store.set(key, entry);
        } else if (canCas && store.compareAndSet) {
          await store.compareAndSet(
            key,
            { value: encode(stored.tokens, stored.obtainedAt, false), expiresAt: 1 },
            {
              version: stored.version,
            },
          );
        } else {
          await store.delete(key);
        }
      } catch (cause) {
        throw storeError(cause);
      }
    },
    async setTokenSet(tokens: TokenSet): Promise<void> {
      if (!(tokens instanceof TokenSet)) {
        throw new OAuthFlowError('ERR_OAUTH_INVALID_OPTION', 'tokens must be a TokenSet');
      }
      if (closed) throw closedError();
      const obtainedAt = now();
      try {
        await store.set(key, {
          value: encode(tokens, obtainedAt),
          expiresAt: entryExpiry(tokens, obtainedAt),
        });
      } catch (cause) {
        throw storeError(cause);
      }
      cached = schedule(tokens, obtainedAt, undefined);
    },
    async clear(): Promise<void> {
      cached = undefined;
      try {
        await store.delete(key);
      } catch (cause) {
        throw storeError(cause);
      }
    },
    async logout(): Promise<{ revoked: boolean; error?: OAuthFlowError }> {
      if (closed) throw closedError();
      if (grant.type !== 'refresh_token') {
        throw new OAuthFlowError('ERR_OAUTH_INVALID_OPTION', 'logout needs a refresh_token grant');
      }
      cached = undefined;
      let stored: Stored | undefined;
      let unreadable: unknown;
      try {
        stored = await readStore();
      } catch (error) {
        unreadable = error;
      }
      try {
        await store.delete(key);
      } catch (cause) {
        throw storeError(cause);
      }
      if (unreadable !== undefined) {
        return {
          revoked: false,
          error: unreadable instanceof OAuthFlowError ? unreadable : storeError(unreadable),
        };
      }
      const t = now();
      const token =
        stored?.tokens.refreshToken ??
        (stored && stored.tokens.accessToken !== NO_ACCESS && stored.tokens.expiresAt > t
          ? stored.tokens.accessToken
          : undefined);
      if (token === undefined) return { revoked: true };
      try {
        await revokeToken({
          ...grant,
          ...(options.fetch ? { fetch: options.fetch } : {}),
          timeoutMs,
          now,
          token,
        });
        return { revoked: true };
      } catch (error) {
        return {
          revoked: false,
          error:
            error instanceof OAuthFlowError
              ? error
              : new OAuthFlowError('ERR_OAUTH_NETWORK', 'revocation failed'),
        };
      }
    },
    get clockSkewMs(): number {
      return skewMs;
    },
    async close(): Promise<void> {
      closed = true;
      await inflight?.catch(() => {});
      cached = undefined;
    },
  };
}
