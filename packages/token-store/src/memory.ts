import { TokenStoreError } from './errors.js';
import type {
  CompareAndSetCondition,
  LockOptions,
  StoreCapabilities,
  StoredTokenEntry,
  TokenEntry,
  TokenStore,
  TokenStoreLock,
} from './types.js';
import { assertCondition, assertEntry, assertKey, clockOption, normalizeLockOptions } from './validate.js';
import { waitUntil } from './wait.js';

/**
 * Options of {@link memoryTokenStore}.
 *
 * @example
 * const options: MemoryTokenStoreOptions = { now: () => fakeClock };
 */
export interface MemoryTokenStoreOptions {
  /** Clock for expiry and leases (epoch ms). @default Date.now */
  readonly now?: (() => number) | undefined;
}

interface Slot {
  entry: StoredTokenEntry | undefined;
  /** Highest fencing token of any successful fenced write on this key. */
  lastFence: number;
  lease: { id: symbol; fencingToken: number; expiresAt: number } | undefined;
}

/**
 * A store in this process's memory: for scripts, tests and a single process. Locks and compare-and-set
 * work between callers of the same store object (`crossProcess: false`).
 *
 * @example
 * const store = memoryTokenStore();
 * await store.set('ns:client', { value: 'opaque', expiresAt: Date.now() + 60_000 });
 * (await store.get('ns:client'))?.version; // 1
 * @throws {TokenStoreError} `ERR_STORE_INVALID_OPTION` for a bad `now`
 */
export function memoryTokenStore(options: MemoryTokenStoreOptions = {}): TokenStore {
  if (typeof options !== 'object' || options === null) {
    throw new TokenStoreError('ERR_STORE_INVALID_OPTION', 'options must be an object');
  }
  const now = clockOption(options.now);
  const slots = new Map<string, Slot>();
  // One counter for versions and one for fencing tokens, shared by all keys: both only grow, so a key that is
  // deleted and written again never sees a version or token it had before (no ABA).
  let versionCounter = 0;
  let fenceCounter = 0;
  let closed = false;

  const capabilities: StoreCapabilities = Object.freeze({
    lock: true,
    compareAndSet: true,
    crossProcess: false,
    encrypted: false,
  });

  const open = () => {
    if (closed) throw new TokenStoreError('ERR_STORE_CLOSED', 'store is closed');
  };
  const slotOf = (key: string): Slot => {
    let slot = slots.get(key);
    if (!slot) {
      slot = { entry: undefined, lastFence: 0, lease: undefined };
      slots.set(key, slot);
    }
    return slot;
  };
  const live = (slot: Slot | undefined): StoredTokenEntry | undefined => {
    const entry = slot?.entry;
    return entry && now() < entry.expiresAt ? entry : undefined;
  };
  const write = (slot: Slot, entry: TokenEntry): number => {
    versionCounter += 1;
    slot.entry = Object.freeze({ value: entry.value, expiresAt: entry.expiresAt, version: versionCounter });
    return versionCounter;
  };

  const tryAcquire = (key: string, ttlMs: number): TokenStoreLock | undefined => {
    const slot = slotOf(key);
    const t = now();
    if (slot.lease && slot.lease.expiresAt > t) return undefined;
    fenceCounter += 1;
    const lease = { id: Symbol('lease'), fencingToken: fenceCounter, expiresAt: t + ttlMs };
    slot.lease = lease;
    const owns = () => slot.lease?.id === lease.id && slot.lease.expiresAt > now();
    return {
      fencingToken: lease.fencingToken,
      get expiresAt() {
        return lease.expiresAt;
      },
      async release() {
        if (slot.lease?.id === lease.id) slot.lease = undefined;
      },
      async extend(ms: number) {
        const { ttlMs: next } = normalizeLockOptions({ ttlMs: ms });
        if (closed || !owns()) return false;
        lease.expiresAt = now() + next;
        return true;
      },
    };
  };

  return {
    capabilities,
    async get(key) {
      assertKey(key);
      open();
      return live(slots.get(key));
    },
    async set(key, entry) {
      assertKey(key);
      assertEntry(entry);
      open();
      write(slotOf(key), entry);
    },
    async delete(key) {
      assertKey(key);
      open();
      const slot = slots.get(key);
      if (!slot) return;
      slot.entry = undefined;
      if (!slot.lease && slot.lastFence === 0) slots.delete(key);
    },
    async close() {
      closed = true;
      slots.clear();
    },
    async lock(key: string, lockOptions: LockOptions) {
      assertKey(key);
      const { ttlMs, waitMs } = normalizeLockOptions(lockOptions);
      open();
      return await waitUntil(
        () => {
          open();
          return tryAcquire(key, ttlMs);
        },
        { waitMs, now },
      );
    },
    async compareAndSet(key: string, entry: TokenEntry, condition: CompareAndSetCondition) {
      assertKey(key);
      assertEntry(entry);
      assertCondition(condition);
      open();
      const slot = slotOf(key);
      if (live(slot)?.version !== condition.version) return false;
      if (condition.fencingToken !== undefined) {
        if (slot.lastFence > condition.fencingToken) return false;
        slot.lastFence = condition.fencingToken;
      }
      return Object.freeze({ version: write(slot, entry) });
    },
  };
}
