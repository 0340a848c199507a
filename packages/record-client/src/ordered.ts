import { RecordClientError } from './errors.js';

/** One unit of work in an {@link OrderedWork} queue. */
export interface WorkSlot<T> {
  settled: boolean;
  value: T | undefined;
  error: unknown;
  promise: Promise<void>;
}

/**
 * Work started concurrently and handed out in the order it was queued: the bounded reorder buffer behind batch
 * runs and exports. `next()` yields the head once it settles, or returns after any other slot settles so the
 * caller can start more work.
 */
export class OrderedWork<T> {
  private readonly slots: WorkSlot<T>[] = [];
  private active = 0;
  private wake: () => void = () => {};
  private changed = this.fresh();

  /** @param onSettle runs after any slot settles (its count already off {@link running}): a place to start more work. */
  constructor(private readonly onSettle?: () => void) {}

  /** Slots started and not yet settled. */
  get running(): number {
    return this.active;
  }

  /** Slots queued (running or settled, not yet handed out). */
  get size(): number {
    return this.slots.length;
  }

  /** Where `slot` sits in the queue (−1 once handed out). */
  indexOf(slot: WorkSlot<T>): number {
    return this.slots.indexOf(slot);
  }

  /** Starts `work` and queues its result at position `at` (the end by default). */
  start(work: (slot: WorkSlot<T>) => Promise<T>, at = this.slots.length): WorkSlot<T> {
    const slot: WorkSlot<T> = {
      settled: false,
      value: undefined,
      error: undefined,
      promise: Promise.resolve(),
    };
    this.active++;
    this.slots.splice(Math.min(Math.max(at, 0), this.slots.length), 0, slot);
    slot.promise = work(slot).then(
      (value) => {
        slot.value = value;
      },
      (error: unknown) => {
        slot.error = error ?? new Error('work failed');
      },
    );
    void slot.promise.finally(() => {
      slot.settled = true;
      this.active--;
      this.onSettle?.();
      const resolve = this.wake;
      this.changed = this.fresh();
      resolve();
    });
    return slot;
  }

  /**
   * The head's value once it has settled (rethrowing its error, or `ERR_RECORD_ABORTED` when `signal` aborted);
   * `'empty'` when nothing is queued; `'changed'` after some other slot settled (start more work, then call again).
   */
  async next(signal: AbortSignal | undefined, what: string): Promise<{ value: T } | 'empty' | 'changed'> {
    const head = this.slots[0];
    if (!head) return 'empty';
    const changed = this.changed;
    if (!head.settled) {
      await changed;
      return 'changed';
    }
    this.slots.shift();
    if (head.error !== undefined) {
      if (signal?.aborted) {
        throw new RecordClientError('ERR_RECORD_ABORTED', `${what} aborted by the caller`, {
          cause: signal.reason,
        });
      }
      throw head.error;
    }
    return { value: head.value as T };
  }

  /** Waits for every queued slot to settle (after an abort). */
  async settle(): Promise<void> {
    await Promise.allSettled(this.slots.map((s) => s.promise));
  }

  private fresh(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.wake = resolve;
    });
  }
}
