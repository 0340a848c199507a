import { TokenStoreError } from './errors.js';
import type { CompareAndSetCondition, TokenEntry } from './types.js';

/**
 * Longest key a store accepts (characters).
 *
 * @example
 * if (key.length > MAX_KEY_LENGTH) key = await hashKey(key);
 */
export const MAX_KEY_LENGTH = 512;
/**
 * Longest lease a store grants (ms): 10 minutes.
 *
 * @example
 * await store.lock!(key, { ttlMs: Math.min(wanted, MAX_LOCK_TTL_MS) });
 */
export const MAX_LOCK_TTL_MS = 600_000;
/**
 * Longest wait for a lock (ms): 10 minutes.
 *
 * @example
 * await store.lock!(key, { ttlMs: 10_000, waitMs: Math.min(wanted, MAX_LOCK_WAIT_MS) });
 */
export const MAX_LOCK_WAIT_MS = 600_000;

// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Checks a slot key: a non-empty string of at most 512 characters with no control characters.
 *
 * @throws {TokenStoreError} `ERR_STORE_INVALID_KEY`
 * @example
 * assertKey('ns:client');
 */
export function assertKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key.length === 0) {
    throw new TokenStoreError('ERR_STORE_INVALID_KEY', 'key must be a non-empty string');
  }
  if (key.length > MAX_KEY_LENGTH) {
    throw new TokenStoreError('ERR_STORE_INVALID_KEY', `key must be at most ${MAX_KEY_LENGTH} characters`);
  }
  if (CONTROL.test(key)) {
    throw new TokenStoreError('ERR_STORE_INVALID_KEY', 'key must not contain control characters');
  }
}

/**
 * Checks an entry: `value` a string, `expiresAt` a finite, non-negative number (epoch ms).
 *
 * @throws {TokenStoreError} `ERR_STORE_INVALID_ENTRY`
 * @example
 * assertEntry({ value: 'x', expiresAt: Date.now() + 1000 });
 */
export function assertEntry(entry: unknown): asserts entry is TokenEntry {
  if (typeof entry !== 'object' || entry === null) {
    throw new TokenStoreError('ERR_STORE_INVALID_ENTRY', 'entry must be an object');
  }
  const { value, expiresAt } = entry as { value?: unknown; expiresAt?: unknown };
  if (typeof value !== 'string') {
    throw new TokenStoreError('ERR_STORE_INVALID_ENTRY', 'entry.value must be a string');
  }
  if (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt) || expiresAt < 0) {
    throw new TokenStoreError('ERR_STORE_INVALID_ENTRY', 'entry.expiresAt must be a finite epoch ms number');
  }
}

/**
 * Checks lock options and returns them normalised (`waitMs` defaults to 0).
 *
 * @throws {TokenStoreError} `ERR_STORE_INVALID_ARGUMENT`
 * @example
 * const { ttlMs, waitMs } = normalizeLockOptions({ ttlMs: 5000 });
 */
export function normalizeLockOptions(options: unknown): { ttlMs: number; waitMs: number } {
  if (typeof options !== 'object' || options === null) {
    throw new TokenStoreError('ERR_STORE_INVALID_ARGUMENT', 'lock options must be an object with ttlMs');
  }
  const { ttlMs, waitMs = 0 } = options as { ttlMs?: unknown; waitMs?: unknown };
  if (typeof ttlMs !== 'number' || !Number.isInteger(ttlMs) || ttlMs < 1 || ttlMs > MAX_LOCK_TTL_MS) {
    throw new TokenStoreError(
      'ERR_STORE_INVALID_ARGUMENT',
      `ttlMs must be an integer from 1 to ${MAX_LOCK_TTL_MS}`,
    );
  }
  if (typeof waitMs !== 'number' || !Number.isFinite(waitMs) || waitMs < 0 || waitMs > MAX_LOCK_WAIT_MS) {
    throw new TokenStoreError('ERR_STORE_INVALID_ARGUMENT', `waitMs must be from 0 to ${MAX_LOCK_WAIT_MS}`);
  }
  return { ttlMs, waitMs };
}

/**
 * Checks a compare-and-set condition.
 *
 * @throws {TokenStoreError} `ERR_STORE_INVALID_ARGUMENT`
 * @example
 * assertCondition({ version: 3, fencingToken: 12 });
 */
export function assertCondition(condition: unknown): asserts condition is CompareAndSetCondition {
  if (typeof condition !== 'object' || condition === null || !('version' in condition)) {
    throw new TokenStoreError(
      'ERR_STORE_INVALID_ARGUMENT',
      'condition must be an object with version (a number or undefined)',
    );
  }
  const { version, fencingToken } = condition as { version?: unknown; fencingToken?: unknown };
  if (
    version !== undefined &&
    (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1)
  ) {
    throw new TokenStoreError('ERR_STORE_INVALID_ARGUMENT', 'condition.version must be a positive integer');
  }
  if (
    fencingToken !== undefined &&
    (typeof fencingToken !== 'number' || !Number.isSafeInteger(fencingToken) || fencingToken < 1)
  ) {
    throw new TokenStoreError(
      'ERR_STORE_INVALID_ARGUMENT',
      'condition.fencingToken must be a positive integer',
    );
  }
}

/**
 * Checks an injected clock option.
 *
 * @throws {TokenStoreError} `ERR_STORE_INVALID_OPTION`
 * @example
 * const now = clockOption(options.now);
 */
export function clockOption(now: unknown): () => number {
  if (now === undefined) return Date.now;
  if (typeof now !== 'function') {
    throw new TokenStoreError('ERR_STORE_INVALID_OPTION', 'now must be a function returning epoch ms');
  }
  return now as () => number;
}
