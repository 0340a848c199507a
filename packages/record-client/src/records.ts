import { randomUUID } from 'node:crypto';
import { checkWait, idInLocation, isObject, readTasks, waitForJob } from './async-job.js';
import type { BatchApi } from './batch.js';
import { NetSuiteApiError, RecordClientError } from './errors.js';
import {
  checkPageSize,
  checkPrefetch,
  type Page,
  type PagedRows,
  pagedIterable,
  resultCap,
} from './paging.js';
import type {
  Link,
  NetSuiteRecord,
  RecordOf,
  RecordRead,
  RecordTypeName,
  RecordWrite,
} from './record-types.js';
import type { RequestSpec, Transport } from './transport.js';
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
  readonly signal?: AbortSignal | undefined;
  /** Per-attempt timeout for this call. */
  readonly timeoutMs?: number | undefined;
}

/**
 * Options of `records.get`.
 *
 * @example
 * await client.records.get('customer', '647', { fields: ['email'], expandSubResources: true })
 */
export interface GetRecordOptions extends CallOptions {
  /** Body fields to return (`fields=`); sublists cannot be picked. */
  readonly fields?: readonly string[] | undefined;
  /** Expand sublists and subrecords inline. @default false */
  readonly expandSubResources?: boolean | undefined;
  /** Enums as bare internal ids. @default false */
  readonly simpleEnumFormat?: boolean | undefined;
}

/**
 * Options of `records.list`.
 *
 * @example
 * client.records.list('customer', { q: 'email START_WITH "a"', pageSize: 500, prefetch: 1 })
 */
export interface ListRecordsOptions extends Omit<CallOptions, 'timeoutMs'> {
  /** A collection filter (`q=`), e.g. `email START_WITH "a"`; sent URL-encoded. */
  readonly q?: string | undefined;
  /** Rows per page, 1–1000. @default 1000 */
  readonly pageSize?: number | undefined;
  /** Pages fetched ahead of the consumer. @default 1 */
  readonly prefetch?: number | undefined;
}

/**
 * Options of `records.list(type, { expand: true })`: every page of ids is read in full with batch GET.
 *
 * @example
 * for await (const c of client.records.list('customer', { expand: true, q: 'isInactive IS false' })) console.log(c.companyName)
 */
export interface ExpandedListOptions extends ListRecordsOptions {
  /** Read every listed record in full (batch GET, `expandRecords=true`, up to 100 per request). */
  readonly expand: true;
  /** Batch chunks in flight per page. @default the client's concurrency limit (see `BatchOptions.concurrency`) */
  readonly concurrency?: number | undefined;
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
  readonly replace?: readonly string[] | undefined;
  /** With `replace`, clear only the named fields (`replaceSelectedFields=true`). */
  readonly replaceSelectedFields?: boolean | undefined;
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
  readonly idempotencyKey?: string | undefined;
  /** First wait between polls. @default 500 */
  readonly pollIntervalMs?: number | undefined;
  /** Longest wait between polls (the wait doubles up to it). @default 5000 */
  readonly maxPollIntervalMs?: number | undefined;
  /** Gives up waiting for the job after this long. @default 900000 (NetSuite's 15-minute request limit) */
  readonly waitTimeoutMs?: number | undefined;
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
export interface RecordsApi<R = unknown> {
  /**
   * Reads one record.
   * @example const c = await client.records.get('customer', '647', { fields: ['email'] });
   */
  get<T extends RecordTypeName<R>>(
    type: T,
    id: string | number,
    options?: GetRecordOptions,
  ): Promise<RecordRead<R, T>>;
  /**
   * Streams the ids of a record collection, page after page. NetSuite's collection GET lists only `{ id, links }`
   * per record, never its fields (section_1540810951); pass `{ expand: true }` for full records.
   * @example for await (const { id } of client.records.list('customer', { q: 'email START_WITH "a"' })) console.log(id);
   * @throws {RecordClientError} `ERR_RECORD_INVALID_ARGUMENT` for a bad option, `ERR_RECORD_RESULT_CAP` past 100,000 rows
   */
  list(
    type: RecordTypeName<R>,
    options?: ListRecordsOptions & { readonly expand?: false | undefined },
  ): PagedRows<RecordListItem>;
  /**
   * Streams the full records of a collection, typed by the record map (`RecordRead<R, T>`): each page of ids is
   * read with batch GET (`?ids=…&expandRecords=true`, article_0127092747) within the client's concurrency limit,
   * in list order. The collection GET itself documents no `expandRecords` (section_1540810951), so this costs one
   * list request per page plus one batch job per 100 records. A record deleted between the list and the read is
   * left out.
   * @example for await (const c of client.records.list('customer', { expand: true })) console.log(c.companyName);
   * @throws {BatchItemError} `ERR_RECORD_BATCH_ITEM` when a listed record cannot be read (other than deleted)
   */
  list<T extends RecordTypeName<R>>(type: T, options: ExpandedListOptions): PagedRows<RecordRead<R, T>>;
  /**
   * Creates a record; NetSuite answers 204 and the new id is read from `Location`.
   * @example const { id } = await client.records.create('customer', { companyName: 'Acme' });
   */
  create<T extends RecordTypeName<R>>(
    type: T,
    body: RecordWrite<R, T>,
    options?: CallOptions,
  ): Promise<WriteResult>;
  /**
   * Updates a record (PATCH: fields left out are unchanged, `null` clears a field).
   * @example await client.records.update('customer', '647', { email: 'new@example.com' });
   */
  update<T extends RecordTypeName<R>>(
    type: T,
    id: string | number,
    body: RecordWrite<R, T>,
    options?: UpdateRecordOptions,
  ): Promise<WriteResult>;
  /**
   * Creates or updates the record with this external id (PUT `…/{type}/eid:{externalId}`). Idempotent: retried.
   * @example await client.records.upsert('customer', 'CRM-42', { companyName: 'Acme' });
   */
  upsert<T extends RecordTypeName<R>>(
    type: T,
    externalId: string,
    body: RecordWrite<R, T>,
    options?: CallOptions,
  ): Promise<WriteResult>;
  /**
   * Deletes a record.
   * @example await client.records.delete('customer', '647');
   */
  delete(type: RecordTypeName<R>, id: string | number, options?: CallOptions): Promise<void>;
  /**
   * Transforms a record into another type (`POST …/{fromType}/{id}/!transform/{toType}`).
   * @example const { id } = await client.records.transform('salesOrder', '12', 'invoice');
   */
  transform<To extends RecordTypeName<R>>(
    fromType: RecordTypeName<R>,
    id: string | number,
    toType: To,
    body?: RecordWrite<R, To>,
    options?: CallOptions,
  ): Promise<WriteResult>;
  /**
   * Creates a record as an asynchronous job (`Prefer: respond-async` with an idempotency key), and polls it
   * to completion. Safe to retry: NetSuite deduplicates on the key.
   * @example const job = await client.records.createAsync('salesOrder', order, { idempotencyKey: orderUuid });
   */
  createAsync<T extends RecordTypeName<R>>(
    type: T,
    body: RecordWrite<R, T>,
    options?: AsyncJobOptions,
  ): Promise<AsyncJobResult>;
  /**
   * Updates a record as an asynchronous job (PATCH with `Prefer: respond-async`), polled to completion.
   * @example await client.records.updateAsync('customer', '647', { email: 'ap@acme.example' }, { idempotencyKey });
   */
  updateAsync<T extends RecordTypeName<R>>(
    type: T,
    id: string | number,
    body: RecordWrite<R, T>,
    options?: AsyncJobOptions & Pick<UpdateRecordOptions, 'replace' | 'replaceSelectedFields'>,
  ): Promise<AsyncJobResult>;
  /**
   * Upserts by external id as an asynchronous job (PUT `…/eid:{externalId}` with `Prefer: respond-async`).
   * @example await client.records.upsertAsync('customer', 'CRM-42', { companyName: 'Acme' });
   */
  upsertAsync<T extends RecordTypeName<R>>(
    type: T,
    externalId: string,
    body: RecordWrite<R, T>,
    options?: AsyncJobOptions,
  ): Promise<AsyncJobResult>;
  /**
   * Deletes a record as an asynchronous job (DELETE with `Prefer: respond-async`).
   * @example await client.records.deleteAsync('customer', '647');
   */
  deleteAsync(
    type: RecordTypeName<R>,
    id: string | number,
    options?: AsyncJobOptions,
  ): Promise<AsyncJobResult>;
}

interface RecordsContext {
  readonly transport: Transport;
  readonly recordUrl: string;
  readonly restOrigin: string;
  /** Reads records by id (batch GET), for `list(type, { expand: true })`. */
  readonly batch: Pick<BatchApi, 'get'>;
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

/** Builds the Record API on a transport. */
export function createRecordsApi(context: RecordsContext): RecordsApi {
  const { transport, recordUrl } = context;
  // Segments are validated to letters, digits, `_`, `-` and the `eid:` prefix, which NetSuite wants unencoded.
  const url = (...segments: string[]) => `${recordUrl}/${segments.join('/')}`;

  /**
   * Sends one request with `Prefer: respond-async` and an idempotency key, follows the job (or, for a key NetSuite
   * has seen, the earlier job it names: subsect_164494900632) and returns its task's result.
   */
  const runAsync = async (
    spec: Pick<RequestSpec, 'method' | 'url' | 'json' | 'query'>,
    options: Partial<AsyncJobOptions>,
    fallbackId: string | undefined,
  ): Promise<AsyncJobResult> => {
    const idempotencyKey = options.idempotencyKey ?? randomUUID();
    if (typeof idempotencyKey !== 'string' || !/^[A-Za-z0-9_-]{1,128}$/.test(idempotencyKey)) {
      throw new RecordClientError(
        'ERR_RECORD_INVALID_ARGUMENT',
        'idempotencyKey must be 1-128 letters, digits, _ or -',
      );
    }
    const signal = checkSignal(options.signal);
    const wait = checkWait(options);
    let jobLocation: string | null;
    try {
      const response = await transport.send({
        ...spec,
        idempotencyKey,
        headers: { prefer: 'respond-async' },
        signal,
      });
      jobLocation = response.headers.get('location');
    } catch (error) {
      // A duplicate key means an earlier attempt was accepted: follow that job (subsect_164494900632).
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
    const async = { transport, restOrigin: context.restOrigin };
    const job = await waitForJob(async, jobLocation, { ...wait, signal });
    const [task] = (await readTasks(async, job, signal)).results;
    if (!task) {
      throw new RecordClientError(
        'ERR_RECORD_INVALID_RESPONSE',
        `async job ${job.jobId} completed without a task`,
      );
    }
    if (task.error) {
      throw new RecordClientError('ERR_RECORD_ASYNC_JOB_FAILED', `async job ${job.jobId} failed`, {
        cause: new NetSuiteApiError({
          status: task.error.status,
          method: spec.method,
          path: new URL(spec.url).pathname,
          errorCode: task.error.errorCode,
          errorPath: task.error.errorPath,
          detail: task.error.detail,
          details: task.error.details,
        }),
      });
    }
    const body = task.body;
    const id =
      idInLocation(task.location) ?? (isObject(body) && typeof body.id === 'string' ? body.id : fallbackId);
    return { jobId: job.jobId, idempotencyKey, id, result: body };
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

    // One implementation behind list's two overloads (ids only, or full records).
    list: ((
      type: string,
      options?: ListRecordsOptions & {
        readonly expand?: boolean | undefined;
        readonly concurrency?: number | undefined;
      },
    ): PagedRows<RecordListItem> | PagedRows<NetSuiteRecord> => {
      const o = checkOptions(options);
      const recordType = checkRecordType(type);
      const pageSize = checkPageSize(o.pageSize, 1000);
      const prefetch = checkPrefetch(o.prefetch, 1);
      const signal = checkSignal(o.signal);
      if (o.q !== undefined && (typeof o.q !== 'string' || o.q.length === 0 || o.q.length > 10_000)) {
        throw new RecordClientError('ERR_RECORD_INVALID_ARGUMENT', 'q must be a non-empty filter string');
      }
      if (o.expand !== undefined && typeof o.expand !== 'boolean') {
        throw new RecordClientError('ERR_RECORD_INVALID_ARGUMENT', 'expand must be a boolean');
      }
      const expand = o.expand === true;
      if (
        o.concurrency !== undefined &&
        (!expand || !Number.isInteger(o.concurrency) || o.concurrency < 1 || o.concurrency > 1000)
      ) {
        throw new RecordClientError(
          'ERR_RECORD_INVALID_ARGUMENT',
          'concurrency must be an integer from 1 to 1000, with expand: true',
        );
      }
      const listPage = async (offset: number, limit: number, pageSignal: AbortSignal) => {
        const response = await transport.send({
          method: 'GET',
          url: url(recordType),
          query: { q: o.q, limit, offset },
          signal: pageSignal,
        });
        return readPage(response.body, 'record list', (item): RecordListItem => {
          const entry = isObject(item) ? item : {};
          return {
            id: String(entry.id ?? ''),
            links: Array.isArray(entry.links) ? (entry.links as Link[]) : [],
          };
        });
      };
      const paging = { pageSize, prefetch, cap: resultCap(pageSize), signal, what: `${recordType} list` };
      if (!expand) return pagedIterable<RecordListItem>({ ...paging, fetchPage: listPage });
      const concurrency = o.concurrency;
      return pagedIterable<NetSuiteRecord>({
        ...paging,
        fetchPage: async (offset, limit, pageSignal) => {
          const page = await listPage(offset, limit, pageSignal);
          const records: NetSuiteRecord[] = [];
          if (page.items.length > 0) {
            const run = context.batch.get(
              recordType,
              page.items.map((item) => item.id),
              { signal: pageSignal, ...(concurrency === undefined ? {} : { concurrency }) },
            );
            for await (const result of run) {
              if (result.ok) records.push(result.record ?? {});
              // Deleted between the list and the read: NetSuite's list a moment later would not show it either.
              else if (result.error.errorCode !== 'NONEXISTENT_ID') throw result.error;
            }
          }
          return {
            items: records,
            hasMore: page.hasMore,
            totalResults: page.totalResults,
            listed: page.items.length,
          };
        },
      });
    }) as RecordsApi['list'],

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
      const json = checkBody(body);
      return runAsync({ method: 'POST', url: url(checkRecordType(type)), json }, o, undefined);
    },

    async updateAsync(type, id, body, options) {
      const o = checkOptions(options);
      const recordId = checkRecordId(id);
      const json = checkBody(body);
      const replace = checkFieldList(o.replace, 'replace');
      return runAsync(
        {
          method: 'PATCH',
          url: url(checkRecordType(type), recordId),
          json,
          query: { replace, replaceSelectedFields: o.replaceSelectedFields === true ? 'true' : undefined },
        },
        o,
        recordId,
      );
    },

    async upsertAsync(type, externalId, body, options) {
      const o = checkOptions(options);
      const eid = `eid:${checkExternalId(externalId)}`;
      const json = checkBody(body);
      return runAsync({ method: 'PUT', url: url(checkRecordType(type), eid), json }, o, eid);
    },

    async deleteAsync(type, id, options) {
      const o = checkOptions(options);
      const recordId = checkRecordId(id);
      return runAsync({ method: 'DELETE', url: url(checkRecordType(type), recordId) }, o, recordId);
    },
  };
}
