import { EmulatorError } from './errors.js';

/**
 * How long work takes on the emulator, so that batching is measured honestly rather than free. Every value is a
 * guess (UNCONFIRMED: NetSuite publishes no figures) and can be changed at start or at run time.
 *
 * @example
 * await startEmulator({ costModel: { requestMs: 100, recordMs: 1, jobHoldsSlot: true } });
 */
export interface CostModel {
  /**
   * Time every governed request (record, SuiteQL, async, system, RESTlet) spends holding its concurrency slot
   * before it is answered: the per-request latency. Added to any `setLatency` of the route. A SuiteQL query only
   * reads, so it runs during this time rather than after it (the request takes the longer of the two).
   * @default 0
   */
  readonly requestMs: number;
  /**
   * Time per record processed: a synchronous single-record request takes `requestMs + recordMs`; an async job
   * runs each of its tasks (one per record of a batch) for `recordMs`.
   * @default 0
   */
  readonly recordMs: number;
  /**
   * Whether a running async job holds one of the account's concurrency slots (UNCONFIRMED). When it does, a job
   * takes over the slot of the request that submitted it, requests beyond the limit get 429 while it runs, and a
   * job waits server-side for a free slot when none is free.
   * @default true
   */
  readonly jobHoldsSlot: boolean;
  /** How many tasks of a job run at once with `Prefer: batch-processing="parallel"` (UNCONFIRMED). @default 4 */
  readonly parallelTasks: number;
  /**
   * How a batch runs without a `batch-processing` preference. Oracle's batch page says batches run "asynchronously
   * and in parallel"; other Oracle material says sequentially unless `Prefer: batch-processing="parallel"` is sent
   * (UNCONFIRMED).
   * @default 'sequential'
   */
  readonly batchProcessing: 'sequential' | 'parallel';
}

/**
 * The emulator's cost model when nothing is set: free requests, free records, jobs holding a slot.
 *
 * @example
 * const model = { ...DEFAULT_COST_MODEL, requestMs: 100 };
 */
export const DEFAULT_COST_MODEL: CostModel = Object.freeze({
  requestMs: 0,
  recordMs: 0,
  jobHoldsSlot: true,
  parallelTasks: 4,
  batchProcessing: 'sequential',
});

function bad(message: string): EmulatorError {
  return new EmulatorError('ERR_EMULATOR_INVALID_OPTION', message);
}

function ms(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 600_000) {
    throw bad(`costModel.${name} must be a number of milliseconds from 0 to 600000`);
  }
  return value;
}

/**
 * Checks a partial cost model and merges it over `base`.
 *
 * @throws {EmulatorError} `ERR_EMULATOR_INVALID_OPTION` naming the bad field.
 */
export function resolveCostModel(value: unknown, base: CostModel = DEFAULT_COST_MODEL): CostModel {
  if (value === undefined) return base;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw bad('costModel must be an object');
  }
  const input = value as Record<string, unknown>;
  for (const key of Object.keys(input)) {
    if (!(key in DEFAULT_COST_MODEL)) throw bad(`costModel.${key} is not a cost model field`);
  }
  const jobHoldsSlot = input.jobHoldsSlot ?? base.jobHoldsSlot;
  if (typeof jobHoldsSlot !== 'boolean') throw bad('costModel.jobHoldsSlot must be a boolean');
  const parallelTasks = input.parallelTasks ?? base.parallelTasks;
  if (
    typeof parallelTasks !== 'number' ||
    !Number.isInteger(parallelTasks) ||
    parallelTasks < 1 ||
    parallelTasks > 100
  ) {
    throw bad('costModel.parallelTasks must be an integer from 1 to 100');
  }
  const batchProcessing = input.batchProcessing ?? base.batchProcessing;
  if (batchProcessing !== 'sequential' && batchProcessing !== 'parallel') {
    throw bad('costModel.batchProcessing must be sequential or parallel');
  }
  return Object.freeze({
    requestMs: ms(input.requestMs, 'requestMs', base.requestMs),
    recordMs: ms(input.recordMs, 'recordMs', base.recordMs),
    jobHoldsSlot,
    parallelTasks,
    batchProcessing,
  });
}
