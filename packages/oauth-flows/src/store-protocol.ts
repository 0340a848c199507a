import { isNetSuiteError } from '@netsuite-oauth/core';
import { OAuthFlowError } from './errors.js';
import { type TokenStoreLike, type TokenStoreLockLike, UNREADABLE_STORE_ENTRY_CODES } from './store-types.js';
import { decodeTokenEntry, encodeTokenEntry, type StoredTokens } from './token-entry.js';

function isUnreadableEntry(cause: unknown): boolean {
  return isNetSuiteError(cause) && UNREADABLE_STORE_ENTRY_CODES.has(cause.code);
}

/** `ERR_OAUTH_STORE`, keeping the store's own error as the cause only when it is one of ours (no secrets). */
export function storeError(cause: unknown): OAuthFlowError {
  return new OAuthFlowError('ERR_OAUTH_STORE', 'token store failed', {
    cause: isNetSuiteError(cause) ? cause : undefined,
  });
}

/** An entry to write: the encoded token set and when the store may forget it. */
export interface EntryToWrite {
  readonly value: string;
  readonly expiresAt: number;
}

/** What a conditional write is conditioned on. */
export interface WriteCondition {
  /** The stored state the new tokens were derived from (its version is the compare-and-set condition). */
  readonly base: StoredTokens | undefined;
  /** The fencing token of the lock held while the tokens were fetched. */
  readonly fencingToken?: number | undefined;
  /**
   * After a lost compare-and-set, write over the newer entry anyway if it still holds `base`'s refresh token
   * (nobody spent it, so the newer entry holds the same grant and ours is the one whose refresh token is live).
   */
  readonly overwriteUnspent?: boolean | undefined;
}

/**
 * The token manager's side of the `TokenStore` contract, for one store: reads that decode, a lease, and writes
 * that use compare-and-set with the lease's fencing token when the store has them (plain `set` otherwise).
 * Every method takes the key, so one protocol serves any number of keys.
 */
export interface StoreProtocol {
  /** The store can lease a key (`lock`). */
  readonly canLock: boolean;
  /** The store can write conditionally (`compareAndSet`). */
  readonly canCompareAndSet: boolean;
  /** Locks and compare-and-set hold across processes. */
  readonly crossProcess: boolean;
  /**
   * Reads and decodes the entry. With `dropUnreadable`, an entry the store cannot decrypt or parse is deleted
   * and read as a miss.
   * @throws {OAuthFlowError} `ERR_OAUTH_STORE`
   */
  read(key: string, options?: { readonly dropUnreadable?: boolean }): Promise<StoredTokens | undefined>;
  /** A lease on the key, or `undefined` when another holder kept it past `waitMs`. Rejects with the store's error. */
  lock(
    key: string,
    options: { readonly ttlMs: number; readonly waitMs: number },
  ): Promise<TokenStoreLockLike | undefined>;
  /**
   * Writes new tokens: with compare-and-set against `condition` when the store has it (resolving the version
   * written, or `undefined` when refused), else unconditionally (resolving `undefined`). Rejects with the store's error.
   */
  write(key: string, entry: EntryToWrite, condition: WriteCondition): Promise<number | undefined>;
  /**
   * Replaces `stored` with `entry` only if the key still holds that version (compare-and-set), or
   * unconditionally when the store cannot compare. Rejects with the store's error.
   */
  replace(key: string, entry: EntryToWrite, stored: StoredTokens): Promise<void>;
  /**
   * Retires `stored`: keeps its refresh token but no access token, as an entry that is already expired
   * (compare-and-set, so a newer entry is left alone), or deletes the key when the store cannot compare.
   * Rejects with the store's error.
   */
  retire(key: string, stored: StoredTokens): Promise<void>;
  /** @throws {OAuthFlowError} `ERR_OAUTH_STORE` */
  set(key: string, entry: EntryToWrite): Promise<void>;
  /** @throws {OAuthFlowError} `ERR_OAUTH_STORE` */
  delete(key: string): Promise<void>;
}

/** The {@link StoreProtocol} of a store. */
export function createStoreProtocol(store: TokenStoreLike): StoreProtocol {
  const canLock = store.capabilities.lock === true && typeof store.lock === 'function';
  const cas =
    store.capabilities.compareAndSet === true && typeof store.compareAndSet === 'function'
      ? store.compareAndSet.bind(store)
      : undefined;

  const read = async (
    key: string,
    options?: { readonly dropUnreadable?: boolean },
  ): Promise<StoredTokens | undefined> => {
    try {
      return decodeTokenEntry(await store.get(key));
    } catch (cause) {
      if (options?.dropUnreadable && isUnreadableEntry(cause)) {
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

  // The version a successful compare-and-set wrote: stores resolve `{ version }`; a store written against the
  // first contract resolves `true`, and then the version is read back.
  const compareAndSet = async (
    key: string,
    entry: EntryToWrite,
    condition: { version: number | undefined; fencingToken?: number },
  ): Promise<false | { version: number | undefined }> => {
    const result = await (cas as NonNullable<TokenStoreLike['compareAndSet']>)(key, entry, condition);
    if (result === false) return false;
    if (typeof result === 'object' && result !== null) return { version: result.version };
    return { version: (await store.get(key))?.version };
  };

  return {
    canLock,
    canCompareAndSet: cas !== undefined,
    crossProcess: store.capabilities.crossProcess === true,
    read,
    async lock(key, options) {
      return await (store.lock as NonNullable<TokenStoreLike['lock']>).call(store, key, options);
    },
    async write(key, entry, { base, fencingToken, overwriteUnspent }) {
      if (!cas) {
        await store.set(key, entry);
        return undefined;
      }
      const condition =
        fencingToken === undefined ? { version: base?.version } : { version: base?.version, fencingToken };
      const written = await compareAndSet(key, entry, condition);
      if (written) return written.version;
      // Lost the race. If nobody spent our refresh token meanwhile, write over the newer entry (it holds the
      // same grant); otherwise keep what is there.
      if (!overwriteUnspent) return undefined;
      const latest = await read(key);
      if (!latest || latest.tokens.refreshToken !== base?.tokens.refreshToken) return undefined;
      const again = await compareAndSet(key, entry, { version: latest.version });
      return again ? again.version : undefined;
    },
    async replace(key, entry, stored) {
      if (cas) await cas(key, entry, { version: stored.version });
      else await store.set(key, entry);
    },
    async retire(key, stored) {
      if (cas) {
        const entry = { value: encodeTokenEntry(stored.tokens, stored.obtainedAt, false), expiresAt: 1 };
        await cas(key, entry, { version: stored.version });
      } else {
        await store.delete(key);
      }
    },
    async set(key, entry) {
      try {
        await store.set(key, entry);
      } catch (cause) {
        throw storeError(cause);
      }
    },
    async delete(key) {
      try {
        await store.delete(key);
      } catch (cause) {
        throw storeError(cause);
      }
    },
  };
}
