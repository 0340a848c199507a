import { type RedisServer, startRedisServer } from '@netsuite-oauth/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmulatorSetup, setupEmulator } from './helpers/emulator.js';
import { rotationFleet, singleFlightFleet } from './helpers/fleet.js';
import { buildWorker, startWorker } from './helpers/workers.js';

// G02 and G07 (scaled: `pnpm test:long` runs them at the figures' scale) and G05, across real processes
// sharing a real redis-server.
let redis: RedisServer;
let script: string;
beforeAll(async () => {
  [redis, script] = await Promise.all([startRedisServer(), buildWorker()]);
}, 60_000);
afterAll(async () => {
  await redis?.stop();
});

function baseConfig(s: EmulatorSetup, key: string) {
  return {
    redisUrl: redis.url,
    key,
    loc: s.loc,
    m2m: { ...s.m2m, audience: s.emu.endpoints.tokenUrl },
    pub: s.pub,
    startAt: Date.now() + 4000,
    timeoutMs: 2000,
    lockTtlMs: 3000,
  };
}

describe('across processes with Redis', () => {
  it('G02 (scaled): 4 processes × 50 callers over 5 expiry cycles → one token request per cycle, no duplicates', async () => {
    await singleFlightFleet({ script, redisUrl: redis.url, processes: 4, callers: 50, cycles: 5 });
  }, 60_000);

  it('G05: the lock holder killed mid-refresh → another process completes it, at most 2 requests', async () => {
    const s = await setupEmulator();
    try {
      await s.emu.admin.setLatency({ route: 'token', ms: 1000 });
      const config = {
        ...baseConfig(s, 'g05'),
        mode: 'once',
        grant: 'client_credentials',
        cycles: 1,
        callers: 1,
        startAt: 0,
      };
      const holder = startWorker(script, config);
      holder.done.catch(() => {});
      await holder.started;
      // wait until its token request is on the wire (the emulator holds it for 1 s), then kill it
      for (let i = 0; i < 200 && (await s.emu.admin.counters()).token === 0; i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      holder.child.kill('SIGKILL');
      await expect(holder.done).rejects.toThrow(/without a report/);
      const survivor = await startWorker(script, config).done;
      expect(survivor.errors).toEqual([]);
      // It refreshed under the lock, once the dead holder's lease had lapsed (not by giving up on the lock).
      expect(survivor.locks).toEqual({ granted: 1, refused: 0 });
      expect(survivor.seen).toHaveLength(1);
      expect(survivor.seen[0]).toEqual(expect.any(String));
      const counters = await s.emu.admin.counters();
      expect(counters.tokenByGrant.client_credentials ?? 0).toBeLessThanOrEqual(2);
    } finally {
      await s.emu.close();
    }
  });

  it('G07 (scaled): a public client rotating refresh tokens across 4 processes → no refresh token spent twice', async () => {
    await rotationFleet({ script, redisUrl: redis.url, processes: 4, callers: 50, cycles: 4 });
  }, 60_000);
});
