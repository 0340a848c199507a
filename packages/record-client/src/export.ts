import { setMaxListeners } from 'node:events';
import { RecordClientError } from './errors.js';
import type { LocalConcurrencyLimiter } from './limiter.js';
import { OrderedWork } from './ordered.js';
import { checkPageSize } from './paging.js';
import { recordTypeTable } from './record-tables.js';
import {
  checkParams,
  countPlaceholders,
  fetchPage,
  type SuiteQLPage,
  type SuiteQLParam,
  type SuiteQLRow,
} from './suiteql.js';
import type { Transport } from './transport.js';
import { checkSignal } from './validate.js';

/**
 * Options of `client.exportRows`.
 *
 * @example
 * client.exportRows({ from: 'customer', columns: ['id', 'companyname', 'email'], where: 'isinactive = ?', params: ['F'] })
 * client.exportRows({ recordType: 'salesOrder', columns: ['id', 'tranid', 'entity'] })
 */
export interface ExportRowsOptions {
  /** The SuiteQL table, e.g. `customer`, `transaction`, `item` (or give `recordType`). */
  readonly from?: string | undefined;
  /**
   * A REST record type instead of a table, e.g. `salesOrder`: read from its SuiteQL table, limited to the type
   * (`transaction` with `type = 'SalesOrd'`) as {@link recordTypeTable} maps it.
   */
  readonly recordType?: string | undefined;
  /** Columns to read; the key column is added when missing. @default ['*'] */
  readonly columns?: readonly string[] | undefined;
  /** A SuiteQL condition (`?` placeholders bound from `params`), e.g. `lastmodifieddate >= TO_DATE(?, 'YYYY-MM-DD')`. */
  readonly where?: string | undefined;
  /** Values for the `?` placeholders of `where`. */
  readonly params?: readonly SuiteQLParam[] | undefined;
  /** The integer key the rows are ordered and split by. @default 'id' */
  readonly key?: string | undefined;
  /** Rows per request, 1–1000. @default 1000 */
  readonly pageSize?: number | undefined;
  /** Requests in flight. @default the client's concurrency limit (4 with a shared limiter or none) */
  readonly concurrency?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

/**
 * The rows of an export, in key order; `total` is known after the first request.
 *
 * @example
 * const rows = client.exportRows({ from: 'customer' });
 * for await (const row of rows) write(row, rows.total);
 */
export interface ExportRun<Row extends SuiteQLRow = SuiteQLRow> extends AsyncIterable<Row> {
  /** Rows matching when the export started (NetSuite's count); undefined until it is known. */
  readonly total: number | undefined;
  /** Requests sent so far (the count, then one per page). */
  readonly requests: number;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const COLUMN = /^[A-Za-z_][A-Za-z0-9_.]{0,127}$/;
const INTEGER = /^-?\d{1,15}$/;

function bad(message: string): RecordClientError {
  return new RecordClientError('ERR_RECORD_INVALID_ARGUMENT', message);
}

interface Page {
  readonly rows: SuiteQLRow[];
  /** The page was full: the range has more rows after `last`. */
  readonly more: boolean;
  readonly last: number;
  /** Rows in the whole range queried (NetSuite's `totalResults`). */
  readonly total: number | undefined;
  /** Width of the key range asked for; 0 for a continuation. */
  readonly width: number;
}

/**
 * Builds `client.exportRows`: a parallel keyset reader over SuiteQL. It counts the rows and finds the key range
 * (one request), splits the range into pieces sized to hold about one page each (re-estimating as it goes), keeps
 * `concurrency` pieces in flight, follows a full piece with keyset paging (`key > last`), and hands the rows out
 * in key order; at most `4 × concurrency + 1` pages are held at once (2 × concurrency pieces read ahead, a
 * continuation each, the page being handed out), whatever the row count. Past NetSuite's
 * 100,000-row cap like `suiteqlByKey`, but with every slot busy.
 */
export function createExport(transport: Transport, suiteqlUrl: string, limiter: unknown) {
  return function exportRows<Row extends SuiteQLRow = SuiteQLRow>(
    options: ExportRowsOptions,
  ): ExportRun<Row> {
    if (options === null || typeof options !== 'object')
      throw bad('options with a table (from) or a recordType are required');
    if ((options.from === undefined) === (options.recordType === undefined)) {
      throw bad('give either from (a SuiteQL table) or recordType, not both');
    }
    const source = options.recordType === undefined ? undefined : recordTypeTable(options.recordType);
    const from = source?.table ?? options.from;
    if (typeof from !== 'string' || !NAME.test(from)) throw bad('from must be a SuiteQL table name');
    const key = options.key ?? 'id';
    if (typeof key !== 'string' || !NAME.test(key)) throw bad('key must be a column name');
    const columns = options.columns ?? ['*'];
    if (
      !Array.isArray(columns) ||
      columns.length === 0 ||
      columns.some((c) => typeof c !== 'string' || (c !== '*' && !COLUMN.test(c)))
    ) {
      throw bad('columns must be a non-empty array of column names (or *)');
    }
    const asked = options.where;
    if (asked !== undefined && (typeof asked !== 'string' || asked.trim() === '' || asked.length > 10_000)) {
      throw bad('where must be a non-empty SuiteQL condition');
    }
    const askedParams = checkParams(options.params, asked === undefined ? 0 : countPlaceholders(asked));
    // A record type in a shared table: its code is bound, ahead of the caller's own condition and values.
    let where = asked;
    let params = askedParams;
    if (source?.column !== undefined && source.value !== undefined) {
      where = `${source.column} = ?${asked === undefined ? '' : ` AND (${asked})`}`;
      params = [source.value, ...askedParams];
    }
    const pageSize = checkPageSize(options.pageSize, 1000);
    const local = limiter as Partial<LocalConcurrencyLimiter> | undefined;
    const fallback = typeof local?.limit === 'number' ? local.limit : 4;
    const concurrency = options.concurrency ?? fallback;
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
      throw bad('concurrency must be an integer from 1 to 64');
    }
    const signal = checkSignal(options.signal);
    const lower = key.toLowerCase();
    const select =
      columns.includes('*') || columns.some((c) => c.toLowerCase() === lower) ? columns : [key, ...columns];
    const filter = where === undefined ? '' : `(${where}) AND `;
    const countQuery = `SELECT MIN(${key}) AS lo, MAX(${key}) AS hi, COUNT(*) AS n FROM ${from}${where === undefined ? '' : ` WHERE ${where}`}`;
    const rangeQuery = `SELECT ${select.join(', ')} FROM ${from} WHERE ${filter}${key} > ? AND ${key} <= ? ORDER BY ${key} ASC`;

    let total: number | undefined;
    let requests = 0;
    let started = false;

    const keyOf = (row: SuiteQLRow): number => {
      const value = row[lower] ?? row[key];
      const text = typeof value === 'number' ? String(value) : value;
      if (typeof text !== 'string' || !INTEGER.test(text)) {
        throw new RecordClientError(
          'ERR_RECORD_INVALID_RESPONSE',
          `suiteql rows have no integer ${lower} column`,
        );
      }
      return Number(text);
    };

    async function* iterate(): AsyncGenerator<Row, void, undefined> {
      const controller = new AbortController();
      // Each request in flight listens on this signal: at most the pieces and continuations read ahead, a bound
      // the default warning at 10 listeners knows nothing of.
      setMaxListeners(4 * concurrency + 8, controller.signal);
      const onAbort = () => controller.abort(signal?.reason);
      if (signal?.aborted) {
        throw new RecordClientError('ERR_RECORD_ABORTED', 'export aborted by the caller', {
          cause: signal.reason,
        });
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      const stop = controller.signal;
      let density = 0;
      const page = async (after: number, upTo: number): Promise<Page> => {
        requests++;
        const result: SuiteQLPage = await fetchPage(
          transport,
          suiteqlUrl,
          rangeQuery,
          [...params, String(after), String(upTo)],
          0,
          pageSize,
          stop,
        );
        let last = after;
        for (const row of result.items) {
          const k = keyOf(row);
          if (k <= last || k > upTo) {
            throw new RecordClientError(
              'ERR_RECORD_INVALID_RESPONSE',
              `suiteql rows are not strictly increasing in ${lower} within the range asked`,
            );
          }
          last = k;
        }
        const more =
          result.items.length >= pageSize && (result.hasMore || (result.totalResults ?? 0) > pageSize);
        return { rows: result.items, more, last, total: result.totalResults, width: 0 };
      };
      // Pieces are started as soon as a slot frees, not when the reader next pulls: a slot never waits for the
      // rows of the page before it to be handed out.
      let fill = (): void => {};
      const work = new OrderedWork<Page>(() => fill());
      // A piece of the key range; `width` 0 marks the continuation of a piece that filled its page.
      const launch = (after: number, upTo: number, width: number, at?: number): void => {
        work.start(async (slot) => {
          const value = await page(after, upTo);
          // The range held more than a page: read on from its last key, in order, right after this page.
          if (value.more) launch(value.last, upTo, 0, work.indexOf(slot) + 1);
          if (width > 0 && value.total !== undefined) {
            density = density * 0.5 + (value.total / width) * 0.5;
          }
          return { ...value, width };
        }, at);
      };
      try {
        // The count and the first page at once: the first page starts the stream without waiting for the count.
        requests++;
        const [counted, opening] = await Promise.allSettled([
          fetchPage(transport, suiteqlUrl, countQuery, params, 0, 1, stop),
          page(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
        ]);
        if (counted.status === 'rejected') throw counted.reason;
        if (opening.status === 'rejected') throw opening.reason;
        const row = counted.value.items[0] ?? {};
        const n = Number(row.n ?? 0);
        total = Number.isFinite(n) ? n : undefined;
        const first = opening.value;
        if (!total && first.rows.length === 0) return;
        const hi = typeof row.hi === 'string' && INTEGER.test(row.hi) ? Number(row.hi) : Number.NaN;
        const lo = typeof row.lo === 'string' && INTEGER.test(row.lo) ? Number(row.lo) : Number.NaN;
        if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi) || hi < lo || first.rows.length === 0) {
          throw new RecordClientError(
            'ERR_RECORD_INVALID_RESPONSE',
            `${from}.${lower} is not an integer key: export by key needs one`,
          );
        }
        work.start(async () => first);
        // Rows per key value, first over the whole range, then from what each piece held.
        density = (total ?? 0) / (hi - lo + 1);
        let cursor = first.more ? first.last : Math.max(hi, first.last);
        fill = () => {
          while (!stop.aborted && cursor < hi && work.running < concurrency && work.size < concurrency * 2) {
            const width = Math.max(1, Math.min(hi - cursor, Math.floor(pageSize / Math.max(density, 1e-9))));
            launch(cursor, cursor + width, width);
            cursor += width;
          }
        };
        for (;;) {
          fill();
          const step = await work.next(signal, 'export');
          if (step === 'empty') return;
          if (step === 'changed') continue;
          for (const r of step.value.rows) yield r as Row;
        }
      } finally {
        signal?.removeEventListener('abort', onAbort);
        controller.abort();
        await work.settle();
      }
    }

    return {
      get total() {
        return total;
      },
      get requests() {
        return requests;
      },
      [Symbol.asyncIterator]() {
        if (started) throw bad('an export can be iterated once; start another');
        started = true;
        return iterate();
      },
    };
  };
}
