import { isNetSuiteError } from '@netsuite-oauth/core';
import { ClockSkew } from './clock-skew.js';
import { OAuthFlowError } from './errors.js';
import type { GrantStrategy } from './grant-strategy.js';
import { checkTimeout } from './http.js';
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
import { type CachedSlot, idle, SlotCache } from './slot-cache.js';
import type { TokenManager, TokenManagerGrant } from './token-manager.js';
import type { TokenSet } from './token-set.js';
import {
  clearSlot,
  freshAccessToken,
  invalidateSlotToken,
  logoutSlot,
  saveSlotTokenSet,
  slotTokenSet,
} from './token-slot.js';

/**
 * Finds the grant of a key: the account, integration and signer (or OAuth client) its tokens come from.
 * `undefined` means the key is unknown. Called once per key at a time, again only after the key's slot was
 * evicted or forgotten; never while a call for the same key is running. `signal` aborts when the manager
 * gives up waiting (`resolveTimeoutMs`, `close()`).
 *
 * @example
 * const resolve: GrantResolver = async (key) => {
 *   const account = await db.accounts.find(key);
 *   return account && { type: 'client_credentials', accountId: account.id, signer: await signerFor(account) };
 * };
 */
export type GrantResolver = (
  key: string,
  context: { readonly signal: AbortSignal },
) => TokenManagerGrant | undefined | Promise<TokenManagerGrant | undefined>;

/**
 * Options of {@link createTokenManagers}: those of a single-key manager, shared by every key, plus the
 * resolver of each key's grant and the cache bound.
 *
 * @example
 * const options: TokenManagersOptions = { store: memoryTokenStore(), resolve, maxCachedKeys: 10_000 };
 */
export interface TokenManagersOptions extends TokenManagerBaseOptions {
  /** The grant of a key; see {@link GrantResolver}. */
  readonly resolve: GrantResolver;
  /**
   * Most keys held in memory (their grant, cached tokens, refresh state and clock skew). Beyond it the least
   * recently used idle key is dropped from memory; its tokens stay in the store. @default 1000
   */
  readonly maxCachedKeys?: number | undefined;
  /** Longest wait for the resolver, ms. @default timeoutMs */
  readonly resolveTimeoutMs?: number | undefined;
}

/**
 * What {@link TokenManagers.stats} reports.
 *
 * @example
 * const { cachedKeys, maxCachedKeys } = managers.stats();
 */
export interface TokenManagersStats {
  /** Keys held in memory now (never more than `maxCachedKeys`). */
  readonly cachedKeys: number;
  readonly maxCachedKeys: number;
  /** Keys whose grant is being resolved now. */
  readonly resolving: number;
  /** Keys with a refresh in flight now. */
  readonly refreshing: number;
  /** Keys dropped from memory to make room, since creation. */
  readonly evictions: number;
  /** Calls of the resolver, since creation. */
  readonly resolves: number;
}

/** What `logout` resolves: whether NetSuite revoked the grant (the tokens are deleted locally either way). */
export interface LogoutResult {
  readonly revoked: boolean;
  readonly error?: OAuthFlowError | undefined;
}

/**
 * One token manager for many keys (accounts, users' sessions): each key is served like a
 * {@link TokenManager} of its own — cached, refreshed ahead, one refresh at a time in process and, through the
 * store's lock, across processes — with a bounded memory and the store as the source of truth.
 *
 * @example
 * const managers: TokenManagers = createTokenManagers({ store, resolve });
 * const token = await managers.getAccessToken('acme');
 * const client = createNetSuiteClient({ accountId, token: managers.forKey('acme') });
 */
export interface TokenManagers {
  /** A valid access token of `key`: from memory when fresh (no await, no store access), else as a refresh gives it. */
  getAccessToken(key: string): Promise<string>;
  /** The current, valid token set of `key`. */
  getTokenSet(key: string): Promise<TokenSet>;
  /** Drops exactly this access token of `key` (seen with a 401); a newer one is left alone. */
  invalidate(key: string, token: string): Promise<void>;
  /** Saves tokens (from a code exchange) as `key`'s current tokens. */
  setTokenSet(key: string, tokens: TokenSet): Promise<void>;
  /** Forgets everything stored under `key`, in memory and in the store. Does not call the resolver. */
  clear(key: string): Promise<void>;
  /**
   * Logs `key` out as {@link TokenManager.logout} does: reads the stored grant without refreshing, deletes it,
   * then revokes it at NetSuite. Needs a `refresh_token` grant.
   */
  logout(key: string): Promise<LogoutResult>;
  /**
   * Drops `key` from memory (after its refresh in flight, if any); the store keeps its tokens and the next
   * call resolves the grant again — e.g. after a certificate rotation changed the signer.
   */
  forget(key: string): Promise<void>;
  /**
   * A {@link TokenManager} for one key, e.g. for record-client's `token` option. It holds no memory of its own;
   * its `close()` closes the view only (and waits for the key's refresh in flight), not this manager.
   *
   * @throws {OAuthFlowError} `ERR_OAUTH_INVALID_OPTION` synchronously for a bad key.
   */
  forKey(key: string): TokenManager;
  /** The server's clock minus the local one for `key`, ms, as last seen in a `Date` header (0 until then). */
  clockSkewMs(key: string): number;
  /** Keys held in memory now. */
  readonly size: number;
  /** Counters of the cache and the resolver. O(keys held). */
  stats(): TokenManagersStats;
  /**
   * Waits for every refresh, resolution and operation in flight, then drops the memory; later calls reject
   * with `ERR_OAUTH_CLOSED`. The store stays open (it is yours).
   */
  close(): Promise<void>;
}

const DEFAULT_MAX_CACHED_KEYS = 1000;
const MAX_CACHED_KEYS = 10_000_000;

function checkMaxCachedKeys(value: unknown): number {
  if (value === undefined) return DEFAULT_MAX_CACHED_KEYS;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_CACHED_KEYS) {
    throw new OAuthFlowError(
      'ERR_OAUTH_INVALID_OPTION',
      `maxCachedKeys must be an integer between 1 and ${MAX_CACHED_KEYS}`,
    );
  }
  return value;
}

// The resolver is the application's code: its errors may carry anything (a connection string, a key), so only
// errors of this repository's packages are kept as the cause.
function resolveFailed(message: string, cause?: unknown): OAuthFlowError {
  return new OAuthFlowError('ERR_OAUTH_RESOLVE_FAILED', message, {
    cause: isNetSuiteError(cause) ? cause : undefined,
  });
}

const TIMED_OUT = Symbol('timed out');
const CLOSING = Symbol('closing');

interface PendingSlot {
  readonly promise: Promise<CachedSlot>;
  /** Callers waiting for this slot; each pins it until its operation has started. */
  waiters: number;
}

/**
 * Creates one token manager for many keys. Each key's grant comes from `resolve(key)` (so accounts and users'
 * sessions can be added without a restart); everything else — store, timing, transport — is shared.
 *
 * - **Hot path**: a fresh cached token of a key is returned from memory with no await and no store access,
 *   at the cost of one `Map` lookup more than a single-key manager.
 * - **Single flight per key**: concurrent callers of one key share one refresh (and one resolver call);
 *   different keys refresh in parallel. Across processes the store's lock on the key makes the refresh single,
 *   and rotating refresh tokens keep every guarantee of {@link createTokenManager} (lock, compare-and-set with
 *   fencing, fail closed).
 * - **Bounded memory**: at most `maxCachedKeys` keys are held; the least recently used idle key is dropped
 *   (a second-chance approximation of LRU). A key with a refresh or an operation in flight is never dropped; when
 *   every held key is busy, a new key waits for one to settle. Dropping a key loses nothing: its tokens are in
 *   the store, and the next call reads them back (no token request while they are fresh).
 * - **Per-key state**: each key has its own cached tokens, background-retry backoff and clock skew.
 *
 * @example
 * const managers = createTokenManagers({
 *   store: redisTokenStore({ client, keys }),
 *   resolve: async (accountId) => ({ type: 'client_credentials', accountId, signer: await signerFor(accountId) }),
 *   maxCachedKeys: 10_000,
 * });
 * const token = await managers.getAccessToken('1234567_SB1');
 * await managers.close();
 * @throws {OAuthFlowError} `ERR_OAUTH_INVALID_OPTION` synchronously for a bad store, resolver, bound or timing.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 */
export function createTokenManagers(options: TokenManagersOptions): TokenManagers {
  requireObject(options, 'options');
  const store = checkStore(options.store);
  if (typeof options.resolve !== 'function') {
    throw new OAuthFlowError('ERR_OAUTH_INVALID_OPTION', 'resolve must be a function');
  }
  const resolver = options.resolve;
  const cache = new SlotCache(checkMaxCachedKeys(options.maxCachedKeys));
  const { context, transport } = managerContext(store, options);
  const resolveTimeoutMs =
    options.resolveTimeoutMs === undefined
      ? context.timeoutMs
      : checkTimeout(options.resolveTimeoutMs, 'resolveTimeoutMs');

  const pending = new Map<string, PendingSlot>();
  const running = new Set<Promise<unknown>>();
  let closed = false;
  let resolves = 0;
  // Interrupts of the resolutions running now (close() calls them all); one per resolution, removed when it ends.
  const interrupts = new Set<(reason: typeof TIMED_OUT | typeof CLOSING) => void>();

  async function resolveGrant(key: string): Promise<GrantStrategy> {
    resolves += 1;
    // Made only if the resolver looks at its signal (most never do; one per key would cost on every miss).
    let controller: AbortController | undefined;
    const resolverContext = {
      get signal(): AbortSignal {
        controller ??= new AbortController();
        return controller.signal;
      },
    };
    let interrupt: (reason: typeof TIMED_OUT | typeof CLOSING) => void = () => {};
    const interrupted = new Promise<typeof TIMED_OUT | typeof CLOSING>((resolve) => {
      interrupt = resolve;
    });
    interrupts.add(interrupt);
    const timer = setTimeout(() => interrupt(TIMED_OUT), resolveTimeoutMs);
    let answer: unknown;
    try {
      answer = await Promise.race([
        Promise.resolve().then(() => resolver(key, resolverContext)),
        interrupted,
      ]);
    } catch (error) {
      throw resolveFailed('the grant resolver failed', error);
    } finally {
      clearTimeout(timer);
      interrupts.delete(interrupt);
    }
    if (answer === TIMED_OUT || answer === CLOSING) {
      controller?.abort();
      if (answer === CLOSING) throw closedError();
      throw resolveFailed(`the grant resolver did not answer within ${resolveTimeoutMs} ms`);
    }
    if (answer === undefined) {
      throw new OAuthFlowError('ERR_OAUTH_UNKNOWN_KEY', 'no grant is configured for this key');
    }
    try {
      const grant = grantStrategy(answer, transport);
      checkStoreFitsGrant(context, grant);
      return grant;
    } catch (error) {
      throw resolveFailed('the grant resolver returned an invalid grant', error);
    }
  }

  async function createSlot(key: string, entry: { waiters: number }): Promise<CachedSlot> {
    const grant = await resolveGrant(key);
    const slot = await cache.insertWhenRoom(
      (): CachedSlot => ({
        // The fields of createTokenSlot, written out: one object literal is the cheapest on the miss path.
        key,
        grant,
        skew: new ClockSkew(),
        cached: undefined,
        inflight: undefined,
        retryAt: 0,
        failures: 0,
        gen: 0,
        busy: 0,
        // Every caller waiting so far holds a pin until its operation has started.
        pins: entry.waiters,
        watched: undefined,
      }),
      () => closed,
    );
    if (slot === undefined) throw closedError();
    // From here on callers find the slot in the cache.
    pending.delete(key);
    return slot;
  }

  // The slot of a key not in the cache: one resolution per key at a time, shared by every caller.
  function admit(key: string): Promise<CachedSlot> {
    let entry = pending.get(key);
    if (entry === undefined) {
      const created: { waiters: number; promise?: Promise<CachedSlot> } = { waiters: 0 };
      const promise = createSlot(key, created).finally(() => {
        if (pending.get(key) === created) pending.delete(key);
      });
      created.promise = promise;
      entry = created as PendingSlot;
      pending.set(key, entry);
    }
    entry.waiters += 1;
    return entry.promise;
  }

  function settled(slot: CachedSlot): void {
    if (idle(slot)) cache.released();
  }

  // Runs one operation on a slot: the slot counts as busy (not evictable) until it settles, and a refresh the
  // operation started in the background keeps it so until that settles too.
  function track<T>(slot: CachedSlot, op: (slot: CachedSlot) => Promise<T>, drop: boolean): Promise<T> {
    slot.busy += 1;
    let result: Promise<T>;
    try {
      result = op(slot);
    } catch (error) {
      result = Promise.reject(error);
    }
    const refresh = slot.inflight;
    if (refresh !== undefined && slot.watched !== refresh) {
      slot.watched = refresh;
      running.add(refresh);
      refresh.then(
        () => {
          running.delete(refresh);
          settled(slot);
        },
        () => {
          running.delete(refresh);
          settled(slot);
        },
      );
    }
    const done = result.finally(() => {
      slot.busy -= 1;
      running.delete(done);
      if (drop && cache.peek(slot.key) === slot) cache.remove(slot.key);
      settled(slot);
    });
    running.add(done);
    return done;
  }

  function withSlot<T>(key: string, op: (slot: CachedSlot) => Promise<T>, drop = false): Promise<T> {
    if (closed) return Promise.reject(closedError());
    if (!isTokenKey(key)) return Promise.reject(invalidKeyError());
    const slot = cache.get(key);
    if (slot !== undefined) return track(slot, op, drop);
    return admit(key).then((created) => {
      created.pins -= 1;
      if (closed) {
        settled(created);
        throw closedError();
      }
      return track(created, op, drop);
    });
  }

  const getTokenSet = (key: string): Promise<TokenSet> =>
    withSlot(key, (slot) => slotTokenSet(context, slot));

  const managers: TokenManagers = {
    getAccessToken(key: string): Promise<string> {
      // The hot path: one Map lookup, no await, no store access while the key's cached token is fresh.
      if (!closed) {
        const slot = cache.get(key);
        if (slot !== undefined) {
          const fresh = freshAccessToken(context, slot);
          if (fresh !== undefined) return Promise.resolve(fresh);
        }
      }
      return getTokenSet(key).then((tokens) => tokens.accessToken);
    },
    getTokenSet,
    invalidate(key: string, token: string): Promise<void> {
      try {
        checkAccessTokenArgument(token);
      } catch (error) {
        return Promise.reject(error);
      }
      return withSlot(key, (slot) => invalidateSlotToken(context, slot, token));
    },
    setTokenSet(key: string, tokens: TokenSet): Promise<void> {
      try {
        checkTokenSetArgument(tokens);
      } catch (error) {
        return Promise.reject(error);
      }
      return withSlot(key, (slot) => saveSlotTokenSet(context, slot, tokens));
    },
    async clear(key: string): Promise<void> {
      if (closed) throw closedError();
      if (!isTokenKey(key)) throw invalidKeyError();
      // A key not in memory needs no grant to be deleted: the resolver may not know it any more.
      if (cache.peek(key) === undefined && !pending.has(key)) {
        await context.store.delete(key);
        return;
      }
      await withSlot(key, (slot) => clearSlot(context, slot), true);
    },
    logout(key: string): Promise<LogoutResult> {
      return withSlot(key, (slot) => logoutSlot(context, slot), true);
    },
    async forget(key: string): Promise<void> {
      if (!isTokenKey(key)) throw invalidKeyError();
      for (;;) {
        const slot = cache.peek(key);
        if (slot === undefined || cache.remove(key)) return;
        await cache.nextRelease();
      }
    },
    forKey(key: string): TokenManager {
      if (!isTokenKey(key)) throw invalidKeyError();
      return keyView(managers, key, () => cache.peek(key));
    },
    clockSkewMs(key: string): number {
      return cache.peek(key)?.skew.skewMs ?? 0;
    },
    get size(): number {
      return cache.size;
    },
    stats(): TokenManagersStats {
      let refreshing = 0;
      for (const slot of cache.values()) if (slot.inflight !== undefined) refreshing += 1;
      return {
        cachedKeys: cache.size,
        maxCachedKeys: cache.max,
        resolving: pending.size,
        refreshing,
        evictions: cache.evictions,
        resolves,
      };
    },
    async close(): Promise<void> {
      if (!closed) {
        closed = true;
        for (const interrupt of interrupts) interrupt(CLOSING);
        cache.released();
      }
      // Waits until nothing new is in flight (an operation may start a refresh while it ends); each promise is
      // awaited once, so close() ends even if one of them stays listed after it settled.
      const awaited = new Set<Promise<unknown>>();
      for (;;) {
        const waits = new Set<Promise<unknown>>(running);
        for (const entry of pending.values()) waits.add(entry.promise);
        for (const slot of cache.values()) if (slot.inflight !== undefined) waits.add(slot.inflight);
        for (const done of awaited) waits.delete(done);
        if (waits.size === 0) break;
        for (const wait of waits) awaited.add(wait);
        await Promise.allSettled(waits);
      }
      for (const slot of cache.values()) slot.cached = undefined;
      cache.clear();
    },
  };
  return managers;
}

// A TokenManager over one key of a many-key manager: it holds no slot, so it never pins memory.
function keyView(managers: TokenManagers, key: string, slotOf: () => CachedSlot | undefined): TokenManager {
  let closed = false;
  const guard = <T>(call: () => Promise<T>): Promise<T> => (closed ? Promise.reject(closedError()) : call());
  return {
    getAccessToken: () => (closed ? Promise.reject(closedError()) : managers.getAccessToken(key)),
    getTokenSet: () => guard(() => managers.getTokenSet(key)),
    invalidate: (token) => guard(() => managers.invalidate(key, token)),
    setTokenSet: (tokens) => guard(() => managers.setTokenSet(key, tokens)),
    clear: () => guard(() => managers.clear(key)),
    logout: () => guard(() => managers.logout(key)),
    get clockSkewMs(): number {
      return managers.clockSkewMs(key);
    },
    async close(): Promise<void> {
      closed = true;
      await slotOf()?.inflight?.catch(() => {});
    },
  };
}
