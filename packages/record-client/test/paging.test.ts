import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetSuiteClient, type NetSuiteClient } from '../src/index.js';
import { pagedIterable } from '../src/paging.js';
import { countPlaceholders } from '../src/suiteql.js';
import { type MockNetSuite, type MockRequest, startMockNetSuite } from './helpers/mock-netsuite.js';

const TOKEN = 'tok-CANARY-paging-0123456789';
let mock: MockNetSuite;
let client: NetSuiteClient;
let total = 2345;
let inFlight = 0;
let maxInFlight = 0;

function page(req: MockRequest, rows: number, makeRow: (i: number) => Record<string, unknown>) {
  const limit = Number(req.url.searchParams.get('limit') ?? 1000);
  const offset = Number(req.url.searchParams.get('offset') ?? 0);
  if (offset % limit !== 0) return { status: 400, body: { 'o:errorCode': 'INVALID_PARAMETER' } };
  if (offset >= 100_000) return { status: 404, body: { 'o:errorCode': 'NONEXISTENT_OFFSET' } };
  const count = Math.max(0, Math.min(limit, rows - offset));
  const items = Array.from({ length: count }, (_, i) => makeRow(offset + i));
  return {
    status: 200,
    body: { links: [], count, offset, hasMore: offset + count < rows, totalResults: rows, items },
  };
}

beforeAll(async () => {
  mock = await startMockNetSuite(async (req) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      await new Promise((r) => setTimeout(r, 2));
      if (req.url.pathname === '/services/rest/query/v1/suiteql') {
        const body = JSON.parse(req.body) as { q: string; params?: string[] };
        if (body.q.includes('BADORDER')) {
          return { status: 200, body: { items: [{ id: '5' }, { id: '3' }], hasMore: false } };
        }
        if (body.q.includes('WHERE id > ?')) {
          // Keyset paging: rows with id > the last param, ordered by id; ids are 1..total (with gaps).
          const after = Number(body.params?.at(-1));
          const limit = Number(req.url.searchParams.get('limit'));
          const ids: number[] = [];
          for (let id = Math.max(1, Math.floor(after) + 1); id <= total * 2 && ids.length < limit; id++) {
            if (id % 2 === 0) ids.push(id);
          }
          const hasMore = ids.length === limit && (ids.at(-1) ?? 0) < total * 2;
          return {
            status: 200,
            body: {
              items: ids.map((id) => ({ links: [], id: String(id) })),
              hasMore,
              count: ids.length,
              offset: 0,
            },
          };
        }
        return page(req, total, (i) => ({ links: [], id: String(i), n: String(i) }));
      }
      if (req.url.pathname === '/services/rest/record/v1/customer') {
        return page(req, total, (i) => ({ links: [{ rel: 'self', href: `x/${i}` }], id: String(i) }));
      }
      return { status: 404, body: {} };
    } finally {
      inFlight--;
    }
  });
  client = createNetSuiteClient({
    accountId: '1',
    origin: mock.origin,
    allowInsecureLoopback: true,
    token: async () => TOKEN,
    concurrency: 5,
  });
});
afterAll(() => mock.close());

describe('suiteql', () => {
  it('streams every row in order with Prefer: transient, limit/offset and params bound', async () => {
    total = 2345;
    const start = mock.requests.length;
    const rows: string[] = [];
    for await (const row of client.suiteql('SELECT id, n FROM customer WHERE email = ? AND x = ?', {
      params: ['a@b.c', 7],
      pageSize: 100,
    })) {
      rows.push(row.id as string);
      expect(row).not.toHaveProperty('links');
    }
    expect(rows).toHaveLength(2345);
    expect(rows.every((id, i) => id === String(i))).toBe(true);
    const sent = mock.requests.slice(start);
    expect(sent).toHaveLength(24);
    expect(sent[0]!.headers.prefer).toBe('transient');
    expect(JSON.parse(sent[0]!.body)).toEqual({
      q: 'SELECT id, n FROM customer WHERE email = ? AND x = ?',
      params: ['a@b.c', '7'],
    });
    expect(sent.map((r) => Number(r.url.searchParams.get('offset'))).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 24 }, (_, i) => i * 100),
    );
  });

  it('rows.total is totalResults from the first row on (undefined before), for suiteql and records.list', async () => {
    total = 2345;
    const rows = client.suiteql('SELECT id FROM customer', { pageSize: 100 });
    expect(rows.total).toBeUndefined();
    const seen: (number | undefined)[] = [];
    for await (const _ of rows) {
      seen.push(rows.total);
      if (seen.length === 150) break;
    }
    expect(new Set(seen)).toEqual(new Set([2345]));
    const ids = client.records.list('customer', { pageSize: 100 });
    for await (const _ of ids) {
      expect(ids.total).toBe(2345);
      break;
    }
  });

  it('prefetches ahead but no more than prefetch + 1 pages at once', async () => {
    total = 5000;
    maxInFlight = 0;
    let n = 0;
    for await (const _ of client.suiteql('SELECT id FROM customer', { pageSize: 100, prefetch: 3 })) n++;
    expect(n).toBe(5000);
    expect(maxInFlight).toBeGreaterThan(1);
    expect(maxInFlight).toBeLessThanOrEqual(4);
  });

  it('breaking out early stops fetching', async () => {
    total = 10_000;
    const start = mock.requests.length;
    let n = 0;
    for await (const _ of client.suiteql('SELECT id FROM customer', { pageSize: 100, prefetch: 2 })) {
      if (++n === 150) break;
    }
    await new Promise((r) => setTimeout(r, 20));
    expect(mock.requests.length - start).toBeLessThanOrEqual(4);
  });

  it('past 100,000 rows: ERR_RECORD_RESULT_CAP after the last reachable row, never a silent truncation', async () => {
    total = 100_500;
    let n = 0;
    const error = await (async () => {
      for await (const _ of client.suiteql('SELECT id FROM customer', { prefetch: 4 })) n++;
    })().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_RECORD_RESULT_CAP' });
    expect(n).toBe(100_000);
  });

  it('refuses bad queries and params before sending', () => {
    expect(() => client.suiteql('')).toThrow(
      expect.objectContaining({ code: 'ERR_RECORD_INVALID_ARGUMENT' }),
    );
    expect(() => client.suiteql('SELECT ? FROM x', { params: [] })).toThrow(/placeholder/);
    expect(() => client.suiteql('SELECT id FROM x', { params: ['a'] })).toThrow(/placeholder/);
    expect(() => client.suiteql('SELECT ? FROM x', { params: [null as never] })).toThrow(/params\[0\]/);
    expect(() => client.suiteql('SELECT ? FROM x', { params: [Number.NaN] })).toThrow(/params\[0\]/);
    expect(() => client.suiteql('SELECT ? FROM x', { params: 'a' as never })).toThrow(/params must/);
    expect(() => client.suiteql('SELECT id FROM x', { pageSize: 0 })).toThrow(/pageSize/);
    expect(() => client.suiteql('SELECT id FROM x', { pageSize: 1001 })).toThrow(/pageSize/);
  });

  it('counts placeholders outside literals, quoted names and comments', () => {
    expect(countPlaceholders(`SELECT '?', "a?" FROM t WHERE a = ? -- ?\n AND b = ? /* ? */`)).toBe(2);
    expect(countPlaceholders("SELECT 'it''s ?' FROM t WHERE x = ?")).toBe(1);
  });
});

describe('suiteqlByKey', () => {
  it('pages past the cap by key: every row once, in order', async () => {
    total = 2600;
    const seen: number[] = [];
    for await (const row of client.suiteqlByKey('SELECT id FROM customer WHERE id > ? ORDER BY id ASC', {
      key: 'id',
      pageSize: 1000,
    })) {
      seen.push(Number(row.id));
    }
    expect(seen).toHaveLength(2600);
    expect(seen[0]).toBe(2);
    expect(seen.at(-1)).toBe(5200);
    expect(seen.every((v, i) => i === 0 || v > seen[i - 1]!)).toBe(true);
  });

  it('refuses a query without a key placeholder and rows that do not increase', async () => {
    expect(() => client.suiteqlByKey('SELECT id FROM customer', { key: 'id' })).toThrow(/last \?/);
    expect(() => client.suiteqlByKey('SELECT id FROM customer WHERE id > ?', { key: 'id; drop' })).toThrow(
      /key/,
    );
    expect(() => client.suiteqlByKey('SELECT id FROM customer WHERE id > ?', undefined as never)).toThrow(
      /key/,
    );
    total = 10;
    const error = await (async () => {
      for await (const _ of client.suiteqlByKey('SELECT id FROM customer WHERE id > ?', {
        key: 'id',
        after: 1e9,
      }))
        void 0;
    })().catch((e: unknown) => e);
    expect(error).toBeUndefined();
    const noColumn = await (async () => {
      for await (const _ of client.suiteqlByKey('SELECT id FROM customer WHERE id > ?', { key: 'other' }))
        void 0;
    })().catch((e: unknown) => e);
    expect(noColumn).toMatchObject({ code: 'ERR_RECORD_INVALID_RESPONSE' });
    const unordered = await (async () => {
      for await (const _ of client.suiteqlByKey('SELECT id FROM BADORDER WHERE id > ?', { key: 'id' }))
        void 0;
    })().catch((e: unknown) => e);
    expect(unordered).toMatchObject({ code: 'ERR_RECORD_INVALID_ARGUMENT' });
  });
});

describe('records.list', () => {
  it('streams ids and links of a collection', async () => {
    total = 1234;
    const ids: string[] = [];
    for await (const item of client.records.list('customer', { pageSize: 500, q: 'email START_WITH "a"' })) {
      ids.push(item.id);
      expect(item.links[0]?.rel).toBe('self');
    }
    expect(ids).toHaveLength(1234);
    expect(mock.requests.at(-1)?.url.searchParams.get('q')).toBe('email START_WITH "a"');
  });
});

describe('pagedIterable', () => {
  it('pages on past a page whose listed rows all vanished before they were read (an expanded list)', async () => {
    const pages = [
      { items: ['a', 'b'], hasMore: true, totalResults: 5 },
      { items: [], listed: 2, hasMore: true, totalResults: 5 },
      { items: ['e'], hasMore: false, totalResults: 5 },
    ];
    const rows = pagedIterable<string>({
      pageSize: 2,
      prefetch: 0,
      cap: 2000,
      what: 'test list',
      fetchPage: async (offset) => pages[offset / 2] as (typeof pages)[number],
    });
    const seen: string[] = [];
    for await (const row of rows) seen.push(row);
    expect(seen).toEqual(['a', 'b', 'e']);
  });
});
