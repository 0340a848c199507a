// A fleet of worker processes sharing one real redis-server and the emulator: the single flight across
// processes (G02) and rotating refresh tokens across processes (G07), at any scale. The default suite runs them
// small, the long suite (`pnpm test:long`) at the figures' scale. Assertions compare counts only, so a failure
// never prints a token.
import { redisTokenStore } from '@netsuite-oauth/token-store-redis';
import { createClient } from 'redis';
import { expect } from 'vitest';
import { createTokenManager, refreshAccessToken } from '../../src/index.js';
import { loginTokens, setupEmulator } from './emulator.js';
import { startWorker, type WorkerResult } from './workers.js';

export interface FleetScale {
  /** The bundled worker (test/fixtures/worker.ts, from `buildWorker()`). */
  readonly script: string;
  readonly redisUrl: string;
  readonly processes: number;
  /** Concurrent `getAccessToken()` callers per process, per round. */
  readonly callers: number;
  /** Distinct tokens each process must see (a 2-second token lifetime: one cycle is about a second). */
  readonly cycles: number;
}

function workerConfig(
  setup: Awaited<ReturnType<typeof setupEmulator>>,
  scale: FleetScale,
  key: string,
  grant: string,
) {
  return {
    redisUrl: scale.redisUrl,
    key,
    loc: setup.loc,
    m2m: { ...setup.m2m, audience: setup.emu.endpoints.tokenUrl },
    pub: setup.pub,
    // Leases far longer than a token request: on a busy machine a holder stalled past its lease would let a
    // second process refresh (correctly), which this figure would count as a duplicate.
    timeoutMs: 8000,
    lockTtlMs: 10_000,
    mode: 'cycles',
    grant,
    cycles: scale.cycles,
    callers: scale.callers,
  };
}

/**
 * Runs `processes` workers together: their callers start at once (after every worker is ready) and stop at once
 * (after every worker has seen `cycles` tokens, or gave up at its round cap), so no process runs alone.
 */
async function runFleet(scale: FleetScale, config: Record<string, unknown>): Promise<WorkerResult[]> {
  const workers = Array.from({ length: scale.processes }, () => startWorker(scale.script, config));
  for (const w of workers) w.done.catch(() => {});
  try {
    await Promise.all(workers.map((w) => w.event('ready')));
    for (const w of workers) w.send('go');
    await Promise.all(workers.map((w) => Promise.race([w.event('reached'), w.done])));
    for (const w of workers) w.send('stop');
    return await Promise.all(workers.map((w) => w.done));
  } finally {
    for (const w of workers)
      if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  }
}

function expectClean(results: readonly WorkerResult[]): void {
  for (const r of results) {
    // A broken lock ends in the round cap with errors, not in a test timeout.
    expect({ errors: r.errors, failedCalls: r.failedCalls, capped: r.capped }).toEqual({
      errors: [],
      failedCalls: 0,
      capped: false,
    });
  }
}

/**
 * G02: `processes` × `callers` client-credentials callers over `cycles` expiry cycles → exactly one token
 * request per cycle, and every process saw the same tokens in the same order (nobody fetched a private one).
 * Returns the figure line.
 */
export async function singleFlightFleet(scale: FleetScale): Promise<string> {
  const setup = await setupEmulator({ accessTokenTtlSeconds: 2 });
  try {
    const config = workerConfig(setup, scale, `g02-${Date.now()}`, 'client_credentials');
    const results = await runFleet(scale, config);
    expectClean(results);
    const posts = (await setup.emu.admin.counters()).tokenByGrant.client_credentials ?? 0;
    // Each token request ends in a compare-and-set of its token: won when it is the cycle's one refresh, lost
    // when another process had already stored a token for the cycle (a duplicate request).
    const won = results.reduce((n, r) => n + (r.writes?.won ?? 0), 0);
    const lost = results.reduce((n, r) => n + (r.writes?.lost ?? 0), 0);
    // A process that waited out the lock (its holder stalled past lockWaitMs on a busy machine) fetches without
    // it, by design: for client credentials the lock only saves requests. Only such a wait may explain a
    // duplicate; with the lock working and the machine keeping up, both are 0.
    const refused = results.reduce((n, r) => n + (r.locks?.refused ?? 0), 0);
    const perProcess = JSON.stringify(results.map((r) => ({ locks: r.locks, writes: r.writes })));
    expect(
      lost,
      `duplicates beyond the lock waits that ran out; per process: ${perProcess}`,
    ).toBeLessThanOrEqual(refused);
    // One refresh may still have been on the wire when the workers stopped.
    expect(posts - won).toBeGreaterThanOrEqual(0);
    expect(posts - won).toBeLessThanOrEqual(1);
    for (const r of results) expect(new Set(r.seen).size).toBeGreaterThanOrEqual(scale.cycles);
    return (
      `single flight across processes: ${scale.processes} processes × ${scale.callers} callers, ` +
      `${won} expiry cycles → ${posts} token requests, ${lost} duplicates (refreshes whose token another ` +
      `process had already stored), ${refused} lock waits ran out; every process saw ≥ ${scale.cycles} tokens`
    );
  } finally {
    await setup.emu.close();
  }
}

/**
 * G07: a public client's session (rotating, single-use refresh tokens; the emulator revokes the chain on reuse)
 * shared by `processes` × `callers` callers over `cycles` refreshes → no refresh token spent twice, no
 * `invalid_grant`, and the stored refresh token is the last one issued (the chain is alive). Returns the
 * figure line.
 */
export async function rotationFleet(scale: FleetScale): Promise<string> {
  const setup = await setupEmulator({ accessTokenTtlSeconds: 2 });
  try {
    const key = `g07-${Date.now()}`;
    const tokens = await loginTokens(setup, setup.pub);
    // The user's session is saved once, from this process, into the shared Redis.
    const client = createClient({ url: scale.redisUrl });
    await client.connect();
    try {
      const store = redisTokenStore({ client, encrypt: false });
      const seeder = createTokenManager({
        store,
        key,
        grant: { type: 'refresh_token', ...setup.loc, client: setup.pub },
      });
      await seeder.setTokenSet(tokens);
      await seeder.close();
      const config = workerConfig(setup, scale, key, 'refresh_token');
      const results = await runFleet(scale, config);
      expectClean(results);
      const refreshed = new Set(results.flatMap((r) => r.seen).filter((t) => t !== tokens.accessToken));
      expect(refreshed.size).toBeGreaterThanOrEqual(scale.cycles - 1);
      // One refresh per new access token (one may still have been running at the stop): no refresh token was
      // ever spent twice, or the emulator would have revoked the chain and the callers seen invalid_grant.
      const refreshes = (await setup.emu.admin.counters()).tokenByGrant.refresh_token ?? 0;
      expect(refreshes - refreshed.size).toBeGreaterThanOrEqual(0);
      expect(refreshes - refreshed.size).toBeLessThanOrEqual(1);
      // The stored refresh token is the newest of the chain: the server still takes it.
      const raw = JSON.parse((await store.get(key))?.value ?? '{}') as { r?: string };
      const next = await refreshAccessToken({ ...setup.loc, client: setup.pub, refreshToken: raw.r ?? '' });
      expect(next.accessToken).toEqual(expect.any(String));
      return (
        `rotation across processes: ${scale.processes} processes × ${scale.callers} callers ` +
        `(${scale.processes * scale.callers} concurrent triggers), ${refreshes} refreshes → 0 refresh tokens ` +
        `spent twice, 0 invalid_grant, stored refresh token is the live end of the chain`
      );
    } finally {
      await client.quit();
    }
  } finally {
    await setup.emu.close();
  }
}
