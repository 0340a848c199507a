/**
 * A token as a store keeps it: an opaque string and the absolute instant it stops being usable.
 *
 * @example
 * const entry: TokenEntry = { value: JSON.stringify(tokenSet), expiresAt: Date.now() + 3_600_000 };
 */
export interface TokenEntry {
  /** Opaque to the store (usually a serialised token set). Never logged. */
  readonly value: string;
  /** Epoch milliseconds; {@link TokenStore.get} answers `undefined` from this instant on. */
  readonly expiresAt: number;
}

/**
 * An entry read back from a store, with the version of its key.
 *
 * @example
 * const current = await store.get('ns:client'); // { value, expiresAt, version: 7 } | undefined
 */
export interface StoredTokenEntry extends TokenEntry {
  /** A positive integer that grows on every write of the key (never reused, even after a delete). */
  readonly version: number;
}

/**
 * What a store can do beyond get / set / delete. Callers check these flags instead of probing methods.
 *
 * @example
 * if (store.capabilities.lock && store.capabilities.crossProcess) { ... one refresh per fleet ... }
 */
export interface StoreCapabilities {
  /** `lock()` is present: a lease with a fencing token. */
  readonly lock: boolean;
  /** `compareAndSet()` is present: a write conditioned on version and fencing token. */
  readonly compareAndSet: boolean;
  /** Locks and compare-and-set hold across processes (and machines), not only inside this one. */
  readonly crossProcess: boolean;
  /** Values are encrypted at rest by the store or a wrapper. */
  readonly encrypted: boolean;
}

/**
 * A held lease on a key. It ends at `expiresAt` even if its holder dies, so a killed holder never blocks
 * others for longer than its ttl.
 *
 * @example
 * const lock = await store.lock!('ns:client', { ttlMs: 10_000, waitMs: 5_000 });
 * if (lock) try { ... } finally { await lock.release(); }
 */
export interface TokenStoreLock {
  /** Grows with every lock granted on the key; pass it to `compareAndSet` so a stale holder cannot overwrite. */
  readonly fencingToken: number;
  /** Epoch ms at which the lease lapses (moves forward after a successful `extend`). */
  readonly expiresAt: number;
  /** Releases the lease if this holder still owns it; a no-op otherwise (never releases someone else's lease). */
  release(): Promise<void>;
  /** Pushes the lease to now + `ttlMs` if still owned; `false` when it already lapsed or was taken over. */
  extend?(ttlMs: number): Promise<boolean>;
}

/**
 * Options of {@link TokenStore.lock}.
 *
 * @example
 * const options: LockOptions = { ttlMs: 10_000, waitMs: 5_000 };
 */
export interface LockOptions {
  /** Lease length in ms (1 ms … 10 minutes). */
  readonly ttlMs: number;
  /** How long to wait for a held lock before answering `undefined`. @default 0 */
  readonly waitMs?: number | undefined;
}

/**
 * Condition of {@link TokenStore.compareAndSet}.
 *
 * @example
 * const condition: CompareAndSetCondition = { version: current?.version, fencingToken: lock.fencingToken };
 */
export interface CompareAndSetCondition {
  /** The version read before (`undefined` = the key must be absent or expired). */
  readonly version: number | undefined;
  /** Refuse the write if a write with a higher fencing token already happened on the key. */
  readonly fencingToken?: number | undefined;
}

/**
 * What {@link TokenStore.compareAndSet} resolves: `{ version }` (the version it just wrote, so the caller
 * need not read the key again) when the write happened, `false` when the condition failed. Stores written
 * against the first version of this contract resolve `true` on success: read that as "written, version
 * unknown". Test for success with a truthy check (`if (result)`), never `=== true`.
 *
 * @example
 * const result: CompareAndSetResult = await store.compareAndSet!('ns:client', entry, { version: 7 });
 * if (result) cache(entry, typeof result === 'object' ? result.version : undefined);
 */
export type CompareAndSetResult = boolean | { readonly version: number };

/**
 * Where tokens live. Adapters (memory, file, Redis, your own) implement this contract and pass
 * `describeTokenStore()` from `@netsuite-oauth/token-store-test-suite`.
 *
 * Errors are {@link TokenStoreError}s (`ERR_STORE_*`); a missing or expired key is `undefined`, never an error.
 *
 * @example
 * const store: TokenStore = memoryTokenStore();
 * await store.set('ns:client', { value: 'opaque', expiresAt: Date.now() + 60_000 });
 * const entry = await store.get('ns:client');
 */
export interface TokenStore {
  readonly capabilities: StoreCapabilities;
  /** The entry, or `undefined` when missing or at/after its `expiresAt`. */
  get(key: string): Promise<StoredTokenEntry | undefined>;
  /** Writes unconditionally and bumps the key's version. */
  set(key: string, entry: TokenEntry): Promise<void>;
  /** Removes the key (no error when absent). */
  delete(key: string): Promise<void>;
  /** Releases resources the store itself opened (never a client the caller owns). */
  close?(): Promise<void>;
  /** Present when `capabilities.lock`: a lease on `key`, or `undefined` if not granted within `waitMs`. */
  lock?(key: string, options: LockOptions): Promise<TokenStoreLock | undefined>;
  /**
   * Present when `capabilities.compareAndSet`: writes only if the current version is `condition.version`
   * (`undefined` = absent) and no write with a higher fencing token has happened on this key. Resolves
   * `{ version }` (the version written) on success, `false` otherwise (see {@link CompareAndSetResult}).
   */
  compareAndSet?(
    key: string,
    entry: TokenEntry,
    condition: CompareAndSetCondition,
  ): Promise<CompareAndSetResult>;
}
