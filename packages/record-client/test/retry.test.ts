import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createNetSuiteClient, createRetryBudget, NetSuiteApiError } from '../src/index.js';
import { CONCURRENCY_429, type MockNetSuite, restError, startMockNetSuite } from './helpers/mock-netsuite.js';

const TOKEN = 'tok-CANARY-retry-0123456789abcdef';
let mock: MockNetSuite;

beforeAll(async () => {
  mock = await startMockNetSuite(() => ({ status: 200, body: {} }));
});
afterAll(() => mock.close());
afterEach(() => {
  vi.useRealTimers();
});

function client(extra: Partial<Parameters<typeof createNetSuiteClient>[0]> = {}) {
  return createNetSuiteClient({
    accountId: '1234567_SB1',
    origin: mock.origin,
    allowInsecureLoopback: true,
    token: async () => TOKEN,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    ...extra,
  });
}

function sequence(...answers: Parameters<typeof startMockNetSuite>[0][]) {
  const start = mock.requests.length;
  mock.handler = (req, index) => {
    const handler = answers[Math.min(index - start, answers.length - 1)]!;
    return handler(req, index);
  };
  return () => mock.requests.slice(start);
}

const ok = () => ({ status: 200, body: { id: '1' } });

describe('retries (R70-R72, G19)', () => {
  it.each([429, 502, 503, 504])('retries a GET on %i and succeeds', async (status) => {
    const sent = sequence(
      () => restError(status, 'X', 'x'),
      () => restError(status, 'X', 'x'),
      ok,
    );
    await expect(client().records.get('customer', 1)).resolves.toMatchObject({ id: '1' });
    expect(sent()).toHaveLength(3);
  });

  it('retries a network error (socket destroyed) on GET', async () => {
    const sent = sequence(() => ({ status: 200, destroy: true }), ok);
    await expect(client().records.get('customer', 1)).resolves.toMatchObject({ id: '1' });
    expect(sent()).toHaveLength(2);
  });

  it('does not retry 500, 400 or 404', async () => {
    for (const status of [500, 400, 404]) {
      const sent = sequence(() => restError(status, 'X', 'x'), ok);
      await expect(client().records.get('customer', 1)).rejects.toMatchObject({ status });
      expect(sent()).toHaveLength(1);
    }
  });

  it('never replays a POST without an idempotency key: 0 duplicate bodies', async () => {
    for (const [answer, error] of [
      [() => restError(503, 'X', 'x'), { code: 'ERR_RECORD_API', status: 503 }],
      [() => ({ status: 200, destroy: true }), { code: 'ERR_RECORD_NETWORK' }],
      [() => CONCURRENCY_429, { code: 'ERR_RECORD_API', status: 429 }],
    ] as const) {
      const sent = sequence(answer, () => ({
        status: 204,
        headers: { location: '/services/rest/record/v1/customer/5' },
      }));
      // The first answer's own error: not a later one from a replay.
      await expect(client().records.create('customer', { companyName: 'once' })).rejects.toMatchObject(error);
      expect(sent()).toHaveLength(1);
    }
    // PATCH and transform are POST-like too.
    const sent = sequence(
      () => restError(503, 'X', 'x'),
      () => ({ status: 204 }),
    );
    await expect(client().records.update('customer', 1, { a: 1 })).rejects.toMatchObject({ status: 503 });
    expect(sent()).toHaveLength(1);
  });

  it('retryRejectedWrites replays a POST only when NetSuite blocked it for concurrency', async () => {
    const c = client({ retry: { baseDelayMs: 1, retryRejectedWrites: true } });
    let sent = sequence(
      () => CONCURRENCY_429,
      () => ({ status: 204, headers: { location: '/services/rest/record/v1/customer/5' } }),
    );
    await expect(c.records.create('customer', { companyName: 'x' })).resolves.toMatchObject({ id: '5' });
    expect(sent()).toHaveLength(2);
    sent = sequence(
      () => restError(503, 'X', 'x'),
      () => ({ status: 204 }),
    );
    await expect(c.records.create('customer', { companyName: 'x' })).rejects.toMatchObject({ status: 503 });
    expect(sent()).toHaveLength(1);
  });

  it('SuiteQL (a read sent as POST) is retried', async () => {
    const sent = sequence(
      () => CONCURRENCY_429,
      () => ({ status: 200, body: { items: [{ links: [], id: '1' }], hasMore: false, totalResults: 1 } }),
    );
    const rows = [];
    for await (const row of client().suiteql('SELECT id FROM customer')) rows.push(row);
    expect(rows).toEqual([{ id: '1' }]);
    expect(sent()).toHaveLength(2);
  });

  it('RESTlet SSS_REQUEST_LIMIT_EXCEEDED (400) is retried for GET', async () => {
    const sent = sequence(
      () => ({ status: 400, body: { error: { code: 'SSS_REQUEST_LIMIT_EXCEEDED', message: 'limit' } } }),
      () => ({ status: 200, body: { ok: true } }),
    );
    await expect(client().restlet({ script: 'customscript_a', deploy: 'customdeploy_a' })).resolves.toEqual({
      ok: true,
    });
    expect(sent()).toHaveLength(2);
  });

  it('attempts are at most limit + 1', async () => {
    const sent = sequence(() => restError(503, 'X', 'x'));
    const error = await client({ retry: { limit: 3, baseDelayMs: 1 } })
      .records.get('customer', 1)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetSuiteApiError);
    expect((error as NetSuiteApiError).attempts).toBe(4);
    expect(sent()).toHaveLength(4);
  });

  it('a retry budget stops retries after capacity / cost in a burst (500 / 5 = 100)', async () => {
    const sent = sequence(() => restError(503, 'X', 'x'));
    const budget = createRetryBudget();
    const c = client({
      retry: { limit: 10, baseDelayMs: 0, budget },
      concurrency: 50,
      circuitBreaker: false,
    });
    await Promise.allSettled(Array.from({ length: 50 }, () => c.records.get('customer', 1)));
    // 50 first attempts + at most 100 retries.
    expect(sent().length).toBeLessThanOrEqual(150);
    expect(sent().length).toBeGreaterThan(50);
    expect(budget.available).toBeLessThan(5);
  });

  it('a retry budget refills on success', () => {
    const budget = createRetryBudget({ capacity: 10, retryCost: 5, successRefund: 1 });
    expect(budget.tryAcquire('retry')).toBe(true);
    expect(budget.tryAcquire('timeout')).toBe(false);
    budget.recordSuccess();
    expect(budget.available).toBe(6);
    expect(() => createRetryBudget({ capacity: -1 })).toThrow(
      expect.objectContaining({ code: 'ERR_RECORD_INVALID_OPTION' }),
    );
  });

  it('429 Retry-After: 3 → the next attempt comes no sooner than 3000 ms (fake timers)', async () => {
    vi.useFakeTimers();
    const calls: number[] = [];
    const c = createNetSuiteClient({
      accountId: '1',
      origin: 'https://ns.example',
      token: async () => TOKEN,
      fetch: async () => {
        calls.push(Date.now());
        if (calls.length === 1) {
          return new Response(JSON.stringify(CONCURRENCY_429.body), {
            status: 429,
            headers: { 'retry-after': '3', 'content-type': 'application/json' },
          });
        }
        return new Response('{"id":"1"}', { status: 200, headers: { 'content-type': 'application/json' } });
      },
    });
    const result = c.records.get('customer', 1);
    await vi.advanceTimersByTimeAsync(2999);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await expect(result).resolves.toEqual({ id: '1' });
    expect(calls).toHaveLength(2);
    expect(calls[1]! - calls[0]!).toBeGreaterThanOrEqual(3000);
  });

  it('Retry-After as an HTTP date, and one beyond maxRetryAfterMs ends the retries', async () => {
    vi.useFakeTimers();
    vi.setSystemTime(Date.parse('2026-01-01T00:00:00Z'));
    const calls: number[] = [];
    const makeFetch = (retryAfter: string) => async () => {
      calls.push(Date.now());
      return calls.length % 2 === 1
        ? new Response('{}', { status: 503, headers: { 'retry-after': retryAfter } })
        : new Response('{"id":"1"}', { status: 200, headers: { 'content-type': 'application/json' } });
    };
    const base = { accountId: '1', origin: 'https://ns.example', token: async () => TOKEN };
    const dated = createNetSuiteClient({ ...base, fetch: makeFetch('Thu, 01 Jan 2026 00:00:02 GMT') });
    const p = dated.records.get('customer', 1);
    await vi.advanceTimersByTimeAsync(1999);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await expect(p).resolves.toEqual({ id: '1' });

    calls.length = 0;
    const capped = createNetSuiteClient({
      ...base,
      fetch: makeFetch('3600'),
      retry: { maxRetryAfterMs: 10_000 },
    });
    await expect(capped.records.get('customer', 1)).rejects.toMatchObject({
      status: 503,
      retryAfterMs: 3_600_000,
    });
    expect(calls).toHaveLength(1);
  });

  it('backoff is full jitter, exponential and capped', async () => {
    vi.useFakeTimers();
    const calls: number[] = [];
    const c = createNetSuiteClient({
      accountId: '1',
      origin: 'https://ns.example',
      token: async () => TOKEN,
      retry: { limit: 5, baseDelayMs: 100, maxDelayMs: 800, random: () => 0.999 },
      circuitBreaker: false,
      fetch: async () => {
        calls.push(Date.now());
        return new Response('{}', { status: 503 });
      },
    });
    const p = c.records.get('customer', 1).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10_000);
    await p;
    const gaps = calls.slice(1).map((t, i) => t - calls[i]!);
    expect(gaps).toEqual([99, 199, 399, 799, 799]);
  });
});

describe('401 (R47)', () => {
  it('one invalidate, one refresh, one replay', async () => {
    const invalidated: string[] = [];
    let n = 0;
    const source = {
      getAccessToken: async () => `tok-401-generation-${n}`,
      invalidate: async (t: string) => {
        invalidated.push(t);
        n++;
      },
    };
    const sent = sequence(() => restError(401, 'INVALID_LOGIN', 'Invalid login attempt.'), ok);
    await expect(client({ token: source }).records.get('customer', 1)).resolves.toMatchObject({ id: '1' });
    expect(invalidated).toEqual(['tok-401-generation-0']);
    expect(sent().map((r) => r.headers.authorization)).toEqual([
      'Bearer tok-401-generation-0',
      'Bearer tok-401-generation-1',
    ]);
  });

  it('401 twice → exactly 1 refresh, 2 calls, then a typed error — also for POST', async () => {
    let invalidations = 0;
    const source = { getAccessToken: async () => TOKEN, invalidate: async () => void invalidations++ };
    const sent = sequence(() => restError(401, 'INVALID_LOGIN', 'Invalid login attempt.'));
    await expect(client({ token: source }).records.create('customer', { a: 1 })).rejects.toMatchObject({
      status: 401,
      errorCode: 'INVALID_LOGIN',
    });
    expect(invalidations).toBe(1);
    expect(sent()).toHaveLength(2);
  });

  it('a failing invalidate is ERR_RECORD_TOKEN', async () => {
    sequence(() => restError(401, 'INVALID_LOGIN', 'x'));
    const source = {
      getAccessToken: async () => TOKEN,
      invalidate: async () => Promise.reject(new Error('x')),
    };
    await expect(client({ token: source }).records.get('customer', 1)).rejects.toMatchObject({
      code: 'ERR_RECORD_TOKEN',
    });
  });
});
