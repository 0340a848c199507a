import { RecordClientError } from './errors.js';

/**
 * Retry settings of a client. Every field is optional.
 *
 * @example
 * createNetSuiteClient({ ..., retry: { limit: 4, baseDelayMs: 250, maxDelayMs: 20_000 } })
 */
export interface RetryOptions {
  /** Retries after the first attempt. @default 4 */
  readonly limit?: number | undefined;
  /** Methods retried without an idempotency key. POST and PATCH are not idempotent. @default ['GET','PUT','DELETE','HEAD','OPTIONS'] */
  readonly methods?: readonly string[] | undefined;
  /** Statuses that are retried (plus RESTlet `SSS_REQUEST_LIMIT_EXCEEDED`). @default [429, 502, 503, 504] */
  readonly statusCodes?: readonly number[] | undefined;
  /** First backoff cap; attempt n waits a random time in [0, min(maxDelayMs, baseDelayMs·2ⁿ)) (full jitter). @default 250 */
  readonly baseDelayMs?: number | undefined;
  /** Largest backoff. @default 20000 */
  readonly maxDelayMs?: number | undefined;
  /** Largest `Retry-After` honoured; a longer one ends the retries. @default 60000 */
  readonly maxRetryAfterMs?: number | undefined;
  /**
   * Also retry POST and PATCH when NetSuite rejected them for concurrency (429 `CONCURRENCY_LIMIT_EXCEEDED`,
   * RESTlet `SSS_REQUEST_LIMIT_EXCEEDED`: "Request blocked", so nothing ran). @default false
   */
  readonly retryRejectedWrites?: boolean | undefined;
  /** A retry budget shared by every request of the client (or of several clients); `false` for none. @default createRetryBudget() */
  readonly budget?: RetryBudget | false | undefined;
  /** Random source in [0, 1), for tests. @default Math.random */
  readonly random?: (() => number) | undefined;
}

/** Resolved retry settings. */
export interface RetryPolicy {
  readonly limit: number;
  readonly methods: ReadonlySet<string>;
  readonly statusCodes: ReadonlySet<number>;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly maxRetryAfterMs: number;
  readonly retryRejectedWrites: boolean;
  readonly budget: RetryBudget | undefined;
  readonly random: () => number;
}

/**
 * A token bucket that caps retries across requests, so an outage does not turn into a retry storm
 * (AWS SDK "standard" mode: 500 tokens, a retry costs 5, a retry after a timeout 10, a success returns 1).
 *
 * @example
 * const budget = createRetryBudget({ capacity: 100 });
 * const a = createNetSuiteClient({ ..., retry: { budget } });
 */
export interface RetryBudget {
  /** Tokens left. */
  readonly available: number;
  /** Takes the cost of one retry; false when the budget cannot pay it (do not retry). */
  tryAcquire(kind: 'retry' | 'timeout'): boolean;
  /** Credits a success. */
  recordSuccess(): void;
}

/**
 * Options of {@link createRetryBudget}.
 *
 * @example
 * createRetryBudget({ capacity: 100, retryCost: 5 })
 */
export interface RetryBudgetOptions {
  /** @default 500 */
  readonly capacity?: number | undefined;
  /** @default 5 */
  readonly retryCost?: number | undefined;
  /** @default 10 */
  readonly timeoutCost?: number | undefined;
  /** @default 1 */
  readonly successRefund?: number | undefined;
}

function nonNegative(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new RecordClientError('ERR_RECORD_INVALID_OPTION', `${name} must be a non-negative number`);
  }
  return value;
}

/**
 * Creates a {@link RetryBudget}.
 *
 * @example
 * const budget = createRetryBudget(); // 500 tokens: 100 retries in a burst, refilled by successes
 * @throws {RecordClientError} `ERR_RECORD_INVALID_OPTION` for a negative or non-finite option.
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
 */
export function createRetryBudget(options: RetryBudgetOptions = {}): RetryBudget {
  const capacity = nonNegative(options.capacity, 500, 'budget.capacity');
  const retryCost = nonNegative(options.retryCost, 5, 'budget.retryCost');
  const timeoutCost = nonNegative(options.timeoutCost, 10, 'budget.timeoutCost');
  const successRefund = nonNegative(options.successRefund, 1, 'budget.successRefund');
  let available = capacity;
  return {
    get available() {
      return available;
    },
    tryAcquire(kind) {
      const cost = kind === 'timeout' ? timeoutCost : retryCost;
      if (available < cost) return false;
      available -= cost;
      return true;
    },
    recordSuccess() {
      available = Math.min(capacity, available + successRefund);
    },
  };
}

const DEFAULT_METHODS = ['GET', 'PUT', 'DELETE', 'HEAD', 'OPTIONS'];
const DEFAULT_STATUS_CODES = [429, 502, 503, 504];

/** Checks and fills in {@link RetryOptions}. */
export function resolveRetryPolicy(options: RetryOptions | false | undefined): RetryPolicy {
  if (options === false) options = { limit: 0 };
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new RecordClientError('ERR_RECORD_INVALID_OPTION', 'retry must be an object or false');
  }
  const o = options ?? {};
  const limit = nonNegative(o.limit, 4, 'retry.limit');
  if (!Number.isInteger(limit)) {
    throw new RecordClientError('ERR_RECORD_INVALID_OPTION', 'retry.limit must be an integer');
  }
  if (
    o.methods !== undefined &&
    (!Array.isArray(o.methods) || o.methods.some((m) => typeof m !== 'string'))
  ) {
    throw new RecordClientError('ERR_RECORD_INVALID_OPTION', 'retry.methods must be an array of strings');
  }
  if (
    o.statusCodes !== undefined &&
    (!Array.isArray(o.statusCodes) || o.statusCodes.some((s) => !Number.isInteger(s)))
  ) {
    throw new RecordClientError(
      'ERR_RECORD_INVALID_OPTION',
      'retry.statusCodes must be an array of integers',
    );
  }
  if (o.random !== undefined && typeof o.random !== 'function') {
    throw new RecordClientError('ERR_RECORD_INVALID_OPTION', 'retry.random must be a function');
  }
  const budget = o.budget === false ? undefined : (o.budget ?? createRetryBudget());
  if (budget !== undefined && typeof budget.tryAcquire !== 'function') {
    throw new RecordClientError(
      'ERR_RECORD_INVALID_OPTION',
      'retry.budget must come from createRetryBudget()',
    );
  }
  return {
    limit,
    methods: new Set((o.methods ?? DEFAULT_METHODS).map((m) => m.toUpperCase())),
    statusCodes: new Set(o.statusCodes ?? DEFAULT_STATUS_CODES),
    baseDelayMs: nonNegative(o.baseDelayMs, 250, 'retry.baseDelayMs'),
    maxDelayMs: nonNegative(o.maxDelayMs, 20_000, 'retry.maxDelayMs'),
    maxRetryAfterMs: nonNegative(o.maxRetryAfterMs, 60_000, 'retry.maxRetryAfterMs'),
    retryRejectedWrites: o.retryRejectedWrites === true,
    budget,
    random: o.random ?? Math.random,
  };
}

/** Full-jitter exponential backoff for retry number `retry` (0-based). */
export function backoffDelay(policy: RetryPolicy, retry: number): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(retry, 30));
  return Math.floor(policy.random() * cap);
}
