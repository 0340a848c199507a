import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.js';
import { accessToken, bearer, setupM2M } from './helpers.js';

let emu: Emulator;
let token: string;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, seed: { customers: 40, salesOrders: 6, invoices: 2 } });
  token = await accessToken(emu, await setupM2M(emu));
});
afterAll(async () => {
  await emu.close();
});

async function suiteql(q: unknown, query = '', headers: Record<string, string> = { prefer: 'transient' }) {
  const res = await fetch(`${emu.endpoints.suiteqlUrl}${query}`, {
    method: 'POST',
    headers: { ...bearer(token), 'content-type': 'application/json', ...headers },
    body: typeof q === 'string' ? JSON.stringify({ q }) : JSON.stringify(q),
  });
  return {
    status: res.status,
    body: (await res.json()) as Record<string, unknown> & { items: Array<Record<string, unknown>> },
  };
}

describe('SuiteQL', () => {
  it("names the login users' roles in the role table, and the user in employee", async () => {
    const user = await emu.admin.createUser({
      email: 'role-test@example.com',
      password: 'role-test-password',
      name: 'Rita Role',
      roles: [{ id: 1042, name: 'AP Clerk' }],
    });
    const { body } = await suiteql({
      q: 'SELECT id, name FROM role WHERE id IN (?, ?) ORDER BY id',
      params: ['1000', '1042'],
    });
    expect(body.items.map(({ id, name }) => ({ id, name }))).toEqual([
      { id: '1000', name: 'NetSuite OAuth Integration' },
      { id: '1042', name: 'AP Clerk' },
    ]);
    const employee = await suiteql({
      q: 'SELECT entityid, firstname, lastname FROM employee WHERE id = ?',
      params: [user.entityId],
    });
    expect(employee.body.items[0]).toMatchObject({
      entityid: 'Rita Role',
      firstname: 'Rita',
      lastname: 'Role',
    });
  });

  it('returns lower-case keys, string values, empty links, and omits nulls', async () => {
    const { status, body } = await suiteql(
      'SELECT id, companyName, isInactive, creditLimit, comments, dateCreated FROM customer WHERE id = 1',
    );
    expect(status).toBe(200);
    expect(body).toMatchObject({ count: 1, hasMore: false, offset: 0, totalResults: 1 });
    const item = body.items[0] ?? {};
    expect(item.links).toEqual([]);
    expect(item.id).toBe('1');
    expect(item.isinactive).toBe('F');
    expect(typeof item.creditlimit).toBe('string');
    expect('comments' in item).toBe(false);
    expect(item.datecreated).toMatch(/^\d{1,2}\/\d{1,2}\/\d{4}$/);
  });

  it('sees a customer created through the Record API', async () => {
    const created = await fetch(`${emu.endpoints.recordUrl}/customer`, {
      method: 'POST',
      headers: { ...bearer(token), 'content-type': 'application/json' },
      body: JSON.stringify({ companyName: 'Findable By SuiteQL', email: 'find@example.com' }),
    });
    const id = created.headers.get('location')?.split('/').pop();
    const { body } = await suiteql({
      q: 'SELECT id, email FROM customer WHERE companyname = ?',
      params: ['Findable By SuiteQL'],
    });
    expect(body.items).toEqual([{ links: [], id, email: 'find@example.com' }]);
    await fetch(`${emu.endpoints.recordUrl}/customer/${id}`, { method: 'DELETE', headers: bearer(token) });
    expect(
      (await suiteql({ q: 'SELECT id FROM customer WHERE id = ?', params: [Number(id)] })).body.count,
    ).toBe(0);
  });

  it('joins transactions, lines and BUILTIN.DF', async () => {
    const { status, body } = await suiteql(
      "SELECT t.id, t.tranid, BUILTIN.DF(t.entity) AS customer, COUNT(l.id) AS lines FROM transaction t JOIN transactionline l ON l.transaction = t.id WHERE t.type = 'SalesOrd' GROUP BY t.id ORDER BY t.id ASC",
    );
    expect(status).toBe(200);
    expect(body.count).toBe(6);
    expect(body.items[0]?.lines).toBe('2');
  });

  it('understands a trailing ROWNUM limit and FETCH FIRST', async () => {
    expect((await suiteql("SELECT id FROM customer WHERE isinactive = 'F' AND ROWNUM <= 3")).body.count).toBe(
      3,
    );
    expect((await suiteql('SELECT id FROM customer WHERE ROWNUM < 3')).body.count).toBe(2);
    expect(
      (await suiteql('SELECT id FROM customer ORDER BY id DESC FETCH FIRST 4 ROWS ONLY')).body.count,
    ).toBe(4);
  });

  it('pages with limit/offset, links and the offset rule', async () => {
    const page = await suiteql('SELECT id FROM customer ORDER BY id', '?limit=10&offset=20');
    expect(page.body).toMatchObject({ count: 10, offset: 20, hasMore: true, totalResults: 40 });
    const links = page.body.links as Array<{ rel: string; href: string }>;
    expect(links.find((l) => l.rel === 'next')?.href).toBe(`${emu.endpoints.suiteqlUrl}?limit=10&offset=30`);
    expect((await suiteql('SELECT id FROM customer', '?limit=10&offset=5')).status).toBe(400);
    expect((await suiteql('SELECT id FROM customer', '?limit=1001')).status).toBe(400);
    expect((await suiteql('SELECT id FROM customer', '?limit=10&offset=100')).status).toBe(404);
  });

  it.each([
    ['no Prefer: transient', 'SELECT id FROM customer', {}, 400, 'INVALID_HEADER'],
    [
      'Prefer: respond-async',
      'SELECT id FROM customer',
      { prefer: 'respond-async, transient' },
      400,
      'INVALID_REQUEST',
    ],
    ['a syntax error', 'SELEC id FROM customer', { prefer: 'transient' }, 400, 'INVALID_PARAMETER'],
    ['an unknown table', 'SELECT id FROM spaceship', { prefer: 'transient' }, 400, 'INVALID_PARAMETER'],
    ['a write statement', 'DELETE FROM customer', { prefer: 'transient' }, 400, 'INVALID_PARAMETER'],
    ['two statements', 'SELECT 1; DROP TABLE customer', { prefer: 'transient' }, 400, 'INVALID_PARAMETER'],
    [
      'a CTE that writes',
      'WITH x AS (SELECT 1) DELETE FROM customer',
      { prefer: 'transient' },
      400,
      'INVALID_PARAMETER',
    ],
    ['no q', { query: 'x' }, { prefer: 'transient' }, 400, 'INVALID_CONTENT'],
  ])('refuses %s', async (_name, q, headers, status, code) => {
    const res = await suiteql(q, '', headers as Record<string, string>);
    expect(res.status).toBe(status);
    expect(JSON.stringify(res.body)).toContain(code);
    expect((await suiteql('SELECT COUNT(*) AS n FROM customer')).body.items[0]?.n).toBeDefined();
  });

  it('refuses malformed JSON', async () => {
    const res = await fetch(emu.endpoints.suiteqlUrl, {
      method: 'POST',
      headers: { ...bearer(token), 'content-type': 'application/json', prefer: 'transient' },
      body: '{"q":',
    });
    expect(res.status).toBe(400);
  });
});

describe('SuiteQL over 150,000 seeded rows', () => {
  let big: Emulator;
  let bigToken: string;
  beforeAll(async () => {
    big = await startEmulator({
      port: 0,
      seed: {
        customers: 150_000,
        contacts: 0,
        employees: 0,
        vendors: 0,
        inventoryItems: 0,
        salesOrders: 0,
        invoices: 0,
      },
    });
    bigToken = await accessToken(big, await setupM2M(big));
  }, 120_000);
  afterAll(async () => {
    await big.close();
  });

  const run = async (query: string) => {
    const res = await fetch(`${big.endpoints.suiteqlUrl}${query}`, {
      method: 'POST',
      headers: { ...bearer(bigToken), 'content-type': 'application/json', prefer: 'transient' },
      body: JSON.stringify({ q: 'SELECT id, entityid FROM customer ORDER BY id ASC' }),
    });
    return {
      status: res.status,
      body: (await res.json()) as Record<string, unknown> & { items: Array<{ id: string }> },
    };
  };

  it('reports the full total, stops at 100,000 rows, and refuses offsets past the cap', async () => {
    const first = await run('?limit=1000&offset=0');
    expect(first.body).toMatchObject({ count: 1000, totalResults: 150_000, hasMore: true });
    const lastPage = await run('?limit=1000&offset=99000');
    expect(lastPage.body).toMatchObject({ count: 1000, hasMore: false });
    expect(lastPage.body.items.at(-1)?.id).toBe('100000');
    const past = await run('?limit=1000&offset=100000');
    expect(past.status).toBe(400);
    // The Record API serves the same rows and caps at 1000 pages.
    const list = await fetch(`${big.endpoints.recordUrl}/customer?limit=1000&offset=149000`, {
      headers: bearer(bigToken),
    });
    expect(list.status).toBe(404);
    const total = (await (
      await fetch(`${big.endpoints.recordUrl}/customer?limit=5`, { headers: bearer(bigToken) })
    ).json()) as { totalResults: number };
    expect(total.totalResults).toBe(150_000);
  });
});

describe('SuiteQL under the cost model', () => {
  it('runs the query during the request latency, not after it: it sees the data as the request arrived', async () => {
    const probe = 'SELECT COUNT(*) AS n FROM customer WHERE companyname = ?';
    const params = ['Latency probe'];
    expect((await suiteql({ q: probe, params })).body.items[0]?.n).toBe('0');
    await emu.admin.setCostModel({ requestMs: 1_500 });
    try {
      const before = (await emu.admin.counters()).suiteql;
      const answer = suiteql({ q: probe, params });
      while ((await emu.admin.counters()).suiteql === before) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
      // Written while the query's request is still inside its latency.
      await emu.admin.seedRecords('customer', [{ companyName: 'Latency probe', subsidiary: { id: '1' } }]);
      const { status, body } = await answer;
      expect(status).toBe(200);
      expect(body.items[0]?.n).toBe('0');
    } finally {
      await emu.admin.setCostModel({ requestMs: 0 });
    }
    expect((await suiteql({ q: probe, params })).body.items[0]?.n).toBe('1');
  });
});

describe('SuiteQL time budget', () => {
  it('a runaway recursive CTE never blocks the emulator, and past its budget is stopped with an error', async () => {
    const slow = await startEmulator({ port: 0, seed: { customers: 2 }, suiteqlTimeoutMs: 1_500 });
    try {
      const auth = bearer(await accessToken(slow, await setupM2M(slow)));
      const run = (q: string) =>
        fetch(slow.endpoints.suiteqlUrl, {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json', prefer: 'transient' },
          body: JSON.stringify({ q }),
        });
      let running = true;
      let answered = 0;
      const query = run(
        'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 100000000) SELECT COUNT(*) AS c FROM r',
      ).finally(() => {
        running = false;
      });
      const probes = (async () => {
        while (running) {
          if ((await fetch(`${slow.url}/services/rest/auth/oauth2/v1/keys`)).ok) answered += 1;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })();
      const res = await query;
      await probes;
      // Other requests were served while the query ran ...
      expect(answered).toBeGreaterThan(0);
      // ... and the query was stopped at its budget with NetSuite's error shape.
      expect(res.status).toBe(400);
      const body = (await res.json()) as { 'o:errorDetails': Array<{ 'o:errorCode': string }> };
      expect(body['o:errorDetails'][0]?.['o:errorCode']).toBe('SSS_SEARCH_TIMEOUT');
      // The next query runs on a fresh worker.
      const next = await run('SELECT id FROM customer ORDER BY id');
      expect(next.status).toBe(200);
      expect(((await next.json()) as { count: number }).count).toBe(2);
    } finally {
      await slow.close();
    }
  }, 60_000);
});
