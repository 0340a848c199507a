import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { type Emulator, startEmulator } from '@netsuite-oauth/emulator';
import { type RedisServer, startRedisServer } from '@netsuite-oauth/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetSuiteClient } from '../src/index.js';
import { bundleForChild } from './helpers/bundle.js';
import { emulatorTokenSource } from './helpers/emulator-token.js';

let emu: Emulator;
let redis: RedisServer;
let accessToken: string;

beforeAll(async () => {
  [emu, redis] = await Promise.all([
    startEmulator({ port: 0, concurrencyLimit: 5, seed: { customers: 20 } }),
    startRedisServer(),
  ]);
  accessToken = await (await emulatorTokenSource(emu)).getAccessToken();
  // Server latency so that requests overlap and the limit is really tested.
  await emu.admin.setLatency({ route: 'record', ms: 2 });
});
afterAll(async () => {
  await emu?.close();
  await redis?.stop();
});

async function offer(client: ReturnType<typeof createNetSuiteClient>, total: number, offered: number) {
  let next = 0;
  let ok = 0;
  const failures: Record<string, number> = {};
  await Promise.all(
    Array.from({ length: offered }, async () => {
      while (next < total) {
        const id = (next++ % 20) + 1;
        try {
          await client.records.get('customer', id);
          ok++;
        } catch (error) {
          const key = `${(error as { code?: string }).code}:${(error as { status?: number }).status ?? ''}`;
          failures[key] = (failures[key] ?? 0) + 1;
        }
      }
    }),
  );
  return { ok, failures };
}

/**
 * The account's in-flight peak while `run` offers load to an emulator that would admit far more than the budget:
 * then what the emulator sees in flight is what the clients let out. (`maxInFlight` only grows; the runs at
 * the real limit cannot push it past 5, since the emulator refuses a sixth request there, so a peak above 5
 * can only come from `run`.)
 */
async function peakInFlight(run: () => Promise<unknown>): Promise<number> {
  await emu.admin.setConcurrencyLimit(1_000);
  try {
    await run();
  } finally {
    await emu.admin.setConcurrencyLimit(5);
  }
  return (await emu.admin.counters()).maxInFlight;
}

describe('G18: NetSuite concurrency limit 5, 2,000 requests offered at concurrency 50', () => {
  it('one process with an in-process limiter of 5 → 0 failed requests, 0 rejected by NetSuite, in flight ≤ 5', async () => {
    const before = await emu.admin.counters();
    const client = createNetSuiteClient({
      accountId: emu.accountId,
      origin: emu.url,
      allowInsecureLoopback: true,
      token: async () => accessToken,
      concurrency: 5,
    });
    const result = await offer(client, 2000, 50);
    const rejected = (await emu.admin.counters()).concurrencyRejected - before.concurrencyRejected;
    const peak = await peakInFlight(() => offer(client, 300, 50));
    console.log(
      `G18 in-process: ok=${result.ok} failed=${JSON.stringify(result.failures)} 429s=${rejected} maxInFlight=${peak}`,
    );
    expect(result.failures).toEqual({});
    expect(result.ok).toBe(2000);
    // Retries would hide a leaky limiter behind "0 failed": NetSuite must never have had to refuse one.
    expect(rejected).toBe(0);
    expect(peak).toBeLessThanOrEqual(5);
  }, 120_000);

  it('control: without a limiter or retries the same load fails (so the test can fail)', async () => {
    const client = createNetSuiteClient({
      accountId: emu.accountId,
      origin: emu.url,
      allowInsecureLoopback: true,
      token: async () => accessToken,
      concurrency: false,
      retry: false,
      circuitBreaker: false,
    });
    const result = await offer(client, 300, 50);
    expect(Object.values(result.failures).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });

  it('two processes sharing the budget through Redis (limit 5) → 0 failed requests, 0 rejected, in flight ≤ 5', async () => {
    const child = await bundleForChild(join(import.meta.dirname, 'fixtures', 'g18-child.ts'), 'g18-child');
    const before = await emu.admin.counters();
    // Same key for both children: they share one budget.
    const key = `g18:${emu.accountId}:${Date.now()}`;
    const run = (requests = 1000) =>
      new Promise<{ ok: number; failures: Record<string, number> }>((resolve, reject) => {
        const proc = spawn(process.execPath, [child], {
          env: {
            PATH: process.env.PATH ?? '',
            REDIS_URL: redis.url,
            BUDGET_KEY: key,
            LIMIT: '5',
            ACCOUNT_ID: emu.accountId,
            ORIGIN: emu.url,
            NS_TOKEN: accessToken,
            REQUESTS: String(requests),
            OFFERED: '25',
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        let err = '';
        proc.stdout.on('data', (d: Buffer) => (out += d));
        proc.stderr.on('data', (d: Buffer) => (err += d));
        proc.on('error', reject);
        proc.on('exit', (code) => {
          if (code !== 0) reject(new Error(`child exited ${code}: ${err.slice(0, 500)}`));
          else resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '{}'));
        });
      });
    const results = await Promise.all([run(), run()]);
    const rejected = (await emu.admin.counters()).concurrencyRejected - before.concurrencyRejected;
    const peak = await peakInFlight(() => Promise.all([run(300), run(300)]));
    console.log(`G18 two processes: ${JSON.stringify(results)} 429s=${rejected} maxInFlight=${peak}`);
    for (const result of results) {
      expect(result.failures).toEqual({});
      expect(result.ok).toBe(1000);
    }
    expect(rejected).toBe(0);
    expect(peak).toBeLessThanOrEqual(5);
  }, 120_000);
});
