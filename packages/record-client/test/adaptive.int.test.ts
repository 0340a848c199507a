import { type Emulator, startEmulator } from '@netsuite-oauth/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConcurrencyLimiter, createNetSuiteClient, isAdaptiveLimiter } from '../src/index.js';
import { emulatorTokenSource } from './helpers/emulator-token.js';

let emu: Emulator;
let accessToken: string;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, seed: { customers: 20 } });
  await emu.admin.setConcurrencyLimit(5);
  // Server latency so that requests overlap and the limit is really tested.
  await emu.admin.setLatency({ route: 'record', ms: 2 });
  accessToken = await (await emulatorTokenSource(emu)).getAccessToken();
});
afterAll(async () => {
  await emu?.close();
});

describe('R73 / G18 AIMD: account limit 5 (unknown to the client), start at 20, 2,000 requests offered at 50', () => {
  it('0 failed requests; after the first 100 requests the 429 rate is under 2 %', async () => {
    const limiter = createConcurrencyLimiter({ limit: 20, adaptive: true, max: 20 });
    const client = createNetSuiteClient({
      accountId: emu.accountId,
      origin: emu.url,
      allowInsecureLoopback: true,
      token: async () => accessToken,
      concurrency: limiter,
      // Enough retries that a 429 during the first burst never fails a call.
      retry: { limit: 8 },
      circuitBreaker: false,
    });
    const total = 2000;
    const warmUp = 100;
    const start = await emu.admin.counters();
    let afterWarmUp: Awaited<ReturnType<Emulator['admin']['counters']>> | undefined;
    let warmUpReading: Promise<void> | undefined;
    let next = 0;
    let done = 0;
    let ok = 0;
    const failures: Record<string, number> = {};
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        while (next < total) {
          const id = (next++ % 20) + 1;
          try {
            await client.records.get('customer', id);
            ok++;
          } catch (error) {
            const key = `${(error as { code?: string }).code}:${(error as { status?: number }).status ?? ''}`;
            failures[key] = (failures[key] ?? 0) + 1;
          }
          if (++done === warmUp) {
            warmUpReading = emu.admin.counters().then((c) => {
              afterWarmUp = c;
            });
          }
        }
      }),
    );
    await warmUpReading;
    const end = await emu.admin.counters();
    if (afterWarmUp === undefined) throw new Error('warm-up counters were not read');
    const requestsAfter = end.record - afterWarmUp.record;
    const rejectedAfter = end.concurrencyRejected - afterWarmUp.concurrencyRejected;
    const rate = rejectedAfter / requestsAfter;
    if (!isAdaptiveLimiter(limiter)) throw new Error('expected an adaptive limiter');
    console.log(
      `G18 AIMD: ok=${ok} failed=${JSON.stringify(failures)} ` +
        `429s total=${end.concurrencyRejected - start.concurrencyRejected} ` +
        `first ${warmUp}=${afterWarmUp.concurrencyRejected - start.concurrencyRejected} ` +
        `after=${rejectedAfter}/${requestsAfter} (${(rate * 100).toFixed(2)} %) ` +
        `limit=${limiter.limit} decreases=${limiter.decreases} increases=${limiter.increases}`,
    );
    expect(failures).toEqual({});
    expect(ok).toBe(total);
    expect(requestsAfter).toBeGreaterThanOrEqual(total - warmUp);
    expect(rate).toBeLessThan(0.02);
    // It did adapt: it shrank from 20 and stays within its bounds.
    expect(limiter.decreases).toBeGreaterThan(0);
    expect(limiter.limit).toBeGreaterThanOrEqual(1);
    expect(limiter.limit).toBeLessThanOrEqual(20);
  });

  it('control: a fixed limiter of 20 against the same limit keeps drawing 429s', async () => {
    const client = createNetSuiteClient({
      accountId: emu.accountId,
      origin: emu.url,
      allowInsecureLoopback: true,
      token: async () => accessToken,
      concurrency: 20,
      retry: { limit: 8 },
      circuitBreaker: false,
    });
    const before = await emu.admin.counters();
    let next = 0;
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        while (next < 300) {
          next++;
          await client.records.get('customer', (next % 20) + 1).catch(() => undefined);
        }
      }),
    );
    const after = await emu.admin.counters();
    const rate = (after.concurrencyRejected - before.concurrencyRejected) / (after.record - before.record);
    expect(rate).toBeGreaterThan(0.02);
  });
});
