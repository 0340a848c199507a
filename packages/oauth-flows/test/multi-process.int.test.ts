import { createHash } from 'node:crypto';
import { type RedisServer, startRedisServer } from '@netsuite-oauth/test-utils';
import { redisTokenStore } from '@netsuite-oauth/token-store-redis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenManager } from '../src/index.js';
import { type EmulatorSetup, loginTokens, setupEmulator } from './helpers/emulator.js';
import { buildWorker, startWorker } from './helpers/workers.js';

// G02 (scaled), G05 and G07 across real processes sharing a real redis-server.
// Tokens are compared by short hashes so a failing assertion never prints one.
const h = (tokens: readonly string[]) =>
  tokens.map((t) => createHash('sha256').update(t).digest('hex').slice(0, 8));
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
  it('G02: 4 processes × 50 callers over 5 expiry cycles → exactly one token request per cycle', async () => {
    const s = await setupEmulator({ accessTokenTtlSeconds: 2 });
    try {
      const config = {
        ...baseConfig(s, 'g02'),
        mode: 'cycles',
        grant: 'client_credentials',
        cycles: 5,
        callers: 50,
      };
      const results = await Promise.all([0, 1, 2, 3].map(() => startWorker(script, config).done));
      const counters = await s.emu.admin.counters();
      expect(counters.tokenByGrant.client_credentials).toBe(5);
      for (const r of results) {
        expect(r.errors).toEqual([]);
        // every process saw the same five tokens, in the same order: nobody fetched a private one
        expect(h(r.seen)).toEqual(h(results[0]?.seen ?? []));
      }
      expect(new Set(results[0]?.seen).size).toBe(5);
    } finally {
      await s.emu.close();
    }
  });

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
      expect(survivor.seen).toHaveLength(1);
      expect(survivor.seen[0]).toEqual(expect.any(String));
      const counters = await s.emu.admin.counters();
      expect(counters.tokenByGrant.client_credentials ?? 0).toBeLessThanOrEqual(2);
    } finally {
      await s.emu.close();
    }
  });

  it('G07: a public client rotating refresh tokens across 4 processes → no refresh token spent twice', async () => {
    const s = await setupEmulator({ accessTokenTtlSeconds: 2 });
    try {
      const tokens = await loginTokens(s, s.pub);
      // the user's session is saved once, from this process, into the shared Redis
      const client = createClient({ url: redis.url });
      await client.connect();
      try {
        const seeder = createTokenManager({
          store: redisTokenStore({ client, encrypt: false }),
          key: 'g07',
          grant: { type: 'refresh_token', ...s.loc, client: s.pub },
        });
        await seeder.setTokenSet(tokens);
        await seeder.close();
      } finally {
        await client.quit();
      }
      const config = {
        ...baseConfig(s, 'g07'),
        mode: 'cycles',
        grant: 'refresh_token',
        cycles: 4,
        callers: 50,
      };
      const results = await Promise.all([0, 1, 2, 3].map(() => startWorker(script, config).done));
      for (const r of results) {
        expect(r.errors).toEqual([]);
        expect(h(r.seen)).toEqual(h(results[0]?.seen ?? []));
      }
      const refreshed = (results[0]?.seen ?? []).filter((t) => t !== tokens.accessToken);
      expect(refreshed.length).toBeGreaterThanOrEqual(3);
      const counters = await s.emu.admin.counters();
      // one refresh per new access token: no refresh token was ever spent twice
      expect(counters.tokenByGrant.refresh_token).toBe(refreshed.length);
    } finally {
      await s.emu.close();
    }
  });
});
