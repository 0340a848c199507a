import { parseAccountId } from '@netsuite-oauth/core';
import { type ConnectionOptions, type Job, Queue, Worker } from 'bullmq';
import { BulkQueueError } from './errors.js';

/**
 * What a chunk does to each of its records: the `client.batch` operation of `@netsuite-oauth/record-client`.
 *
 * @example
 * const op: BulkOperation = 'create';
 */
export type BulkOperation = 'create' | 'update' | 'upsert' | 'delete';

/** One record's outcome, as record-client's batch run hands it out (the part the worker reads). */
interface BatchResultLike {
  readonly ok: boolean;
  readonly index: number;
  readonly error?: { readonly errorCode?: string | undefined; readonly detail?: string | undefined };
}

type BatchOptionsLike = { runId: string; chunkSize: number; signal?: AbortSignal | undefined };

/**
 * The part of a record-client `NetSuiteClient` a worker uses: `client.batch`. (Method syntax: record-client's
 * typed records fit where a chunk hands over its plain JSON records.)
 *
 * @example
 * const client: BulkClient = createNetSuiteClient({ accountId, token, concurrency: governance });
 */
export interface BulkClient {
  readonly batch: {
    create(type: string, records: Iterable<never>, options: BatchOptionsLike): AsyncIterable<BatchResultLike>;
    update(type: string, records: Iterable<never>, options: BatchOptionsLike): AsyncIterable<BatchResultLike>;
    upsert(type: string, records: Iterable<never>, options: BatchOptionsLike): AsyncIterable<BatchResultLike>;
    delete(type: string, records: Iterable<never>, options: BatchOptionsLike): AsyncIterable<BatchResultLike>;
  };
}

/**
 * A bulk job to spread over the fleet: records of one type for one account.
 *
 * @example
 * await bulk.enqueue({ importId: 'crm-2026-12-03', accountId: '1234567', operation: 'upsert', type: 'customer', records });
 */
export interface BulkImport {
  /** Names the import; chunk job ids and idempotency keys derive from it. Letters, digits, `_`, `-`, `.`; 1–100. */
  readonly importId: string;
  readonly accountId: string;
  readonly operation: BulkOperation;
  /** Record type, e.g. `customer`. */
  readonly type: string;
  /** The records (or ids, for `delete`). Each chunk of `chunkSize` becomes one queue job. */
  readonly records: readonly unknown[];
  /** Records per chunk job, and per REST batch request (1–100). @default 100 */
  readonly chunkSize?: number | undefined;
  /** Tries of a chunk (a killed worker's stalled chunk is recovered without using one). @default 10 */
  readonly attempts?: number | undefined;
}

/**
 * What a chunk job carries: everything a worker needs to run it, and nothing secret (no token, no key).
 *
 * @example
 * const data: BulkChunkData = job.data;
 */
export interface BulkChunkData {
  readonly importId: string;
  readonly accountId: string;
  readonly operation: BulkOperation;
  readonly type: string;
  /** Position of the chunk in the import, from 0. */
  readonly chunk: number;
  /** Index in the import of the chunk's first record. */
  readonly offset: number;
  readonly chunkSize: number;
  /** The batch run of this chunk: its idempotency keys derive from it, so every try of the chunk sends the same keys. */
  readonly runId: string;
  readonly records: readonly unknown[];
}

/**
 * A chunk's outcome, the job's return value: records written and records NetSuite refused (by index in the import).
 *
 * @example
 * for (const f of result.failures) console.error(f.index, f.errorCode);
 */
export interface BulkChunkResult {
  readonly chunk: number;
  readonly ok: number;
  readonly failures: ReadonlyArray<{ index: number; errorCode?: string; detail?: string }>;
  /** Which try of the job this was (1 for the first). */
  readonly attempt: number;
}

/**
 * How far an import got, from the queue's jobs.
 *
 * @example
 * const { done, ok, failed } = await bulk.status(importId, chunks);
 */
export interface BulkImportStatus {
  readonly chunks: number;
  /** Chunks completed (their records written or refused one by one). */
  readonly completed: number;
  /** Chunks that used up their attempts (outcome unknown: BullMQ's `job.retry()` runs one again with the same keys). */
  readonly failedChunks: number;
  /** Chunks waiting, delayed or running. */
  readonly pending: number;
  /** Records written. */
  readonly ok: number;
  /** Records NetSuite refused. */
  readonly failures: BulkChunkResult['failures'];
  /** True when no chunk is pending. */
  readonly done: boolean;
}

/**
 * Options of {@link createBulkQueue}.
 *
 * @example
 * createBulkQueue({ connection: { host: '127.0.0.1', port: 6379 }, name: 'netsuite-bulk' })
 */
export interface BulkQueueOptions {
  /** BullMQ's connection: ioredis options or client, or an adapted node-redis client. */
  readonly connection: ConnectionOptions;
  /** The queue name; producers and workers use the same. @default 'netsuite-bulk' */
  readonly name?: string | undefined;
  /** BullMQ's key prefix. @default 'bull' */
  readonly prefix?: string | undefined;
}

/**
 * The producer side: enqueue imports as chunk jobs, read their status.
 *
 * @example
 * const { chunks } = await bulk.enqueue({ importId, accountId, operation: 'create', type: 'customer', records });
 * const status = await bulk.wait(importId, chunks);
 */
export interface BulkQueue {
  readonly queue: Queue<BulkChunkData, BulkChunkResult>;
  /**
   * Splits the records into chunk jobs. Enqueuing the same import again adds nothing (job ids derive from the
   * import id and the chunk). Resolves with the number of chunks.
   * @throws {BulkQueueError} `ERR_BULK_INVALID_ARGUMENT` for a bad import (rejects; nothing is enqueued).
   */
  enqueue(bulkImport: BulkImport): Promise<{ importId: string; chunks: number }>;
  /** The import's status now. */
  status(importId: string, chunks: number): Promise<BulkImportStatus>;
  /**
   * Waits until no chunk of the import is pending.
   * @throws {BulkQueueError} `ERR_BULK_TIMEOUT` past `timeoutMs` (rejects; the import goes on).
   */
  wait(
    importId: string,
    chunks: number,
    options?: { timeoutMs?: number; pollMs?: number },
  ): Promise<BulkImportStatus>;
  close(): Promise<void>;
}

const ID = /^[\w.-]{1,100}$/;
const JOB_NAME = 'netsuite-bulk-chunk';
const OPERATIONS: ReadonlySet<string> = new Set(['create', 'update', 'upsert', 'delete']);

function invalid(message: string): BulkQueueError {
  return new BulkQueueError('ERR_BULK_INVALID_OPTION', message);
}

function badArgument(message: string): BulkQueueError {
  return new BulkQueueError('ERR_BULK_INVALID_ARGUMENT', message);
}

function checkName(options: { name?: unknown; prefix?: unknown }): {
  name: string;
  prefix: string | undefined;
} {
  const name = options.name ?? 'netsuite-bulk';
  if (typeof name !== 'string' || !/^[\w-]{1,100}$/.test(name)) {
    throw invalid('name must be 1-100 letters, digits, _ or -');
  }
  if (
    options.prefix !== undefined &&
    (typeof options.prefix !== 'string' || !/^[\w:-]{1,100}$/.test(options.prefix))
  ) {
    throw invalid('prefix must be 1-100 letters, digits, _, : or -');
  }
  return { name, prefix: options.prefix as string | undefined };
}

function checkConnection(connection: unknown): ConnectionOptions {
  if (connection === null || typeof connection !== 'object') {
    throw invalid('connection must be BullMQ connection options or a client');
  }
  return connection as ConnectionOptions;
}

/** The job id of a chunk: stable, so enqueuing twice adds nothing. */
function jobId(importId: string, chunk: number): string {
  return `${importId}.${chunk}`;
}

/**
 * The producer of bulk NetSuite work on BullMQ: each chunk of an import is one job, which any worker of the fleet
 * ({@link startBulkWorker}) takes. Everything is in the one Redis: jobs, their progress (the batch checkpoint) and
 * results.
 *
 * @example
 * const bulk = createBulkQueue({ connection: { host: '127.0.0.1', port: 6379 } });
 * const { chunks } = await bulk.enqueue({ importId: 'i1', accountId: '1234567', operation: 'create', type: 'customer', records });
 * console.log(await bulk.wait('i1', chunks));
 * @throws {BulkQueueError} `ERR_BULK_INVALID_OPTION` for a bad option (synchronously).
 * @see https://docs.bullmq.io/guide/queues
 */
export function createBulkQueue(options: BulkQueueOptions): BulkQueue {
  if (options === null || typeof options !== 'object') throw invalid('options must be an object');
  const connection = checkConnection(options.connection);
  const { name, prefix } = checkName(options);
  const queue = new Queue<BulkChunkData, BulkChunkResult>(name, {
    connection,
    ...(prefix === undefined ? {} : { prefix }),
  });
  // A connection error is reported by the calls that need the connection.
  queue.on('error', () => {});

  const status = async (importId: string, chunks: number): Promise<BulkImportStatus> => {
    if (typeof importId !== 'string' || !ID.test(importId))
      throw badArgument('importId must be 1-100 letters, digits, _, - or .');
    if (!Number.isSafeInteger(chunks) || chunks < 0) throw badArgument('chunks must be a whole number');
    let completed = 0;
    let failedChunks = 0;
    let ok = 0;
    const failures: Array<BulkChunkResult['failures'][number]> = [];
    for (let chunk = 0; chunk < chunks; chunk++) {
      const id = jobId(importId, chunk);
      // State first, then the job: a job read while active and completed just after has no return value yet.
      const state = await queue.getJobState(id);
      const job = state === 'completed' ? await queue.getJob(id) : undefined;
      const result = job?.returnvalue as BulkChunkResult | null | undefined;
      if (state === 'completed' && result) {
        completed++;
        ok += result.ok;
        failures.push(...result.failures);
      } else if (state === 'failed') failedChunks++;
    }
    const pending = chunks - completed - failedChunks;
    return { chunks, completed, failedChunks, pending, ok, failures, done: pending === 0 };
  };

  return {
    queue,
    async enqueue(bulkImport) {
      const b = bulkImport as Partial<BulkImport> | null;
      if (b === null || typeof b !== 'object') throw badArgument('the import must be an object');
      if (typeof b.importId !== 'string' || !ID.test(b.importId)) {
        throw badArgument('importId must be 1-100 letters, digits, _, - or .');
      }
      let accountId: string;
      try {
        accountId = parseAccountId(b.accountId as string).id;
      } catch (cause) {
        throw new BulkQueueError(
          'ERR_BULK_INVALID_ARGUMENT',
          'accountId must look like 1234567 or 1234567_SB1',
          {
            cause,
          },
        );
      }
      if (typeof b.operation !== 'string' || !OPERATIONS.has(b.operation)) {
        throw badArgument('operation must be create, update, upsert or delete');
      }
      if (typeof b.type !== 'string' || !/^[A-Za-z][A-Za-z0-9_]{0,99}$/.test(b.type)) {
        throw badArgument('type must be a record type such as customer');
      }
      if (!Array.isArray(b.records)) throw badArgument('records must be an array');
      const chunkSize = b.chunkSize ?? 100;
      if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > 100) {
        throw badArgument('chunkSize must be an integer from 1 to 100');
      }
      const attempts = b.attempts ?? 10;
      if (!Number.isInteger(attempts) || attempts < 1 || attempts > 1000) {
        throw badArgument('attempts must be an integer from 1 to 1000');
      }
      const jobs = [];
      for (let offset = 0, chunk = 0; offset < b.records.length; offset += chunkSize, chunk++) {
        const data: BulkChunkData = {
          importId: b.importId,
          accountId,
          operation: b.operation as BulkOperation,
          type: b.type,
          chunk,
          offset,
          chunkSize,
          runId: jobId(b.importId, chunk),
          records: b.records.slice(offset, offset + chunkSize),
        };
        jobs.push({
          name: JOB_NAME,
          data,
          opts: {
            jobId: jobId(b.importId, chunk),
            attempts,
            backoff: { type: 'exponential', delay: 1000 },
          },
        });
      }
      await queue.addBulk(jobs);
      return { importId: b.importId, chunks: jobs.length };
    },
    status,
    async wait(importId, chunks, waitOptions = {}) {
      const timeoutMs = waitOptions.timeoutMs ?? 3_600_000;
      const pollMs = waitOptions.pollMs ?? 500;
      if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
        throw badArgument('timeoutMs must be a positive number');
      if (!Number.isFinite(pollMs) || pollMs < 10) throw badArgument('pollMs must be at least 10');
      const started = performance.now();
      for (;;) {
        const now = await status(importId, chunks);
        if (now.done) return now;
        if (performance.now() - started > timeoutMs) {
          throw new BulkQueueError('ERR_BULK_TIMEOUT', `import not done within ${timeoutMs} ms`);
        }
        await new Promise((resolve) => setTimeout(resolve, pollMs));
      }
    },
    async close() {
      await queue.close();
    },
  };
}

/**
 * Options of {@link startBulkWorker}.
 *
 * @example
 * startBulkWorker({ connection, clientFor: (accountId) => clients.get(accountId), concurrency: 8 })
 */
export interface BulkWorkerOptions {
  readonly connection: ConnectionOptions;
  /** @default 'netsuite-bulk' */
  readonly name?: string | undefined;
  /** @default 'bull' */
  readonly prefix?: string | undefined;
  /**
   * The NetSuite client of an account, e.g. `createNetSuiteClient({ accountId, token: managers.forKey(accountId),
   * concurrency: governance })`: its concurrency budget is what the fleet shares. Called for every chunk; cache.
   */
  readonly clientFor: (accountId: string) => BulkClient | Promise<BulkClient>;
  /** Chunks this process runs at once (each within its account's budget). @default 4 */
  readonly concurrency?: number | undefined;
  /**
   * How long a chunk's lock lives without renewal: a killed worker's chunks go back to the queue once it lapses
   * (BullMQ's stalled-job check) and run elsewhere with the same idempotency keys. @default 30000
   */
  readonly lockDurationMs?: number | undefined;
  /** How often this worker looks for stalled chunks. @default 30000 */
  readonly stalledIntervalMs?: number | undefined;
}

/**
 * A fleet worker: a BullMQ worker that runs chunk jobs with record-client's batch API. A chunk's batch run is
 * named by the chunk (`runId`), so every try of the chunk — a retry after an error, or another worker taking over
 * a killed worker's chunk — sends the same `X-NetSuite-Idempotency-Key`: a batch NetSuite already accepted is
 * answered with its earlier job, whose results the new try reads, and is never written twice.
 *
 * @example
 * const worker = startBulkWorker({ connection: { host: '127.0.0.1', port: 6379 }, clientFor });
 * process.once('SIGTERM', () => worker.close());
 * @throws {BulkQueueError} `ERR_BULK_INVALID_OPTION` for a bad option (synchronously).
 * @see https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/article_0127092747.html
 */
export function startBulkWorker(options: BulkWorkerOptions): {
  readonly worker: Worker;
  close(): Promise<void>;
} {
  if (options === null || typeof options !== 'object') throw invalid('options must be an object');
  const connection = checkConnection(options.connection);
  const { name, prefix } = checkName(options);
  if (typeof options.clientFor !== 'function')
    throw invalid('clientFor must be a function (accountId) => client');
  const int = (value: unknown, label: string, min: number, max: number, fallback: number): number => {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw invalid(`${label} must be an integer from ${min} to ${max}`);
    }
    return value;
  };
  const concurrency = int(options.concurrency, 'concurrency', 1, 1000, 4);
  const lockDuration = int(options.lockDurationMs, 'lockDurationMs', 500, 3_600_000, 30_000);
  const stalledInterval = int(options.stalledIntervalMs, 'stalledIntervalMs', 100, 3_600_000, 30_000);
  const worker = new Worker<BulkChunkData, BulkChunkResult>(
    name,
    (job, _token, signal) => runChunk(job, options.clientFor, signal),
    {
      connection,
      ...(prefix === undefined ? {} : { prefix }),
      concurrency,
      lockDuration,
      stalledInterval,
      maxStalledCount: 5,
    },
  );
  worker.on('error', () => {});
  return {
    worker,
    async close() {
      await worker.close();
    },
  };
}

async function runChunk(
  job: Job<BulkChunkData, BulkChunkResult>,
  clientFor: BulkWorkerOptions['clientFor'],
  signal: AbortSignal | undefined,
): Promise<BulkChunkResult> {
  const data = job.data;
  const client = await clientFor(data.accountId);
  // One chunk is one REST batch request, sent under the chunk's own run: every try sends the same idempotency key.
  const run = client.batch[data.operation](data.type, data.records as Iterable<never>, {
    runId: data.runId,
    chunkSize: data.chunkSize,
    signal,
  });
  let ok = 0;
  const failures: Array<BulkChunkResult['failures'][number]> = [];
  for await (const result of run) {
    if (result.ok) ok++;
    else
      failures.push({
        index: data.offset + result.index,
        ...(result.error?.errorCode === undefined ? {} : { errorCode: result.error.errorCode }),
        ...(result.error?.detail === undefined ? {} : { detail: result.error.detail.slice(0, 300) }),
      });
  }
  return { chunk: data.chunk, ok, failures, attempt: job.attemptsMade + 1 };
}
