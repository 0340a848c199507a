import { type Emulator, startEmulator } from '@netsuite-oauth/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetSuiteClient, type NetSuiteClient } from '../src/index.js';
import { emulatorTokenSource } from './helpers/emulator-token.js';

let emu: Emulator;
let client: NetSuiteClient;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, seed: { customers: 2600 } });
  client = createNetSuiteClient({
    accountId: emu.accountId,
    origin: emu.url,
    allowInsecureLoopback: true,
    token: await emulatorTokenSource(emu),
    concurrency: 4,
  });
  // Holes of every size, so the key range is far from uniform.
  const gone: string[] = [];
  for (let id = 300; id < 900; id++) gone.push(String(id));
  for (let id = 1000; id < 2000; id += 3) gone.push(String(id));
  for await (const r of client.batch.delete('customer', gone)) if (!r.ok) throw r.error;
});
afterAll(() => emu?.close());

async function sequential(where?: string, params?: string[]): Promise<string[]> {
  const ids: string[] = [];
  const q = `SELECT id FROM customer WHERE ${where ? `(${where}) AND ` : ''}id > ? ORDER BY id ASC`;
  for await (const row of client.suiteqlByKey<{ id: string }>(q, { key: 'id', params: params ?? [] }))
    ids.push(row.id);
  return ids;
}

describe('client.exportRows: a parallel keyset reader over SuiteQL', () => {
  it('returns every row exactly once, in key order, across uneven key ranges', async () => {
    const run = client.exportRows<{ id: string; companyname: string }>({
      from: 'customer',
      columns: ['id', 'companyname'],
      pageSize: 100,
    });
    const rows: Array<{ id: string; companyname: string }> = [];
    for await (const row of run) rows.push(row);
    const expected = await sequential();
    expect(rows.map((r) => r.id)).toEqual(expected);
    expect(run.total).toBe(expected.length);
    expect(rows[0]).toMatchObject({ id: expect.any(String), companyname: expect.any(String) });
    // About one request per page: the pieces are sized from the key density.
    expect(run.requests).toBeLessThanOrEqual(Math.ceil(expected.length / 100) * 1.6 + 4);
  });

  it('keeps several requests in flight (within the limit) and a bounded number of rows in memory', async () => {
    await emu.admin.setLatency({ route: 'suiteql', ms: 15 });
    let fetched = 0;
    const counting: typeof fetch = async (input, init) => {
      const response = await fetch(new Request(input, init));
      const body = (await response.clone().json()) as { items?: unknown[] };
      fetched += body.items?.length ?? 0;
      return response;
    };
    const counted = createNetSuiteClient({
      accountId: emu.accountId,
      origin: emu.url,
      allowInsecureLoopback: true,
      token: await emulatorTokenSource(emu),
      concurrency: 4,
      fetch: counting,
    });
    try {
      const before = await emu.admin.counters();
      const run = counted.exportRows({ from: 'customer', columns: ['id'], pageSize: 50, concurrency: 3 });
      let consumed = 0;
      let maxAhead = 0;
      for await (const _row of run) {
        consumed++;
        maxAhead = Math.max(maxAhead, fetched - consumed);
        // A slow consumer: the reader must wait for it, not read on.
        if (consumed % 200 === 0) await new Promise((r) => setTimeout(r, 30));
      }
      const after = await emu.admin.counters();
      expect(after.maxInFlight).toBeGreaterThanOrEqual(2);
      expect(after.maxInFlight).toBeLessThanOrEqual(4);
      expect(after.concurrencyRejected - before.concurrencyRejected).toBe(0);
      // Rows read but not yet handed out: at most 2 × concurrency pieces, one continuation each, and the page
      // being handed out (a page each), plus the count row: a bound that does not grow with the table.
      expect(maxAhead).toBeLessThanOrEqual((4 * 3 + 1) * 50 + 1);
    } finally {
      await emu.admin.setLatency({ route: 'suiteql', ms: 0 });
    }
  });

  it('refills a freed slot at once, not when the reader next pulls, up to its read-ahead bound', async () => {
    // Ids 2000–2600 have no holes: every piece holds one page, so no continuation adds a request.
    const run = client.exportRows({
      from: 'customer',
      columns: ['id'],
      where: 'id >= ?',
      params: ['2000'],
      pageSize: 50,
      concurrency: 2,
    });
    const rows = run[Symbol.asyncIterator]();
    // The reader takes one row and then holds the first page.
    expect((await rows.next()).done).toBe(false);
    // The count, the first page, then pieces until 2 × concurrency are queued behind it.
    const wanted = 2 + 2 * 2;
    for (let i = 0; i < 500 && run.requests < wanted; i++) await new Promise((r) => setTimeout(r, 10));
    expect(run.requests).toBeGreaterThanOrEqual(wanted);
    // Reading ahead stops at the bound while the reader still holds its page.
    await new Promise((r) => setTimeout(r, 100));
    expect(run.requests).toBe(wanted);
    await rows.return?.();
  });

  it('filters with where and bound params, and adds the key column when it is not asked for', async () => {
    const run = client.exportRows<{ id: string; email?: string }>({
      from: 'customer',
      columns: ['email'],
      where: 'id >= ? AND id < ?',
      params: ['100', '1500'],
      pageSize: 80,
    });
    const ids: string[] = [];
    for await (const row of run) ids.push(row.id);
    expect(ids).toEqual(await sequential('id >= ? AND id < ?', ['100', '1500']));
  });

  it('ends at once for an empty result and refuses bad options', async () => {
    const empty = client.exportRows({ from: 'customer', where: 'id < ?', params: [0] });
    for await (const _ of empty) throw new Error('no rows expected');
    expect(empty.total).toBe(0);
    for (const options of [
      { from: 'customer; DROP' },
      { from: 'customer', columns: [] },
      { from: 'customer', columns: ['id, (SELECT 1)'] },
      { from: 'customer', where: 'id > ?' },
      { from: 'customer', key: 'a b' },
      { from: 'customer', pageSize: 1001 },
      { from: 'customer', concurrency: 0 },
    ]) {
      expect(() => client.exportRows(options as never)).toThrow(
        expect.objectContaining({ code: 'ERR_RECORD_INVALID_ARGUMENT' }),
      );
    }
    const text = client.exportRows({ from: 'customer', key: 'companyname' });
    await expect(
      (async () => {
        for await (const _ of text);
      })(),
    ).rejects.toMatchObject({ code: 'ERR_RECORD_INVALID_RESPONSE' });
  });
});

describe('client.exportRows by record type', () => {
  let typed: Emulator;
  let typedClient: NetSuiteClient;
  beforeAll(async () => {
    typed = await startEmulator({
      port: 0,
      seed: { customers: 30, salesOrders: 45, invoices: 25, inventoryItems: 12 },
    });
    typedClient = createNetSuiteClient({
      accountId: typed.accountId,
      origin: typed.url,
      allowInsecureLoopback: true,
      token: await emulatorTokenSource(typed),
      concurrency: 3,
    });
  });
  afterAll(() => typed?.close());

  async function ids(q: string, params: string[] = []): Promise<string[]> {
    const out: string[] = [];
    for await (const row of typedClient.suiteql<{ id: string }>(q, { params })) out.push(row.id);
    return out;
  }

  it('reads a transaction type from the transaction table, only that type, in id order', async () => {
    const run = typedClient.exportRows<{ id: string; type: string; tranid: string }>({
      recordType: 'salesOrder',
      columns: ['id', 'type', 'tranid'],
      pageSize: 10,
    });
    const rows: Array<{ id: string; type: string }> = [];
    for await (const row of run) rows.push(row);
    const expected = await ids("SELECT id FROM transaction WHERE type = 'SalesOrd' ORDER BY id");
    expect(expected.length).toBeGreaterThanOrEqual(45);
    expect(rows.map((r) => r.id)).toEqual(expected);
    expect(new Set(rows.map((r) => r.type))).toEqual(new Set(['SalesOrd']));
    expect(run.total).toBe(expected.length);
    // Invoices share the table: none came with the sales orders, and they export on their own.
    const invoices: string[] = [];
    for await (const row of typedClient.exportRows<{ id: string }>({ recordType: 'invoice', pageSize: 7 }))
      invoices.push(row.id);
    expect(invoices).toEqual(await ids("SELECT id FROM transaction WHERE type = 'CustInvc' ORDER BY id"));
    expect(invoices.some((id) => expected.includes(id))).toBe(false);
  });

  it("combines the type's condition with the caller's where and params, and maps items and entities", async () => {
    const all = await ids("SELECT id FROM transaction WHERE type = 'SalesOrd' ORDER BY id");
    const cut = all[Math.floor(all.length / 2)] as string;
    const read = async (where: string, params: string[]) => {
      const out: string[] = [];
      for await (const row of typedClient.exportRows<{ id: string }>({
        recordType: 'SALESORDER',
        where,
        params,
        pageSize: 5,
      }))
        out.push(row.id);
      return out;
    };
    expect(await read('id > ?', [cut])).toEqual(all.filter((id) => Number(id) > Number(cut)));
    // An OR in the caller's condition stays inside its parentheses: no row of another type slips in.
    expect(await read('id < ? OR id >= ?', [cut, cut])).toEqual(all);
    const items: Array<{ id: string; itemtype: string }> = [];
    for await (const row of typedClient.exportRows<{ id: string; itemtype: string }>({
      recordType: 'inventoryItem',
      columns: ['id', 'itemtype'],
    }))
      items.push(row);
    expect(items).toHaveLength(12);
    expect(new Set(items.map((i) => i.itemtype))).toEqual(new Set(['InvtPart']));
    let customers = 0;
    for await (const _ of typedClient.exportRows({ recordType: 'customer' })) customers++;
    expect(customers).toBe((await ids('SELECT id FROM customer')).length);
  });

  it('refuses an unknown record type (with suggestions) and from together with recordType', () => {
    expect(() => typedClient.exportRows({ recordType: 'salesOrders' })).toThrow(
      expect.objectContaining({
        code: 'ERR_RECORD_INVALID_ARGUMENT',
        message: expect.stringContaining('salesOrder'),
      }),
    );
    expect(() => typedClient.exportRows({ recordType: 'invoice', from: 'transaction' })).toThrow(
      expect.objectContaining({ code: 'ERR_RECORD_INVALID_ARGUMENT' }),
    );
    expect(() => typedClient.exportRows({} as never)).toThrow(
      expect.objectContaining({ code: 'ERR_RECORD_INVALID_ARGUMENT' }),
    );
  });
});
