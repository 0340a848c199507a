import { RecordClientError } from './errors.js';

/**
 * A permit from a {@link ConcurrencyLimiter}; release it exactly once when the request has settled.
 *
 * @example
 * const permit = await limiter.acquire(); try { await work() } finally { await permit.release() }
 */
export interface ConcurrencyPermit {
  /**
   * Returns the permit. The client passes how the exchange ended ({@link PermitOutcome}); an adaptive limiter
   * sizes itself from it, any other limiter may ignore it.
   */
  release(outcome?: PermitOutcome): void | Promise<void>;
}

/**
 * How the exchange under a permit ended, as the client reports it on `release`: `'success'` for a 2xx,
 * `'rejected'` for a concurrency rejection (HTTP 429, or `SSS_REQUEST_LIMIT_EXCEEDED` /
 * `CONCURRENCY_LIMIT_EXCEEDED` in the error body), `'neutral'` for anything else (other errors, timeouts, aborts).
 *
 * @example
 * const outcome: PermitOutcome = response.status === 429 ? 'rejected' : 'success';
 * await permit.release(outcome);
 */
export type PermitOutcome = 'success' | 'rejected' | 'neutral';

/**
 * Anything that hands out permits for in-flight requests: the in-process {@link createConcurrencyLimiter},
 * or `redisConcurrencyLimiter()` from `@netsuite-oauth/governance-redis` to share one budget across processes.
 *
 * `acquire` must reject when `signal` aborts, and must not hand out a permit after that.
 *
 * @example
 * const permit = await limiter.acquire({ signal });
 * try { await work() } finally { await permit.release() }
 */
export interface ConcurrencyLimiter {
  acquire(options?: { signal?: AbortSignal }): Promise<ConcurrencyPermit>;
}

/**
 * The in-process limiter returned by {@link createConcurrencyLimiter}.
 *
 * @example
 * const limiter = createConcurrencyLimiter(5); console.log(limiter.inFlight, limiter.waiting)
 */
export interface LocalConcurrencyLimiter extends ConcurrencyLimiter {
  /** The number of permits. */
  readonly limit: number;
  /** Permits handed out and not yet released. */
  readonly inFlight: number;
  /** Callers waiting for a permit. */
  readonly waiting: number;
}

interface Waiter {
  resolve(permit: ConcurrencyPermit): void;
  reject(error: unknown): void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/** Synchronous fast paths of the in-process limiters: a free permit without a promise. Internal. */
const fastPaths = new WeakMap<ConcurrencyLimiter, () => ConcurrencyPermit | undefined>();

/**
 * The synchronous fast path of a limiter made by {@link createConcurrencyLimiter}: it returns a permit when one is
 * free and nobody is waiting, undefined otherwise (then call `acquire`). Undefined for any other limiter. Internal.
 */
export function localTryAcquire(
  limiter: ConcurrencyLimiter,
): (() => ConcurrencyPermit | undefined) | undefined {
  return fastPaths.get(limiter);
}

/** Waits in `queue` for a permit; an abort of `signal` takes the waiter out and rejects. */
function enqueue(queue: Waiter[], signal: AbortSignal | undefined): Promise<ConcurrencyPermit> {
  return new Promise<ConcurrencyPermit>((resolve, reject) => {
    const waiter: Waiter = { resolve, reject, signal, onAbort: undefined };
    if (signal) {
      waiter.onAbort = () => {
        const index = queue.indexOf(waiter);
        if (index >= 0) queue.splice(index, 1);
        reject(abortReason(signal));
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
    }
    queue.push(waiter);
  });
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new RecordClientError('ERR_RECORD_ABORTED', 'request aborted');
}

/**
 * An in-process FIFO semaphore sized to the account's NetSuite concurrency limit.
 *
 * NetSuite limits simultaneous requests per account (5 on Standard and development accounts, 15 on
 * Premium, 20 on Enterprise and Ultimate, +10 per SuiteCloud Plus licence) and rejects the excess with 429.
 * Size this to your share of that limit; share one limiter between every client of the same account.
 *
 * @example
 * const limiter = createConcurrencyLimiter(5);
 * const client = createNetSuiteClient({ accountId, token, concurrency: limiter });
 * @throws {RecordClientError} `ERR_RECORD_INVALID_OPTION` when `limit` is not a positive integer.
 * @see https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/bridgehead_1500275603.html
 */
export function createConcurrencyLimiter(limit: number): LocalConcurrencyLimiter;
/**
 * An in-process FIFO semaphore from options: fixed (`{ limit }`, as `createConcurrencyLimiter(limit)`) or
 * adaptive (`{ limit, adaptive: true, min, max }`), which sizes itself from NetSuite's answers (AIMD):
 *
 * - multiplicative decrease: a concurrency rejection (429 or `SSS_REQUEST_LIMIT_EXCEEDED`) multiplies the limit by
 *   `decreaseFactor` (halves it), never below `min`, at most once per in-flight window — rejections of requests
 *   that started before the last decrease do not shrink it again;
 * - additive increase: a run of `limit` successes while the limiter is full raises the limit by one, never above
 *   `max`; raising it back to (or past) the limit that was last rejected needs `probeWindows` such runs, so a
 *   limit shared with other integrations is probed rarely and the 429 rate stays low.
 *
 * Use it when the account's real limit is unknown or shared; when it is known (from `client.governanceLimits()`),
 * a fixed limit sends no excess requests at all.
 *
 * @example
 * const limiter = createConcurrencyLimiter({ limit: 10, adaptive: true, max: 20 });
 * const client = createNetSuiteClient({ accountId, token, concurrency: limiter });
 * @throws {RecordClientError} `ERR_RECORD_INVALID_OPTION` when an option is out of range (names the option).
 * @see https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/bridgehead_1500275603.html
 */
export function createConcurrencyLimiter(options: ConcurrencyLimiterOptions): LocalConcurrencyLimiter;
export function createConcurrencyLimiter(
  limitOrOptions: number | ConcurrencyLimiterOptions,
): LocalConcurrencyLimiter {
  if (typeof limitOrOptions === 'number') return createFixedLimiter(limitOrOptions);
  if (limitOrOptions === null || typeof limitOrOptions !== 'object' || Array.isArray(limitOrOptions)) {
    throw new RecordClientError(
      'ERR_RECORD_INVALID_OPTION',
      'concurrency must be a positive integer or limiter options',
    );
  }
  const { adaptive } = limitOrOptions;
  if (adaptive !== undefined && typeof adaptive !== 'boolean') {
    throw new RecordClientError('ERR_RECORD_INVALID_OPTION', 'concurrency.adaptive must be a boolean');
  }
  if (adaptive) return createAdaptiveLimiter(limitOrOptions);
  if (!Number.isSafeInteger(limitOrOptions.limit) || limitOrOptions.limit < 1) {
    throw new RecordClientError('ERR_RECORD_INVALID_OPTION', 'concurrency.limit must be a positive integer');
  }
  return createFixedLimiter(limitOrOptions.limit);
}

function createFixedLimiter(limit: number): LocalConcurrencyLimiter {
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new RecordClientError('ERR_RECORD_INVALID_OPTION', 'concurrency must be a positive integer');
  }
  let inFlight = 0;
  const queue: Waiter[] = [];

  const makePermit = (): ConcurrencyPermit => {
    let released = false;
    return {
      release() {
        if (released) return;
        released = true;
        inFlight--;
        pump();
      },
    };
  };

  const pump = () => {
    while (inFlight < limit && queue.length > 0) {
      const waiter = queue.shift() as Waiter;
      if (waiter.signal && waiter.onAbort) waiter.signal.removeEventListener('abort', waiter.onAbort);
      inFlight++;
      waiter.resolve(makePermit());
    }
  };

  const limiter: LocalConcurrencyLimiter = {
    limit,
    get inFlight() {
      return inFlight;
    },
    get waiting() {
      return queue.length;
    },
    acquire(options = {}) {
      const { signal } = options;
      if (signal?.aborted) return Promise.reject(abortReason(signal));
      if (inFlight < limit && queue.length === 0) {
        inFlight++;
        return Promise.resolve(makePermit());
      }
      return enqueue(queue, signal);
    },
  };
  fastPaths.set(limiter, () => {
    if (inFlight >= limit || queue.length > 0) return undefined;
    inFlight++;
    return makePermit();
  });
  return limiter;
}

/**
 * Options of {@link createConcurrencyLimiter}. Only `limit` applies to a fixed limiter.
 *
 * @example
 * const options: ConcurrencyLimiterOptions = { limit: 20, adaptive: true, min: 1, max: 40 };
 */
export interface ConcurrencyLimiterOptions {
  /** The number of permits; for an adaptive limiter, the starting number. */
  readonly limit: number;
  /** Size the limit from NetSuite's answers (AIMD). @default false */
  readonly adaptive?: boolean | undefined;
  /** Adaptive: the lowest limit. @default 1 */
  readonly min?: number | undefined;
  /** Adaptive: the highest limit. @default limit */
  readonly max?: number | undefined;
  /** Adaptive: the factor a concurrency rejection multiplies the limit by, above 0 and below 1. @default 0.5 */
  readonly decreaseFactor?: number | undefined;
  /**
   * Adaptive: how many runs of `limit` successes raise the limit back to (or past) the limit last rejected;
   * below it one run is enough. @default 16
   */
  readonly probeWindows?: number | undefined;
  /** Adaptive: the least time between two increases, in ms (0: none). @default 0 */
  readonly increaseIntervalMs?: number | undefined;
  /** Adaptive: the clock for `increaseIntervalMs`. @default Date.now */
  readonly now?: (() => number) | undefined;
}

/**
 * An adaptive limiter from `createConcurrencyLimiter({ limit, adaptive: true })`: `limit` moves between `min`
 * and `max`.
 *
 * @example
 * const limiter = createConcurrencyLimiter({ limit: 20, adaptive: true }) as AdaptiveConcurrencyLimiter;
 * console.log(limiter.limit, limiter.decreases, limiter.increases);
 */
export interface AdaptiveConcurrencyLimiter extends LocalConcurrencyLimiter {
  readonly adaptive: true;
  /** The lowest limit. */
  readonly min: number;
  /** The highest limit. */
  readonly max: number;
  /** How many times a concurrency rejection shrank the limit. */
  readonly decreases: number;
  /** How many times a run of successes raised the limit. */
  readonly increases: number;
}

/**
 * True when `limiter` is an adaptive limiter made by {@link createConcurrencyLimiter}.
 *
 * @example
 * if (isAdaptiveLimiter(limiter)) console.log(`limit now ${limiter.limit}`);
 */
export function isAdaptiveLimiter(limiter: unknown): limiter is AdaptiveConcurrencyLimiter {
  return typeof limiter === 'object' && limiter !== null && adaptiveLimiters.has(limiter);
}

const adaptiveLimiters = new WeakSet<object>();

function positiveInteger(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new RecordClientError(
      'ERR_RECORD_INVALID_OPTION',
      `concurrency.${name} must be a positive integer`,
    );
  }
  return value;
}

function createAdaptiveLimiter(options: ConcurrencyLimiterOptions): AdaptiveConcurrencyLimiter {
  const initial = positiveInteger(options.limit, 'limit', Number.NaN);
  if (Number.isNaN(initial)) {
    throw new RecordClientError('ERR_RECORD_INVALID_OPTION', 'concurrency.limit must be a positive integer');
  }
  const min = positiveInteger(options.min, 'min', 1);
  const max = positiveInteger(options.max, 'max', initial);
  if (min > initial || initial > max) {
    throw new RecordClientError('ERR_RECORD_INVALID_OPTION', 'concurrency must satisfy min <= limit <= max');
  }
  const factor = options.decreaseFactor ?? 0.5;
  if (typeof factor !== 'number' || !(factor > 0 && factor < 1)) {
    throw new RecordClientError(
      'ERR_RECORD_INVALID_OPTION',
      'concurrency.decreaseFactor must be a number above 0 and below 1',
    );
  }
  const probeWindows = positiveInteger(options.probeWindows, 'probeWindows', 32);
  const interval = options.increaseIntervalMs ?? 0;
  if (typeof interval !== 'number' || !Number.isFinite(interval) || interval < 0) {
    throw new RecordClientError(
      'ERR_RECORD_INVALID_OPTION',
      'concurrency.increaseIntervalMs must be a finite number >= 0',
    );
  }
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') {
    throw new RecordClientError('ERR_RECORD_INVALID_OPTION', 'concurrency.now must be a function');
  }

  let limit = initial;
  let inFlight = 0;
  // Bumped by each decrease: a rejection of a request granted in an older epoch says nothing about the new limit.
  let epoch = 0;
  // Successes in a row of requests during whose life the limiter was full (an idle limiter learns nothing).
  let run = 0;
  // Bumped whenever the limiter is full (a grant takes the last permit, or a caller has to wait).
  let fullMark = 0;
  // The limit at the last rejection; climbing back to it is slow, so a shared limit is probed rarely.
  let ceiling: number | undefined;
  let lastIncreaseAt = Number.NEGATIVE_INFINITY;
  let decreases = 0;
  let increases = 0;
  const queue: Waiter[] = [];

  const onSuccess = () => {
    run++;
    if (limit >= max) return;
    const needed = ceiling !== undefined && limit + 1 >= ceiling ? limit * probeWindows : limit;
    if (run < needed) return;
    if (interval > 0) {
      const at = now();
      if (at - lastIncreaseAt < interval) return;
      lastIncreaseAt = at;
    }
    // A full run at or above the last rejected limit: that limit no longer holds.
    if (ceiling !== undefined && limit >= ceiling) ceiling = undefined;
    limit++;
    increases++;
    run = 0;
  };

  const onRejected = (grantedIn: number) => {
    run = 0;
    if (grantedIn !== epoch) return;
    ceiling = limit;
    epoch++;
    const next = Math.max(min, Math.floor(limit * factor));
    if (next < limit) {
      limit = next;
      decreases++;
    }
  };

  const grant = (): ConcurrencyPermit => {
    const grantedIn = epoch;
    const markAtGrant = fullMark;
    inFlight++;
    if (inFlight >= limit) fullMark++;
    let released = false;
    return {
      release(outcome?: PermitOutcome) {
        if (released) return;
        released = true;
        inFlight--;
        if (outcome === 'rejected') onRejected(grantedIn);
        else if (outcome === 'success' && fullMark > markAtGrant) onSuccess();
        pump();
      },
    };
  };

  const pump = () => {
    while (inFlight < limit && queue.length > 0) {
      const waiter = queue.shift() as Waiter;
      if (waiter.signal && waiter.onAbort) waiter.signal.removeEventListener('abort', waiter.onAbort);
      waiter.resolve(grant());
    }
  };

  const limiter: AdaptiveConcurrencyLimiter = {
    adaptive: true,
    min,
    max,
    get limit() {
      return limit;
    },
    get inFlight() {
      return inFlight;
    },
    get waiting() {
      return queue.length;
    },
    get decreases() {
      return decreases;
    },
    get increases() {
      return increases;
    },
    acquire(acquireOptions = {}) {
      const { signal } = acquireOptions;
      if (signal?.aborted) return Promise.reject(abortReason(signal));
      if (inFlight < limit && queue.length === 0) return Promise.resolve(grant());
      fullMark++;
      return enqueue(queue, signal);
    },
  };
  fastPaths.set(limiter, () => {
    if (inFlight >= limit || queue.length > 0) return undefined;
    return grant();
  });
  adaptiveLimiters.add(limiter);
  return limiter;
}
