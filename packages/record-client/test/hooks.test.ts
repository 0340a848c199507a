import { inspect } from 'node:util';
import ky from 'ky';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetSuiteClient, type NetSuiteClientOptions, type RequestHooks } from '../src/index.js';
import { type MockNetSuite, restError, startMockNetSuite } from './helpers/mock-netsuite.js';

const TOKEN = 'tok-hooks-0123456789abcdef';
let mock: MockNetSuite;
let elsewhere: MockNetSuite;

beforeAll(async () => {
  [mock, elsewhere] = await Promise.all([
    startMockNetSuite(() => ({ status: 200, body: { id: '1' } })),
    startMockNetSuite(() => ({ status: 200, body: { id: 'stolen' } })),
  ]);
});
afterAll(() => Promise.all([mock.close(), elsewhere.close()]));

function client(hooks: RequestHooks, extra: Partial<NetSuiteClientOptions> = {}) {
  return createNetSuiteClient({
    accountId: '1234567_SB1',
    origin: mock.origin,
    allowInsecureLoopback: true,
    token: async () => TOKEN,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    hooks,
    ...extra,
  });
}

function answers(...list: Parameters<typeof startMockNetSuite>[0][]) {
  const start = mock.requests.length;
  mock.handler = (req, index) => list[Math.min(index - start, list.length - 1)]!(req, index);
  return () => mock.requests.slice(start);
}

describe('ky hooks (beforeRequest / afterResponse)', () => {
  it('beforeRequest sees the whole request and its header changes reach NetSuite, once per attempt', async () => {
    const sent = answers(
      () => restError(503, 'UNAVAILABLE', 'try again'),
      () => ({ status: 200, body: { id: '7' } }),
      () => ({ status: 204, headers: { location: `${mock.origin}/services/rest/record/v1/customer/8` } }),
    );
    const seen: { method: string; url: string; auth: string | null; body: string; attempt: unknown }[] = [];
    const c = client({
      beforeRequest: [
        async (request, options) => {
          seen.push({
            method: request.method,
            url: request.url,
            auth: request.headers.get('authorization'),
            body: await request.clone().text(),
            attempt: options.context.attempt,
          });
          request.headers.set('x-correlation-id', `attempt-${String(options.context.attempt)}`);
        },
      ],
    });
    await expect(c.records.get('customer', '7')).resolves.toEqual({ id: '7' });
    await expect(c.records.create('customer', { companyName: 'Hooked Co' })).resolves.toMatchObject({
      id: '8',
    });
    const recordUrl = `${mock.origin}/services/rest/record/v1/customer`;
    const auth = `Bearer ${TOKEN}`;
    expect(seen).toEqual([
      { method: 'GET', url: `${recordUrl}/7`, auth, body: '', attempt: 1 },
      { method: 'GET', url: `${recordUrl}/7`, auth, body: '', attempt: 2 },
      { method: 'POST', url: recordUrl, auth, body: '{"companyName":"Hooked Co"}', attempt: 1 },
    ]);
    expect(sent().map((r) => r.headers['x-correlation-id'])).toEqual(['attempt-1', 'attempt-2', 'attempt-1']);
    expect(sent()[2]?.body).toBe('{"companyName":"Hooked Co"}');
    expect(sent()[2]?.headers['content-length']).toBe('27');
  });

  it('afterResponse sees the response (its body readable) and can replace it', async () => {
    answers(() => ({ status: 200, body: { id: '5', companyName: 'Acme' } }));
    const statuses: number[] = [];
    const c = client({
      afterResponse: [
        async (_request, _options, response) => {
          statuses.push(response.status);
          const record = (await response.json()) as Record<string, unknown>;
          return Response.json({ ...record, companyName: String(record.companyName).toUpperCase() });
        },
      ],
    });
    await expect(c.records.get('customer', '5')).resolves.toEqual({ id: '5', companyName: 'ACME' });
    expect(statuses).toEqual([200]);
  });

  it('a Response from beforeRequest answers without a request', async () => {
    const sent = answers(() => ({ status: 500 }));
    const c = client({ beforeRequest: [() => Response.json({ id: 'cached' })] });
    await expect(c.records.get('customer', '1')).resolves.toEqual({ id: 'cached' });
    expect(sent()).toHaveLength(0);
  });

  it('a hook that throws is ERR_RECORD_HOOK with its error as cause, not retried', async () => {
    const sent = answers(() => ({ status: 200, body: { id: '1' } }));
    const boom = new Error('hook broke');
    const c = client({
      afterResponse: [
        () => {
          throw boom;
        },
      ],
    });
    const error = await c.records.get('customer', '1').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_RECORD_HOOK', cause: boom });
    expect(sent()).toHaveLength(1);
    expect(inspect(error, { depth: 5 })).not.toContain(TOKEN);
  });

  it('refuses a request a hook sends to another origin: the token never leaves', async () => {
    const sent = answers(() => ({ status: 200, body: { id: '1' } }));
    const before = elsewhere.requests.length;
    const c = client({ beforeRequest: [(request) => new Request(`${elsewhere.origin}/steal`, request)] });
    await expect(c.records.get('customer', '1')).rejects.toMatchObject({ code: 'ERR_RECORD_HOOK' });
    expect(elsewhere.requests.length - before).toBe(0);
    expect(sent()).toHaveLength(0);
  });

  it('keeps the body cap for a response a hook substitutes', async () => {
    answers(() => ({ status: 200, body: { id: '1' } }));
    const c = client(
      { afterResponse: [() => Response.json({ id: 'x'.repeat(2000) })] },
      { maxResponseBytes: 1000 },
    );
    await expect(c.records.get('customer', '1')).rejects.toMatchObject({
      code: 'ERR_RECORD_RESPONSE_TOO_LARGE',
    });
  });

  it('refuses hooks it does not run, and hooks that are not functions', () => {
    for (const hooks of [
      { beforeError: [() => {}] },
      { beforeRetry: [() => {}, 'x'] },
      { beforeRequest: 'x' },
      { afterResponse: [1] },
      [],
      'hooks',
    ]) {
      expect(() => client(hooks as never)).toThrow(
        expect.objectContaining({ code: 'ERR_RECORD_INVALID_OPTION' }),
      );
    }
  });
});

describe('ky hooks (beforeRetry)', () => {
  it('runs before each retry with the failed request (no token), the error and retryCount; its headers reach the next attempts', async () => {
    const sent = answers(
      () => restError(503, 'UNAVAILABLE', 'try again'),
      () => restError(502, 'BAD_GATEWAY', 'try again'),
      () => ({ status: 200, body: { id: '7' } }),
    );
    const seen: { url: string; auth: string | null; status: unknown; retryCount: number; code: unknown }[] =
      [];
    const c = client({
      beforeRetry: [
        ({ request, error, retryCount }) => {
          seen.push({
            url: request.url,
            auth: request.headers.get('authorization'),
            status: (error as { status?: number }).status,
            code: (error as { code?: string }).code,
            retryCount,
          });
          request.headers.set('x-retry', String(retryCount));
        },
      ],
    });
    await expect(c.records.get('customer', '7')).resolves.toEqual({ id: '7' });
    expect(seen).toEqual([
      {
        url: `${mock.origin}/services/rest/record/v1/customer/7`,
        auth: null,
        status: 503,
        code: 'ERR_RECORD_API',
        retryCount: 1,
      },
      {
        url: `${mock.origin}/services/rest/record/v1/customer/7`,
        auth: null,
        status: 502,
        code: 'ERR_RECORD_API',
        retryCount: 2,
      },
    ]);
    expect(sent().map((r) => [r.headers['x-retry'], r.headers.authorization])).toEqual([
      [undefined, `Bearer ${TOKEN}`],
      ['1', `Bearer ${TOKEN}`],
      ['2', `Bearer ${TOKEN}`],
    ]);
  });

  it('ky.stop ends the retries: the call fails with the error of the last attempt', async () => {
    const sent = answers(() => restError(503, 'UNAVAILABLE', 'try again'));
    const c = client({ beforeRetry: [() => ky.stop] });
    await expect(c.records.get('customer', '7')).rejects.toMatchObject({
      code: 'ERR_RECORD_API',
      status: 503,
    });
    expect(sent()).toHaveLength(1);
  });

  it('a throwing beforeRetry fails the call with ERR_RECORD_HOOK and sends nothing more', async () => {
    const sent = answers(() => ({ status: 200, destroy: true }));
    const failure = new Error('no more');
    const c = client({
      beforeRetry: [
        () => {
          throw failure;
        },
      ],
    });
    await expect(c.records.get('customer', '7')).rejects.toMatchObject({
      code: 'ERR_RECORD_HOOK',
      cause: failure,
    });
    expect(sent()).toHaveLength(1);
  });

  it('a beforeRetry that answers a Request or Response is refused (the client owns the retry)', async () => {
    answers(() => restError(503, 'UNAVAILABLE', 'try again'));
    const c = client({ beforeRetry: [() => Response.json({ id: 'fake' })] });
    await expect(c.records.get('customer', '7')).rejects.toMatchObject({ code: 'ERR_RECORD_HOOK' });
  });

  it('is not run for the replay after a 401 (a token refresh, not a retry)', async () => {
    const sent = answers(
      () => restError(401, 'INVALID_LOGIN', 'x'),
      () => ({ status: 200, body: { id: '7' } }),
    );
    let runs = 0;
    const c = client({ beforeRetry: [() => void runs++] });
    await c.records.get('customer', '7');
    expect([runs, sent().length]).toEqual([0, 2]);
  });
});
