import { createHash, randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import {
  type AsyncContext,
  checkWait,
  idInLocation,
  isObject,
  probeTaskResults,
  readTasks,
  sleep,
  type TaskListProbe,
  type TaskResult,
  waitForJob,
  waitForTaskResults,
} from './async-job.js';
import { BatchItemError, NetSuiteApiError, RecordClientError } from './errors.js';
import {
  type ConcurrencyLimiter,
  type ConcurrencyPermit,
  type LocalConcurrencyLimiter,
  localTryAcquire,
} from './limiter.js';
import { OrderedWork } from './ordered.js';
import type { NetSuiteRecord, RecordRead, RecordTypeName, RecordWrite } from './record-types.js';
import type { Transport } from './transport.js';
import { checkExternalId, checkRecordId, checkRecordType, checkSignal } from './validate.js';

/**
 * What a batch run does to each record.
 *
 * @example
 * const op: BatchOperation = 'upsert';
 */
export type BatchOperation = 'create' | 'update' | 'upsert' | 'delete' | 'get';

/**
 * How far a batch run got, to persist and pass back as `resume` after a crash or a kill.
 *
 * `acknowledged` counts the input items, from the start of the input, whose results the run has handed out, in
 * input order. The idempotency key of every chunk is derived from `runId`, the chunk's position and its content,
 * so a resumed run sends each chunk not yet acknowledged again with the **same** key: a chunk NetSuite already
 * accepted (even one whose 202 never arrived) is answered with its earlier job, never written twice.
 *
 * @example
 * writeFileSync('import.checkpoint.json', JSON.stringify(run.checkpoint()));
 */
export interface BatchCheckpoint {
  readonly version: 1;
  readonly runId: string;
  readonly operation: BatchOperation;
  readonly type: string;
  readonly chunkSize: number;
  readonly acknowledged: number;
}

/**
 * Options of the `client.batch` operations.
 *
 * @example
 * client.batch.create('customer', rows, { runId: 'import-2026-12-03', concurrency: 4 })
 */
export interface BatchOptions {
  /** Names the run; chunk idempotency keys derive from it. Keep it to resume. @default crypto.randomUUID() */
  readonly runId?: string | undefined;
  /** Continue a run from its checkpoint (same input, from its start; items before the checkpoint are skipped). */
  readonly resume?: BatchCheckpoint | undefined;
  /** Records per request, 1–100 (NetSuite's maximum is 100). @default 100 */
  readonly chunkSize?: number | undefined;
  /**
   * Chunks in flight, at most the client's concurrency limit. @default the client's concurrency limit; 4 with a
   * shared (e.g. Redis) limiter or none
   */
  readonly concurrency?: number | undefined;
  /**
   * Count a running batch job against the concurrency limit, as NetSuite may (UNCONFIRMED): each chunk holds one
   * permit of the client's in-process limiter from its submission until its results are read, and sends its reads
   * under it once the job should be over.
   * @default true
   */
  readonly jobHoldsSlot?: boolean | undefined;
  /** Ask NetSuite to process each chunk's records in parallel (`Prefer: batch-processing="parallel"`). @default false */
  readonly parallel?: boolean | undefined;
  /** Longest first wait between polls of a job; the client shortens it once it knows how long jobs take. @default 250 */
  readonly pollIntervalMs?: number | undefined;
  /** Longest wait between polls. @default 5000 */
  readonly maxPollIntervalMs?: number | undefined;
  /** Gives up on a job after this long. @default 900000 */
  readonly waitTimeoutMs?: number | undefined;
  /** Stops the run; what was handed out stays acknowledged. */
  readonly signal?: AbortSignal | undefined;
}

/**
 * A record the batch wrote, deleted or read. `Rec` is the record's shape for `get`: the record map's interface
 * (`RecordRead<R, T>`) with generated types, {@link NetSuiteRecord} or a known shape without.
 *
 * @example
 * if (result.ok) ids[result.index] = result.id;
 */
export interface BatchSuccess<Rec = NetSuiteRecord> {
  readonly ok: true;
  /** Position in the input, from 0. */
  readonly index: number;
  /** The internal id (`eid:<external id>` when NetSuite named the record only by it); undefined if NetSuite sent none. */
  readonly id: string | undefined;
  /** The record, for `get` (NetSuite's `expandRecords=true` body); undefined for writes and deletes. */
  readonly record?: Rec | undefined;
}

/**
 * A record of the batch that failed; the others are unaffected.
 *
 * @example
 * if (!result.ok) console.error(result.index, result.error.errorCode, result.error.errorPath);
 */
export interface BatchFailure {
  readonly ok: false;
  readonly index: number;
  /** The id or `eid:` the input named, when it named one. */
  readonly id: string | undefined;
  readonly error: BatchItemError;
}

/**
 * One input item's outcome, handed out in input order.
 *
 * @example
 * const failures = results.filter((r): r is BatchFailure => !r.ok);
 */
export type BatchResult<Rec = NetSuiteRecord> = BatchSuccess<Rec> | BatchFailure;

/**
 * A running batch: iterate it once for the results, in input order; `checkpoint()` tells how far it got. `Rec` is
 * the shape of `result.record` (set by `batch.get` only).
 *
 * @example
 * const run = client.batch.create('customer', rows);
 * for await (const result of run) { handle(result); save(run.checkpoint()); }
 */
export interface BatchRun<Rec = NetSuiteRecord> extends AsyncIterable<BatchResult<Rec>> {
  readonly runId: string;
  /** The checkpoint after every result handed out so far: persist it once you have handled them. */
  checkpoint(): BatchCheckpoint;
}

/**
 * Batch operations on one record type (2026.1 REST batch, article_0127092747): any number of records, from an
 * array or an async iterable, in chunks of up to 100 per request, as many chunks in flight as the concurrency
 * limit allows, results streamed back in input order with per-record errors, resumable from a checkpoint.
 *
 * @example
 * for await (const r of client.batch.upsert('customer', rows)) if (!r.ok) console.error(r.index, r.error.detail);
 */
export interface BatchApi<R = unknown> {
  /**
   * Creates records (POST collections).
   * @example for await (const r of client.batch.create('customer', [{ companyName: 'Acme' }])) console.log(r);
   */
  create<T extends RecordTypeName<R>>(
    type: T,
    records: Iterable<RecordWrite<R, T>> | AsyncIterable<RecordWrite<R, T>>,
    options?: BatchOptions,
  ): BatchRun;
  /**
   * Updates records (PATCH collections); each names its record by `id` (internal id) or `externalId`.
   * @example client.batch.update('customer', [{ id: '647', email: 'ap@acme.example' }])
   */
  update<T extends RecordTypeName<R>>(
    type: T,
    records:
      | Iterable<RecordWrite<R, T> & { id?: string | number; externalId?: string }>
      | AsyncIterable<RecordWrite<R, T> & { id?: string | number; externalId?: string }>,
    options?: BatchOptions,
  ): BatchRun;
  /**
   * Creates or updates records by external id (PUT collections); each needs `externalId`.
   * @example client.batch.upsert('customer', [{ externalId: 'CRM-42', companyName: 'Acme' }])
   */
  upsert<T extends RecordTypeName<R>>(
    type: T,
    records:
      | Iterable<RecordWrite<R, T> & { externalId: string }>
      | AsyncIterable<RecordWrite<R, T> & { externalId: string }>,
    options?: BatchOptions,
  ): BatchRun;
  /**
   * Deletes records (`DELETE ?ids=`) named by internal id or `eid:<external id>`.
   * @example client.batch.delete('customer', ['647', 'eid:CRM-42'])
   */
  delete(
    type: RecordTypeName<R>,
    ids: Iterable<string | number> | AsyncIterable<string | number>,
    options?: BatchOptions,
  ): BatchRun;
  /**
   * Reads records (`GET ?ids=…&expandRecords=true`); each result carries `record`, typed by the record map
   * (`RecordRead<R, T>`: the generated interface, so a misspelt property read is a compile error).
   * @example for await (const r of client.batch.get('customer', ['1', '2'])) if (r.ok) console.log(r.record?.companyName);
   */
  get<T extends RecordTypeName<R>>(
    type: T,
    ids: Iterable<string | number> | AsyncIterable<string | number>,
    options?: BatchOptions,
  ): BatchRun<RecordRead<R, T>>;
}

/** What the batch API needs from the client. */
export interface BatchContext extends AsyncContext {
  readonly recordUrl: string;
  /** The client's limiter, when it has one. */
  readonly limiter: ConcurrencyLimiter | undefined;
  /** A transport that sends without taking a permit: a chunk's submission goes under the permit its job holds. */
  readonly unlimited: Transport;
}

const COLLECTION = 'application/vnd.oracle.resource+json; type=collection';
const END: unique symbol = Symbol('end');
const MAX_CHUNK = 100;

interface Entry {
  readonly index: number;
  /** What goes on the wire: the record (writes) or the id (delete, get); undefined when refused locally. */
  readonly wire: unknown;
  /** The id, `eid:` or nothing the input named the record by. */
  readonly ref: string | undefined;
  readonly refused: BatchItemError | undefined;
}

function bad(message: string): RecordClientError {
  return new RecordClientError('ERR_RECORD_INVALID_ARGUMENT', message);
}

function intOption(value: unknown, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw bad(`${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

function checkCheckpoint(value: unknown, operation: BatchOperation, type: string): BatchCheckpoint {
  const c = value as Partial<BatchCheckpoint> | null;
  if (
    c === null ||
    typeof c !== 'object' ||
    c.version !== 1 ||
    typeof c.runId !== 'string' ||
    c.runId.length === 0 ||
    !Number.isSafeInteger(c.acknowledged) ||
    (c.acknowledged as number) < 0 ||
    !Number.isInteger(c.chunkSize) ||
    (c.chunkSize as number) < 1 ||
    (c.chunkSize as number) > MAX_CHUNK
  ) {
    throw bad('resume must be a checkpoint from run.checkpoint()');
  }
  if (c.operation !== operation || c.type !== type) {
    throw bad(`resume is a checkpoint of ${String(c.operation)} ${String(c.type)}, not ${operation} ${type}`);
  }
  return c as BatchCheckpoint;
}

/** A UUID-shaped key (RFC 9562 version 8) from a SHA-256 of the run, the chunk's position and its content. */
function chunkKey(
  runId: string,
  operation: BatchOperation,
  type: string,
  chunk: number,
  wire: unknown[],
): string {
  const hex = createHash('sha256')
    .update(`netsuite-oauth batch\0${runId}\0${operation}\0${type}\0${chunk}\0`)
    .update(JSON.stringify(wire))
    .digest('hex');
  const variant = ((Number.parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Prepares one input item for the wire, or says why it cannot be sent. */
function prepare(operation: BatchOperation, index: number, item: unknown): Entry {
  const refuse = (detail: string, errorPath?: string): Entry => ({
    index,
    wire: undefined,
    ref: undefined,
    refused: new BatchItemError({ index, detail, errorPath }),
  });
  if (operation === 'delete' || operation === 'get') {
    try {
      const id = checkRecordId(item);
      return { index, wire: id, ref: id, refused: undefined };
    } catch {
      return refuse('not an internal id (digits) or eid:<external id>');
    }
  }
  if (!isObject(item)) return refuse('not a plain object');
  const eid = item.externalId;
  if (operation === 'upsert') {
    try {
      return { index, wire: item, ref: `eid:${checkExternalId(eid)}`, refused: undefined };
    } catch {
      return refuse('an upsert needs an externalId of letters, digits, _ or -', 'externalId');
    }
  }
  if (operation === 'update') {
    if (item.id !== undefined) {
      try {
        return { index, wire: item, ref: checkRecordId(item.id), refused: undefined };
      } catch {
        return refuse('id is not an internal id', 'id');
      }
    }
    try {
      return { index, wire: item, ref: `eid:${checkExternalId(eid)}`, refused: undefined };
    } catch {
      return refuse('an update needs an id or an externalId', 'id');
    }
  }
  return { index, wire: item, ref: undefined, refused: undefined };
}

/** Whether a refusal of a whole chunk is final (nothing was written) rather than of unknown outcome. */
function definitive(error: unknown): error is NetSuiteApiError {
  return (
    error instanceof NetSuiteApiError &&
    error.status >= 400 &&
    error.status < 500 &&
    ![401, 403, 408, 409, 429].includes(error.status) &&
    error.errorCode !== 'IDEMPOTENCY_ERROR'
  );
}

function itemError(index: number, task: NonNullable<TaskResult['error']>): BatchItemError {
  return new BatchItemError({
    index,
    status: task.status,
    errorCode: task.errorCode,
    detail: task.detail,
    errorPath: task.errorPath,
    details: task.details,
  });
}

/**
 * How long this run's recent jobs took, and whether the server lists task results inline: a chunk's read is sent
 * when its job should be over. Quantiles of the last 16 jobs, not a mean, so one slow job does not delay the reads
 * of all the ones after it.
 */
class Timing {
  /** The server put every task's result inline in the task list. */
  inline = false;
  private readonly recent: number[] = [];

  observe(ms: number): void {
    this.recent.push(ms);
    if (this.recent.length > 16) this.recent.shift();
  }

  /** Whether any job has been timed yet. */
  get known(): boolean {
    return this.recent.length > 0;
  }

  private quantile(q: number): number | undefined {
    if (this.recent.length === 0) return undefined;
    const sorted = [...this.recent].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))];
  }

  /** When to read after the 202 under the job's own permit: once three jobs in four were over. */
  get due(): number {
    const q = this.quantile(0.75);
    return q === undefined ? 0 : q + 5;
  }

  /** When half the recent jobs were over (a read then needs a permit of its own). */
  get early(): number | undefined {
    return this.quantile(0.5);
  }
}

/** Builds `client.batch`. */
export function createBatchApi(context: BatchContext): BatchApi {
  const run = (
    operation: BatchOperation,
    type: string,
    input: Iterable<unknown> | AsyncIterable<unknown>,
    options: BatchOptions | undefined,
  ): BatchRun<NetSuiteRecord> => {
    const recordType = checkRecordType(type);
    if (
      input === null ||
      typeof input !== 'object' ||
      (typeof (input as AsyncIterable<unknown>)[Symbol.asyncIterator] !== 'function' &&
        typeof (input as Iterable<unknown>)[Symbol.iterator] !== 'function')
    ) {
      throw bad('records must be an array, an iterable or an async iterable');
    }
    if (options !== undefined && (options === null || typeof options !== 'object')) {
      throw bad('options must be an object');
    }
    const o = options ?? {};
    const resume = o.resume === undefined ? undefined : checkCheckpoint(o.resume, operation, recordType);
    if (o.runId !== undefined && (typeof o.runId !== 'string' || !/^[\w.:-]{1,200}$/.test(o.runId))) {
      throw bad('runId must be 1-200 letters, digits, _, ., : or -');
    }
    if (resume && o.runId !== undefined && o.runId !== resume.runId) {
      throw bad('runId differs from the checkpoint being resumed');
    }
    const chunkSize = resume?.chunkSize ?? intOption(o.chunkSize, 'chunkSize', 1, MAX_CHUNK) ?? MAX_CHUNK;
    const requested = intOption(o.concurrency, 'concurrency', 1, 1000);
    if (o.jobHoldsSlot !== undefined && typeof o.jobHoldsSlot !== 'boolean')
      throw bad('jobHoldsSlot must be a boolean');
    if (o.parallel !== undefined && typeof o.parallel !== 'boolean') throw bad('parallel must be a boolean');
    const wait = checkWait({
      pollIntervalMs: o.pollIntervalMs ?? 250,
      maxPollIntervalMs: o.maxPollIntervalMs,
      waitTimeoutMs: o.waitTimeoutMs,
    });
    const signal = checkSignal(o.signal);
    const runId = resume?.runId ?? o.runId ?? randomUUID();
    // With an in-process limiter of L permits, up to L chunks run, each under one permit from its submission to its
    // results: the submit, the job (which holds a slot) and the read of its results once the job should be over.
    // An account's limiter (createAccountGovernance) knows its limit once ready: sized when the run starts.
    let holdSlot = false;
    let window = 1;
    const size = () => {
      const local = context.limiter as Partial<LocalConcurrencyLimiter> | undefined;
      const limit = typeof local?.limit === 'number' ? local.limit : undefined;
      holdSlot = (o.jobHoldsSlot ?? true) && limit !== undefined;
      window = Math.max(1, Math.min(requested ?? limit ?? 4, limit ?? Number.POSITIVE_INFINITY));
    };
    size();
    let acknowledged = resume?.acknowledged ?? 0;
    let started = false;
    const timing = new Timing();

    const url = `${context.recordUrl}/${recordType}`;
    const prefer = o.parallel ? 'respond-async, batch-processing="parallel"' : 'respond-async';

    /** Sends one chunk and reads its results; throws only when the chunk's outcome is unknown. */
    const runChunk = async (chunk: number, entries: Entry[], stop: AbortSignal): Promise<BatchResult[]> => {
      const sent = entries.filter((e) => e.refused === undefined);
      const out: BatchResult[] = [];
      const local = (e: Entry): BatchFailure => ({
        ok: false,
        index: e.index,
        id: e.ref,
        error: e.refused as BatchItemError,
      });
      if (sent.length === 0) return entries.map(local);
      const wire = sent.map((e) => e.wire);
      const idempotencyKey = chunkKey(runId, operation, recordType, chunk, wire);
      let permit: ConcurrencyPermit | undefined;
      let results: TaskResult[];
      try {
        if (holdSlot && context.limiter) permit = await context.limiter.acquire({ signal: stop });
        const transport = permit ? context.unlimited : context.transport;
        const write = operation === 'create' || operation === 'update' || operation === 'upsert';
        let location: string | null;
        try {
          const response = await transport.send({
            method:
              operation === 'create'
                ? 'POST'
                : operation === 'update'
                  ? 'PATCH'
                  : operation === 'upsert'
                    ? 'PUT'
                    : operation === 'delete'
                      ? 'DELETE'
                      : 'GET',
            url,
            ...(write
              ? { json: { items: wire }, headers: { prefer, 'content-type': COLLECTION } }
              : {
                  query: { ids: wire.join(','), expandRecords: operation === 'get' ? 'true' : undefined },
                  headers: { prefer },
                }),
            idempotencyKey,
            signal: stop,
          });
          location = response.headers.get('location');
        } catch (error) {
          if (
            error instanceof NetSuiteApiError &&
            error.errorCode === 'IDEMPOTENCY_ERROR' &&
            error.location
          ) {
            // NetSuite already accepted this chunk (a retry, or a run resumed after its 202 was lost).
            location = error.location;
          } else if (definitive(error)) {
            // Refused as a whole, nothing written: every record of the chunk carries NetSuite's answer.
            const task = {
              status: error.status,
              errorCode: error.errorCode,
              detail: error.detail,
              errorPath: error.errorPath,
              details: error.details,
            };
            return entries.map((e) =>
              e.refused
                ? local(e)
                : { ok: false, index: e.index, id: e.ref, error: itemError(e.index, task) },
            );
          } else {
            throw error;
          }
        }
        if (!location) {
          throw new RecordClientError(
            'ERR_RECORD_INVALID_RESPONSE',
            'netsuite accepted a batch without a Location',
          );
        }
        // The chunk's reads go under the permit its job holds, sent once the job should be over (learned from the
        // jobs before it); until the first job has shown how long jobs take, a single chunk runs, so a read that
        // overlaps its job finds a slot free.
        const accepted = performance.now();
        const jobContext = { transport, restOrigin: context.restOrigin };
        const poll = {
          ...wait,
          signal: stop,
          firstPollDelayMs: timing.due,
          pollIntervalMs: Math.min(wait.pollIntervalMs, Math.max(5, (timing.early ?? 50) / 5)),
        };
        // Once the server has shown it lists results inline, one read of the task list is both the poll and the
        // results; until then the documented way: poll the job, then read its tasks.
        let inline: { results: TaskResult[]; durationMs: number | undefined } | undefined;
        if (timing.inline) {
          // Half the jobs are over by the median: if a permit is free then, read once with it (never more than
          // the limit in flight); otherwise, or if the job still runs, read under the job's permit once it should
          // be over.
          const early = timing.early;
          const spareOf = permit && context.limiter ? localTryAcquire(context.limiter) : undefined;
          if (spareOf && early !== undefined && early + 5 < timing.due) {
            await sleep(early, stop, 'batch');
            const spare = spareOf();
            if (spare) {
              let probe: TaskListProbe;
              try {
                probe = await probeTaskResults({ ...jobContext }, location, stop);
              } finally {
                spare.release();
              }
              if (probe.state === 'done') inline = probe;
            }
          }
          inline ??= await waitForTaskResults(jobContext, location, {
            ...poll,
            firstPollDelayMs: Math.max(0, timing.due - (performance.now() - accepted)),
          });
        }
        if (inline) {
          results = inline.results;
          timing.observe(inline.durationMs ?? performance.now() - accepted);
        } else {
          const job = await waitForJob(jobContext, location, poll);
          timing.observe(job.durationMs ?? performance.now() - accepted);
          // The job is over: its slot is free again; its results are read within the limiter.
          permit?.release();
          permit = undefined;
          const read = await readTasks(context, job, stop);
          results = read.results;
          timing.inline = read.inline;
        }
      } finally {
        permit?.release();
      }
      if (results.length !== sent.length) {
        throw new RecordClientError(
          'ERR_RECORD_INVALID_RESPONSE',
          `netsuite listed ${results.length} tasks for a batch of ${sent.length} records`,
        );
      }
      let k = 0;
      for (const e of entries) {
        if (e.refused) {
          out.push(local(e));
          continue;
        }
        const task = results[k++] as TaskResult;
        if (task.error) {
          out.push({ ok: false, index: e.index, id: e.ref, error: itemError(e.index, task.error) });
        } else if (operation === 'get') {
          const record: NetSuiteRecord = isObject(task.body) ? task.body : {};
          out.push({
            ok: true,
            index: e.index,
            id: typeof record.id === 'string' ? record.id : e.ref,
            record,
          });
        } else {
          const id = operation === 'delete' ? e.ref : (idInLocation(task.location) ?? e.ref);
          out.push({ ok: true, index: e.index, id });
        }
      }
      return out;
    };

    async function* iterate(): AsyncGenerator<BatchResult, void, undefined> {
      const controller = new AbortController();
      const onAbort = () => controller.abort(signal?.reason);
      if (signal?.aborted) {
        throw new RecordClientError('ERR_RECORD_ABORTED', 'batch aborted by the caller', {
          cause: signal.reason,
        });
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      const ready = (context.limiter as { ready?: () => Promise<unknown> } | undefined)?.ready;
      if (typeof ready === 'function') {
        try {
          await ready.call(context.limiter);
        } catch (cause) {
          signal?.removeEventListener('abort', onAbort);
          throw new RecordClientError(
            'ERR_RECORD_LIMITER',
            'the concurrency limiter failed to hand out a permit',
            {
              cause,
            },
          );
        }
        size();
      }
      const source =
        typeof (input as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function'
          ? (input as AsyncIterable<unknown>)[Symbol.asyncIterator]()
          : (input as Iterable<unknown>)[Symbol.iterator]();
      // Every chunk in flight listens on the run's signal (its permit, its requests, its waits): a bounded number,
      // so the default warning at 10 listeners would be a false alarm from 3 or 4 chunks on.
      setMaxListeners(Math.max(10, 4 * window + 8), controller.signal);
      const work = new OrderedWork<BatchResult[]>();
      let next = 0;
      let exhausted = false;
      const pull = async (): Promise<unknown | typeof END> => {
        const step = await source.next();
        if (step.done) {
          exhausted = true;
          return END;
        }
        return step.value;
      };
      try {
        // A resumed run starts at the chunk holding the first item not acknowledged.
        const first = Math.floor(acknowledged / chunkSize) * chunkSize;
        while (next < first && !exhausted) {
          if ((await pull()) !== END) next++;
        }
        for (;;) {
          // One chunk at a time until the first job has been timed (see runChunk).
          const open = holdSlot && !timing.known ? 1 : window;
          while (!exhausted && work.running < open && work.size < window * 2) {
            const entries: Entry[] = [];
            const chunk = Math.floor(next / chunkSize);
            while (entries.length < chunkSize) {
              const item = await pull();
              if (item === END) break;
              entries.push(prepare(operation, next, item));
              next++;
            }
            if (entries.length === 0) break;
            work.start(() => runChunk(chunk, entries, controller.signal));
          }
          const step = await work.next(signal, 'batch');
          if (step === 'empty') return;
          if (step === 'changed') continue;
          for (const result of step.value) {
            if (result.index < acknowledged) continue;
            acknowledged = result.index + 1;
            yield result;
          }
        }
      } finally {
        signal?.removeEventListener('abort', onAbort);
        controller.abort();
        await work.settle();
        if (!exhausted) await source.return?.();
      }
    }

    return {
      runId,
      checkpoint: () => ({ version: 1, runId, operation, type: recordType, chunkSize, acknowledged }),
      [Symbol.asyncIterator]() {
        if (started) throw bad('a batch run can be iterated once; start another run (with resume) instead');
        started = true;
        return iterate();
      },
    };
  };

  return {
    create: (type, records, options) => run('create', type, records, options),
    update: (type, records, options) => run('update', type, records, options),
    upsert: (type, records, options) => run('upsert', type, records, options),
    delete: (type, ids, options) => run('delete', type, ids, options),
    // The body is NetSuite's record, whose shape the record map describes: the cast only names it.
    get: <T extends string>(
      type: T,
      ids: Iterable<string | number> | AsyncIterable<string | number>,
      options?: BatchOptions,
    ) => run('get', type, ids, options) as BatchRun<RecordRead<unknown, T>>,
  };
}
