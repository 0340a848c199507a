import { TokenStoreError } from './errors.js';
import type { LockOptions, TokenStore, TokenStoreLock } from './types.js';

/**
 * Runs `fn` while holding the store's lock on `key`, and always releases it. For read-modify-write
 * sequences: pass `lock.fencingToken` to `compareAndSet` inside `fn` so a holder whose lease lapsed
 * cannot overwrite a newer write.
 *
 * @example
 * await withTokenStoreLock(store, 'ns:client', { ttlMs: 10_000, waitMs: 5_000 }, async (lock) => {
 *   const current = await store.get('ns:client');
 *   await store.compareAndSet!('ns:client', next, { version: current?.version, fencingToken: lock.fencingToken });
 * });
 * @throws {TokenStoreError} `ERR_STORE_UNSUPPORTED` when the store has no lock, `ERR_STORE_LOCK_TIMEOUT` when
 *   the lock was not granted within `waitMs` (never runs `fn` without the lock)
 */
export async function withTokenStoreLock<T>(
  store: TokenStore,
  key: string,
  options: LockOptions,
  fn: (lock: TokenStoreLock) => Promise<T> | T,
): Promise<T> {
  if (!store?.capabilities?.lock || typeof store.lock !== 'function') {
    throw new TokenStoreError('ERR_STORE_UNSUPPORTED', 'store does not support lock');
  }
  if (typeof fn !== 'function') {
    throw new TokenStoreError('ERR_STORE_INVALID_ARGUMENT', 'fn must be a function');
  }
  const lock = await store.lock(key, options);
  if (!lock) throw new TokenStoreError('ERR_STORE_LOCK_TIMEOUT', 'lock not granted within waitMs');
  try {
    return await fn(lock);
  } finally {
    await lock.release();
  }
}
