import { randomUUID } from 'node:crypto';
import { NetSuiteApiError, RecordClientError } from './errors.js';
import { checkPageSize, checkPrefetch, type Page, pagedIterable, resultCap } from './paging.js';
import type { RawResponse, Transport } from './transport.js';
import type { Link, RecordInput, RecordOf } from './types.js';
import {
  checkBody,
  checkExternalId,
  checkFieldList,
  checkOptions,
  checkRecordId,
  checkRecordType,
  checkSignal,
  checkTimeout,
} from './validate.js';

/**
 * Options every call takes.
 *
 * @example
 * await client.records.delete('customer', '7', { signal: AbortSignal.timeout(5000), timeoutMs: 2000 })
 */
export interface CallOptions {
  /** Cancels the call (queueing, attempts and backoff). */
  readonly signal?: AbortSignal;
  /** Per-attempt timeout for this call. */
  readonly timeoutMs?: number;
}

/**
 * Options of `records.get`.
 *
 * @example
 * await client.records.get('customer', '647', { fields: ['email'], expandSubResources: true })
 */
export interface GetRecordOptions extends CallOptions {
  /** Body fields to return (`fields=`); sublists cannot be picked. */
  readonly fields?: readonly string[];
  /** Expand sublists and subrecords inline. @default false */
  readonly expandSubResources?: boolean;
  /** Enums as bare internal ids. @default false */
  readonly simpleEnumFormat?: boolean;
}

/**
 * Options of `records.list`.
 *
 * @example
 * client.records.list('customer', { q: 'email START_WITH "a"', pageSize: 500, prefetch: 1 })
 */
export interface ListRecordsOptions extends Omit<CallOptions, 'timeoutMs'> {
  /** A collection filter (`q=`), e.g. `email START_WITH "a"`; sent URL-encoded. */
  readonly q?: string;
  /** Rows per page, 1–1000. @default 1000 */
  readonly pageSize?: number;
  /** Pages fetched ahead of the consumer. @default 1 */
  readonly prefetch?: number;
}

/**
 * An item of a record collection: NetSuite lists only ids and links.
 *
 * @example
 * for await (const { id } of client.records.list('customer')) console.log(id)
 */
export interface RecordListItem {
  readonly id: string;
  readonly links: readonly Link[];
}

/**
 * Options of `records.update`.
 *
 * @example
 * await client.records.update('salesOrder', '12', { item: { items } }, { replace: ['item'] })
 */
export interface UpdateRecordOptions extends CallOptions {
  /** Sublists to replace rather than merge (`replace=`). */
  readonly replace?: readonly string[];
  /** With `replace`, clear only the named fields (`replaceSelectedFields=true`). */
  readonly replaceSelectedFields?: boolean;
}

/**
 * What a write returns: the record's internal id, read from `Location`.
 *
 * @example
 * const { id, location } = await client.records.create('customer', { companyName: 'Acme' })
 */
export interface WriteResult {
  readonly id: string;
  readonly location: string;
}

/**
 * Options of `records.createAsync`.
 *
 * @example
 * await client.records.createAsync('customer', body, { idempotencyKey: crypto.randomUUID(), pollIntervalMs: 500 })
 */
export interface AsyncJobOptions extends Omit<CallOptions, 'timeoutMs'> {
  /** NetSuite deduplicates on it; a duplicate returns the earlier job. @default crypto.randomUUID() */
  readonly idempotencyKey?: string;
  /** First wait between polls. @default 500 */
  readonly pollIntervalMs?: number;
  /** Longest wait between polls (the wait doubles up to it). @default 5000 */
  readonly maxPollIntervalMs?: number;
  /** Gives up waiting for the job after this long. @default 900000 (NetSuite's 15-minute request limit) */
  readonly waitTimeoutMs?: number;
}

/**
 * The outcome of an asynchronous job.
 *
 * @example
 * const { jobId, id } = await client.records.createAsync('customer', body)
 */
export interface AsyncJobResult {
  readonly jobId: string;
  /** The idempotency key the job was submitted with. */
  readonly idempotencyKey: string;
  /** The new record's internal id, when the result carried a `Location`. */
  readonly id: string | undefined;
  /** The result body, when the result has one. */
  readonly result: unknown;
}

/**
 * The REST Record API.
 *
 * @example
 * const { id } = await client.records.create('customer', { companyName: 'Acme' })
 */
export interface RecordsApi {
  /**
   * Reads one record.
   * @example const c = await client.records.get('customer', '647', { fields: ['email'] });
   */
  get<T extends string>(type: T, id: string | number, options?: GetRecordOptions): Promise<RecordOf<T>>;
  /**
   * Streams the ids of a record collection, page after page.
   * @example for await (const { id } of client.records.list('customer', { q: 'email START_WITH "a"' })) console.log(id);
   */
  list(type: string, options?: ListRecordsOptions): AsyncIterable<RecordListItem>;
  /**
   * Creates a record; NetSuite answers 204 and the new id is read from `Location`.
   * @example const { id } = await client.records.create('customer', { companyName: 'Acme' });
   */
  create<T extends string>(type: T, body: RecordInput<T>, options?: CallOptions): Promise<WriteResult>;
  /**
   * Updates a record (PATCH: fields left out are unchanged, `null` clears a field).
   * @example await client.records.update('customer', '647', { email: 'new@example.com' });
   */
  update<T extends string>(
    type: T,
    id: string | number,
    body: RecordInput<T>,
    options?: UpdateRecordOptions,
  ): Promise<WriteResult>;
  /**
   * Creates or updates the record with this external id (PUT `…/{type}/eid:{externalId}`). Idempotent: retried.
   * @example await client.records.upsert('customer', 'CRM-42', { companyName: 'Acme' });
   */
  upsert<T extends string>(
    type: T,
    externalId: string,
    body: RecordInput<T>,
    options?: CallOptions,
  ): Promise<WriteResult>;
  /**
   * Deletes a record.
   * @example await client.records.delete('customer', '647');
   */
  delete(type: string, id: string | number, options?: CallOptions): Promise<void>;
  /**
   * Transforms a record into another type (`POST …/{fromType}/{id}/!transform/{toType}`).
   * @example const { id } = await client.records.transform('salesOrder', '12', 'invoice');
   */
  transform(
    fromType: string,
    id: string | number,
    toType: string,
    body?: Record<string, unknown>,
    options?: CallOptions,
  ): Promise<WriteResult>;
  /**
   * Creates a record as an asynchronous job (`Prefer: respond-async` with an idempotency key), and polls it
   * to completion. Safe to retry: NetSuite deduplicates on the key.
   * @example const job = await client.records.createAsync('salesOrder', order, { idempotencyKey: orderUuid });
   */
  createAsync<T extends string>(
    type: T,
    body: RecordInput<T>,
    options?: AsyncJobOptions,
  ): Promise<AsyncJobResult>;
}

interface RecordsContext {
  readonly transport: Transport;
  readonly recordUrl: string;
  readonly restOrigin: string;
}

function idFromLocation(location: string | null | undefined, base: string, what: string): WriteResult {
  if (!location) {
    throw new RecordClientError(
      'ERR_RECORD_INVALID_RESPONSE',
      `netsuite sent no Location header for ${what}`,
    );
  }
  let url: URL;
  try {
    url = new URL(location, base);
  } catch (cause) {
    throw new RecordClientError(
      'ERR_RECORD_INVALID_RESPONSE',
      `netsuite sent a bad Location header for ${what}`,
      {
        cause,
      },
    );
  }
  const segments = url.pathname.split('/').filter(Boolean);
  const last = segments.at(-1);
  let id: string | undefined;
  try {
    id = last === undefined ? undefined : decodeURIComponent(last);
  } catch {
    id = undefined;
  }
  if (!id) {
    throw new RecordClientError(
      'ERR_RECORD_INVALID_RESPONSE',
      `netsuite sent a Location without an id for ${what}`,
    );
  }
  return { id, location: url.href };
}

function signalOf(options: CallOptions): { signal?: AbortSignal; timeoutMs?: number } {
  const out: { signal?: AbortSignal; timeoutMs?: number } = {};
  const signal = checkSignal(options.signal);
  const timeoutMs = checkTimeout(options.timeoutMs);
  if (signal) out.signal = signal;
  if (timeoutMs !== undefined) out.timeoutMs = timeoutMs;
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function readPage<T>(body: unknown, what: string, map: (item: unknown) => T): Page<T> {
  if (!isObject(body) || !Array.isArray(body.items)) {
    throw new RecordClientError('ERR_RECORD_INVALID_RESPONSE', `netsuite sent a ${what} page without items`);
  }
  return {
    items: body.items.map(map),
    hasMore: body.hasMore === true,
    totalResults: typeof body.totalResults === 'number' ? body.totalResults : undefined,
  };
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(
        new RecordClientError('ERR_RECORD_ABORTED', 'async job wait aborted by the caller', {
          cause: signal.reason,
        }),
      );
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(
        new RecordClientError('ERR_RECORD_ABORTED', 'async job wait aborted by the caller', {
          cause: signal?.reason,
        }),
      );
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function selfLink(value: unknown): string | undefined {
  if (!isObject(value) || !Array.isArray(value.links)) return undefined;
  const link = value.links.find(
    (l: unknown) => isObject(l) && l.rel === 'self' && typeof l.href === 'string',
  ) as Link | undefined;
  return link?.href;
}

/** Builds the Record API on a transport. */
export function createRecordsApi(context: RecordsContext): RecordsApi {
  const { transport, recordUrl } = context;
  // Segments are validated to letters, digits, `_`, `-` and the `eid:` prefix, which NetSuite wants unencoded.
  const url = (...segments: string[]) => `${recordUrl}/${segments.join('/')}`;

  const pollJob = async (
    jobLocation: string,
    idempotencyKey: string,
    options: Partial<AsyncJobOptions>,
  ): Promise<AsyncJobResult> => {
    const checkedJob = transport.checkUrl(new URL(jobLocation, context.restOrigin).href);
    const jobUrl = { href: `${checkedJob.origin}${checkedJob.pathname}`, pathname: checkedJob.pathname };
    const jobId = jobUrl.pathname.split('/').filter(Boolean).at(-1) ?? '';
    const signal = checkSignal(options.signal);
    const first = options.pollIntervalMs ?? 500;
    const max = options.maxPollIntervalMs ?? 5000;
    const waitTimeoutMs = options.waitTimeoutMs ?? 900_000;
    for (const [name, value] of [
      ['pollIntervalMs', first],
      ['maxPollIntervalMs', max],
      ['waitTimeoutMs', waitTimeoutMs],
    ] as const) {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        throw new RecordClientError('ERR_RECORD_INVALID_ARGUMENT', `${name} must be a non-negative number`);
      }
    }
    const started = Date.now();
    let wait = first;
    let job: Record<string, unknown>;
    for (;;) {
      const response = await transport.send({ method: 'GET', url: jobUrl.href, signal });
      job = isObject(response.body) ? response.body : {};
      if (job.completed === true) break;
      if (Date.now() - started + wait > waitTimeoutMs) {
        throw new RecordClientError(
          'ERR_RECORD_TIMEOUT',
          `async job ${jobId} did not complete within ${waitTimeoutMs} ms`,
        );
      }
      await sleep(wait, signal);
      wait = Math.min(max, wait * 2);
    }
    // The job names its task; otherwise list the job's tasks.
    let taskHref = isObject(job.task) ? selfLink(job.task) : undefined;
    if (!taskHref) {
      const tasks = await transport.send({ method: 'GET', url: `${jobUrl.href}/task`, signal });
      const item = isObject(tasks.body) && Array.isArray(tasks.body.items) ? tasks.body.items[0] : undefined;
      taskHref =
        selfLink(item) ??
        (isObject(item) && typeof item.id === 'string'
          ? `${jobUrl.href}/task/${encodeURIComponent(item.id)}`
          : undefined);
    }
    if (!taskHref) {
      throw new RecordClientError(
        'ERR_RECORD_INVALID_RESPONSE',
        `async job ${jobId} completed without a task`,
      );
    }
    const checkedTask = transport.checkUrl(new URL(taskHref, context.restOrigin).href);
    const taskUrl = { href: `${checkedTask.origin}${checkedTask.pathname}` };
    const task = await transport.send({ method: 'GET', url: taskUrl.href, signal });
    const progress = isObject(task.body) ? task.body.progress : undefined;
    let result: RawResponse;
    try {
      result = await transport.send({ method: 'GET', url: `${taskUrl.href}/result`, signal });
    } catch (cause) {
      if (cause instanceof NetSuiteApiError) {
        throw new RecordClientError('ERR_RECORD_ASYNC_JOB_FAILED', `async job ${jobId} failed`, { cause });
      }
      throw cause;
    }
    if (progress === 'failed') {
      throw new RecordClientError('ERR_RECORD_ASYNC_JOB_FAILED', `async job ${jobId} failed`);
    }
    const location = result.headers.get('location');
    const body = result.body;
    let id: string | undefined;
    if (location) id = idFromLocation(location, context.restOrigin, 'async result').id;
    else if (isObject(body) && typeof body.id === 'string') id = body.id;
    return { jobId, idempotencyKey, id, result: body };
  };

  return {
    async get(type, id, options) {
      const o = checkOptions(options);
      const segments = [checkRecordType(type), checkRecordId(id)];
      const fields = checkFieldList(o.fields, 'fields');
      const response = await transport.send({
        method: 'GET',
        url: url(...segments),
        query: {
          fields,
          expandSubResources: o.expandSubResources === true ? 'true' : undefined,
          simpleEnumFormat: o.simpleEnumFormat === true ? 'true' : undefined,
        },
        ...signalOf(o),
      });
      if (!isObject(response.body)) {
        throw new RecordClientError(
          'ERR_RECORD_INVALID_RESPONSE',
          'netsuite sent a record that is not an object',
        );
      }
      return response.body as RecordOf<typeof type>;
    },

    list(type, options) {
      const o = checkOptions(options);
      const recordType = checkRecordType(type);
      const pageSize = checkPageSize(o.pageSize, 1000);
      const prefetch = checkPrefetch(o.prefetch, 1);
      const signal = checkSignal(o.signal);
      if (o.q !== undefined && (typeof o.q !== 'string' || o.q.length === 0 || o.q.length > 10_000)) {
        throw new RecordClientError('ERR_RECORD_INVALID_ARGUMENT', 'q must be a non-empty filter string');
      }
      return pagedIterable<RecordListItem>({
        pageSize,
        prefetch,
        cap: resultCap(pageSize),
        signal,
        what: `${recordType} list`,
        fetchPage: async (offset, limit, pageSignal) => {
          const response = await transport.send({
            method: 'GET',
            url: url(recordType),
            query: { q: o.q, limit, offset },
            signal: pageSignal,
          });
          return readPage(response.body, 'record list', (item) => {
            const entry = isObject(item) ? item : {};
            return {
              id: String(entry.id ?? ''),
              links: Array.isArray(entry.links) ? (entry.links as Link[]) : [],
            };
          });
        },
      });
    },

    async create(type, body, options) {
      const recordType = checkRecordType(type);
      const json = checkBody(body);
      const response = await transport.send({
        method: 'POST',
        url: url(recordType),
        json,
        ...signalOf(checkOptions(options)),
      });
      return idFromLocation(response.headers.get('location'), context.restOrigin, `create ${recordType}`);
    },

    async update(type, id, body, options) {
      const o = checkOptions(options);
      const recordType = checkRecordType(type);
      const recordId = checkRecordId(id);
      const json = checkBody(body);
      const replace = checkFieldList(o.replace, 'replace');
      const response = await transport.send({
        method: 'PATCH',
        url: url(recordType, recordId),
        json,
        query: { replace, replaceSelectedFields: o.replaceSelectedFields === true ? 'true' : undefined },
        ...signalOf(o),
      });
      const location = response.headers.get('location');
      return location
        ? idFromLocation(location, context.restOrigin, `update ${recordType}`)
        : { id: recordId, location: url(recordType, recordId) };
    },

    async upsert(type, externalId, body, options) {
      const recordType = checkRecordType(type);
      const eid = `eid:${checkExternalId(externalId)}`;
      const json = checkBody(body);
      const response = await transport.send({
        method: 'PUT',
        url: url(recordType, eid),
        json,
        ...signalOf(checkOptions(options)),
      });
      const location = response.headers.get('location');
      return location
        ? idFromLocation(location, context.restOrigin, `upsert ${recordType}`)
        : { id: eid, location: url(recordType, eid) };
    },

    async delete(type, id, options) {
      const segments = [checkRecordType(type), checkRecordId(id)];
      await transport.send({ method: 'DELETE', url: url(...segments), ...signalOf(checkOptions(options)) });
    },

    async transform(fromType, id, toType, body, options) {
      const segments = [checkRecordType(fromType, 'fromType'), checkRecordId(id)];
      const target = checkRecordType(toType, 'toType');
      const json = body === undefined ? {} : checkBody(body);
      const response = await transport.send({
        method: 'POST',
        url: `${url(...segments)}/!transform/${encodeURIComponent(target)}`,
        json,
        ...signalOf(checkOptions(options)),
      });
      return idFromLocation(response.headers.get('location'), context.restOrigin, `transform to ${target}`);
    },

    async createAsync(type, body, options) {
      const o = checkOptions(options);
      const recordType = checkRecordType(type);
      const json = checkBody(body);
      const idempotencyKey = o.idempotencyKey ?? randomUUID();
      if (typeof idempotencyKey !== 'string' || !/^[A-Za-z0-9_-]{1,128}$/.test(idempotencyKey)) {
        throw new RecordClientError(
          'ERR_RECORD_INVALID_ARGUMENT',
          'idempotencyKey must be 1-128 letters, digits, _ or -',
        );
      }
      const signal = checkSignal(o.signal);
      let jobLocation: string | null;
      try {
        const response = await transport.send({
          method: 'POST',
          url: url(recordType),
          json,
          idempotencyKey,
          headers: { prefer: 'respond-async' },
          signal,
        });
        jobLocation = response.headers.get('location');
      } catch (error) {
        // A duplicate key means an earlier attempt was accepted: follow that job (R74).
        if (error instanceof NetSuiteApiError && error.errorCode === 'IDEMPOTENCY_ERROR' && error.location) {
          jobLocation = error.location;
        } else {
          throw error;
        }
      }
      if (!jobLocation) {
        throw new RecordClientError(
          'ERR_RECORD_INVALID_RESPONSE',
          'netsuite accepted an async job without a Location',
        );
      }
      return await pollJob(jobLocation, idempotencyKey, o);
    },
  };
}
