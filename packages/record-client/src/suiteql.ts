import { RecordClientError } from './errors.js';
import { checkPageSize, checkPrefetch, type PagedRows, pagedIterable, resultCap } from './paging.js';
import type { Transport } from './transport.js';
import { checkOptions, checkSignal } from './validate.js';

/**
 * A value bound to a `?` placeholder. NetSuite receives every value as a string.
 *
 * @example
 * const params: SuiteQLParam[] = ['a@b.c', 42, true]
 */
export type SuiteQLParam = string | number | bigint | boolean;

/**
 * A SuiteQL row: lower-case column names or aliases, values as NetSuite sends them (strings).
 *
 * @example
 * for await (const row of client.suiteql<{ id: string }>('SELECT id FROM customer')) console.log(row.id)
 */
export type SuiteQLRow = Record<string, unknown>;

/**
 * Options of `client.suiteql`.
 *
 * @example
 * client.suiteql('SELECT id FROM customer WHERE email = ?', { params: ['a@b.c'], pageSize: 1000, prefetch: 2 })
 */
export interface SuiteQLOptions {
  /** Values for the query's `?` placeholders, in order (NetSuite 2026.2 `params`). */
  readonly params?: readonly SuiteQLParam[] | undefined;
  /** Rows per page, 1–1000. @default 1000 */
  readonly pageSize?: number | undefined;
  /** Pages fetched ahead of the consumer, within the concurrency budget. @default 2 */
  readonly prefetch?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

/**
 * Options of `client.suiteqlByKey`.
 *
 * @example
 * client.suiteqlByKey('SELECT id FROM transaction WHERE id > ? ORDER BY id ASC', { key: 'id', pageSize: 1000 })
 */
export interface SuiteQLByKeyOptions {
  /** The key column (as it is named in the rows: lower case or the alias). Its values must be strictly increasing. */
  readonly key: string;
  /** Values for the query's placeholders, in order, except the last one, which takes the key. */
  readonly params?: readonly SuiteQLParam[] | undefined;
  /** The key value to start after. @default '-9007199254740991' */
  readonly after?: string | number | undefined;
  /** Rows per request, 1–1000. @default 1000 */
  readonly pageSize?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** Counts `?` placeholders outside string literals, quoted identifiers and comments. */
export function countPlaceholders(query: string): number {
  let count = 0;
  let i = 0;
  while (i < query.length) {
    const c = query[i];
    if (c === "'" || c === '"') {
      const close = query.indexOf(c, i + 1);
      i = close === -1 ? query.length : close + 1;
      continue;
    }
    if (c === '-' && query[i + 1] === '-') {
      const end = query.indexOf('\n', i);
      i = end === -1 ? query.length : end + 1;
      continue;
    }
    if (c === '/' && query[i + 1] === '*') {
      const end = query.indexOf('*/', i + 2);
      i = end === -1 ? query.length : end + 2;
      continue;
    }
    if (c === '?') count++;
    i++;
  }
  return count;
}

export function checkQuery(query: unknown): string {
  if (typeof query !== 'string' || query.trim().length === 0 || query.length > 100_000) {
    throw new RecordClientError('ERR_RECORD_INVALID_ARGUMENT', 'query must be a non-empty SuiteQL string');
  }
  return query;
}

export function checkParams(params: unknown, expected: number): string[] {
  if (params === undefined) params = [];
  if (!Array.isArray(params)) {
    throw new RecordClientError('ERR_RECORD_INVALID_ARGUMENT', 'params must be an array');
  }
  const out = params.map((value, index) => {
    if (typeof value === 'string') return value;
    if (typeof value === 'bigint') return value.toString();
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    if (typeof value === 'boolean') return value ? 'T' : 'F';
    throw new RecordClientError(
      'ERR_RECORD_INVALID_ARGUMENT',
      `params[${index}] must be a string, finite number, bigint or boolean`,
    );
  });
  if (out.length !== expected) {
    throw new RecordClientError(
      'ERR_RECORD_INVALID_ARGUMENT',
      `query has ${expected} placeholder(s) but ${out.length} param(s) were given`,
    );
  }
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function toRow(item: unknown): SuiteQLRow {
  if (!isObject(item)) {
    throw new RecordClientError(
      'ERR_RECORD_INVALID_RESPONSE',
      'netsuite sent a suiteql row that is not an object',
    );
  }
  const { links: _links, ...row } = item;
  return row;
}

export interface SuiteQLPage {
  items: SuiteQLRow[];
  hasMore: boolean;
  totalResults: number | undefined;
}

/** Fetches one page of a SuiteQL query (`Prefer: transient`, replayable). */
export async function fetchPage(
  transport: Transport,
  suiteqlUrl: string,
  q: string,
  params: string[],
  offset: number,
  limit: number,
  signal: AbortSignal | undefined,
): Promise<SuiteQLPage> {
  const response = await transport.send({
    method: 'POST',
    url: suiteqlUrl,
    query: { limit, offset },
    headers: { prefer: 'transient' },
    json: params.length > 0 ? { q, params } : { q },
    // A query only reads: replaying it is safe.
    idempotent: true,
    signal,
  });
  const body = response.body;
  if (!isObject(body) || !Array.isArray(body.items)) {
    throw new RecordClientError('ERR_RECORD_INVALID_RESPONSE', 'netsuite sent a suiteql page without items');
  }
  return {
    items: body.items.map(toRow),
    hasMore: body.hasMore === true,
    totalResults: typeof body.totalResults === 'number' ? body.totalResults : undefined,
  };
}

/** Builds `client.suiteql`. */
export function createSuiteQL(transport: Transport, suiteqlUrl: string) {
  return function suiteql<Row extends SuiteQLRow = SuiteQLRow>(
    query: string,
    options?: SuiteQLOptions,
  ): PagedRows<Row> {
    const q = checkQuery(query);
    const o = checkOptions(options);
    const params = checkParams(o.params, countPlaceholders(q));
    const pageSize = checkPageSize(o.pageSize, 1000);
    const prefetch = checkPrefetch(o.prefetch, 2);
    const signal = checkSignal(o.signal);
    return pagedIterable<Row>({
      pageSize,
      prefetch,
      cap: resultCap(pageSize),
      signal,
      what: 'suiteql query',
      fetchPage: (offset, limit, pageSignal) =>
        fetchPage(transport, suiteqlUrl, q, params, offset, limit, pageSignal) as Promise<{
          items: Row[];
          hasMore: boolean;
          totalResults: number | undefined;
        }>,
    });
  };
}

function compareKeys(a: string, b: string): number {
  const numeric = /^-?\d+(\.\d+)?$/;
  if (numeric.test(a) && numeric.test(b)) return Number(a) - Number(b);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Builds `client.suiteqlByKey`. */
export function createSuiteQLByKey(transport: Transport, suiteqlUrl: string) {
  return function suiteqlByKey<Row extends SuiteQLRow = SuiteQLRow>(
    query: string,
    options: SuiteQLByKeyOptions,
  ): AsyncIterable<Row> {
    const q = checkQuery(query);
    if (options === null || typeof options !== 'object') {
      throw new RecordClientError('ERR_RECORD_INVALID_ARGUMENT', 'options with a key are required');
    }
    const key = options.key;
    if (typeof key !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(key)) {
      throw new RecordClientError('ERR_RECORD_INVALID_ARGUMENT', 'key must be a column name');
    }
    const placeholders = countPlaceholders(q);
    if (placeholders < 1) {
      throw new RecordClientError(
        'ERR_RECORD_INVALID_ARGUMENT',
        'query must end its WHERE clause with "<key> > ?" and ORDER BY <key> ASC; the last ? takes the key',
      );
    }
    const params = checkParams(options.params, placeholders - 1);
    const pageSize = checkPageSize(options.pageSize, 1000);
    const signal = checkSignal(options.signal);
    const after = options.after ?? '-9007199254740991';
    if (!(typeof after === 'string' || (typeof after === 'number' && Number.isFinite(after)))) {
      throw new RecordClientError('ERR_RECORD_INVALID_ARGUMENT', 'after must be a string or a finite number');
    }
    const column = key.toLowerCase();
    return {
      async *[Symbol.asyncIterator]() {
        let last = String(after);
        for (;;) {
          const page = await fetchPage(transport, suiteqlUrl, q, [...params, last], 0, pageSize, signal);
          for (const row of page.items) {
            const value = row[column] ?? row[key];
            if (value === undefined || value === null) {
              throw new RecordClientError(
                'ERR_RECORD_INVALID_RESPONSE',
                `suiteql rows have no ${column} column to page by`,
              );
            }
            const next = String(value);
            if (compareKeys(next, last) <= 0) {
              throw new RecordClientError(
                'ERR_RECORD_INVALID_ARGUMENT',
                `rows are not strictly increasing in ${column}: the query must filter "${column} > ?" and ORDER BY ${column} ASC`,
              );
            }
            last = next;
            yield row as Row;
          }
          if (page.items.length < pageSize || !page.hasMore) return;
        }
      },
    };
  };
}
