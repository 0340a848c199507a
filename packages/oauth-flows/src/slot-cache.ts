import type { TokenSet } from './token-set.js';
import type { TokenSlot } from './token-slot.js';

/** A {@link TokenSlot} as the many-key manager holds it: when it was last used and what pins it. */
export interface CachedSlot extends TokenSlot {
  /** The cache's generation when this slot was last used (see {@link SlotCache}). */
  gen: number;
  /** Operations running on this slot (invalidate, setTokenSet, logout, clear, a caller awaiting a refresh). */
  busy: number;
  /** Callers that waited for this slot to be created and have not started their operation yet. */
  pins: number;
  /** The refresh in flight whose end is already watched (to wake waiters for room). */
  watched: Promise<TokenSet> | undefined;
}

/** Idle slots looked at per eviction before the least recently used of them is taken. */
const EVICTION_SAMPLE = 8;

/**
 * The bounded set of slots of a many-key manager: a `Map` by key whose insertion order the eviction walks, and
 * an approximate LRU by generations.
 *
 * - A generation ends every `max / 2` insertions. A hit stamps the slot with the current generation, and only
 *   writes when the stamp changes — so while no key comes or goes, a hit is a `Map.get` and a read. Measured on
 *   Node 20 over 1,000 keys round-robin, moving the slot on every hit costs most of a cached
 *   `getAccessToken(key)`: about 0.15× the single-key manager with a `Map` `delete` + `set`, 0.17× with a
 *   doubly linked list, against about 0.8× with the stamp.
 * - Eviction walks from the oldest insertion: a slot unused for two generations (more than `max / 2`
 *   insertions) is dropped at once; a recently used one goes to the end (its second chance). After
 *   {@link EVICTION_SAMPLE} recently used idle slots the least recently used of them is dropped, so an eviction
 *   costs O(1) whatever the workload.
 * - A slot with a refresh in flight, an operation running or a caller about to start one is never evicted;
 *   when every slot is in use, {@link SlotCache.insertWhenRoom} waits until one is not, so the cache never
 *   holds more than its maximum.
 */
export class SlotCache {
  readonly #slots = new Map<string, CachedSlot>();
  readonly #max: number;
  readonly #generationLength: number;
  #gen = 2;
  #insertedThisGen = 0;
  #waiters: Array<() => void> = [];
  /** Slots dropped to make room since creation. */
  evictions = 0;

  constructor(max: number) {
    this.#max = max;
    this.#generationLength = Math.max(1, Math.ceil(max / 2));
  }

  get size(): number {
    return this.#slots.size;
  }

  get max(): number {
    return this.#max;
  }

  /** The current generation, to stamp a new slot with. */
  get generation(): number {
    return this.#gen;
  }

  /** The slot of `key`, stamped as used now (the hot path). */
  get(key: string): CachedSlot | undefined {
    const slot = this.#slots.get(key);
    if (slot !== undefined && slot.gen !== this.#gen) slot.gen = this.#gen;
    return slot;
  }

  /** The slot of `key`, leaving its stamp alone. */
  peek(key: string): CachedSlot | undefined {
    return this.#slots.get(key);
  }

  values(): IterableIterator<CachedSlot> {
    return this.#slots.values();
  }

  /**
   * Adds the slot `create()` makes, once it fits: at once below the maximum, else after evicting an idle slot,
   * else when a slot becomes idle ({@link SlotCache.released}). The last check and the insertion happen in one
   * synchronous step, so concurrent insertions never overshoot. Resolves `undefined`, inserting nothing, once
   * `stop()` is true.
   */
  async insertWhenRoom(create: () => CachedSlot, stop: () => boolean): Promise<CachedSlot | undefined> {
    for (;;) {
      if (stop()) return undefined;
      if (this.#slots.size < this.#max || this.#evictOne()) {
        const slot = create();
        slot.gen = this.#gen;
        this.#slots.set(slot.key, slot);
        this.#insertedThisGen += 1;
        if (this.#insertedThisGen >= this.#generationLength) {
          this.#gen += 1;
          this.#insertedThisGen = 0;
        }
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
    this.#slots.delete(key);
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
  }

  #evictOne(): boolean {
    let candidate: CachedSlot | undefined;
    let sampled = 0;
    let steps = this.#slots.size;
    // One iterator for the walk: it also visits the slots moved to the end, like a clock hand going round.
    // Every slot met goes to the end (busy or recently used) or is dropped, so the walk is at most one lap.
    for (const slot of this.#slots.values()) {
      if (steps-- <= 0) break;
      if (idle(slot)) {
        if (this.#gen - slot.gen >= 2) return this.#evict(slot);
        if (candidate === undefined || slot.gen < candidate.gen) candidate = slot;
        sampled += 1;
        if (sampled >= EVICTION_SAMPLE) break;
      }
      this.#slots.delete(slot.key);
      this.#slots.set(slot.key, slot);
    }
    return candidate === undefined ? false : this.#evict(candidate);
  }

  #evict(slot: CachedSlot): true {
    this.#slots.delete(slot.key);
    this.evictions += 1;
    return true;
  }
}

/** No refresh in flight, no operation running, no caller about to start one. */
export function idle(slot: CachedSlot): boolean {
  return slot.inflight === undefined && slot.busy === 0 && slot.pins === 0;
}
