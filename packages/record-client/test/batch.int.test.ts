import { inspect } from 'node:util';
import { type Emulator, type EmulatorOptions, startEmulator } from '@netsuite-oauth/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BatchCheckpoint,
  type BatchResult,
  createNetSuiteClient,
  type NetSuiteClient,
  type NetSuiteClientOptions,
} from '../src/index.js';
import { emulatorTokenSource } from './helpers/emulator-token.js';

interface Harness {
  emu: Emulator;
  client(options?: Partial<NetSuiteClientOptions>): NetSuiteClient;
  /** How many customers carry an external id starting with `prefix`, counted through SuiteQL. */
  countByPrefix(prefix: string): Promise<{ rows: number; distinct: number }>;
  close(): Promise<void>;
}

async function harness(options: EmulatorOptions = {}): Promise<Harness> {
  const emu = await startEmulator({ port: 0, seed: { customers: 3 }, ...options });
  const token = await emulatorTokenSource(emu);
  const client = (extra: Partial<NetSuiteClientOptions> = {}) =>
    createNetSuiteClient({
      accountId: emu.accountId,
      origin: emu.url,
      allowInsecureLoopback: true,
      token,
      retry: { baseDelayMs: 5 },
      ...extra,
    });
  const plain = client();
  return {
    emu,
    client,
    async countByPrefix(prefix) {
      const rows: Array<{ externalid?: string }> = [];
      for await (const row of plain.suiteql<{ externalid?: string }>(
        'SELECT externalid FROM customer WHERE externalid LIKE ?',
        { params: [`${prefix}%`] },
      )) {
        rows.push(row);
      }
      return { rows: rows.length, distinct: new Set(rows.map((r) => r.externalid)).size };
    },
    close: () => emu.close(),
  };
}

async function collect(run: AsyncIterable<BatchResult>): Promise<BatchResult[]> {
  const out: BatchResult[] = [];
  for await (const r of run) out.push(r);
  return out;
}

const customers = (prefix: string, n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => ({
    companyName: `${prefix} ${from + i}`,
    externalId: `${prefix}-${from + i}`,
    subsidiary: { id: '1' },
  }));

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h?.close());

describe('client.batch against the emulator (REST batch, article_0127092747)', () => {
  it('creates any number of records in chunks of 100, results in input order with their ids', async () => {
    const results = await collect(h.client().batch.create('customer', customers('ORDER', 250)));
    expect(results.map((r) => r.index)).toEqual(Array.from({ length: 250 }, (_, i) => i));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(new Set(results.map((r) => r.id)).size).toBe(250);
    const ids = results.map((r) => Number(r.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(await h.countByPrefix('ORDER-')).toEqual({ rows: 250, distinct: 250 });
    // Three chunks: three jobs.
    expect((await h.emu.admin.counters()).asyncJobs).toBeGreaterThanOrEqual(3);
  });

  it('one bad record in a chunk of 100: 99 created, 1 reported with its index and NetSuite error, never its body', async () => {
    const rows: Array<Record<string, unknown>> = customers('ONEBAD', 100);
    rows[41] = { email: 'no-company@example.com', externalId: 'ONEBAD-41', comments: 'PRIVATE-BODY-VALUE' };
    const results = await collect(h.client().batch.create('customer', rows));
    const failures = results.filter((r) => !r.ok);
    expect(results.filter((r) => r.ok)).toHaveLength(99);
    expect(failures).toHaveLength(1);
    const failure = failures[0];
    if (failure?.ok !== false) throw new Error('expected a failure');
    expect(failure.index).toBe(41);
    expect(failure.error).toMatchObject({
      name: 'BatchItemError',
      code: 'ERR_RECORD_BATCH_ITEM',
      index: 41,
      status: 400,
      errorCode: 'USER_ERROR',
      errorPath: 'companyName',
    });
    for (const text of [
      String(failure.error),
      inspect(failure.error, { depth: 5 }),
      JSON.stringify(failure.error),
    ]) {
      expect(text).not.toContain('PRIVATE-BODY-VALUE');
      expect(text).not.toContain('no-company@example.com');
    }
    expect(await h.countByPrefix('ONEBAD-')).toEqual({ rows: 99, distinct: 99 });
  });

  it('streams an async iterable far larger than the window with bounded read-ahead, in order', async () => {
    let pulled = 0;
    let yielded = 0;
    let maxAhead = 0;
    async function* source() {
      for (let i = 0; i < 1500; i++) {
        pulled++;
        maxAhead = Math.max(maxAhead, pulled - yielded);
        // Every 7th chunk is refused locally (not objects): it settles at once, out of order with the others.
        yield Math.floor(i / 10) % 7 === 3
          ? (`not a record ${i}` as never)
          : (customers('STREAM', 1, i)[0] as never);
      }
    }
    const run = h.client({ concurrency: 3 }).batch.create('customer', source(), { chunkSize: 10 });
    let last = -1;
    for await (const r of run) {
      expect(r.index).toBe(last + 1);
      last = r.index;
      yielded++;
      expect(run.checkpoint().acknowledged).toBe(r.index + 1);
    }
    expect(last).toBe(1499);
    // Window: 3 chunks running (the limit), at most 2 × 3 chunks held, one more being read: ≤ 7 chunks of 10,
    // however long the input.
    expect(maxAhead).toBeLessThanOrEqual(70);
    const refused = 1500 - (await h.countByPrefix('STREAM-')).rows;
    expect(refused).toBe(Array.from({ length: 150 }, (_, c) => c).filter((c) => c % 7 === 3).length * 10);
  });

  it('updates, upserts, reads and deletes in batches', async () => {
    const client = h.client();
    const created = await collect(client.batch.create('customer', customers('CRUD', 5)));
    const ids = created.map((r) => r.id as string);
    const updated = await collect(
      client.batch.update('customer', [
        { id: ids[0] as string, email: 'zero@example.com' },
        { externalId: 'CRUD-1', email: 'one@example.com' },
        { email: 'no id' },
        { id: '99999999', email: 'missing@example.com' },
      ]),
    );
    expect(updated.map((r) => r.ok)).toEqual([true, true, false, false]);
    expect(updated[2]).toMatchObject({ ok: false, error: { status: undefined, errorPath: 'id' } });
    expect(updated[3]).toMatchObject({ ok: false, error: { status: 404, errorCode: 'NONEXISTENT_ID' } });
    const upserted = await collect(
      client.batch.upsert('customer', [
        { externalId: 'CRUD-2', companyName: 'Renamed' },
        { externalId: 'CRUD-NEW', companyName: 'New', subsidiary: { id: '1' } },
      ] as never),
    );
    expect(upserted.every((r) => r.ok)).toBe(true);
    const read = await collect(
      client.batch.get('customer', [ids[0] as string, 'eid:CRUD-1', 'eid:CRUD-2', '99999999', 'bad id']),
    );
    expect(read.map((r) => r.ok)).toEqual([true, true, true, false, false]);
    expect(read[0]).toMatchObject({ ok: true, id: ids[0], record: { email: 'zero@example.com' } });
    expect(read[1]).toMatchObject({ record: { email: 'one@example.com' } });
    expect(read[2]).toMatchObject({ record: { companyName: 'Renamed' } });
    const deleted = await collect(client.batch.delete('customer', [...ids, 'eid:CRUD-NEW']));
    expect(deleted.every((r) => r.ok)).toBe(true);
    expect(await h.countByPrefix('CRUD-')).toEqual({ rows: 0, distinct: 0 });
  });

  it('resumed with the same run id, a chunk accepted before the stop is never written twice', async () => {
    const rows = customers('RESUME', 600);
    const client = h.client({ concurrency: 4 });
    const run = client.batch.create('customer', rows, { chunkSize: 50 });
    let saved: BatchCheckpoint | undefined;
    for await (const r of run) {
      saved = run.checkpoint();
      // Stop mid-chunk while later chunks are in flight (submitted, not yet acknowledged).
      if (r.index === 174) break;
    }
    expect(saved?.acknowledged).toBe(175);
    const before = await h.countByPrefix('RESUME-');
    expect(before.rows).toBeGreaterThan(175);
    const resumed = await collect(
      client.batch.create('customer', rows, { resume: saved as BatchCheckpoint }),
    );
    expect(resumed[0]?.index).toBe(175);
    expect(resumed.map((r) => r.index)).toEqual(Array.from({ length: 425 }, (_, i) => i + 175));
    expect(resumed.every((r) => r.ok)).toBe(true);
    expect(await h.countByPrefix('RESUME-')).toEqual({ rows: 600, distinct: 600 });
  });

  it('follows the earlier job when the 202 of an accepted chunk is lost', async () => {
    let dropped = 0;
    const lossy: typeof fetch = async (input, init) => {
      const request = new Request(input, init);
      const response = await fetch(request);
      if (request.method === 'POST' && response.status === 202 && dropped === 0) {
        dropped++;
        throw new TypeError('fetch failed: connection reset after the server answered');
      }
      return response;
    };
    const results = await collect(h.client({ fetch: lossy }).batch.create('customer', customers('LOST', 30)));
    expect(dropped).toBe(1);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(await h.countByPrefix('LOST-')).toEqual({ rows: 30, distinct: 30 });
  });

  it('refuses bad arguments synchronously with ERR_RECORD_INVALID_ARGUMENT', () => {
    const batch = h.client().batch;
    const run = batch.create('customer', []);
    for (const make of [
      () => batch.create('customer', {} as never),
      () => batch.create('bad type!', []),
      () => batch.create('customer', [], { chunkSize: 101 }),
      () => batch.create('customer', [], { concurrency: 0 }),
      () => batch.create('customer', [], { resume: { ...run.checkpoint(), operation: 'delete' } }),
      () => batch.create('customer', [], { resume: { version: 1 } as never }),
      () => batch.create('customer', [], { runId: 'x', resume: run.checkpoint() }),
      () => batch.upsert('customer', [], { jobHoldsSlot: 'yes' as never }),
    ]) {
      expect(make).toThrow(expect.objectContaining({ code: 'ERR_RECORD_INVALID_ARGUMENT' }));
    }
    run[Symbol.asyncIterator]();
    expect(() => run[Symbol.asyncIterator]()).toThrow(/iterated once/);
  });

  it('stops on abort with ERR_RECORD_ABORTED, keeping what was acknowledged', async () => {
    const controller = new AbortController();
    const run = h
      .client()
      .batch.create('customer', customers('ABORT', 300), { signal: controller.signal, chunkSize: 20 });
    const error = await (async () => {
      for await (const r of run) if (r.index === 30) controller.abort();
    })().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_RECORD_ABORTED' });
    expect(run.checkpoint().acknowledged).toBe(40);
  });
});

describe('client.batch under governance and other emulator settings', () => {
  it('at a concurrency of 16 (batch and export) no listener-leak warning: the listeners on a run signal are bounded', async () => {
    const t = await harness({ concurrencyLimit: 16, costModel: { requestMs: 5, recordMs: 1 } });
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const client = t.client({ concurrency: 16 });
      const results = await collect(
        client.batch.create('customer', customers('WIDE', 800), { chunkSize: 20 }),
      );
      expect(results.every((r) => r.ok)).toBe(true);
      expect((await t.emu.admin.counters()).maxSlotsInUse).toBeGreaterThan(10);
      let rows = 0;
      for await (const _ of client.exportRows({ from: 'customer', pageSize: 20, concurrency: 16 })) rows++;
      expect(rows).toBe(803);
      expect((await t.emu.admin.counters()).maxInFlight).toBeGreaterThan(10);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((w) => w === 'MaxListenersExceededWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
      await t.close();
    }
  });

  it('counts running jobs against the limit: every slot busy, no 429, even before it knows how long jobs take', async () => {
    // Jobs of one second: a read sent while its job still runs needs a slot of its own.
    const t = await harness({ concurrencyLimit: 3, costModel: { requestMs: 10, recordMs: 20 } });
    try {
      const results = await collect(
        t.client({ concurrency: 3 }).batch.create('customer', customers('SLOT', 250), { chunkSize: 50 }),
      );
      expect(results.every((r) => r.ok)).toBe(true);
      const counters = await t.emu.admin.counters();
      expect(counters.concurrencyRejected).toBe(0);
      expect(counters.maxJobSlotsHeld).toBeGreaterThanOrEqual(2);
      expect(counters.maxSlotsInUse).toBe(3);
      expect(await t.countByPrefix('SLOT-')).toEqual({ rows: 250, distinct: 250 });
    } finally {
      await t.close();
    }
  });

  it('reads each task when the task list carries no results (expandTaskResults: false)', async () => {
    const t = await harness({ expandTaskResults: false });
    try {
      const rows: Array<Record<string, unknown>> = customers('PLAIN', 12);
      rows[5] = { email: 'x@example.com' };
      const results = await collect(t.client().batch.create('customer', rows, { chunkSize: 5 }));
      expect(results.map((r) => r.ok)).toEqual(rows.map((_, i) => i !== 5));
      expect(results[5]).toMatchObject({
        error: { status: 400, errorCode: 'USER_ERROR', errorPath: 'companyName' },
      });
      expect(results.filter((r) => r.ok).every((r) => /^\d+$/.test(r.id ?? ''))).toBe(true);
    } finally {
      await t.close();
    }
  });

  it('reports a chunk NetSuite refuses as a whole on each of its records, and writes nothing', async () => {
    const t = await harness({ maxBatchItems: 10 });
    try {
      const results = await collect(
        t.client().batch.create('customer', customers('WHOLE', 15), { chunkSize: 15 }),
      );
      expect(results).toHaveLength(15);
      expect(
        results.every((r) => !r.ok && r.error.status === 400 && r.error.errorCode === 'INVALID_CONTENT'),
      ).toBe(true);
      expect(await t.countByPrefix('WHOLE-')).toEqual({ rows: 0, distinct: 0 });
    } finally {
      await t.close();
    }
  });
});

describe('async jobs for any write', () => {
  it('updateAsync, upsertAsync and deleteAsync run as jobs and return the record id', async () => {
    const client = h.client();
    const { id } = await client.records.create('customer', {
      companyName: 'Async Write',
      subsidiary: { id: '1' },
    });
    const updated = await client.records.updateAsync(
      'customer',
      id,
      { email: 'async@example.com' },
      { pollIntervalMs: 5 },
    );
    expect(updated.id).toBe(id);
    expect((await client.records.get('customer', id)).email).toBe('async@example.com');
    const upserted = await client.records.upsertAsync(
      'customer',
      'ASYNC-UP',
      { companyName: 'Async Up', subsidiary: { id: '1' } },
      { pollIntervalMs: 5 },
    );
    expect(upserted.id).toMatch(/^\d+$/);
    const deleted = await client.records.deleteAsync('customer', id, { pollIntervalMs: 5 });
    expect(deleted.id).toBe(id);
    await expect(client.records.get('customer', id)).rejects.toMatchObject({ status: 404 });
    await expect(client.records.deleteAsync('customer', id, { pollIntervalMs: 5 })).rejects.toMatchObject({
      code: 'ERR_RECORD_ASYNC_JOB_FAILED',
      cause: { status: 404, errorCode: 'NONEXISTENT_ID' },
    });
  });
});
