import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RedisServer, startRedisServer } from '@netsuite-oauth/test-utils';
import { fileTokenStore } from '@netsuite-oauth/token-store-file';
import { redisTokenStore } from '@netsuite-oauth/token-store-redis';
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTokenManager, refreshAccessToken, TokenSet, type TokenStoreLike } from '../src/index.js';
import { type EmulatorSetup, loginTokens, setupEmulator } from './helpers/emulator.js';
import { buildWorker, type RunningWorker, startWorker } from './helpers/workers.js';

// G08 (security-checklist): a lock holder stopped with a real SIGSTOP past its lease, another worker
// refreshing meanwhile, then SIGCONT. A public client's refresh tokens rotate and the emulator revokes the
// whole chain when one is presented twice, so a stale request or a stale write shows as a lost session.
// Tokens are compared by short hashes so a failing assertion never prints one.

const hash = (t: string | undefined) =>
  t === undefined ? undefined : createHash('sha256').update(t).digest('hex').slice(0, 12);
const LOCK_TTL_MS = 2000;
const TIMEOUT_MS = 1500;

interface FencingReport {
  seen: string[];
  errors: string[];
  writes: boolean[];
}

let redis: RedisServer;
let script: string;
beforeAll(async () => {
  [redis, script] = await Promise.all([startRedisServer(), buildWorker('fencing-worker')]);
}, 60_000);
afterAll(async () => {
  await redis?.stop();
});
// A failed or timed-out test must not leave a stopped child behind.
const children = new Set<RunningWorker>();
afterEach(() => {
  for (const w of children)
    if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  children.clear();
});
function spawnWorker(config: Record<string, unknown>): RunningWorker {
  const w = startWorker(script, config);
  w.done.catch(() => {});
  children.add(w);
  return w;
}

const login = (s: EmulatorSetup): Promise<TokenSet> => loginTokens(s, s.pub);

/** The signal arrives asynchronously: wait until the kernel reports the process as stopped. */
async function waitStopped(pid: number): Promise<void> {
  for (;;) {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('T')) return;
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function waitPaused(worker: RunningWorker): Promise<void> {
  let out = '';
  await new Promise<void>((resolve, reject) => {
    worker.child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('"event":"paused"')) resolve();
    });
    worker.done.then(() => reject(new Error('worker finished without pausing')), reject);
  });
  await waitStopped(worker.child.pid as number);
}

interface StoreSetup {
  readonly kind: 'redis' | 'file';
  /** The store as seen by this process (another handle on the data the workers share). */
  readonly store: TokenStoreLike;
  readonly worker: Record<string, unknown>;
  cleanup(): Promise<void>;
}

async function redisStore(): Promise<StoreSetup> {
  const client = createClient({ url: redis.url });
  await client.connect();
  return {
    kind: 'redis',
    store: redisTokenStore({ client, encrypt: false }),
    worker: { kind: 'redis', url: redis.url },
    cleanup: async () => {
      await client.quit();
    },
  };
}

async function fileStore(): Promise<StoreSetup> {
  const dir = mkdtempSync(join(tmpdir(), 'oauth-flows-fencing-'));
  const path = join(dir, 'tokens.enc');
  const key = randomBytes(32).toString('base64');
  return {
    kind: 'file',
    store: fileTokenStore({ path, keys: [{ id: 'k1', key }] }),
    worker: { kind: 'file', path, key },
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Logs in once and stores the session with an expired access token, so the next caller must refresh. */
async function seed(s: EmulatorSetup, st: StoreSetup, key: string): Promise<TokenSet> {
  const tokens = await login(s);
  const seeder = createTokenManager({
    store: st.store,
    key,
    grant: { type: 'refresh_token', ...s.loc, client: s.pub },
  });
  await seeder.setTokenSet(
    new TokenSet({
      accessToken: tokens.accessToken,
      tokenType: 'Bearer',
      expiresAt: Date.now() - 1000,
      refreshToken: tokens.refreshToken,
      refreshTokenExpiresAt: tokens.refreshTokenExpiresAt,
      scope: tokens.scope,
    }),
  );
  await seeder.close();
  return tokens;
}

/** The session now in the store, read without refreshing (undefined when there is none). */
async function storedSession(
  st: StoreSetup,
  key: string,
): Promise<{ access: string | undefined; refresh: string | undefined; refreshToken: string | undefined }> {
  const entry = await st.store.get(key);
  if (!entry) return { access: undefined, refresh: undefined, refreshToken: undefined };
  const raw = JSON.parse(entry.value) as { a?: string; r?: string };
  return { access: hash(raw.a), refresh: hash(raw.r), refreshToken: raw.r };
}

function workerConfig(s: EmulatorSetup, st: StoreSetup, key: string, pauseAt?: string, m2m = false) {
  return {
    store: st.worker,
    key,
    loc: s.loc,
    pub: s.pub,
    ...(m2m ? { m2m: { ...s.m2m, audience: s.emu.endpoints.tokenUrl } } : {}),
    timeoutMs: TIMEOUT_MS,
    lockTtlMs: LOCK_TTL_MS,
    ...(pauseAt ? { pauseAt } : {}),
  };
}

describe.each([
  ['redis', redisStore],
  ['file', fileStore],
] as const)('G08 fencing with the %s store', (_name, makeStore) => {
  it('a holder stopped under the lock past its lease neither spends the old refresh token nor overwrites the newer session', async () => {
    const s = await setupEmulator();
    const st = await makeStore();
    const key = `g08-${st.kind}-read`;
    try {
      const original = await seed(s, st, key);
      // A takes the lock, reads the session (refresh token r1), and is stopped before it sends anything.
      const holder = spawnWorker(workerConfig(s, st, key, 'after-locked-read'));
      await waitPaused(holder);
      // B waits for A's lease to lapse (its lockWaitMs > lockTtlMs), then rotates r1 → r2 and stores it.
      const other = (await spawnWorker(workerConfig(s, st, key)).done) as unknown as FencingReport;
      expect(other.errors).toEqual([]);
      expect(other.writes).toEqual([true]);
      expect(other.seen).toHaveLength(1);
      const afterOther = await storedSession(st, key);
      expect(afterOther.access).toBe(other.seen[0]);
      expect(afterOther.refresh).not.toBe(hash(original.refreshToken));

      holder.child.kill('SIGCONT');
      const resumed = (await holder.done) as unknown as FencingReport;
      // A's lease is gone: it must not send r1 (a second use would revoke the chain), nor write its stale view.
      expect(resumed.errors).toEqual([]);
      expect(resumed.writes).toEqual([]);
      expect(resumed.seen).toEqual(other.seen);
      const counters = await s.emu.admin.counters();
      expect(counters.tokenByGrant.refresh_token).toBe(1);
      const final = await storedSession(st, key);
      expect(final).toEqual(afterOther);
      // The chain is alive: the stored refresh token is still accepted by the server.
      const next = await refreshAccessToken({
        ...s.loc,
        client: s.pub,
        refreshToken: final.refreshToken as string,
      });
      expect(hash(next.refreshToken)).not.toBe(final.refresh);
    } finally {
      await st.cleanup();
      await s.emu.close();
    }
  }, 20_000);

  it('a holder stopped before its fenced write past its lease has the stale write refused', async () => {
    const s = await setupEmulator();
    const st = await makeStore();
    const key = `g08-${st.kind}-write`;
    try {
      const original = await seed(s, st, key);
      // A spends r1 at the server (r1 → r2a) and is stopped with r2a in memory, before it writes.
      const holder = spawnWorker(workerConfig(s, st, key, 'before-write'));
      await waitPaused(holder);
      expect((await s.emu.admin.counters()).tokenByGrant.refresh_token).toBe(1);
      // B takes the lapsed lease and finds r1 still stored: the server sees r1 twice and revokes the chain.
      // (No lock can prevent this once the request has left the stopped process; RFC 9700 §4.14.2.)
      const other = (await spawnWorker(workerConfig(s, st, key)).done) as unknown as FencingReport;
      expect(other.errors).toEqual(['ERR_OAUTH_REAUTHENTICATION_REQUIRED']);
      const afterOther = await storedSession(st, key);
      expect(afterOther.access).toBeUndefined();

      holder.child.kill('SIGCONT');
      const resumed = (await holder.done) as unknown as FencingReport;
      // The stale write (r2a under the old fencing token and version) is refused: the store keeps B's verdict
      // instead of resurrecting a session from a stopped process.
      expect(resumed.writes).toEqual([false]);
      const final = await storedSession(st, key);
      expect(final).toEqual(afterOther);
      expect(final.refresh).not.toBe(hash(original.refreshToken));
    } finally {
      await st.cleanup();
      await s.emu.close();
    }
  }, 20_000);

  it('a stale write whose version condition still holds is refused by the fencing token alone', async () => {
    // The version check cannot tell here: the stale holder read "no entry", and after the newer holder's write
    // the entry was dropped again (a 401 invalidated it), so "no entry" is what the store holds when the stale
    // write arrives. Only the fence (a newer holder wrote on this key) refuses it; without it a token from a
    // stopped process would come back after the invalidation and be served to the whole fleet.
    const s = await setupEmulator();
    const st = await makeStore();
    const key = `g08-${st.kind}-fence`;
    try {
      // A takes the lock on an empty key, gets a token, and is stopped before its fenced write.
      const holder = spawnWorker(workerConfig(s, st, key, 'before-write', true));
      await waitPaused(holder);
      // B waits for A's lease to lapse, takes a newer one, gets its own token and writes it.
      const other = (await spawnWorker(workerConfig(s, st, key, undefined, true))
        .done) as unknown as FencingReport;
      expect(other.errors).toEqual([]);
      expect(other.writes).toEqual([true]);
      // B's token meets a 401: it is invalidated, and the key holds no usable entry again.
      const entry = await st.store.get(key);
      const raw = JSON.parse(entry?.value ?? '{}') as { a?: string };
      expect(hash(raw.a)).toBe(other.seen[0]);
      const invalidator = createTokenManager({
        store: st.store,
        key,
        grant: { type: 'client_credentials', ...s.loc, signer: await s.signer() },
      });
      await invalidator.invalidate(raw.a as string);
      expect((await storedSession(st, key)).access).toBeUndefined();

      holder.child.kill('SIGCONT');
      const resumed = (await holder.done) as unknown as FencingReport;
      expect(resumed.errors).toEqual([]);
      // A's condition "no entry" matches; its fencing token is older than B's write: refused.
      expect(resumed.writes).toEqual([false]);
      expect((await storedSession(st, key)).access).toBeUndefined();
      expect((await s.emu.admin.counters()).tokenByGrant.client_credentials).toBe(2);
    } finally {
      await st.cleanup();
      await s.emu.close();
    }
  }, 20_000);
});
