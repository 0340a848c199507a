import { inspect } from 'node:util';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetSuiteClient, isRecordClientError, NetSuiteApiError } from '../src/index.js';
import {
  type MockNetSuite,
  type MockResponse,
  restError,
  startMockNetSuite,
} from './helpers/mock-netsuite.js';

const TOKEN = 'CANARY-token-5f2c1e9a7b3d4c8e';
let mock: MockNetSuite;
let next: MockResponse = { status: 200 };

beforeAll(async () => {
  mock = await startMockNetSuite(() => next);
});
afterAll(() => mock.close());

function client() {
  return createNetSuiteClient({
    accountId: '1234567_SB1',
    origin: mock.origin,
    allowInsecureLoopback: true,
    token: async () => TOKEN,
    retry: false,
  });
}

async function failure(answer: MockResponse, call?: (c: ReturnType<typeof client>) => Promise<unknown>) {
  next = answer;
  const c = client();
  return await (call ?? ((x) => x.records.get('customer', '1')))(c).then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  );
}

function leaks(error: unknown): boolean {
  const seen = new Set<unknown>();
  const texts: string[] = [];
  let current: unknown = error;
  while (current && !seen.has(current)) {
    seen.add(current);
    texts.push(String(current), inspect(current, { depth: 5 }), JSON.stringify(current) ?? '');
    if (current instanceof Error) texts.push(current.stack ?? '');
    current = (current as { cause?: unknown }).cause;
  }
  return texts.some((t) => t.includes(TOKEN));
}

describe('NetSuiteApiError', () => {
  it('reads a REST error body: status, title, o:errorCode, o:errorPath, detail', async () => {
    const error = await failure(
      restError(400, 'INVALID_CONTENT', 'Invalid value for item.', { 'o:errorPath': 'item.items[0].item' }),
    );
    expect(error).toBeInstanceOf(NetSuiteApiError);
    expect(error).toMatchObject({
      code: 'ERR_RECORD_API',
      name: 'NetSuiteApiError',
      status: 400,
      title: 'Error',
      errorCode: 'INVALID_CONTENT',
      errorPath: 'item.items[0].item',
      detail: 'Invalid value for item.',
      method: 'GET',
      path: '/services/rest/record/v1/customer/1',
      attempts: 1,
    });
    expect((error as NetSuiteApiError).details).toHaveLength(1);
  });

  it('falls back to a top-level o:errorCode and detail', async () => {
    const error = await failure({
      status: 404,
      body: { title: 'Specified offset is out of bounds.', status: 404, 'o:errorCode': 'NONEXISTENT_OFFSET' },
    });
    expect(error).toMatchObject({ status: 404, errorCode: 'NONEXISTENT_OFFSET', detail: undefined });
  });

  it('reads RESTlet errors in JSON, XML and text', async () => {
    const restlet = (c: ReturnType<typeof client>) => c.restlet({ script: 1, deploy: 1 });
    expect(
      await failure(
        {
          status: 400,
          body: { error: { code: 'SSS_INVALID_SCRIPTLET_ID', message: 'That Suitelet is invalid.' } },
        },
        restlet,
      ),
    ).toMatchObject({
      status: 400,
      errorCode: 'SSS_INVALID_SCRIPTLET_ID',
      detail: 'That Suitelet is invalid.',
    });
    expect(
      await failure(
        {
          status: 500,
          headers: { 'content-type': 'application/xml' },
          body: '<error><code>UNEXPECTED_ERROR</code><message>a &amp; b</message></error>',
        },
        restlet,
      ),
    ).toMatchObject({ status: 500, errorCode: 'UNEXPECTED_ERROR', detail: 'a & b' });
    expect(
      await failure(
        { status: 401, body: 'error code: INVALID_LOGIN_ATTEMPT error message: Invalid login attempt.' },
        restlet,
      ),
    ).toMatchObject({ status: 401, errorCode: 'INVALID_LOGIN_ATTEMPT', detail: 'Invalid login attempt.' });
  });

  it('treats a redirect as an error and never follows it with the token', async () => {
    const error = await failure({ status: 302, headers: { location: 'https://evil.example/steal' } });
    expect(error).toMatchObject({ status: 302, code: 'ERR_RECORD_API' });
    expect(mock.requests.at(-1)?.url.pathname).toBe('/services/rest/record/v1/customer/1');
  });

  it('redacts the token when a server echoes it, everywhere in the error', async () => {
    const error = await failure(
      restError(400, `CODE_${TOKEN}`, `your token ${TOKEN} is bad`, { 'o:errorPath': TOKEN }),
    );
    expect((error as NetSuiteApiError).detail).toContain('[redacted]');
    expect(leaks(error)).toBe(false);
  });

  it('malformed JSON on success is ERR_RECORD_INVALID_RESPONSE without the body', async () => {
    const error = await failure({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: `{"x": "${TOKEN}"`,
    });
    expect(error).toMatchObject({ code: 'ERR_RECORD_INVALID_RESPONSE' });
    expect(leaks(error)).toBe(false);
  });

  it('a failing token source is ERR_RECORD_TOKEN; a non-token value too', async () => {
    const bad = (token: () => Promise<string>) =>
      createNetSuiteClient({ accountId: '1', origin: mock.origin, allowInsecureLoopback: true, token })
        .records.get('customer', '1')
        .catch((e: unknown) => e);
    expect(await bad(async () => Promise.reject(new Error('store down')))).toMatchObject({
      code: 'ERR_RECORD_TOKEN',
    });
    expect(await bad(async () => 'has space\r\n')).toMatchObject({ code: 'ERR_RECORD_TOKEN' });
    expect(await bad(async () => 42 as unknown as string)).toMatchObject({ code: 'ERR_RECORD_TOKEN' });
  });

  it('fuzz: any status, content type and body gives a typed error without the token (injected fetch)', async () => {
    const statuses = fc.constantFrom(300, 302, 400, 401, 403, 404, 405, 415, 429, 500, 502, 503, 504);
    const types = fc.constantFrom(
      'application/json',
      'application/vnd.oracle.resource+json; type=error',
      'text/plain',
      'application/xml',
      '',
    );
    const bodies = fc.oneof(
      fc.string(),
      fc.json(),
      fc.constant(`{"error":{"code":"${TOKEN}","message":"${TOKEN}"}}`),
      fc.constant(`<error><code>${TOKEN}</code><message>${TOKEN}</message></error>`),
      fc.constant(`error code: X error message: ${TOKEN}`),
      fc
        .record({ title: fc.string(), 'o:errorDetails': fc.array(fc.record({ detail: fc.string() })) })
        .map((o) => JSON.stringify({ ...o, detail: TOKEN })),
    );
    await fc.assert(
      fc.asyncProperty(statuses, types, bodies, fc.boolean(), async (status, type, body, restlet) => {
        const c = createNetSuiteClient({
          accountId: '1',
          origin: 'https://ns.example',
          token: async () => TOKEN,
          retry: false,
          circuitBreaker: false,
          fetch: async () => new Response(body, { status, headers: type ? { 'content-type': type } : {} }),
        });
        const error = await (restlet
          ? c.restlet({ script: 1, deploy: 1 })
          : c.records.get('customer', 1)
        ).then(
          () => undefined,
          (e: unknown) => e,
        );
        // 401 is replayed once after a refresh; everything here ends in a typed error.
        expect(isRecordClientError(error)).toBe(true);
        expect(leaks(error)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
