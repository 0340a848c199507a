import { isNetSuiteError } from '@netsuite-oauth/core';
import { ClockSkew } from './clock-skew.js';
import {
  cacheChannel,
  invalidateChannel,
  lockChannel,
  type TokenEvent,
  tokenChannel,
} from './diagnostics.js';
import { OAuthFlowError } from './errors.js';
import { type GrantStrategy, reauthenticationRequired } from './grant-strategy.js';
import {
  freshAt,
  type RefreshTiming,
  retryAfterFailures,
  type ScheduledTokens,
  scheduleRefresh,
  usableAt,
} from './refresh-schedule.js';
import { type StoreProtocol, storeError } from './store-protocol.js';
import type { TokenStoreLockLike } from './store-types.js';
import { encodeTokenEntry, hasAccessToken, type StoredTokens } from './token-entry.js';
import type { TokenSet } from './token-set.js';

/**
 * What every key of a token manager shares: the store protocol, the clock, the refresh timing and the lock
 * lease. A manager of one key has one of these and one {@link TokenSlot}; a manager of many keys has one of
 * these and a slot per key.
 */
export interface TokenSlotContext {
  readonly store: StoreProtocol;
  readonly timing: RefreshTiming;
  readonly now: () => number;
  /** Longest time one token request may take, ms. */
  readonly timeoutMs: number;
  /** Lease of the store lock around a refresh, ms (longer than `timeoutMs`). */
  readonly lockTtlMs: number;
  /** How long to wait for another process's refresh, ms. */
  readonly lockWaitMs: number;
  /** First delay before a failed background refresh is tried again, ms. */
  readonly retryDelayMs: number;
  /** Told about failures of background refreshes. */
  readonly onError?: ((error: OAuthFlowError) => void) | undefined;
}

/**
 * The in-memory state of one key: its grant, the tokens served from memory, the one refresh in flight
 * (single flight in process; the store lock makes it single across processes) and the background-retry backoff.
 */
export interface TokenSlot {
  readonly key: string;
  readonly grant: GrantStrategy;
  readonly skew: ClockSkew;
  cached: ScheduledTokens | undefined;
  inflight: Promise<TokenSet> | undefined;
  /** No background refresh before this instant (after failures). */
  retryAt: number;
  /** Failed refreshes in a row. */
  failures: number;
}

/** A slot with nothing cached. */
export function createTokenSlot(key: string, grant: GrantStrategy, skew = new ClockSkew()): TokenSlot {
  return { key, grant, skew, cached: undefined, inflight: undefined, retryAt: 0, failures: 0 };
}

const read = (ctx: TokenSlotContext, slot: TokenSlot) =>
  ctx.store.read(slot.key, { dropUnreadable: slot.grant.recreatable });

const entryOf = (slot: TokenSlot, tokens: TokenSet, obtainedAt: number) => ({
  value: encodeTokenEntry(tokens, obtainedAt),
  expiresAt: slot.grant.entryExpiresAt(tokens, obtainedAt),
});

function adopt(ctx: TokenSlotContext, slot: TokenSlot, stored: StoredTokens): TokenSet {
  slot.cached = scheduleRefresh(ctx.timing, stored.tokens, stored.obtainedAt, stored.version);
  return stored.tokens;
}

const releaseQuietly = (lock: TokenStoreLockLike) => lock.release().catch(() => {});

// A terminal failure (invalid_grant) ends the session, unless another process rotated the token meanwhile.
async function onRefreshFailure(
  ctx: TokenSlotContext,
  slot: TokenSlot,
  error: unknown,
  base: StoredTokens | undefined,
): Promise<TokenSet> {
  if (!slot.grant.isTerminal(error)) throw error;
  const latest = await read(ctx, slot);
  if (
    latest &&
    latest.tokens.refreshToken !== base?.tokens.refreshToken &&
    usableAt(ctx.timing, latest, ctx.now())
  ) {
    return adopt(ctx, slot, latest);
  }
  if (latest && latest.tokens.refreshToken === base?.tokens.refreshToken) {
    try {
      await ctx.store.retire(slot.key, latest);
    } catch {
      // The grant is dead either way.
    }
  }
  slot.cached = undefined;
  throw reauthenticationRequired(error);
}

/** A token event being filled in (only made when someone subscribes). */
type OpenTokenEvent = { -readonly [K in keyof TokenEvent]: TokenEvent[K] };

async function refresh(
  ctx: TokenSlotContext,
  slot: TokenSlot,
  background: boolean,
  event: OpenTokenEvent | undefined,
): Promise<TokenSet> {
  const { store, timing, now, lockTtlMs } = ctx;
  const { rotating } = slot.grant;
  // A background refresh stops when the stored token is fresh (another process refreshed); a foreground one
  // as soon as there is one it may hand out.
  const good = (stored: StoredTokens | undefined, t: number) =>
    background ? freshAt(timing, stored, t) : usableAt(timing, stored, t) !== undefined;
  let base = await read(ctx, slot);
  if (good(base, now())) return adopt(ctx, slot, base as StoredTokens);
  let lock: TokenStoreLockLike | undefined;
  let lockedAt = 0;
  if (store.canLock) {
    const waitStart = lockChannel.hasSubscribers ? performance.now() : 0;
    try {
      lock = await store.lock(slot.key, { ttlMs: lockTtlMs, waitMs: ctx.lockWaitMs });
      lockedAt = now();
      if (waitStart !== 0) publishLock(slot, waitStart, lock !== undefined);
    } catch (cause) {
      if (waitStart !== 0) publishLock(slot, waitStart, false);
      // Fail closed for rotating refresh tokens; for other grants the lock only saves requests.
      if (rotating) throw storeError(cause);
      lock = undefined;
    }
    if (lock) {
      try {
        base = await read(ctx, slot);
      } catch (error) {
        await releaseQuietly(lock);
        throw error;
      }
      if (good(base, now())) {
        await releaseQuietly(lock);
        return adopt(ctx, slot, base as StoredTokens);
      }
    } else if (rotating) {
      const latest = usableAt(timing, await read(ctx, slot), now());
      if (latest) return adopt(ctx, slot, latest);
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
    const deadline = lock ? lockTtlMs - margin - (rotating ? startedAt - lockedAt : 0) : ctx.timeoutMs;
    if (lock && deadline <= 0) {
      // The lease ran out before the request left (a paused process): another holder may have spent the
      // refresh token we read, and sending it again would revoke the grant. Take what the store has now.
      const latest = usableAt(timing, await read(ctx, slot), now());
      if (latest) return adopt(ctx, slot, latest);
      throw new OAuthFlowError(
        'ERR_OAUTH_LOCK_TIMEOUT',
        'the lock of this session ran out before the refresh was sent; try again',
      );
    }
    let tokens: TokenSet;
    try {
      tokens = await slot.grant.fetchTokens(base, {
        timeoutMs: Math.max(1, Math.min(ctx.timeoutMs, deadline)),
        skew: slot.skew,
      });
    } catch (error) {
      return await onRefreshFailure(ctx, slot, error, base);
    }
    if (event !== undefined) event.source = 'endpoint';
    const obtainedAt = startedAt;
    let version: number | undefined;
    try {
      version = await store.write(slot.key, entryOf(slot, tokens, obtainedAt), {
        base,
        fencingToken: lock?.fencingToken,
        overwriteUnspent: rotating,
      });
    } catch (cause) {
      // The new token is valid; a rotated refresh token that cannot be saved is reported.
      if (rotating) throw storeError(cause);
    }
    slot.cached = scheduleRefresh(timing, tokens, obtainedAt, version);
    return tokens;
  } finally {
    if (lock) await releaseQuietly(lock);
  }
}

// One refresh per slot at a time: concurrent callers share the promise in flight.
function run(ctx: TokenSlotContext, slot: TokenSlot, background: boolean): Promise<TokenSet> {
  if (slot.inflight) return slot.inflight;
  const p = (
    tokenChannel.hasSubscribers
      ? tracedRefresh(ctx, slot, background)
      : refresh(ctx, slot, background, undefined)
  ).then(
    (tokens) => {
      slot.failures = 0;
      slot.retryAt = 0;
      return tokens;
    },
    (error: unknown) => {
      slot.failures += 1;
      slot.retryAt = retryAfterFailures(ctx.now(), slot.failures, ctx.retryDelayMs);
      throw error instanceof OAuthFlowError || isNetSuiteError(error) ? error : storeError(error);
    },
  );
  const q: Promise<TokenSet> = p.finally(() => {
    if (slot.inflight === q) slot.inflight = undefined;
  });
  slot.inflight = q;
  return q;
}

function publishLock(slot: TokenSlot, waitStart: number, acquired: boolean): void {
  lockChannel.publish({
    key: slot.key,
    grant: slot.grant.type,
    waitedMs: performance.now() - waitStart,
    acquired,
  });
}

/** {@link refresh} inside the token TracingChannel; the traced function resolves to nothing (no token in events). */
function tracedRefresh(ctx: TokenSlotContext, slot: TokenSlot, background: boolean): Promise<TokenSet> {
  const startedAt = performance.now();
  const event: OpenTokenEvent = {
    key: slot.key,
    grant: slot.grant.type,
    background,
    startTime: performance.timeOrigin + startedAt,
  };
  let tokens: TokenSet | undefined;
  return tokenChannel
    .tracePromise(async () => {
      try {
        tokens = await refresh(ctx, slot, background, event);
        event.source ??= 'store';
      } finally {
        event.durationMs = performance.now() - startedAt;
      }
    }, event)
    .then(() => tokens as TokenSet);
}

function backgroundRefresh(ctx: TokenSlotContext, slot: TokenSlot): void {
  if (slot.inflight || ctx.now() < slot.retryAt) return;
  run(ctx, slot, true).catch((error: unknown) => {
    if (ctx.onError && error instanceof OAuthFlowError) {
      try {
        ctx.onError(error);
      } catch {
        // A throwing listener must not break token serving.
      }
    }
  });
}

/**
 * The access token from memory while it is fresh (no await, no store access): the hot path. `undefined` when
 * the slot needs {@link slotTokenSet}.
 */
export function freshAccessToken(ctx: TokenSlotContext, slot: TokenSlot): string | undefined {
  const c = slot.cached;
  if (c === undefined || ctx.now() >= c.refreshAt) return undefined;
  if (cacheChannel.hasSubscribers)
    cacheChannel.publish({ key: slot.key, grant: slot.grant.type, refreshDue: false });
  return c.accessToken;
}

/**
 * The slot's valid token set: from memory while fresh; inside the refresh-ahead window the cached one while a
 * background refresh runs; past the hard limit the result of a refresh (shared with every concurrent caller).
 */
export function slotTokenSet(ctx: TokenSlotContext, slot: TokenSlot): Promise<TokenSet> {
  const c = slot.cached;
  if (c !== undefined) {
    const t = ctx.now();
    if (t < c.refreshAt) {
      if (cacheChannel.hasSubscribers)
        cacheChannel.publish({ key: slot.key, grant: slot.grant.type, refreshDue: false });
      return Promise.resolve(c.tokens);
    }
    if (t < c.hardAt) {
      if (cacheChannel.hasSubscribers)
        cacheChannel.publish({ key: slot.key, grant: slot.grant.type, refreshDue: true });
      backgroundRefresh(ctx, slot);
      return Promise.resolve(c.tokens);
    }
  }
  return run(ctx, slot, false);
}

/** Drops exactly `token` (seen with a 401) from memory and the store; a newer token is left alone. */
export async function invalidateSlotToken(
  ctx: TokenSlotContext,
  slot: TokenSlot,
  token: string,
): Promise<void> {
  if (slot.cached?.tokens.accessToken === token) slot.cached = undefined;
  const stored = await read(ctx, slot);
  const droppedFromStore = stored !== undefined && stored.tokens.accessToken === token;
  if (invalidateChannel.hasSubscribers)
    invalidateChannel.publish({ key: slot.key, grant: slot.grant.type, droppedFromStore });
  if (!droppedFromStore) return;
  try {
    if (stored.tokens.refreshToken !== undefined && !slot.grant.recreatable) {
      // Keep the refresh token: only the access token is dropped.
      const entry = {
        value: encodeTokenEntry(stored.tokens, stored.obtainedAt, false),
        expiresAt: slot.grant.entryExpiresAt(stored.tokens, stored.obtainedAt),
      };
      await ctx.store.replace(slot.key, entry, stored);
    } else {
      await ctx.store.retire(slot.key, stored);
    }
  } catch (cause) {
    throw storeError(cause);
  }
}

/** Saves `tokens` (from a code exchange or any source) as the slot's current tokens. */
export async function saveSlotTokenSet(
  ctx: TokenSlotContext,
  slot: TokenSlot,
  tokens: TokenSet,
): Promise<void> {
  const obtainedAt = ctx.now();
  await ctx.store.set(slot.key, entryOf(slot, tokens, obtainedAt));
  slot.cached = scheduleRefresh(ctx.timing, tokens, obtainedAt, undefined);
}

/** Forgets the slot's tokens, in memory and in the store. */
export async function clearSlot(ctx: TokenSlotContext, slot: TokenSlot): Promise<void> {
  slot.cached = undefined;
  await ctx.store.delete(slot.key);
}

/**
 * Logs the slot out: reads the stored grant as it is (never refreshing), deletes it whatever happens next, then
 * revokes its refresh token (or a still-valid access token). Never rejects for a revocation failure.
 */
export async function logoutSlot(
  ctx: TokenSlotContext,
  slot: TokenSlot,
): Promise<{ revoked: boolean; error?: OAuthFlowError | undefined }> {
  const revoke = slot.grant.revoke;
  if (!revoke) throw new OAuthFlowError('ERR_OAUTH_INVALID_OPTION', 'logout needs a refresh_token grant');
  slot.cached = undefined;
  let stored: StoredTokens | undefined;
  let unreadable: unknown;
  try {
    stored = await read(ctx, slot);
  } catch (error) {
    unreadable = error;
  }
  await ctx.store.delete(slot.key);
  if (unreadable !== undefined) {
    return {
      revoked: false,
      error: unreadable instanceof OAuthFlowError ? unreadable : storeError(unreadable),
    };
  }
  const token =
    stored?.tokens.refreshToken ??
    (hasAccessToken(stored) && stored.tokens.expiresAt > ctx.now() ? stored.tokens.accessToken : undefined);
  if (token === undefined) return { revoked: true };
  try {
    await revoke(token);
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
}
