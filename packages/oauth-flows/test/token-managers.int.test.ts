import { type RedisServer, startRedisServer } from '@netsuite-oauth/test-utils';
import { memoryTokenStore } from '@netsuite-oauth/token-store';
import { redisTokenStore } from '@netsuite-oauth/token-store-redis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenManagers, type TokenManagerGrant } from '../src/index.js';
import {
  addM2mIntegration,
  addPublicIntegration,
  type EmulatorSetup,
  loginTokens,
  setupEmulator,
  tokenRequestsByClient,
} from './helpers/emulator.js';
import { buildWorker, startWorker } from './helpers/workers.js';

// The many-key manager against the emulator over HTTP: several integrations in one emulator are several keys
// (accounts' client-credentials integrations and users' sessions), each counted by client id in the emulator's
// request log.

async function signerFor(
  s: EmulatorSetup,
  m2m: { clientId: string; certificateId: string; privateKeyPem: string },
  now?: () => number,
) {
  const { createAssertionSigner } = await import('@netsuite-oauth/jwt-assertion');
  return await createAssertionSigner({
    key: m2m.privateKeyPem,
    certificateId: m2m.certificateId,
    clientId: m2m.clientId,
    audience: s.emu.endpoints.tokenUrl,
    scope: ['rest_webservices'],
    ...(now === undefined ? {} : { now }),
  });
}

async function bearerStatus(s: EmulatorSetup, token: string): Promise<number> {
  const res = await fetch(`${s.emu.endpoints.recordUrl}/customer?limit=1`, {
    headers: { authorization: `Bearer ${token}` },
  });
  await res.arrayBuffer();
  return res.status;
}

describe('createTokenManagers against the emulator (one process)', () => {
  it('4 integrations + 2 sessions as 6 keys, 3 expiries each, 20 callers per key → exactly one request per key per expiry', async () => {
    const s = await setupEmulator({ requestLogSize: 10_000 });
    try {
      // One clock for the emulator, the manager and the signers: moving it expires every key's token.
      const now = () => s.emu.admin.now();
      const m2m = [s.m2m, ...(await Promise.all([1, 2, 3].map((i) => addM2mIntegration(s, `m2m-${i}`))))];
      const sessionClients = [s.web, s.pub];
      const grants = new Map<string, TokenManagerGrant>();
      const clientOf = new Map<string, string>();
      for (const [i, m] of m2m.entries()) {
        grants.set(`account-${i}`, {
          type: 'client_credentials',
          ...s.loc,
          signer: await signerFor(s, m, now),
        });
        clientOf.set(`account-${i}`, m.clientId);
      }
      for (const [i, c] of sessionClients.entries()) {
        grants.set(`session-${i}`, { type: 'refresh_token', ...s.loc, client: c });
        clientOf.set(`session-${i}`, c.clientId);
      }
      const managers = createTokenManagers({
        store: memoryTokenStore({ now }),
        resolve: async (key) => grants.get(key),
        now,
        refreshJitterMs: 0,
      });
      try {
        for (const [i, c] of sessionClients.entries()) {
          await managers.setTokenSet(`session-${i}`, await loginTokens(s, c));
        }
        const before = await tokenRequestsByClient(s);
        for (let cycle = 0; cycle < 3; cycle++) {
          // every key's token is past its hard margin: callers wait for one refresh per key
          await s.emu.admin.advanceClock(3600_000);
          const got = await Promise.all(
            [...grants.keys()].flatMap((key) =>
              Array.from({ length: 20 }, async () => [key, await managers.getAccessToken(key)] as const),
            ),
          );
          for (const key of grants.keys()) {
            expect(new Set(got.filter(([k]) => k === key).map(([, t]) => t)).size).toBe(1);
          }
        }
        const after = await tokenRequestsByClient(s);
        for (const [key, clientId] of clientOf) {
          const requests = (after.get(clientId) ?? 0) - (before.get(clientId) ?? 0);
          expect({ key, requests }).toEqual({ key, requests: 3 });
        }
        // the tokens are NetSuite's: each works as a Bearer token on the record API
        for (const key of grants.keys())
          expect(await bearerStatus(s, await managers.getAccessToken(key))).toBe(200);
        await expect(managers.getAccessToken('account-unknown')).rejects.toMatchObject({
          code: 'ERR_OAUTH_UNKNOWN_KEY',
        });
      } finally {
        await managers.close();
      }
    } finally {
      await s.emu.close();
    }
  });

  it('a view of one key is a record-client token source: a 401 invalidates that key only', async () => {
    const s = await setupEmulator();
    try {
      const other = await addM2mIntegration(s, 'other');
      const signers = new Map([
        ['a', await signerFor(s, s.m2m)],
        ['b', await signerFor(s, other)],
      ]);
      const managers = createTokenManagers({
        store: memoryTokenStore(),
        resolve: (key) => {
          const signer = signers.get(key);
          return signer && { type: 'client_credentials', ...s.loc, signer };
        },
      });
      try {
        const a = managers.forKey('a');
        const ta = await a.getAccessToken();
        const tb = await managers.getAccessToken('b');
        // NetSuite's clock runs 2 h ahead: our cached tokens are expired there, and a 401 tells us
        await s.emu.admin.advanceClock(2 * 3600_000);
        expect(await bearerStatus(s, ta)).toBe(401);
        await a.invalidate(ta);
        // the new token is asked for with an assertion re-signed on the server's clock (this key's skew)
        const ta2 = await a.getAccessToken();
        expect(ta2).not.toBe(ta);
        expect(await bearerStatus(s, ta2)).toBe(200);
        expect(Math.abs(a.clockSkewMs - 2 * 3600_000)).toBeLessThan(60_000);
        // key b was not touched: same cached token, its own skew still unknown
        expect(await managers.getAccessToken('b')).toBe(tb);
        expect(managers.clockSkewMs('b')).toBeLessThan(60_000);
      } finally {
        await managers.close();
      }
    } finally {
      await s.emu.close();
    }
  });
});

describe('createTokenManagers across processes with Redis', () => {
  let redis: RedisServer;
  let script: string;
  beforeAll(async () => {
    [redis, script] = await Promise.all([startRedisServer(), buildWorker('keys-worker')]);
  }, 60_000);
  afterAll(async () => {
    await redis?.stop();
  });

  interface KeysReport {
    /** Per burst, per key: the tokens (short hashes) this process's callers got. */
    bursts: Record<string, string[]>[];
    timings: Array<{ late: number; took: number }>;
    errors: string[];
    cached: number;
    maxCached: number;
  }

  it("4 processes × 6 keys (4 integrations, 2 rotating sessions) × 25 callers, 3 rounds each after every key's token ran out → exactly one token request per key per round", async () => {
    const s = await setupEmulator({ accessTokenTtlSeconds: 5, requestLogSize: 10_000 });
    try {
      const m2m = [s.m2m, ...(await Promise.all([1, 2, 3].map((i) => addM2mIntegration(s, `m2m-${i}`))))];
      const publics = [s.pub, await addPublicIntegration(s, 'pub-2')];
      const keys = [
        ...m2m.map((m, i) => ({
          key: `account-${i}`,
          clientId: m.clientId,
          m2m: { ...m, audience: s.emu.endpoints.tokenUrl },
        })),
        ...publics.map((p, i) => ({ key: `session-${i}`, clientId: p.clientId, publicClientId: p.clientId })),
      ];
      // the users' sessions are saved once, from this process, into the shared Redis; their tokens were issued
      // before `seededAt` and run out within 5 s of it
      let seededAt = 0;
      const client = createClient({ url: redis.url });
      await client.connect();
      try {
        const seeder = createTokenManagers({
          store: redisTokenStore({ client, encrypt: false }),
          resolve: (key) => {
            const p = keys.find((k) => k.key === key);
            return p && { type: 'refresh_token', ...s.loc, client: { clientId: p.clientId } };
          },
        });
        for (const [i, p] of publics.entries())
          await seeder.setTokenSet(`session-${i}`, await loginTokens(s, p));
        await seeder.close();
        seededAt = Date.now();
      } finally {
        await client.quit();
      }
      const before = await tokenRequestsByClient(s);
      // Tokens live 5 s from their request and are not handed out in their last 0.5 s; bursts 6 s apart each find
      // every key's token expired even when the previous burst's request left up to 1.5 s after the burst began
      // (the first burst resolves every key's grant), and a burst that starts up to 4 s late still shares its token. The lease is long (10 s) so that
      // a process stalled on a loaded machine does not lose its lock mid-refresh (that case is G05/G08's).
      const config = {
        redisUrl: redis.url,
        loc: s.loc,
        keys: keys.map(({ clientId: _, ...k }) => k),
        bursts: 3,
        startKey: 'keys-test:start-at',
        burstEveryMs: 6000,
        callers: 25,
        timeoutMs: 5000,
        lockTtlMs: 10_000,
        marginMs: 500,
      };
      const workers = [0, 1, 2, 3].map(() => startWorker(script, config));
      // the first burst starts once every process is up (however slow the machine is), after the seeded
      // sessions' tokens ran out
      await Promise.all(workers.map((w) => w.started));
      const starter = createClient({ url: redis.url });
      await starter.connect();
      await starter.set(config.startKey, String(Math.max(Date.now() + 500, seededAt + 5000)));
      await starter.quit();
      const reports = (await Promise.all(workers.map((w) => w.done))) as unknown as KeysReport[];
      const after = await tokenRequestsByClient(s);
      for (const r of reports) {
        expect(r.errors).toEqual([]);
        expect(r.cached).toBeLessThanOrEqual(r.maxCached);
      }
      for (const { key, clientId } of keys) {
        // in each burst every process's callers got one and the same token: nobody fetched a private one
        for (let burst = 0; burst < config.bursts; burst++) {
          const tokens = new Set(reports.flatMap((r) => r.bursts[burst]?.[key] ?? []));
          const timings = JSON.stringify(reports.map((r) => r.timings));
          expect(
            { key, burst, tokens: tokens.size },
            `each process's bursts (ms late, ms taken): ${timings}`,
          ).toEqual({
            key,
            burst,
            tokens: 1,
          });
        }
        // and the emulator issued exactly one per burst: one token request per key per expiry
        const requests = (after.get(clientId) ?? 0) - (before.get(clientId) ?? 0);
        expect({ key, requests }).toEqual({ key, requests: config.bursts });
      }
    } finally {
      await s.emu.close();
    }
  }, 90_000);
});
