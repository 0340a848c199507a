import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetSuiteClient, isRecordClientError, type NetSuiteClient } from '../src/index.js';
import { type MockNetSuite, startMockNetSuite } from './helpers/mock-netsuite.js';

const TOKEN = 'tok-CANARY-records-0123456789';
let mock: MockNetSuite;
let client: NetSuiteClient;

beforeAll(async () => {
  mock = await startMockNetSuite((req) => {
    const path = req.url.pathname;
    if (req.method === 'GET' && path === '/services/rest/record/v1/customer/647') {
      return { status: 200, body: { id: '647', companyName: 'Acme', links: [] } };
    }
    if (req.method === 'POST' && path === '/services/rest/record/v1/customer') {
      return { status: 204, headers: { location: `${mock.origin}/services/rest/record/v1/customer/648` } };
    }
    if (
      req.method === 'POST' &&
      path === '/services/rest/record/v1/vendor' &&
      req.headers.prefer === 'respond-async'
    ) {
      return { status: 202, headers: { location: 'https://evil.example/services/rest/async/v1/job/1' } };
    }
    if (req.method === 'POST' && path === '/services/rest/record/v1/contact') {
      return { status: 204 };
    }
    if (req.method === 'PATCH' && path === '/services/rest/record/v1/customer/647') {
      return { status: 204, headers: { location: `${mock.origin}/services/rest/record/v1/customer/647` } };
    }
    if (req.method === 'PUT' && path === '/services/rest/record/v1/customer/eid:CRM-42') {
      return { status: 204, headers: { location: '/services/rest/record/v1/customer/700' } };
    }
    if (req.method === 'DELETE' && path === '/services/rest/record/v1/customer/647') return { status: 204 };
    if (req.method === 'POST' && path === '/services/rest/record/v1/salesOrder/12/!transform/invoice') {
      return { status: 204, headers: { location: `${mock.origin}/services/rest/record/v1/invoice/99` } };
    }
    if (path === '/services/rest/system/v1/governanceLimits') {
      return {
        status: 200,
        body: req.headers['x-bad'] ? { accountConcurrencyLimit: 'x' } : { accountConcurrencyLimit: 15 },
      };
    }
    return { status: 404, body: { title: 'Not Found', status: 404, 'o:errorCode': 'NONEXISTENT_ID' } };
  });
  client = createNetSuiteClient({
    accountId: '1234567_SB1',
    origin: mock.origin,
    allowInsecureLoopback: true,
    token: async () => TOKEN,
  });
});
afterAll(() => mock.close());

const last = () => mock.requests.at(-1)!;

describe('records', () => {
  it('get sends the token only in the Authorization header and builds the query', async () => {
    const record = await client.records.get('customer', 647, {
      fields: ['companyName', 'email'],
      expandSubResources: true,
      simpleEnumFormat: true,
    });
    expect(record).toMatchObject({ id: '647', companyName: 'Acme' });
    const req = last();
    expect(req.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(req.url.search).not.toContain(TOKEN);
    expect(req.url.searchParams.get('fields')).toBe('companyName,email');
    expect(req.url.searchParams.get('expandSubResources')).toBe('true');
    expect(req.url.searchParams.get('simpleEnumFormat')).toBe('true');
  });

  it('create returns the id from Location', async () => {
    const result = await client.records.create('customer', { companyName: 'New' });
    expect(result.id).toBe('648');
    expect(JSON.parse(last().body)).toEqual({ companyName: 'New' });
    expect(last().headers['content-type']).toBe('application/json');
  });

  it('create without Location is ERR_RECORD_INVALID_RESPONSE', async () => {
    await expect(client.records.create('contact', { firstName: 'A' })).rejects.toMatchObject({
      code: 'ERR_RECORD_INVALID_RESPONSE',
    });
  });

  it('an async job Location on a foreign origin is refused before any token goes there (R48)', async () => {
    const sent: string[] = [];
    const guarded = createNetSuiteClient({
      accountId: '1234567_SB1',
      origin: mock.origin,
      allowInsecureLoopback: true,
      token: async () => TOKEN,
      fetch: (input, init) => {
        sent.push(input instanceof Request ? input.url : String(input));
        return fetch(input, init);
      },
    });
    await expect(guarded.records.createAsync('vendor', { companyName: 'x' })).rejects.toMatchObject({
      code: 'ERR_RECORD_INVALID_RESPONSE',
    });
    expect(sent).toHaveLength(1);
    expect(sent.every((u) => u.startsWith(mock.origin))).toBe(true);
    expect(last().headers['x-netsuite-idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('update is a PATCH with replace options', async () => {
    const result = await client.records.update(
      'customer',
      '647',
      { email: null },
      { replace: ['addressBook'], replaceSelectedFields: true },
    );
    expect(result.id).toBe('647');
    expect(last().method).toBe('PATCH');
    expect(last().url.searchParams.get('replace')).toBe('addressBook');
    expect(last().url.searchParams.get('replaceSelectedFields')).toBe('true');
  });

  it('upsert is a PUT on eid: and resolves a relative Location', async () => {
    const result = await client.records.upsert('customer', 'CRM-42', { companyName: 'Acme' });
    expect(result.id).toBe('700');
    expect(last().method).toBe('PUT');
  });

  it('delete and transform', async () => {
    await expect(client.records.delete('customer', '647')).resolves.toBeUndefined();
    expect(last().method).toBe('DELETE');
    const t = await client.records.transform('salesOrder', '12', 'invoice', { memo: 'x' });
    expect(t.id).toBe('99');
    expect(last().url.pathname).toBe('/services/rest/record/v1/salesOrder/12/!transform/invoice');
  });

  it('governanceLimits falls back to the account limit and refuses a malformed answer', async () => {
    await expect(client.governanceLimits()).resolves.toEqual({
      accountConcurrencyLimit: 15,
      accountUnallocatedConcurrencyLimit: undefined,
      integrationConcurrencyLimit: 15,
      integrationLimitType: undefined,
    });
    const bad = createNetSuiteClient({
      accountId: '1',
      origin: mock.origin,
      allowInsecureLoopback: true,
      token: async () => TOKEN,
      headers: { 'x-bad': '1' },
    });
    await expect(bad.governanceLimits()).rejects.toMatchObject({ code: 'ERR_RECORD_INVALID_RESPONSE' });
  });

  it.each([
    ['type with a slash', () => client.records.get('customer/../x', '1')],
    ['id with a path', () => client.records.get('customer', '1/../2')],
    ['id not a number', () => client.records.get('customer', 'abc')],
    ['unsafe integer id', () => client.records.get('customer', 2 ** 60)],
    ['eid with a pipe', () => client.records.upsert('customer', 'RED|PO', {})],
    ['array body', () => client.records.create('customer', [] as never)],
    ['null body', () => client.records.update('customer', '1', null as never)],
    ['bad fields', () => client.records.get('customer', '1', { fields: ['a,b'] })],
    ['empty fields', () => client.records.get('customer', '1', { fields: [] })],
    ['bad signal', () => client.records.get('customer', '1', { signal: 'x' as never })],
    ['bad timeout', () => client.records.delete('customer', '1', { timeoutMs: -1 })],
    ['bad toType', () => client.records.transform('salesOrder', '1', '')],
    ['bad options', () => client.records.get('customer', '1', 5 as never)],
  ])('refuses %s with ERR_RECORD_INVALID_ARGUMENT and sends nothing', async (_name, call) => {
    const before = mock.requests.length;
    const error = await Promise.resolve()
      .then(call as () => Promise<unknown>)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(isRecordClientError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'ERR_RECORD_INVALID_ARGUMENT' });
    expect(mock.requests.length).toBe(before);
  });

  it('list refuses bad paging options', () => {
    expect(() => client.records.list('customer', { pageSize: 2000 })).toThrow(/pageSize/);
    expect(() => client.records.list('customer', { prefetch: -1 })).toThrow(/prefetch/);
    expect(() => client.records.list('customer', { q: '' })).toThrow(/q must/);
  });
});

describe('createNetSuiteClient options', () => {
  const base = { accountId: '1234567_SB1', token: async () => TOKEN };
  it.each([
    ['no options', () => createNetSuiteClient(undefined as never), 'ERR_RECORD_INVALID_OPTION'],
    [
      'bad token',
      () => createNetSuiteClient({ ...base, token: 'abc' as never }),
      'ERR_RECORD_INVALID_OPTION',
    ],
    [
      'zero concurrency',
      () => createNetSuiteClient({ ...base, concurrency: 0 }),
      'ERR_RECORD_INVALID_OPTION',
    ],
    [
      'bad concurrency',
      () => createNetSuiteClient({ ...base, concurrency: {} as never }),
      'ERR_RECORD_INVALID_OPTION',
    ],
    [
      'negative retry',
      () => createNetSuiteClient({ ...base, retry: { limit: -1 } }),
      'ERR_RECORD_INVALID_OPTION',
    ],
    [
      'fractional retry',
      () => createNetSuiteClient({ ...base, retry: { limit: 1.5 } }),
      'ERR_RECORD_INVALID_OPTION',
    ],
    [
      'bad statusCodes',
      () => createNetSuiteClient({ ...base, retry: { statusCodes: ['x'] as never } }),
      'ERR_RECORD_INVALID_OPTION',
    ],
    ['zero timeout', () => createNetSuiteClient({ ...base, timeoutMs: 0 }), 'ERR_RECORD_INVALID_OPTION'],
    [
      'NaN deadline',
      () => createNetSuiteClient({ ...base, deadlineMs: Number.NaN }),
      'ERR_RECORD_INVALID_OPTION',
    ],
    [
      'authorization header',
      () => createNetSuiteClient({ ...base, headers: { Authorization: 'Bearer x' } }),
      'ERR_RECORD_INVALID_OPTION',
    ],
    [
      'header injection',
      () => createNetSuiteClient({ ...base, headers: { 'x-a': 'a\r\nx-b: b' } }),
      'ERR_RECORD_INVALID_OPTION',
    ],
    ['bad fetch', () => createNetSuiteClient({ ...base, fetch: 1 as never }), 'ERR_RECORD_INVALID_OPTION'],
    [
      'bad breaker',
      () => createNetSuiteClient({ ...base, circuitBreaker: { failureThreshold: 0 } }),
      'ERR_RECORD_INVALID_OPTION',
    ],
    [
      'bad account',
      () => createNetSuiteClient({ ...base, accountId: 'evil.com/x' }),
      'ERR_CORE_INVALID_ACCOUNT_ID',
    ],
    [
      'http origin',
      () => createNetSuiteClient({ ...base, origin: 'http://127.0.0.1:1' }),
      'ERR_CORE_INSECURE_ORIGIN',
    ],
  ])('%s throws synchronously', (_name, make, code) => {
    expect(make).toThrow(expect.objectContaining({ code }));
  });

  it('normalises the account id', () => {
    expect(createNetSuiteClient({ ...base, accountId: '1234567-sb1' }).accountId).toBe('1234567_SB1');
  });
});
