import { TokenStoreError } from './errors.js';
import type { TokenStore } from './types.js';
import { assertKey, MAX_KEY_LENGTH } from './validate.js';

/**
 * A view of `store` in which every key lives under `prefix` (a namespace), so several integrations,
 * tenants or apps can share one store without seeing each other's keys.
 *
 * The full key is `prefix + ':' + key` (no extra `:` when `prefix` already ends with one).
 * `close()` closes the underlying store.
 *
 * @example
 * const tenantA = prefixedTokenStore(redisStore, 'tenant-a');
 * await tenantA.set('client', entry); // stored as 'tenant-a:client'
 * @throws {TokenStoreError} `ERR_STORE_INVALID_OPTION` when `store` is not a store or `prefix` is not a
 *   non-empty string of at most 256 characters
 */
export function prefixedTokenStore(store: TokenStore, prefix: string): TokenStore {
  assertStore(store, 'store');
  if (typeof prefix !== 'string' || prefix.length === 0 || prefix.length > 256) {
    throw new TokenStoreError(
      'ERR_STORE_INVALID_OPTION',
      'prefix must be a non-empty string (≤ 256 characters)',
    );
  }
  try {
    assertKey(prefix);
  } catch (cause) {
    throw new TokenStoreError('ERR_STORE_INVALID_OPTION', 'prefix must not contain control characters', {
      cause,
    });
  }
  const head = prefix.endsWith(':') ? prefix : `${prefix}:`;
  const full = (key: string): string => {
    assertKey(key);
    const joined = head + key;
    if (joined.length > MAX_KEY_LENGTH) {
      throw new TokenStoreError(
        'ERR_STORE_INVALID_KEY',
        `prefix + key must be at most ${MAX_KEY_LENGTH} characters`,
      );
    }
    return joined;
  };
  const view: TokenStore = {
    capabilities: store.capabilities,
    get: async (key) => await store.get(full(key)),
    set: async (key, entry) => await store.set(full(key), entry),
    delete: async (key) => await store.delete(full(key)),
  };
  const { close, lock, compareAndSet } = store;
  return {
    ...view,
    ...(close ? { close: async () => await close.call(store) } : {}),
    ...(lock ? { lock: async (key, options) => await lock.call(store, full(key), options) } : {}),
    ...(compareAndSet
      ? {
          compareAndSet: async (key, entry, condition) =>
            await compareAndSet.call(store, full(key), entry, condition),
        }
      : {}),
  } satisfies TokenStore;
}

/**
 * Checks that a value looks like a {@link TokenStore} (used by wrappers at construction).
 *
 * @throws {TokenStoreError} `ERR_STORE_INVALID_OPTION`
 * @example
 * assertStore(maybeStore, 'store');
 */
export function assertStore(store: unknown, name: string): asserts store is TokenStore {
  const s = store as Partial<TokenStore> | null | undefined;
  if (
    typeof s !== 'object' ||
    s === null ||
    typeof s.get !== 'function' ||
    typeof s.set !== 'function' ||
    typeof s.delete !== 'function' ||
    typeof s.capabilities !== 'object' ||
    s.capabilities === null
  ) {
    throw new TokenStoreError(
      'ERR_STORE_INVALID_OPTION',
      `${name} must be a TokenStore (get, set, delete, capabilities)`,
    );
  }
  if (s.capabilities.lock && typeof s.lock !== 'function') {
    throw new TokenStoreError('ERR_STORE_INVALID_OPTION', `${name} declares lock but has no lock()`);
  }
  if (s.capabilities.compareAndSet && typeof s.compareAndSet !== 'function') {
    throw new TokenStoreError(
      'ERR_STORE_INVALID_OPTION',
      `${name} declares compareAndSet but has no compareAndSet()`,
    );
  }
}
