import { TokenStoreError } from './errors.js';
import { createKeyring, type EncryptionKey } from './keyring.js';
import { assertStore } from './prefixed.js';
import type { StoredTokenEntry, TokenEntry, TokenStore } from './types.js';
import { assertCondition, assertEntry, assertKey } from './validate.js';

/**
 * Options of {@link encryptedTokenStore}.
 *
 * @example
 * const options: EncryptedTokenStoreOptions = { keys: [{ id: 'k1', key: process.env.TOKEN_KEY! }] };
 */
export interface EncryptedTokenStoreOptions {
  /** The first key encrypts every write; all keys decrypt (rotation). */
  readonly keys: readonly EncryptionKey[];
  /**
   * Bound into every ciphertext with the slot key, so an entry copied to another store or slot fails to
   * decrypt. Change it only together with the data. @default 'default'
   */
  readonly name?: string | undefined;
}

/**
 * Wraps any store so values are encrypted at rest with AES-256-GCM (WebCrypto): a 96-bit random IV on
 * every write, the versioned envelope `{v, kid, iv, tag, ct}`, and the store name + slot key + `expiresAt`
 * as additional data, so tampering, moving an entry or editing its expiry is detected.
 *
 * Rotation: put the new key first in `keys` and keep the old ones; entries are re-encrypted with the new key
 * on their next write (the token manager rewrites on every refresh), then old keys can be dropped.
 * Reads of a tampered entry reject with `ERR_STORE_INTEGRITY`; of an entry sealed with an unknown key id,
 * `ERR_STORE_KEY_NOT_FOUND`. Versions, locks and compare-and-set pass through to the inner store.
 *
 * @example
 * const store = encryptedTokenStore(memoryTokenStore(), { keys: [{ id: '2026-11', key: generateEncryptionKey() }] });
 * await store.set('ns:client', { value: 'secret', expiresAt: Date.now() + 60_000 });
 * @throws {TokenStoreError} `ERR_STORE_INVALID_OPTION` for a bad store, key list or name (synchronously)
 * @see https://nvlpubs.nist.gov/nistpubs/Legacy/SP/nistspecialpublication800-38d.pdf (GCM)
 */
export function encryptedTokenStore(store: TokenStore, options: EncryptedTokenStoreOptions): TokenStore {
  assertStore(store, 'store');
  if (typeof options !== 'object' || options === null) {
    throw new TokenStoreError('ERR_STORE_INVALID_OPTION', 'options must be an object with keys');
  }
  const keyring = createKeyring(options.keys);
  const name = options.name ?? 'default';
  if (typeof name !== 'string' || name.length === 0 || name.length > 256) {
    throw new TokenStoreError(
      'ERR_STORE_INVALID_OPTION',
      'name must be a non-empty string (≤ 256 characters)',
    );
  }
  const aad = (key: string, expiresAt: number) => JSON.stringify(['token-store', name, key, expiresAt]);
  const seal = async (key: string, entry: TokenEntry): Promise<TokenEntry> => ({
    value: await keyring.seal(entry.value, aad(key, entry.expiresAt)),
    expiresAt: entry.expiresAt,
  });

  const { close, lock, compareAndSet } = store;
  return {
    capabilities: Object.freeze({ ...store.capabilities, encrypted: true }),
    async get(key): Promise<StoredTokenEntry | undefined> {
      assertKey(key);
      const stored = await store.get(key);
      if (!stored) return undefined;
      const { plaintext } = await keyring.open(stored.value, aad(key, stored.expiresAt));
      return Object.freeze({ value: plaintext, expiresAt: stored.expiresAt, version: stored.version });
    },
    async set(key, entry) {
      assertKey(key);
      assertEntry(entry);
      await store.set(key, await seal(key, entry));
    },
    delete: async (key) => await store.delete(key),
    ...(close ? { close: async () => await close.call(store) } : {}),
    ...(lock ? { lock: async (key, lockOptions) => await lock.call(store, key, lockOptions) } : {}),
    ...(compareAndSet
      ? {
          async compareAndSet(key, entry, condition) {
            assertKey(key);
            assertEntry(entry);
            assertCondition(condition);
            return await compareAndSet.call(store, key, await seal(key, entry), condition);
          },
        }
      : {}),
  } satisfies TokenStore;
}
