// The fleet figures, against real processes: redis-server, the emulator over HTTP (one origin per account) and
// worker processes running worker.mjs. Scale knobs for a bigger run: FLEET_ACCOUNTS, FLEET_WORKERS, FLEET_LOAD.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBulkQueue } from '@netsuite-oauth/bulk-queue';
import { createNetSuiteClient } from '@netsuite-oauth/record-client';
import { type RedisServer, startRedisServer } from '@netsuite-oauth/test-utils';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAccounts, startWorker, tokenKey, tokenSource } from '../fleet.mjs';

const here = dirname(fileURLToPath(import.meta.url));
let redis: RedisServer;
const cleanups: Array<() => Promise<unknown> | unknown> = [];

beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await redis?.stop();
});

type Worker = Awaited<ReturnType<typeof startWorker>>;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function stopAll(workers: Worker[]) {
  return async () => {
    for (const worker of workers) worker.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
  };
}

describe('fleet: many accounts, many worker processes, one Redis', () => {
  it('G-fleet (scaled: 16 accounts; FLEET_ACCOUNTS=50 for the figure) × 4 workers, every token expiring mid-run: 1 token request per account per expiry, no account above its limit, 0 failed', async () => {
    // The default run keeps CI lean on two shared cores; the figure's 50 accounts: FLEET_ACCOUNTS=50.
    const accounts = Number(process.env.FLEET_ACCOUNTS ?? 16);
    const workerCount = Number(process.env.FLEET_WORKERS ?? 4);
    const load = Number(process.env.FLEET_LOAD ?? 3);
    // Long enough that a request queued for its account's permit on a busy host still holds a live token
    // (minValidityMs), short enough to expire between the two rounds.
    const ttlSeconds = 20;
    const accountOptions = Array.from({ length: accounts }, (_, i) => ({
      accountId: `${7100001 + i}`,
      concurrencyLimit: 1 + (i % 4),
      requestMs: 5 + 5 * (i % 3),
      accessTokenTtlSeconds: ttlSeconds,
      requestLogSize: 100_000,
    }));
    const { emu, workerAccounts } = await startAccounts(accountOptions);
    cleanups.push(() => emu.close());
    // Limits are discovered (governanceLimits) by every worker, through the shared budget.
    const config = {
      redisUrl: redis.url,
      tokenKey: tokenKey(),
      accounts: workerAccounts,
      mode: 'load',
      budgetPrefix: 'fig-a:budget',
      tokenPrefix: 'fig-a:tokens:',
      refreshAheadMs: 12_000,
      minValidityMs: 10_000,
      leaseMs: 10_000,
    };
    const workers = await Promise.all(Array.from({ length: workerCount }, () => startWorker(config)));
    cleanups.push(stopAll(workers));

    const round = async () => {
      for (const worker of workers) worker.send(`load ${load}`);
      return Promise.all(workers.map((w) => w.next('loaded', 240_000)));
    };
    const first = await round();
    const firstEnded = Date.now();
    // Every token of the first round has expired (each valid ttlSeconds from its issue) before the second round.
    await sleep(Math.max(0, firstEnded + ttlSeconds * 1000 + 200 - Date.now()));
    const second = await round();

    for (const results of [first, second]) {
      for (const result of results) {
        expect(result.failures).toEqual({});
        expect(result.ok).toBe(accounts * load);
      }
    }
    let rejected = 0;
    for (const [i, account] of emu.accounts.entries()) {
      const counters = await account.admin.counters();
      // One token request per account per expiry, whichever of the workers asked: at least one per round, and
      // each one only once the token before it was within refreshAheadMs of its end (on a slow host a round may
      // outlive a token; its refresh is then one more expiry, never a second request for the same one).
      const tokenTimes = (await account.admin.requestLog())
        .filter((entry) => entry.route === 'token')
        .map((entry) => Date.parse(entry.time));
      expect(tokenTimes.length).toBe(counters.token);
      expect(counters.token).toBeGreaterThanOrEqual(2);
      const gaps = tokenTimes.slice(1).map((t, k) => t - (tokenTimes[k] as number));
      const tooSoon = gaps.filter((gap) => gap < ttlSeconds * 1000 - config.refreshAheadMs - 500);
      expect(JSON.stringify({ account: account.accountId, tooSoon })).toBe(
        JSON.stringify({ account: account.accountId, tooSoon: [] }),
      );
      // The emulator refuses a request above the limit (429) and counts it: 0 refused = never above it.
      rejected += counters.concurrencyRejected;
      expect(counters.maxSlotsInUse).toBeLessThanOrEqual(accountOptions[i]?.concurrencyLimit ?? 0);
      // Every request NetSuite saw was answered 200: no 429, and no 401 from a token used past its end.
      expect(JSON.stringify({ account: account.accountId, byStatus: counters.byStatus })).toBe(
        JSON.stringify({ account: account.accountId, byStatus: { 200: counters.requests - counters.admin } }),
      );
      expect(counters.record).toBe(2 * workerCount * load);
    }
    expect(rejected).toBe(0);
  }, 300_000);

  it('G-fleet: a worker SIGKILLed holding leases and chunks: its budget returns within the lease, its chunks complete elsewhere, 0 duplicates, 0 lost', async () => {
    const leaseMs = 1_500;
    const { emu, workerAccounts } = await startAccounts([
      { accountId: '7200001', concurrencyLimit: 3, requestMs: 5, recordMs: 10, requestLogSize: 100_000 },
    ]);
    cleanups.push(() => emu.close());
    const account = workerAccounts[0] as (typeof workerAccounts)[number];
    const config = {
      redisUrl: redis.url,
      tokenKey: tokenKey(),
      accounts: workerAccounts,
      mode: 'bulk',
      budgetPrefix: 'fig-b:budget',
      tokenPrefix: 'fig-b:tokens:',
      limits: { [account.accountId]: 3 },
      leaseMs,
      queue: { name: 'fig-b', concurrency: 3, lockDurationMs: 1_500, stalledIntervalMs: 500 },
    };
    const port = Number(new URL(redis.url).port);
    const bulk = createBulkQueue({
      connection: { host: '127.0.0.1', port, maxRetriesPerRequest: null },
      name: 'fig-b',
    });
    cleanups.push(() => bulk.close());
    const probe = createClient({ url: redis.url });
    await probe.connect();
    cleanups.push(() => probe.destroy());
    const held = async () =>
      Number(await probe.sendCommand(['ZCOUNT', `fig-b:budget:${account.accountId}`, '(0', '+inf']));

    const victim = await startWorker(config);
    cleanups.push(stopAll([victim]));
    const records = Array.from({ length: 200 }, (_, i) => ({
      companyName: `kill-${i}`,
      subsidiary: { id: '1' },
    }));
    const { chunks } = await bulk.enqueue({
      importId: 'kill',
      accountId: account.accountId,
      operation: 'create',
      type: 'customer',
      records,
      chunkSize: 20,
    });
    // Kill it once NetSuite has accepted batches of its chunks (so their re-runs meet the idempotency keys) while
    // it holds permits.
    const emuAccount = emu.account(account.accountId);
    for (;;) {
      const counters = await emuAccount.admin.counters();
      if (counters.asyncJobs >= 2 && (await held()) > 0) break;
      await sleep(20);
    }
    victim.kill('SIGKILL');
    await victim.exited;
    const killedAt = Date.now();
    expect(await held()).toBeGreaterThan(0);
    // Its leases lapse within leaseMs (renewed every leaseMs / 3 while it lived); nobody else holds any.
    await sleep(Math.max(0, killedAt + leaseMs + 100 - Date.now()));
    const zset = `fig-b:budget:${account.accountId}`;
    const [seconds, micros] = (await probe.sendCommand(['TIME'])) as string[];
    const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    expect(Number(await probe.sendCommand(['ZCOUNT', zset, String(now), '+inf']))).toBe(0);

    // The survivors hold their leases and chunk locks longer: a busy host must not make them look dead too.
    const survivorConfig = {
      ...config,
      leaseMs: 30_000,
      queue: { ...config.queue, lockDurationMs: 30_000 },
    };
    const survivors = await Promise.all([startWorker(survivorConfig), startWorker(survivorConfig)]);
    cleanups.push(stopAll(survivors));
    const status = await bulk.wait('kill', chunks, { pollMs: 100, timeoutMs: 120_000 });
    expect(status).toMatchObject({ completed: chunks, failedChunks: 0, ok: 200, failures: [] });

    const client = createNetSuiteClient({
      accountId: account.accountId,
      origin: account.origin,
      allowInsecureLoopback: true,
      token: tokenSource(account),
    });
    const counts = new Map<string, number>();
    for await (const row of client.suiteql<{ companyname: string; n: string }>(
      "SELECT companyname, COUNT(*) AS n FROM customer WHERE companyname LIKE 'kill-%' GROUP BY companyname",
    )) {
      counts.set(row.companyname, Number(row.n));
    }
    expect(counts.size).toBe(200);
    expect([...counts.values()].filter((n) => n !== 1)).toEqual([]);
    // Not asserted: 429s. A killed worker's batch jobs still running in NetSuite hold their slots after its leases
    // lapse, and a poll of a running job can meet a full account; both are retried (0 failed chunks above).
  }, 300_000);

  it('run.mjs, the example as a user runs it, imports every record exactly once', async () => {
    const child = spawn(
      process.execPath,
      [
        join(here, '..', 'run.mjs'),
        '--accounts',
        '2',
        '--workers',
        '2',
        '--records',
        '120',
        '--redis',
        redis.url,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect({ code, err: err.slice(-2000) }).toEqual({ code: 0, err: '' });
    const outcome = JSON.parse(out.trim().split('\n').at(-1) ?? '{}');
    expect(outcome).toMatchObject({
      accounts: 2,
      workers: 2,
      records: 240,
      written: 240,
      failed: 0,
      stored: 240,
      duplicates: 0,
      accountsOverLimit: 0,
    });
  }, 300_000);
});
