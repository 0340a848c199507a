import type { TokenSet } from './token-set.js';
import type { TokenSlot } from './token-slot.js';

/** A {@link TokenSlot} as the many-key manager holds it: its place in the LRU order and what pins it. */
export interface CachedSlot extends TokenSlot {
  /** Neighbours in the recency list (towards the least and the most recently used). */
  older: CachedSlot | undefined;
  newer: CachedSlot | undefined;
  /** Operations running on this slot (invalidate, setTokenSet, logout, clear, a caller awaiting a refresh). */
  busy: number;
  /** Callers that waited for this slot to be created and have not started their operation yet. */
  pins: number;
  /** The refresh in flight whose end is already watched (to wake waiters for room). */
  watched: Promise<TokenSet> | undefined;
}

/**
 * The bounded set of slots of a many-key manager: a `Map` by key plus an intrusive doubly linked recency list.
 *
 * - A hit is one `Map.get` and, unless the slot is already the most recent, four pointer writes: O(1), and no
 *   reordering of the `Map` (moving the entry with `delete` + `set` on every hit was measured, on Node 20, to
 *   make a cached `getAccessToken(key)` over 1,000 keys about 5× slower).
 * - Eviction takes the least recently used idle slot. A slot with a refresh in flight, an operation running or
 *   a caller about to start one is never evicted (it is in use: it moves to the most recent end instead);
 *   when every slot is in use, {@link SlotCache.insertWhenRoom} waits until one is not, so the cache never
 *   holds more than its maximum.
 */
export class SlotCache {
  readonly #slots = new Map<string, CachedSlot>();
  readonly #max: number;
  /** Least recently used end. */
  #oldest: CachedSlot | undefined;
  /** Most recently used end. */
  #newest: CachedSlot | undefined;
  #waiters: Array<() => void> = [];
  /** Slots dropped to make room since creation. */
  evictions = 0;

  constructor(max: number) {
    this.#max = max;
  }

  get size(): number {
    return this.#slots.size;
  }

  get max(): number {
    return this.#max;
  }

  /** The slot of `key`, now the most recently used (the hot path). */
  get(key: string): CachedSlot | undefined {
    const slot = this.#slots.get(key);
    if (slot !== undefined && slot !== this.#newest) {
      this.#unlink(slot);
      this.#append(slot);
    }
    return slot;
  }

  /** The slot of `key`, leaving the order alone. */
  peek(key: string): CachedSlot | undefined {
    return this.#slots.get(key);
  }

  values(): IterableIterator<CachedSlot> {
    return this.#slots.values();
  }

  /**
   * Adds the slot `create()` makes as the most recent, once it fits: at once below the maximum, else after
   * evicting the least recently used idle slot, else when a slot becomes idle ({@link SlotCache.released}).
   * The last check and the insertion happen in one synchronous step, so concurrent insertions never overshoot.
   * Resolves `undefined`, inserting nothing, once `stop()` is true.
   */
  async insertWhenRoom(create: () => CachedSlot, stop: () => boolean): Promise<CachedSlot | undefined> {
    for (;;) {
      if (stop()) return undefined;
      if (this.#slots.size < this.#max || this.#evictOne()) {
        const slot = create();
        this.#slots.set(slot.key, slot);
        this.#append(slot);
        return slot;
      }
      await this.nextRelease();
    }
  }

  /** Drops `key`'s slot if it is idle; true when the key holds no slot afterwards. */
  remove(key: string): boolean {
    const slot = this.#slots.get(key);
    if (slot === undefined) return true;
    if (!idle(slot)) return false;
    this.#drop(slot);
    return true;
  }

  /** Resolves at the next {@link SlotCache.released}. */
  nextRelease(): Promise<void> {
    return new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  /** Tells waiters ({@link SlotCache.insertWhenRoom}, {@link SlotCache.nextRelease}) a slot may be idle now. */
  released(): void {
    if (this.#waiters.length === 0) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  clear(): void {
    this.#slots.clear();
    this.#oldest = undefined;
    this.#newest = undefined;
  }

  #evictOne(): boolean {
    // Busy slots met on the way move to the recent end, so each step evicts or moves one slot: at most one lap.
    for (let steps = this.#slots.size; steps > 0; steps--) {
      const slot = this.#oldest;
      if (slot === undefined) return false;
      if (idle(slot)) {
        this.#drop(slot);
        this.evictions += 1;
        return true;
      }
      this.#unlink(slot);
      this.#append(slot);
    }
    return false;
  }

  #drop(slot: CachedSlot): void {
    this.#slots.delete(slot.key);
    this.#unlink(slot);
  }

  #unlink(slot: CachedSlot): void {
    const { older, newer } = slot;
    if (older === undefined) this.#oldest = newer;
    else older.newer = newer;
    if (newer === undefined) this.#newest = older;
    else newer.older = older;
    slot.older = undefined;
    slot.newer = undefined;
  }

  #append(slot: CachedSlot): void {
    slot.older = this.#newest;
    slot.newer = undefined;
    if (this.#newest === undefined) this.#oldest = slot;
    else this.#newest.newer = slot;
    this.#newest = slot;
  }
}

/** No refresh in flight, no operation running, no caller about to start one. */
export function idle(slot: CachedSlot): boolean {
  return slot.inflight === undefined && slot.busy === 0 && slot.pins === 0;
}
