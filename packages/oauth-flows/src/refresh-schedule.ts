import { randomInt } from 'node:crypto';
import { hasAccessToken, type StoredTokens } from './token-entry.js';
import type { TokenSet } from './token-set.js';

/** When to refresh: the manager's `refreshAheadMs`, `refreshJitterMs` and `minValidityMs`, checked. */
export interface RefreshTiming {
  readonly refreshAheadMs: number;
  readonly jitterMs: number;
  readonly minValidityMs: number;
}

/** A token set held in memory, with the instants that decide how it is served. */
export interface ScheduledTokens {
  readonly tokens: TokenSet;
  /** `tokens.accessToken`, one object hop closer for the hot path (with many keys, every hop is a cache miss). */
  readonly accessToken: string;
  /** Store version this came from or was written as (undefined when unknown). */
  readonly version: number | undefined;
  /** From here on a background refresh starts; the token is still served. */
  readonly refreshAt: number;
  /** From here on the token is no longer served: callers wait for the refresh. */
  readonly hardAt: number;
}

/**
 * Places the refresh of a token set: `refreshAheadMs` plus a random jitter before expiry (at most half the
 * lifetime, so a short-lived token is not refreshed at once), and the hard limit `minValidityMs` before expiry
 * (at most a quarter of the lifetime).
 */
export function scheduleRefresh(
  timing: RefreshTiming,
  tokens: TokenSet,
  obtainedAt: number,
  version: number | undefined,
): ScheduledTokens {
  const lifetime = Math.max(0, tokens.expiresAt - obtainedAt);
  const jitter = timing.jitterMs > 0 ? randomInt(0, Math.floor(timing.jitterMs) + 1) : 0;
  const lead = Math.min(timing.refreshAheadMs + jitter, lifetime / 2);
  return {
    tokens,
    accessToken: tokens.accessToken,
    version,
    refreshAt: tokens.expiresAt - lead,
    hardAt: hardLimit(timing, tokens, obtainedAt),
  };
}

function hardLimit(timing: RefreshTiming, tokens: TokenSet, obtainedAt: number): number {
  const lifetime = Math.max(0, tokens.expiresAt - obtainedAt);
  return tokens.expiresAt - Math.min(timing.minValidityMs, lifetime / 4);
}

/** The stored tokens, if their access token may still be handed out at `t`. */
export function usableAt(
  timing: RefreshTiming,
  stored: StoredTokens | undefined,
  t: number,
): StoredTokens | undefined {
  if (!hasAccessToken(stored)) return undefined;
  return t < hardLimit(timing, stored.tokens, stored.obtainedAt) ? stored : undefined;
}

/** True when the stored tokens need no refresh yet at `t` (before the refresh-ahead window, jitter aside). */
export function freshAt(timing: RefreshTiming, stored: StoredTokens | undefined, t: number): boolean {
  if (!hasAccessToken(stored)) return false;
  const lifetime = stored.tokens.expiresAt - stored.obtainedAt;
  return t < stored.tokens.expiresAt - Math.min(timing.refreshAheadMs, lifetime / 2);
}

/** Longest wait between two failed background refreshes. */
const MAX_RETRY_DELAY_MS = 30_000;

/**
 * When to try again after `failures` failed refreshes in a row: exponential from `retryDelayMs`, capped at
 * 30 s, with equal jitter (half fixed, half random) so a fleet does not retry in step.
 */
export function retryAfterFailures(now: number, failures: number, retryDelayMs: number): number {
  const delay = Math.min(MAX_RETRY_DELAY_MS, retryDelayMs * 2 ** (failures - 1));
  return now + delay / 2 + randomInt(0, Math.floor(delay / 2) + 1);
}
