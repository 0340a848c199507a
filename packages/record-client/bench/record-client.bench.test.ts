// Benchmarks of @netsuite-oauth/record-client. Every figure is a ratio to a reference measured in the same run;
// nothing here is a wall-clock threshold. Run with `pnpm bench:local` in this package.
import { type ChildProcess, spawn } from 'node:child_process';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { startEmulator } from '@netsuite-oauth/emulator';
import ky from 'ky';
import { Pool } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { createConcurrencyLimiter, createNetSuiteClient } from '../src/index.js';
import { emulatorTokenSource } from '../test/helpers/emulator-token.js';

const TOKEN = 'bench-token-0123456789abcdef';
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill();
});

/** A fast NetSuite stand-in in its own process (so it has its own core): fixed latency, optional 429 above a limit. */
async function startMockServer(latencyMs: number, limit: number): Promise<string> {
  const script = `
    const http = require('node:http');
    let inFlight = 0;
    const body = JSON.stringify({ id: '1', companyName: 'Acme', email: 'a@example.com', links: [] });
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (inFlight >= ${limit}) {
          res.writeHead(429, { 'content-type': 'application/json' });
          res.end('{"status":429,"o:errorDetails":[{"o:errorCode":"CONCURRENCY_LIMIT_EXCEEDED"}]}');
          return;
        }
        inFlight++;
        const answer = () => {
          inFlight--;
          res.writeHead(200, { 'content-type': 'application/vnd.oracle.resource+json; type=singular' });
          res.end(body);
        };
        if (${latencyMs} > 0) setTimeout(answer, ${latencyMs}); else answer();
      });
    });
    server.keepAliveTimeout = 10000;
    server.listen(0, '127.0.0.1', () => console.log(server.address().port));
  `;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const port = await new Promise<string>((resolve) =>
    child.stdout?.once('data', (d: Buffer) => resolve(d.toString().trim())),
  );
  return `http://127.0.0.1:${port}`;
}

async function drive(total: number, concurrency: number, call: () => Promise<unknown>) {
  let next = 0;
  let failed = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < total) {
        try {
          await call();
        } catch {
          failed++;
        }
      }
    }),
  );
  return { ms: performance.now() - started, failed };
}

const fmt = (n: number) => n.toFixed(3);

describe('record-client benchmarks', () => {
  it('throughput under a concurrency limit C with server latency L, as a fraction of the ideal C/L', async () => {
    const C = 5;
    const L = 20;
    const origin = await startMockServer(L, C);
    const client = createNetSuiteClient({
      accountId: '1234567',
      origin,
      allowInsecureLoopback: true,
      token: async () => TOKEN,
      concurrency: C,
    });
    // Reference in the same run: plain fetch behind a bare semaphore of C (what the machine allows right now).
    const url = `${origin}/services/rest/record/v1/customer/1`;
    const semaphore = createConcurrencyLimiter(C);
    const reference = async () => {
      const permit = await semaphore.acquire();
      try {
        return await (await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } })).json();
      } finally {
        permit.release();
      }
    };
    const ours = () => client.records.get('customer', 1);
    await drive(100, 50, ours);
    await drive(100, 50, reference);
    const total = 500;
    const ideal = (total * L) / C;
    const oursRatios: number[] = [];
    const refRatios: number[] = [];
    let failed = 0;
    for (let round = 0; round < 3; round++) {
      const a = await drive(total, 50, ours);
      const b = await drive(total, 50, reference);
      failed += a.failed;
      oursRatios.push(ideal / a.ms);
      refRatios.push(ideal / b.ms);
    }
    const median = (values: number[]) => [...values].sort((x, y) => x - y)[1] as number;
    console.log(
      `[bench] governed throughput: C=${C} L=${L}ms, ${total} requests offered at 50, median of 3: ` +
        `record-client ${fmt(median(oursRatios))} of the ideal C/L (target ≥ 0.95); ` +
        `plain fetch + semaphore ${fmt(median(refRatios))} of ideal → record-client / reference ${fmt(median(oursRatios) / median(refRatios))}; ` +
        `failed ${failed}`,
    );
    expect(failed).toBe(0);
  });

  it('record GET requests/s at concurrency 16: record-client vs plain ky vs an undici Pool', async () => {
    const origin = await startMockServer(0, 1_000_000);
    const url = `${origin}/services/rest/record/v1/customer/1`;
    const client = createNetSuiteClient({
      accountId: '1234567',
      origin,
      allowInsecureLoopback: true,
      token: async () => TOKEN,
      concurrency: 16,
    });
    const plain = ky.create({ retry: 0, timeout: 30_000 });
    const pool = new Pool(origin, { connections: 16 });
    const contenders: Record<string, () => Promise<unknown>> = {
      'record-client': () => client.records.get('customer', 1),
      ky: () => plain.get(url, { headers: { authorization: `Bearer ${TOKEN}` } }).json(),
      'undici Pool': async () => {
        const response = await pool.request({
          path: '/services/rest/record/v1/customer/1',
          method: 'GET',
          headers: { authorization: `Bearer ${TOKEN}` },
        });
        return await response.body.json();
      },
    };
    const total = 4000;
    const rates: Record<string, number[]> = {};
    const cpuPerRequest: Record<string, number[]> = {};
    for (const call of Object.values(contenders)) await drive(500, 16, call);
    const entries = Object.entries(contenders);
    for (let round = 0; round < 5; round++) {
      // Rotate the order each round, so no contender always runs first (or right after the same one).
      for (const [name, call] of [...entries.slice(round % 3), ...entries.slice(0, round % 3)]) {
        const cpu = process.cpuUsage();
        const { ms, failed } = await drive(total, 16, call);
        const used = process.cpuUsage(cpu);
        expect(failed).toBe(0);
        rates[name] = [...(rates[name] ?? []), (total / ms) * 1000];
        // CPU per request in this process (the server runs in another): steadier than req/s on a busy machine.
        cpuPerRequest[name] = [...(cpuPerRequest[name] ?? []), (used.user + used.system) / total];
      }
    }
    await pool.close();
    const median = (values: number[]) =>
      [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
    const ours = median(rates['record-client'] as number[]);
    const kyRate = median(rates.ky as number[]);
    const undiciRate = median(rates['undici Pool'] as number[]);
    console.log(
      `[bench] GET at concurrency 16 (median of 5 × ${total}): record-client ${fmt(ours)} req/s, ky ${fmt(kyRate)} req/s, ` +
        `undici Pool ${fmt(undiciRate)} req/s → vs ky ${fmt(ours / kyRate)}× (target ≥ 0.9), vs undici Pool ${fmt(ours / undiciRate)}×`,
    );
    const cpu = (name: string) => median(cpuPerRequest[name] as number[]);
    console.log(
      `[bench] client CPU per GET (median): record-client ${cpu('record-client').toFixed(1)} µs, ky ${cpu('ky').toFixed(1)} µs, ` +
        `undici Pool ${cpu('undici Pool').toFixed(1)} µs → ky / record-client ${fmt(cpu('ky') / cpu('record-client'))} (1.0 = same cost)`,
    );
  });

  it('streaming 150,000 SuiteQL rows from the emulator keeps heap growth bounded', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const rows = 150_000;
    const emu = await startEmulator({ port: 0, seed: { customers: rows }, suiteqlMaxRows: 1_000_000 });
    try {
      const token = await emulatorTokenSource(emu);
      const client = createNetSuiteClient({
        accountId: emu.accountId,
        origin: emu.url,
        allowInsecureLoopback: true,
        token,
        concurrency: 5,
        timeoutMs: 120_000,
      });
      const query = 'SELECT id, companyname, email FROM customer WHERE id > ? ORDER BY id ASC';
      // The emulator lives in this process too; measure its baseline with the data loaded.
      gc();
      const base = process.memoryUsage().heapUsed;
      let peak = Number.NEGATIVE_INFINITY;
      let seen = 0;
      const started = performance.now();
      for await (const _row of client.suiteqlByKey(query, { key: 'id' })) {
        if (++seen % 10_000 === 0) {
          gc();
          peak = Math.max(peak, process.memoryUsage().heapUsed - base);
        }
      }
      const streamMs = performance.now() - started;
      gc();
      const kept: unknown[] = [];
      const keptBase = process.memoryUsage().heapUsed;
      for await (const row of client.suiteqlByKey(query, { key: 'id' })) kept.push(row);
      gc();
      const keptGrowth = process.memoryUsage().heapUsed - keptBase;
      const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
      console.log(
        `[bench] suiteql stream of ${seen} rows in ${(streamMs / 1000).toFixed(1)} s: peak heap growth ${mb(peak)} MB (sampled after gc every 10,000 rows) ` +
          `vs ${mb(keptGrowth)} MB when the rows are kept → ratio ${fmt(Math.max(0, peak) / keptGrowth)}`,
      );
      expect(seen).toBe(rows);
      expect(kept.length).toBe(rows);
    } finally {
      await emu.close();
    }
  });
});
