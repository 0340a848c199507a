import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../src/index.js';
import { accessToken, bearer, setupM2M } from './helpers.js';

const COLLECTION = 'application/vnd.oracle.resource+json; type=collection';

interface TaskItem {
  id: string;
  completed: boolean;
  progress: string;
  startTime?: string;
  endTime?: string;
  result?: { status: number; location?: string; body?: Record<string, unknown> };
}

async function start(options: Parameters<typeof startEmulator>[0] = {}) {
  const emu = await startEmulator({ port: 0, seed: { customers: 5 }, ...options });
  const token = await accessToken(emu, await setupM2M(emu));
  const rec = emu.endpoints.recordUrl;
  const send = (
    method: string,
    path: string,
    init: { body?: unknown; headers?: Record<string, string> } = {},
  ) =>
    fetch(`${rec}/${path}`, {
      method,
      headers: {
        ...bearer(token),
        ...(init.body === undefined ? {} : { 'content-type': COLLECTION }),
        prefer: 'respond-async',
        ...init.headers,
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
  const get = async (url: string) => {
    const res = await fetch(url, { headers: bearer(token) });
    return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
  };
  /** Polls a job until it completes, then reads its tasks with their results inline. */
  const finish = async (jobUrl: string): Promise<{ job: Record<string, unknown>; tasks: TaskItem[] }> => {
    for (let i = 0; i < 200; i++) {
      const job = (await get(jobUrl)).body;
      if (job.completed === true) {
        const list = await get(`${jobUrl}/task?expandSubResources=true`);
        return { job, tasks: list.body.items as TaskItem[] };
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('job did not complete');
  };
  return { emu, token, rec, send, get, finish };
}

type Harness = Awaited<ReturnType<typeof start>>;
let h: Harness;
beforeAll(async () => {
  h = await start();
});
afterAll(async () => {
  await h?.emu.close();
});

describe('batch writes (article_0127092747)', () => {
  it('creates each item as its own task: a bad record fails alone, the others are created', async () => {
    const res = await h.send('POST', 'customer', {
      body: {
        items: [
          { companyName: 'Batch One', externalId: 'B-1' },
          { email: 'no-name@example.com' },
          { companyName: 'Batch Three', externalId: 'B-3' },
        ],
      },
    });
    expect(res.status).toBe(202);
    expect(res.headers.get('preference-applied')).toBe('respond-async');
    const jobUrl = res.headers.get('location') ?? '';
    expect(jobUrl).toMatch(/\/services\/rest\/async\/v1\/job\/\d+$/);
    const { job, tasks } = await h.finish(jobUrl);
    expect(job.progress).toBe('partiallySucceeded');
    expect(tasks.map((t) => t.progress)).toEqual(['succeeded', 'failed', 'succeeded']);
    expect(tasks[0]?.result).toMatchObject({
      status: 204,
      location: expect.stringMatching(/\/customer\/\d+$/),
    });
    expect(tasks[1]?.result).toMatchObject({
      status: 400,
      body: { 'o:errorDetails': [{ 'o:errorCode': 'USER_ERROR', 'o:errorPath': 'companyName' }] },
    });
    // The documented path: each task, then its result.
    const task = await h.get(`${jobUrl}/task/${tasks[2]?.id}`);
    expect(task.body).toMatchObject({ completed: true, progress: 'succeeded' });
    const result = await fetch(`${jobUrl}/task/${tasks[2]?.id}/result`, { headers: bearer(h.token) });
    expect(result.status).toBe(204);
    const created = await h.get(result.headers.get('location') ?? '');
    expect(created.body).toMatchObject({ companyName: 'Batch Three', externalId: 'B-3' });
    expect((await h.get(`${h.rec}/customer/eid:B-1`)).status).toBe(200);
  });

  it('refuses more than 100 items with a NetSuite error body and creates nothing', async () => {
    const before = (await h.emu.admin.counters()).asyncJobs;
    const items = Array.from({ length: 101 }, (_, i) => ({ companyName: `Too many ${i}` }));
    const res = await h.send('POST', 'customer', { body: { items } });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('type=error');
    expect(await res.json()).toMatchObject({
      status: 400,
      'o:errorDetails': [{ 'o:errorCode': 'INVALID_CONTENT', 'o:errorPath': 'items' }],
    });
    expect((await h.emu.admin.counters()).asyncJobs).toBe(before);
  });

  it.each([
    ['without Prefer: respond-async', { items: [{ companyName: 'x' }] }, { prefer: '' }, 'INVALID_HEADER'],
    ['with an empty items array', { items: [] }, {}, 'INVALID_CONTENT'],
    ['with a body that is not {"items":[…]}', { companyName: 'x' }, {}, 'INVALID_CONTENT'],
  ])('refuses a batch %s', async (_name, body, headers, code) => {
    const res = await h.send('POST', 'customer', { body, headers });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain(code);
  });

  it('updates by id or external id (PATCH) and upserts by external id (PUT)', async () => {
    const create = await h.send('POST', 'customer', {
      body: { items: [{ companyName: 'Up One', externalId: 'UP-1' }, { companyName: 'Up Two' }] },
    });
    const created = await h.finish(create.headers.get('location') ?? '');
    const secondId = created.tasks[1]?.result?.location?.split('/').at(-1) ?? '';
    const patch = await h.send('PATCH', 'customer', {
      body: {
        items: [
          { externalId: 'UP-1', email: 'one@example.com' },
          { id: secondId, email: 'two@example.com' },
          { email: 'nobody@example.com' },
          { id: '999999', email: 'missing@example.com' },
        ],
      },
    });
    const patched = await h.finish(patch.headers.get('location') ?? '');
    expect(patched.tasks.map((t) => t.result?.status)).toEqual([204, 204, 400, 404]);
    expect(patched.tasks[2]?.result?.body).toMatchObject({ 'o:errorDetails': [{ 'o:errorPath': 'id' }] });
    expect((await h.get(`${h.rec}/customer/${secondId}`)).body.email).toBe('two@example.com');
    const put = await h.send('PUT', 'customer', {
      body: {
        items: [
          { externalId: 'UP-1', companyName: 'Up One Renamed' },
          { externalId: 'UP-NEW', companyName: 'Up New' },
          { companyName: 'No external id' },
        ],
      },
    });
    const upserted = await h.finish(put.headers.get('location') ?? '');
    expect(upserted.tasks.map((t) => t.result?.status)).toEqual([204, 204, 400]);
    expect((await h.get(`${h.rec}/customer/eid:UP-1`)).body.companyName).toBe('Up One Renamed');
    expect((await h.get(`${h.rec}/customer/eid:UP-NEW`)).body.companyName).toBe('Up New');
  });

  it('reads (GET ?ids=) and deletes (DELETE ?ids=) in batches, each id its own task', async () => {
    const read = await h.send('GET', 'customer?expandRecords=true&ids=1,eid:B-1,424242');
    expect(read.status).toBe(202);
    const { tasks } = await h.finish(read.headers.get('location') ?? '');
    expect(tasks.map((t) => t.result?.status)).toEqual([200, 200, 404]);
    expect(tasks[1]?.result?.body).toMatchObject({ externalId: 'B-1', companyName: 'Batch One' });
    const ids = await h.send('GET', 'customer?ids=1,2');
    const plain = await h.finish(ids.headers.get('location') ?? '');
    expect(Object.keys(plain.tasks[0]?.result?.body ?? {}).sort()).toEqual(['id', 'links']);
    const del = await h.send('DELETE', 'customer?ids=eid:B-3,424242');
    const deleted = await h.finish(del.headers.get('location') ?? '');
    expect(deleted.tasks.map((t) => t.result?.status)).toEqual([204, 404]);
    expect((await h.get(`${h.rec}/customer/eid:B-3`)).status).toBe(404);
    const tooMany = await h.send(
      'DELETE',
      `customer?ids=${Array.from({ length: 101 }, (_, i) => i + 1).join(',')}`,
    );
    expect(tooMany.status).toBe(400);
  });

  it('honours an idempotency key: a repeated batch points at the first job and writes nothing again', async () => {
    const key = crypto.randomUUID();
    const body = { items: [{ companyName: 'Once', externalId: 'ONCE-1' }] };
    const first = await h.send('POST', 'customer', { body, headers: { 'x-netsuite-idempotency-key': key } });
    expect(first.status).toBe(202);
    await h.finish(first.headers.get('location') ?? '');
    const again = await h.send('POST', 'customer', { body, headers: { 'x-netsuite-idempotency-key': key } });
    expect(again.status).toBe(400);
    expect(again.headers.get('location')).toBe(first.headers.get('location'));
    expect(JSON.stringify(await again.json())).toContain('IDEMPOTENCY_ERROR');
    const query = await fetch(h.emu.endpoints.suiteqlUrl, {
      method: 'POST',
      headers: { ...bearer(h.token), prefer: 'transient', 'content-type': 'application/json' },
      body: JSON.stringify({ q: "SELECT COUNT(*) AS n FROM customer WHERE externalid = 'ONCE-1'" }),
    });
    expect(((await query.json()) as { items: Array<{ n: string }> }).items[0]?.n).toBe('1');
  });

  it('pages the task list and runs any single write as a job (PATCH)', async () => {
    const items = Array.from({ length: 5 }, (_, i) => ({ companyName: `Paged ${i}` }));
    const res = await h.send('POST', 'customer', { body: { items } });
    const jobUrl = res.headers.get('location') ?? '';
    await h.finish(jobUrl);
    const page = await h.get(`${jobUrl}/task?limit=2&offset=2`);
    expect(page.body).toMatchObject({ count: 2, offset: 2, hasMore: true, totalResults: 5 });
    expect((page.body.items as TaskItem[]).map((t) => t.id)).toEqual(['3', '4']);
    const patch = await fetch(`${h.rec}/customer/1`, {
      method: 'PATCH',
      headers: { ...bearer(h.token), 'content-type': 'application/json', prefer: 'respond-async' },
      body: JSON.stringify({ email: 'async-patch@example.com' }),
    });
    expect(patch.status).toBe(202);
    const { tasks } = await h.finish(patch.headers.get('location') ?? '');
    expect(tasks[0]?.result?.status).toBe(204);
    expect((await h.get(`${h.rec}/customer/1`)).body.email).toBe('async-patch@example.com');
  });
});

describe('the cost model (UNCONFIRMED figures, all options)', () => {
  it('lets a running job hold a concurrency slot: requests beyond the limit get 429 until it ends', async () => {
    const t = await start({ concurrencyLimit: 1, costModel: { recordMs: 100 } });
    try {
      const res = await t.send('POST', 'customer', {
        body: { items: Array.from({ length: 5 }, (_, i) => ({ companyName: `Slow ${i}` })) },
      });
      expect(res.status).toBe(202);
      // The job took over the submitting request's slot: with a limit of 1 nothing else fits while it runs.
      const blocked = await fetch(res.headers.get('location') ?? '', { headers: bearer(t.token) });
      expect(blocked.status).toBe(429);
      expect(JSON.stringify(await blocked.json())).toContain('CONCURRENCY_LIMIT_EXCEEDED');
      let counters = await t.emu.admin.counters();
      expect(counters.jobSlotsHeld).toBe(1);
      for (let i = 0; i < 200 && counters.jobSlotsHeld > 0; i++) {
        await new Promise((r) => setTimeout(r, 20));
        counters = await t.emu.admin.counters();
      }
      expect(counters).toMatchObject({
        jobSlotsHeld: 0,
        maxJobSlotsHeld: 1,
        maxSlotsInUse: 1,
        asyncTasks: 5,
      });
      const { job } = await t.finish(res.headers.get('location') ?? '');
      expect(job.progress).toBe('succeeded');
      // Without the slot, the same job leaves the slot free.
      await t.emu.admin.setCostModel({ jobHoldsSlot: false });
      const free = await t.send('POST', 'customer', {
        body: { items: [{ companyName: 'Free' }, { companyName: 'Free 2' }] },
      });
      expect((await fetch(free.headers.get('location') ?? '', { headers: bearer(t.token) })).status).toBe(
        200,
      );
    } finally {
      await t.emu.close();
    }
  });

  it('queues a job server-side when every slot is taken, and starts it when one frees', async () => {
    const t = await start({ concurrencyLimit: 2, costModel: { recordMs: 60 } });
    try {
      const a = await t.send('POST', 'customer', {
        body: { items: [{ companyName: 'A1' }, { companyName: 'A2' }] },
      });
      const b = await t.send('POST', 'customer', { body: { items: [{ companyName: 'B1' }] } });
      expect([a.status, b.status]).toEqual([202, 202]);
      expect((await t.emu.admin.counters()).jobSlotsHeld).toBe(2);
      const [ja, jb] = await Promise.all([
        t.finish(a.headers.get('location') ?? ''),
        t.finish(b.headers.get('location') ?? ''),
      ]);
      expect([ja.job.progress, jb.job.progress]).toEqual(['succeeded', 'succeeded']);
      expect((await t.emu.admin.counters()).maxSlotsInUse).toBe(2);
    } finally {
      await t.emu.close();
    }
  });

  it('runs a batch one record after another, or several at once with batch-processing="parallel"', async () => {
    const t = await start({ concurrencyLimit: 5, costModel: { recordMs: 30, parallelTasks: 4 } });
    try {
      const items = Array.from({ length: 4 }, (_, i) => ({ companyName: `Order ${i}` }));
      const seq = await t.finish(
        (await t.send('POST', 'customer', { body: { items } })).headers.get('location') ?? '',
      );
      const times = (task: TaskItem) => [Date.parse(task.startTime ?? ''), Date.parse(task.endTime ?? '')];
      for (let i = 1; i < 4; i++) {
        const [start] = times(seq.tasks[i] as TaskItem);
        const [, previousEnd] = times(seq.tasks[i - 1] as TaskItem);
        expect(start).toBeGreaterThanOrEqual(previousEnd as number);
      }
      const res = await t.send('POST', 'customer', {
        body: { items },
        headers: { prefer: 'respond-async, batch-processing="parallel"' },
      });
      expect(res.headers.get('preference-applied')).toBe('respond-async, batch-processing="parallel"');
      const par = await t.finish(res.headers.get('location') ?? '');
      const [lastStart] = times(par.tasks[3] as TaskItem);
      const [, firstEnd] = times(par.tasks[0] as TaskItem);
      expect(lastStart).toBeLessThan(firstEnd as number);
    } finally {
      await t.emu.close();
    }
  });

  it('is set at start, through emu.admin and over the HTTP admin API, and refuses bad values', async () => {
    expect(() => startEmulator({ costModel: { recordMs: -1 } })).toThrow(/costModel.recordMs/);
    expect(() => startEmulator({ costModel: { jobHoldsSlot: 'yes' as never } })).toThrow(/jobHoldsSlot/);
    expect(() => startEmulator({ costModel: { nope: 1 } as never })).toThrow(/not a cost model field/);
    await expect(h.emu.admin.setCostModel({ parallelTasks: 0 })).rejects.toMatchObject({
      code: 'ERR_EMULATOR_INVALID_OPTION',
    });
    const put = await fetch(`${h.emu.endpoints.adminUrl}/cost-model`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ requestMs: 5, batchProcessing: 'parallel' }),
    });
    expect(await put.json()).toMatchObject({
      requestMs: 5,
      recordMs: 0,
      jobHoldsSlot: true,
      batchProcessing: 'parallel',
    });
    expect(await h.emu.admin.costModel()).toMatchObject({ requestMs: 5 });
    const bad = await fetch(`${h.emu.endpoints.adminUrl}/cost-model`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ batchProcessing: 'sideways' }),
    });
    expect(bad.status).toBe(400);
    await h.emu.admin.setCostModel({ requestMs: 0, batchProcessing: 'sequential' });
  });

  it('answers the plain task list when expandTaskResults is off', async () => {
    const t = await start({ expandTaskResults: false });
    try {
      const res = await t.send('POST', 'customer', { body: { items: [{ companyName: 'Plain' }] } });
      const { tasks } = await t.finish(res.headers.get('location') ?? '');
      expect(Object.keys(tasks[0] ?? {}).sort()).toEqual(['id', 'links']);
    } finally {
      await t.emu.close();
    }
  });
});
