import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import { type Emulator, startEmulator } from '@netsuite-oauth/emulator';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetSuiteClient, type NetSuiteApiError, type NetSuiteClient } from '../src/index.js';
import { emulatorTokenSource } from './helpers/emulator-token.js';

let emu: Emulator;
let client: NetSuiteClient;
let strict: NetSuiteClient;
let token: Awaited<ReturnType<typeof emulatorTokenSource>>;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, seed: { customers: 30, salesOrders: 5, inventoryItems: 5 } });
  token = await emulatorTokenSource(emu);
  client = createNetSuiteClient({
    accountId: emu.accountId,
    origin: emu.url,
    allowInsecureLoopback: true,
    token,
    retry: { baseDelayMs: 5 },
  });
  strict = createNetSuiteClient({
    accountId: emu.accountId,
    origin: emu.url,
    allowInsecureLoopback: true,
    token,
    headers: { 'X-NetSuite-PropertyNameValidation': 'error' },
  });
});
afterAll(() => emu?.close());

async function rejection(promise: Promise<unknown>): Promise<NetSuiteApiError> {
  return (await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  )) as NetSuiteApiError;
}

function noToken(error: unknown, accessToken: string) {
  for (const text of [String(error), inspect(error, { depth: 5 }), JSON.stringify(error) ?? '']) {
    expect(text).not.toContain(accessToken);
  }
}

describe('records against the emulator', () => {
  it("works on undici's own fetch with a keep-alive Agent (the README's option for heavy traffic)", async () => {
    const agent = new Agent({ connections: 1, keepAliveTimeout: 30_000 });
    let connections = 0;
    agent.on('connect', () => connections++);
    try {
      const viaUndici = createNetSuiteClient({
        accountId: emu.accountId,
        origin: emu.url,
        allowInsecureLoopback: true,
        token,
        // The injected fetch is called as fetch(url, init): undici's fetch takes that form from any caller.
        fetch: (input, init) =>
          undiciFetch(input as string, { ...init, dispatcher: agent } as never) as never,
      });
      const created = await viaUndici.records.create('customer', { companyName: 'Undici Agent Co' });
      for (let i = 0; i < 3; i++) {
        await expect(viaUndici.records.get('customer', created.id)).resolves.toMatchObject({
          companyName: 'Undici Agent Co',
        });
      }
      await viaUndici.records.delete('customer', created.id);
      // Every request over the one keep-alive connection the Agent may open.
      expect(connections).toBe(1);
    } finally {
      await agent.close();
    }
  });

  it('create → get → update → get → delete → get 404', async () => {
    const created = await client.records.create('customer', {
      companyName: 'Record Client Test Co',
      email: 'rc@example.com',
      subsidiary: { id: '1' },
    });
    expect(created.id).toMatch(/^\d+$/);
    const fetched = await client.records.get('customer', created.id, { fields: ['companyName', 'email'] });
    expect(fetched).toMatchObject({ companyName: 'Record Client Test Co', email: 'rc@example.com' });
    await client.records.update('customer', created.id, { email: 'changed@example.com' });
    expect((await client.records.get('customer', created.id)).email).toBe('changed@example.com');
    await client.records.delete('customer', created.id);
    const gone = await rejection(client.records.get('customer', created.id));
    expect(gone).toMatchObject({ code: 'ERR_RECORD_API', status: 404, errorCode: 'NONEXISTENT_ID' });
  });

  it('upsert by external id creates, then updates the same record', async () => {
    const eid = `RC-${randomUUID().slice(0, 8)}`;
    const first = await client.records.upsert('customer', eid, {
      companyName: 'Upsert One',
      subsidiary: { id: '1' },
    });
    const second = await client.records.upsert('customer', eid, { companyName: 'Upsert Two' });
    const byEid = await client.records.get('customer', `eid:${eid}`);
    expect(byEid.companyName).toBe('Upsert Two');
    expect(byEid.id).toBe(first.id.startsWith('eid:') ? byEid.id : first.id);
    expect(second.id === first.id || second.id === `eid:${eid}`).toBe(true);
  });

  it('get with expandSubResources returns sublists inline', async () => {
    const ids: string[] = [];
    for await (const item of client.records.list('salesOrder')) ids.push(item.id);
    const order = await client.records.get('salesOrder', ids[0]!, { expandSubResources: true });
    expect(order.item).toBeDefined();
    expect(Array.isArray((order.item as { items: unknown[] }).items)).toBe(true);
  });

  it('transform a sales order into an invoice', async () => {
    const ids: string[] = [];
    for await (const item of client.records.list('salesOrder')) ids.push(item.id);
    const invoice = await client.records.transform('salesOrder', ids[0]!, 'invoice');
    const fetched = await client.records.get('invoice', invoice.id);
    expect(fetched.id).toBe(invoice.id);
  });

  it('list streams every id, with a q filter', async () => {
    const all: string[] = [];
    for await (const item of client.records.list('customer', { pageSize: 10, prefetch: 2 }))
      all.push(item.id);
    expect(all.length).toBeGreaterThanOrEqual(30);
    expect(new Set(all).size).toBe(all.length);
    const filtered: string[] = [];
    for await (const item of client.records.list('customer', { q: 'email START_WITH "customer1"' })) {
      filtered.push(item.id);
    }
    expect(filtered.length).toBeGreaterThan(0);
    expect(filtered.length).toBeLessThan(all.length);
  });

  it('list with expand: true streams full records in list order (batch GET per page), within the concurrency limit', async () => {
    const narrow = createNetSuiteClient({
      accountId: emu.accountId,
      origin: emu.url,
      allowInsecureLoopback: true,
      token,
      concurrency: 2,
    });
    const q = 'email START_WITH "customer1"';
    const ids: string[] = [];
    for await (const item of narrow.records.list('customer', { q, pageSize: 5 })) ids.push(item.id);
    expect(ids.length).toBeGreaterThan(5);
    const before = (await emu.admin.counters()).maxInFlight;
    const rows = narrow.records.list('customer', { q, pageSize: 5, prefetch: 1, expand: true });
    const records: Array<Record<string, unknown>> = [];
    for await (const record of rows) records.push(record);
    expect(rows.total).toBe(ids.length);
    expect(records.map((r) => r.id)).toEqual(ids);
    const first = await narrow.records.get('customer', ids[0] as string);
    expect(records[0]).toEqual(first);
    expect(records.every((r) => typeof r.email === 'string' && r.email.startsWith('customer1'))).toBe(true);
    // Each page of ids became a batch GET job, polled on the async route.
    const log = await emu.admin.requestLog();
    expect(log.filter((e) => e.route === 'async').length).toBeGreaterThan(0);
    // The batch reads share the client's limiter with the list pages: never more than 2 in flight.
    expect(Math.max(before, (await emu.admin.counters()).maxInFlight)).toBeLessThanOrEqual(2);
    expect(() => narrow.records.list('customer', { concurrency: 2 } as never)).toThrow(
      expect.objectContaining({ code: 'ERR_RECORD_INVALID_ARGUMENT' }),
    );
    expect(() => narrow.records.list('customer', { expand: 'yes' } as never)).toThrow(
      expect.objectContaining({ code: 'ERR_RECORD_INVALID_ARGUMENT' }),
    );
  });

  it('list with expand: true leaves out records deleted between the list and the read', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++)
      ids.push((await client.records.create('customer', { companyName: `Vanishing ${i}` })).id);
    const q = 'companyName START_WITH "Vanishing"';
    // The last page's records: deleting earlier ones would shift the later pages (offset paging), a separate matter.
    const gone = new Set([ids[4], ids[5]]);
    // A fetch that, once the last page of ids has been listed, deletes both its records before they are read.
    const racing: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const url = new URL(String(input instanceof Request ? input.url : input));
      if (
        url.pathname.endsWith('/customer') &&
        url.searchParams.get('offset') === '4' &&
        !url.searchParams.has('ids')
      ) {
        const auth = new Headers(init?.headers).get('authorization') ?? '';
        for (const id of gone)
          await fetch(`${url.origin}${url.pathname}/${id}`, {
            method: 'DELETE',
            headers: { authorization: auth },
          });
      }
      return response;
    };
    const raced = createNetSuiteClient({
      accountId: emu.accountId,
      origin: emu.url,
      allowInsecureLoopback: true,
      token,
      fetch: racing,
    });
    const read: unknown[] = [];
    for await (const record of raced.records.list('customer', { q, pageSize: 2, prefetch: 0, expand: true }))
      read.push(record.id);
    expect(read).toEqual(ids.filter((id) => !gone.has(id)));
  });

  it('createAsync: 202 + job, polled to completion; a duplicate key follows the earlier job', async () => {
    const idempotencyKey = randomUUID();
    const job = await client.records.createAsync(
      'customer',
      { companyName: 'Async Co', subsidiary: { id: '1' } },
      { idempotencyKey, pollIntervalMs: 5 },
    );
    expect(job.id).toMatch(/^\d+$/);
    expect(job.idempotencyKey).toBe(idempotencyKey);
    expect((await client.records.get('customer', job.id!)).companyName).toBe('Async Co');
    const again = await client.records.createAsync(
      'customer',
      { companyName: 'Async Co', subsidiary: { id: '1' } },
      { idempotencyKey, pollIntervalMs: 5 },
    );
    expect(again.jobId).toBe(job.jobId);
    expect(again.id).toBe(job.id);
  });

  it('createAsync polls a pending job until it completes, and gives up after waitTimeoutMs', async () => {
    const slow = await startEmulator({ port: 0, seed: false, asyncJobDelayMs: 150 });
    try {
      const c = createNetSuiteClient({
        accountId: slow.accountId,
        origin: slow.url,
        allowInsecureLoopback: true,
        token: await emulatorTokenSource(slow),
      });
      const job = await c.records.createAsync(
        'customer',
        { companyName: 'Slow Co', subsidiary: { id: '1' } },
        { pollIntervalMs: 20, maxPollIntervalMs: 40 },
      );
      expect(job.id).toMatch(/^\d+$/);
      // Polled while pending: the job's status was read at least twice.
      const polls = (await slow.admin.requestLog()).filter((e) => /\/async\/v1\/job\/\d+$/.test(e.path));
      expect(polls.length).toBeGreaterThanOrEqual(2);
      await expect(
        c.records.createAsync(
          'customer',
          { companyName: 'Slower' },
          { pollIntervalMs: 20, waitTimeoutMs: 50 },
        ),
      ).rejects.toMatchObject({ code: 'ERR_RECORD_TIMEOUT' });
    } finally {
      await slow.close();
    }
  });

  it('createAsync of an invalid record: ERR_RECORD_ASYNC_JOB_FAILED with the NetSuite error as cause', async () => {
    const error = await rejection(
      strict.records.createAsync(
        'customer',
        { noSuchField: 1, subsidiary: { id: '1' } },
        { pollIntervalMs: 5 },
      ),
    );
    expect(error).toMatchObject({ code: 'ERR_RECORD_ASYNC_JOB_FAILED' });
    expect((error as unknown as { cause: NetSuiteApiError }).cause).toMatchObject({
      status: 400,
      errorCode: 'NONEXISTENT_FIELD',
    });
  });

  it('error shapes: o:errorPath, o:errorQueryParam, unknown type, invalid content', async () => {
    const bad = await rejection(
      strict.records.create('customer', { noSuchField: 'x', subsidiary: { id: '1' } }),
    );
    expect(bad).toMatchObject({ status: 400, errorCode: 'NONEXISTENT_FIELD', errorPath: 'noSuchField' });
    expect(bad.detail).toContain('noSuchField');
    const query = await rejection(client.records.get('customer', 1, { fields: ['nope'] }));
    expect(query).toMatchObject({ status: 400, errorCode: 'NONEXISTENT_FIELD' });
    expect(query.details[0]?.errorQueryParam).toBe('fields');
    const type = await rejection(client.records.get('notARecordType', 1));
    expect(type).toMatchObject({ status: 404, errorCode: 'INVALID_RECORD_TYPE' });
    const noLines = await rejection(client.records.create('salesOrder', { entity: { id: '1' } }));
    expect(noLines).toMatchObject({ status: 400, errorCode: 'USER_ERROR' });
    expect(noLines.errorPath).toBeDefined();
    noToken(noLines, await token.getAccessToken());
  });

  it('injected 503s are retried for a GET; a dropped connection too; malformed JSON is typed', async () => {
    const before = (await emu.admin.counters()).record;
    await emu.admin.injectFault({ route: 'record', count: 2, status: 503 });
    await expect(client.records.get('customer', 1)).resolves.toMatchObject({ id: '1' });
    expect((await emu.admin.counters()).record - before).toBe(3);
    await emu.admin.injectFault({ route: 'record', count: 1, drop: true });
    await expect(client.records.get('customer', 1)).resolves.toMatchObject({ id: '1' });
    await emu.admin.injectFault({ route: 'record', count: 1, malformed: true });
    await expect(client.records.get('customer', 1)).rejects.toMatchObject({
      code: 'ERR_RECORD_INVALID_RESPONSE',
    });
  });

  it('a POST hit by a 503 is not replayed (one request), and says so', async () => {
    const before = (await emu.admin.counters()).record;
    await emu.admin.injectFault({ route: 'record', count: 1, status: 503 });
    const error = await rejection(
      client.records.create('customer', { companyName: 'Once', subsidiary: { id: '1' } }),
    );
    expect(error).toMatchObject({ status: 503, attempts: 1 });
    expect((await emu.admin.counters()).record - before).toBe(1);
  });

  it('a rejected token: one invalidate, a fresh token, one replay', async () => {
    let first = true;
    const source = {
      getAccessToken: async () => {
        if (first) return 'not-a-valid-emulator-token';
        return token.getAccessToken();
      },
      invalidate: async () => {
        first = false;
      },
    };
    const c = createNetSuiteClient({
      accountId: emu.accountId,
      origin: emu.url,
      allowInsecureLoopback: true,
      token: source,
    });
    await expect(c.records.get('customer', 1)).resolves.toMatchObject({ id: '1' });
    const never = createNetSuiteClient({
      accountId: emu.accountId,
      origin: emu.url,
      allowInsecureLoopback: true,
      token: async () => 'never-a-valid-emulator-token',
    });
    const error = await rejection(never.records.get('customer', 1));
    expect(error).toMatchObject({ status: 401, errorCode: 'INVALID_LOGIN' });
    noToken(error, 'never-a-valid-emulator-token');
  });
});

describe('governance limits', () => {
  it('reads the account limit to size a limiter', async () => {
    await emu.admin.setConcurrencyLimit(7);
    const limits = await client.governanceLimits();
    expect(limits).toMatchObject({ accountConcurrencyLimit: 7, integrationConcurrencyLimit: 7 });
    await emu.admin.setConcurrencyLimit(5);
  });
});

describe('SuiteQL against the emulator', () => {
  it('binds params and streams rows', async () => {
    const rows: Record<string, unknown>[] = [];
    for await (const row of client.suiteql(
      'SELECT id, email FROM customer WHERE id > ? AND id <= ? ORDER BY id ASC',
      {
        params: [5, '15'],
        pageSize: 5,
      },
    )) {
      rows.push(row);
    }
    expect(rows.map((r) => r.id)).toEqual(Array.from({ length: 10 }, (_, i) => String(i + 6)));
    expect(rows[0]).not.toHaveProperty('links');
  });

  it('a parameter is data, not SQL: an injection attempt matches nothing', async () => {
    const rows: unknown[] = [];
    for await (const row of client.suiteql('SELECT id FROM customer WHERE email = ?', {
      params: ["x' OR '1'='1"],
    })) {
      rows.push(row);
    }
    expect(rows).toEqual([]);
  });

  it('a bad query is a typed NetSuiteApiError', async () => {
    const error = await rejection(
      (async () => {
        for await (const _ of client.suiteql('SELECT nonsense FROM nowhere_table')) void 0;
      })(),
    );
    expect(error).toMatchObject({ code: 'ERR_RECORD_API', status: 400 });
  });

  it('suiteqlByKey walks the table by id', async () => {
    const ids: number[] = [];
    for await (const row of client.suiteqlByKey('SELECT id FROM customer WHERE id > ? ORDER BY id ASC', {
      key: 'id',
      pageSize: 7,
    })) {
      ids.push(Number(row.id));
    }
    expect(ids.length).toBeGreaterThanOrEqual(30);
    expect(ids.every((v, i) => i === 0 || v > ids[i - 1]!)).toBe(true);
  });
});

describe('RESTlets against the emulator', () => {
  beforeAll(async () => {
    await emu.admin.deployRestlet({
      scriptId: 'customscript_rc',
      deployId: 'customdeploy_rc',
      handlers: {
        get: (request) => ({ got: request.params }),
        post: (request) => {
          const body = request.body as { fail?: boolean; n?: number };
          if (body.fail) throw new Error('script failed on purpose');
          return { doubled: (body.n ?? 0) * 2 };
        },
      },
    });
  });

  it('GET with query, POST with a JSON body', async () => {
    await expect(
      client.restlet({ script: 'customscript_rc', deploy: 'customdeploy_rc', query: { a: 1, b: 'x' } }),
    ).resolves.toEqual({ got: { a: '1', b: 'x' } });
    await expect(
      client.restlet({
        script: 'customscript_rc',
        deploy: 'customdeploy_rc',
        method: 'POST',
        body: { n: 21 },
      }),
    ).resolves.toEqual({ doubled: 42 });
  });

  it('the built-in echo RESTlet', async () => {
    const out = await client.restlet({
      script: 'customscript_echo',
      deploy: 'customdeploy_echo',
      method: 'PUT',
      body: { hello: 'world' },
    });
    expect(JSON.stringify(out)).toContain('world');
  });

  it('RESTlet errors: a script error, a missing entry point, an unknown script', async () => {
    const thrown = await rejection(
      client.restlet({
        script: 'customscript_rc',
        deploy: 'customdeploy_rc',
        method: 'POST',
        body: { fail: true },
      }),
    );
    expect(thrown).toMatchObject({ status: 400 });
    expect(thrown.errorCode).toBeDefined();
    const noEntry = await rejection(
      client.restlet({ script: 'customscript_rc', deploy: 'customdeploy_rc', method: 'DELETE' }),
    );
    expect(noEntry.status).toBe(405);
    const unknown = await rejection(
      client.restlet({ script: 'customscript_none', deploy: 'customdeploy_none' }),
    );
    expect(unknown.errorCode).toBe('SSS_INVALID_SCRIPTLET_ID');
  });

  it('SSS_REQUEST_LIMIT_EXCEEDED is retried for a GET, not for a POST', async () => {
    const before = (await emu.admin.counters()).restlet;
    await emu.admin.injectFault({ route: 'restlet', count: 1, status: 400 });
    await expect(
      client.restlet({ script: 'customscript_rc', deploy: 'customdeploy_rc', query: { a: 1 } }),
    ).resolves.toEqual({ got: { a: '1' } });
    expect((await emu.admin.counters()).restlet - before).toBe(2);
    await emu.admin.injectFault({ route: 'restlet', count: 1, status: 400 });
    const error = await rejection(
      client.restlet({
        script: 'customscript_rc',
        deploy: 'customdeploy_rc',
        method: 'POST',
        body: { n: 1 },
      }),
    );
    expect(error.errorCode).toBe('SSS_REQUEST_LIMIT_EXCEEDED');
  });
});
