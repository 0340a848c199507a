import { RecordClientError } from './errors.js';

/** One page of a NetSuite collection or SuiteQL result. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly hasMore: boolean;
  readonly totalResults: number | undefined;
  /**
   * How many rows NetSuite listed on the page, when `items` may hold fewer (an expanded list leaves out records
   * deleted before they were read): paging goes on while a page listed any. @default items.length
   */
  readonly listed?: number | undefined;
}

/** Options of {@link pagedIterable}. */
export interface PagingOptions<T> {
  readonly pageSize: number;
  /** Pages fetched ahead of the consumer (each holds a concurrency permit while in flight). */
  readonly prefetch: number;
  /** The most rows NetSuite will page to (100,000, or fewer with a small page size). */
  readonly cap: number;
  readonly fetchPage: (offset: number, limit: number, signal: AbortSignal) => Promise<Page<T>>;
  readonly signal?: AbortSignal | undefined;
  readonly what: string;
}

/** NetSuite pages at most 1000 rows at a time and stops at 1000 pages and 100,000 rows. */
export const MAX_PAGE_SIZE = 1000;
export const RESULT_CAP = 100_000;

/** The most rows reachable by offset paging with `pageSize`. */
export function resultCap(pageSize: number): number {
  return Math.min(RESULT_CAP, pageSize * 1000);
}

/** Checks a page size option. */
export function checkPageSize(value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_PAGE_SIZE) {
    throw new RecordClientError('ERR_RECORD_INVALID_ARGUMENT', 'pageSize must be an integer from 1 to 1000');
  }
  return value;
}

/** Checks a prefetch option. */
export function checkPrefetch(value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 16) {
    throw new RecordClientError('ERR_RECORD_INVALID_ARGUMENT', 'prefetch must be an integer from 0 to 16');
  }
  return value;
}

/**
 * The rows of an offset-paged result (`client.suiteql`, `client.records.list`). `total` is NetSuite's
 * `totalResults` as soon as the first page has arrived (before its first row is yielded): a progress display can
 * show a total and an ETA. It is `undefined` before that, and when NetSuite leaves the count out.
 *
 * @example
 * const rows = client.suiteql('SELECT id FROM customer');
 * for await (const row of rows) progress(count++, rows.total);
 * @see https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_157909186990.html
 */
export interface PagedRows<T> extends AsyncIterable<T> {
  readonly total: number | undefined;
}

/**
 * Streams the rows of an offset-paged NetSuite result. At most `prefetch + 1` pages are held at once,
 * so memory stays constant however many rows there are. Breaking out of the loop aborts prefetched pages.
 */
export function pagedIterable<T>(options: PagingOptions<T>): PagedRows<T> {
  let total: number | undefined;
  return {
    [Symbol.asyncIterator]() {
      return iterate(options, (t) => {
        total = t;
      })[Symbol.asyncIterator]();
    },
    get total() {
      return total;
    },
  };
}

async function* iterate<T>(
  options: PagingOptions<T>,
  onTotal: (total: number | undefined) => void,
): AsyncGenerator<T, void, undefined> {
  const { pageSize, prefetch, cap, fetchPage } = options;
  const controller = new AbortController();
  const onAbort = () => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) {
    throw new RecordClientError('ERR_RECORD_ABORTED', `${options.what} aborted by the caller`, {
      cause: options.signal.reason,
    });
  }
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const pending: { offset: number; page: Promise<Page<T>> }[] = [];
  const start = (offset: number) => {
    const page = fetchPage(offset, pageSize, controller.signal);
    // Awaited in order below; this keeps a rejection of a page not yet awaited from going unhandled.
    page.catch(() => {});
    pending.push({ offset, page });
  };
  const capError = () =>
    new RecordClientError(
      'ERR_RECORD_RESULT_CAP',
      `${options.what} has more than ${cap} rows, netsuite's paging cap: page by key (suiteqlByKey) or narrow the query`,
    );
  try {
    const first = await fetchPage(0, pageSize, controller.signal);
    let delivered = first.listed ?? first.items.length;
    const total = first.totalResults;
    onTotal(total);
    yield* first.items;
    // A result larger than the cap ends at the cap (NetSuite may say hasMore: false there): never truncate silently.
    const ended = () => {
      if (total !== undefined && total > delivered && delivered >= cap) throw capError();
    };
    if (!first.hasMore || (first.listed ?? first.items.length) === 0) return ended();
    let nextOffset = pageSize;
    // Without a total the next page is known only from hasMore: fetch one at a time.
    const ahead = total === undefined ? 0 : prefetch;
    const limit = total === undefined ? Number.POSITIVE_INFINITY : Math.min(total, cap);
    for (;;) {
      while (pending.length <= ahead && nextOffset < limit && nextOffset < cap) {
        start(nextOffset);
        nextOffset += pageSize;
      }
      const head = pending.shift();
      if (!head) {
        if (nextOffset >= cap && (total === undefined || total > cap)) throw capError();
        return;
      }
      const page = await head.page;
      delivered += page.listed ?? page.items.length;
      yield* page.items;
      if (!page.hasMore || (page.listed ?? page.items.length) === 0) return ended();
    }
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    if (pending.length > 0) {
      controller.abort();
      await Promise.allSettled(pending.map((p) => p.page));
    }
  }
}
