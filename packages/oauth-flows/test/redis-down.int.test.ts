import { type RedisServer, startRedisServer } from '@netsuite-oauth/test-utils';
import { redisTokenStore } from '@netsuite-oauth/token-store-redis';
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTokenManager, type OAuthFlowError, TokenSet, type TokenStoreLike } from '../src/index.js';
import { type EmulatorSetup, setupEmulator } from './helpers/emulator.js';

// G06: the token manager on a real redis-server that is killed (SIGKILL) or frozen (SIGSTOP) under it.
// Callers holding a valid token in memory see no error; cold callers get a typed error at once (not after the
// command timeout); a rotating refresh token is never spent without the lock.

// The store's own timeout for one command. "At once" is checked against it: a store that queued commands while
// Redis is away would answer only when this runs out, so the bound (half of it) is generous for a busy machine
// and still far from what a queueing store would take.
const COMMAND_TIMEOUT_MS = 8_000;

let s: EmulatorSetup;
let redis: RedisServer;
const clients: Array<{ destroy(): void }> = [];
let offset = 0;
const now = () => Date.now() + offset;

beforeAll(async () => {
  [s, redis] = await Promise.all([setupEmulator(), startRedisServer()]);
});
afterAll(async () => {
  await redis?.stop();
  await s?.emu.close();
});
afterEach(async () => {
  offset = 0;
  if (redis.pid > 0) {
    try {
      process.kill(redis.pid, 'SIGCONT');
    } catch {
      // already gone
    }
  }
  for (const client of clients.splice(0)) client.destroy();
  if (!(await alive())) await redis.restart();
});

async function alive(): Promise<boolean> {
  const probe = createClient({ url: redis.url, socket: { reconnectStrategy: false, connectTimeout: 500 } });
  probe.on('error', () => {});
  try {
    await probe.connect();
    await probe.ping();
    return true;
  } catch {
    return false;
  } finally {
    probe.destroy();
  }
}

let lastClient: { readonly isReady: boolean } | undefined;
async function store(): Promise<TokenStoreLike> {
  const client = createClient({ url: redis.url, socket: { reconnectStrategy: () => 100 } });
  client.on('error', () => {}); // the owner's job; a dead server is what we test
  await client.connect();
  clients.push(client);
  lastClient = client;
  return redisTokenStore({
    client,
    encrypt: false,
    now,
    commandTimeoutMs: COMMAND_TIMEOUT_MS,
    prefix: `g06:${Math.random()}:`,
  });
}

const tokenRequests = async (grant: string) => (await s.emu.admin.counters()).tokenByGrant[grant] ?? 0;

async function timed<T>(run: () => Promise<T>): Promise<{ error: unknown; ms: number }> {
  const started = performance.now();
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  return { error, ms: performance.now() - started };
}

describe('G06: the token manager on a Redis that dies', () => {
  it('SIGKILL: warm callers keep their token (also in the refresh window), cold callers get ERR_OAUTH_STORE at once', async () => {
    const errors: OAuthFlowError[] = [];
    const options = {
      key: 'g06-cc',
      grant: { type: 'client_credentials', ...s.loc, signer: await s.signer() } as const,
      now,
      refreshJitterMs: 0,
    };
    const warm = createTokenManager({ ...options, store: await store(), onError: (e) => errors.push(e) });
    // Another process's manager, connected but with nothing in memory yet.
    const cold = createTokenManager({ ...options, store: await store() });
    const token = await warm.getAccessToken();
    const before = await tokenRequests('client_credentials');
    await redis.kill();
    await vi.waitFor(() => expect(lastClient?.isReady).toBe(false), { timeout: 10_000 });

    // Fresh token in memory: 1,000 callers, no error, no store call needed.
    const fresh = await Promise.allSettled(Array.from({ length: 1000 }, () => warm.getAccessToken()));
    expect(fresh.filter((r) => r.status === 'rejected')).toHaveLength(0);
    expect(new Set(fresh.map((r) => (r as PromiseFulfilledResult<string>).value))).toEqual(new Set([token]));
    // In the refresh-ahead window the background refresh fails on the store; callers still get the token.
    offset = (await warm.getTokenSet()).expiresAt - Date.now() - 120_000;
    for (let i = 0; i < 100; i++) expect(await warm.getAccessToken()).toBe(token);
    await expect.poll(() => errors.length, { timeout: 10_000 }).toBeGreaterThan(0);
    expect(errors.every((e) => e.code === 'ERR_OAUTH_STORE')).toBe(true);

    // A cold manager has nothing in memory: a typed error, well before the store's command timeout.
    const { error, ms } = await timed(() => cold.getAccessToken());
    expect(error).toMatchObject({ code: 'ERR_OAUTH_STORE', cause: { code: 'ERR_STORE_UNAVAILABLE' } });
    expect(ms).toBeLessThan(COMMAND_TIMEOUT_MS / 2);
    expect(await tokenRequests('client_credentials')).toBe(before);
  });

  it('SIGKILL right after the session was read: a rotating refresh token is not spent without the lock', async () => {
    const inner = await store();
    const client = lastClient as NonNullable<typeof lastClient>;
    let armed = false;
    // Redis dies at the worst moment: after the manager read the session, before it takes the lock. (The
    // manager goes on once the client has seen the connection drop; a command sent in the instant before
    // waits for the command timeout, which the SIGSTOP case covers.)
    const dying: TokenStoreLike = {
      capabilities: inner.capabilities,
      get: async (key) => {
        const entry = await inner.get(key);
        if (armed) {
          armed = false;
          await redis.kill();
          await vi.waitFor(() => expect(client.isReady).toBe(false), { timeout: 10_000 });
        }
        return entry;
      },
      set: (key, entry) => inner.set(key, entry),
      delete: (key) => inner.delete(key),
      lock: (key, o) => (inner.lock as NonNullable<TokenStoreLike['lock']>)(key, o),
      compareAndSet: (key, e, c) =>
        (inner.compareAndSet as NonNullable<TokenStoreLike['compareAndSet']>)(key, e, c),
    };
    const manager = createTokenManager({
      store: dying,
      key: 'g06-rt',
      grant: { type: 'refresh_token', ...s.loc, client: s.pub },
      now,
    });
    await manager.setTokenSet(
      new TokenSet({ accessToken: 'a0', tokenType: 'Bearer', expiresAt: now() + 1_000, refreshToken: 'rt0' }),
    );
    offset += 2_000;
    const before = await tokenRequests('refresh_token');
    armed = true;
    const { error, ms } = await timed(() => manager.getAccessToken());
    expect(armed).toBe(false);
    expect(error).toMatchObject({ code: 'ERR_OAUTH_STORE' });
    expect(ms).toBeLessThan(COMMAND_TIMEOUT_MS / 2);
    expect(await tokenRequests('refresh_token')).toBe(before);
  });

  it('SIGSTOP (Redis hangs, the connection stays up): a typed error after the command timeout, never a hang', async () => {
    const client = createClient({ url: redis.url });
    client.on('error', () => {});
    await client.connect();
    clients.push(client);
    const hung = redisTokenStore({ client, encrypt: false, now, commandTimeoutMs: 300, prefix: 'g06-stop:' });
    const manager = createTokenManager({
      store: hung,
      key: 'g06-stop',
      grant: { type: 'client_credentials', ...s.loc, signer: await s.signer() },
      now,
    });
    process.kill(redis.pid, 'SIGSTOP');
    try {
      // 50 callers share one refresh, whose store read must end on the store's timer.
      const calls = await Promise.allSettled(Array.from({ length: 50 }, () => manager.getAccessToken()));
      for (const call of calls) {
        expect(call).toMatchObject({
          status: 'rejected',
          reason: { code: 'ERR_OAUTH_STORE', cause: { code: 'ERR_STORE_UNAVAILABLE' } },
        });
      }
    } finally {
      process.kill(redis.pid, 'SIGCONT');
    }
    // Redis is back: the same manager gets a token (nothing stuck in flight).
    await expect(manager.getAccessToken()).resolves.toEqual(expect.any(String));
  });
});
