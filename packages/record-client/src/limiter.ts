import { RecordClientError } from './errors.js';

/**
 * A permit from a {@link ConcurrencyLimiter}; release it exactly once when the request has settled.
 *
 * @example
 * const permit = await limiter.acquire(); try { await work() } finally { await permit.release() }
 */
export interface ConcurrencyPermit {
  release(): void | Promise<void>;
}

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
export function createConcurrencyLimiter(limit: number): LocalConcurrencyLimiter {
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
    },
  };
  fastPaths.set(limiter, () => {
    if (inFlight >= limit || queue.length > 0) return undefined;
    inFlight++;
    return makePermit();
  });
  return limiter;
}
