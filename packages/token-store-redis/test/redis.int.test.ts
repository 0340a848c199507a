import { type RedisServer, startRedisServer } from '@netsuite-oauth/test-utils';
import {
  generateEncryptionKey,
  isTokenStoreError,
  type TokenStore,
  withTokenStoreLock,
} from '@netsuite-oauth/token-store';
import { describeTokenStore } from '@netsuite-oauth/token-store-test-suite';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { redisTokenStore } from '../src/index.js';

type Client = Awaited<ReturnType<typeof connectClient>>;
const connectClient = (url: string) =>
  createClient({ url, socket: { reconnectStrategy: (retries) => Math.min(50 + retries * 25, 200) } });
let redis: RedisServer;
const clients: Client[] = [];
const SECRET = 'refresh-CANARY-5e1d';

async function connect(): Promise<Client> {
  const client = createClient({
    url: redis.url,
    socket: { reconnectStrategy: (retries) => Math.min(50 + retries * 25, 200) },
  });
  client.on('error', () => undefined); // the owner's job; reconnects are what we test
  await client.connect();
  clients.push(client);
  return client;
}

async function until(check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

let shared: Client;
beforeAll(async () => {
  redis = await startRedisServer();
  shared = await connect();
});
afterAll(async () => {
  for (const client of clients) await client.close().catch(() => undefined);
  await redis?.stop();
});

const prefix = () => `test:${crypto.randomUUID()}:`;
const keys = [{ id: 'k1', key: generateEncryptionKey() }];

describeTokenStore('redis', {
  createStore: () => redisTokenStore({ client: shared, prefix: 'suite:', encrypt: false }),
  createStoreWithClock: (now) => redisTokenStore({ client: shared, prefix: 'suite:', encrypt: false, now }),
  leaseClock: 'backend',
  async breakBackend(): Promise<() => Promise<void>> {
    await redis.kill();
    return async () => {
      await redis.restart();
      await until(() => shared.isReady);
    };
  },
});

describeTokenStore('redis (encrypted)', {
  createStore: () => redisTokenStore({ client: shared, prefix: 'suite-enc:', keys }),
  createStoreWithClock: (now) => redisTokenStore({ client: shared, prefix: 'suite-enc:', keys, now }),
  leaseClock: 'backend',
  groups: ['basic', 'expiry', 'capability'],
});

async function codeOf(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (error) {
    expect(isTokenStoreError(error), String(error)).toBe(true);
    expect((error as Error).message).not.toContain(SECRET);
    return (error as { code: string }).code;
  }
  throw new Error('expected a rejection');
}

describe('redisTokenStore on a real redis-server', () => {
  it('lays out keys under the prefix, with a native TTL after expiresAt (space reclaim only)', async () => {
    const p = prefix();
    const store = redisTokenStore({ client: shared, prefix: p, encrypt: false, reclaimAfterMs: 60_000 });
    const expiresAt = Date.now() + 120_000;
    await store.set('ns:client', { value: SECRET, expiresAt });
    expect(await shared.hGet(`${p}t:ns:client`, 'value')).toBe(SECRET);
    const pttl = await shared.pTTL(`${p}t:ns:client`);
    expect(pttl).toBeGreaterThan(120_000);
    expect(pttl).toBeLessThanOrEqual(180_000);
    const lock = await store.lock!('ns:client', { ttlMs: 5_000 });
    expect(await shared.pTTL(`${p}l:ns:client`)).toBeGreaterThan(0);
    await lock!.release();
    expect(await shared.exists(`${p}l:ns:client`)).toBe(0);
  });

  it('stores only ciphertext when keys are given', async () => {
    const p = prefix();
    const store = redisTokenStore({ client: shared, prefix: p, keys });
    expect(store.capabilities.encrypted).toBe(true);
    await store.set('k', { value: SECRET, expiresAt: Date.now() + 60_000 });
    const raw = await shared.hGet(`${p}t:k`, 'value');
    expect(raw).not.toContain(SECRET);
    expect((await store.get('k'))?.value).toBe(SECRET);
    // Moving the ciphertext to another slot is detected.
    await shared.hSet(`${p}t:other`, { value: raw!, exp: String(Date.now() + 60_000), ver: '1' });
    expect(await codeOf(() => store.get('other'))).toBe('ERR_STORE_INTEGRITY');
  });

  it('keeps the last fencing token across a delete (a stale holder cannot write after it)', async () => {
    const store = redisTokenStore({ client: shared, prefix: prefix(), encrypt: false });
    expect(
      await store.compareAndSet!(
        'k',
        { value: 'new', expiresAt: Date.now() + 60_000 },
        { version: undefined, fencingToken: 9 },
      ),
    ).toEqual({ version: expect.any(Number) });
    await store.delete('k');
    expect(await store.get('k')).toBeUndefined();
    expect(
      await store.compareAndSet!(
        'k',
        { value: 'stale', expiresAt: Date.now() + 60_000 },
        { version: undefined, fencingToken: 8 },
      ),
    ).toBe(false);
    const written = await store.compareAndSet!(
      'k',
      { value: 'next', expiresAt: Date.now() + 60_000 },
      { version: undefined, fencingToken: 10 },
    );
    expect(written).toEqual({ version: (await store.get('k'))?.version });
  });

  it('answers ERR_STORE_CORRUPT for a key of the wrong type or a malformed entry', async () => {
    const p = prefix();
    const store = redisTokenStore({ client: shared, prefix: p, encrypt: false });
    await shared.set(`${p}t:wrong`, 'a string, not a hash');
    expect(await codeOf(() => store.get('wrong'))).toBe('ERR_STORE_CORRUPT');
    expect(await codeOf(() => store.set('wrong', { value: 'v', expiresAt: Date.now() + 1_000 }))).toBe(
      'ERR_STORE_CORRUPT',
    );
    await shared.hSet(`${p}t:bad`, { value: 'v', exp: 'soon', ver: 'one' });
    expect(await codeOf(() => store.get('bad'))).toBe('ERR_STORE_CORRUPT');
  });

  it('reloads its scripts after SCRIPT FLUSH (NOSCRIPT fallback)', async () => {
    const store = redisTokenStore({ client: shared, prefix: prefix(), encrypt: false });
    await store.set('k', { value: 'a', expiresAt: Date.now() + 60_000 });
    await shared.scriptFlush();
    await store.set('k', { value: 'b', expiresAt: Date.now() + 60_000 });
    expect((await store.get('k'))?.value).toBe('b');
  });

  it('loses no update with locked read-modify-write from several connections', async () => {
    const p = prefix();
    const workers = 4;
    const perWorker = 25;
    const stores = await Promise.all(
      Array.from({ length: workers }, async () =>
        redisTokenStore({ client: await connect(), prefix: p, encrypt: false }),
      ),
    );
    await Promise.all(
      stores.map(async (store) => {
        for (let i = 0; i < perWorker; i++) {
          await withTokenStoreLock(store, 'counter', { ttlMs: 10_000, waitMs: 30_000 }, async (lock) => {
            const current = await store.get('counter');
            const ok = await store.compareAndSet!(
              'counter',
              { value: String(Number(current?.value ?? '0') + 1), expiresAt: Date.now() + 60_000 },
              { version: current?.version, fencingToken: lock.fencingToken },
            );
            expect(ok).toEqual({ version: (await store.get('counter'))?.version });
          });
        }
      }),
    );
    expect((await stores[0]!.get('counter'))?.value).toBe(String(workers * perWorker));
  }, 60_000);

  it('fails fast with typed errors when Redis is killed mid-test, and works again when it is back', async () => {
    const client = await connect();
    const store: TokenStore = redisTokenStore({
      client,
      prefix: prefix(),
      encrypt: false,
      commandTimeoutMs: 1_000,
    });
    await store.set('k', { value: 'before', expiresAt: Date.now() + 60_000 });
    let stop = false;
    const outcomes: Array<'ok' | string> = [];
    const traffic = Array.from({ length: 4 }, async (_, n) => {
      while (!stop) {
        try {
          if (n === 0) await store.get('k');
          else if (n === 1) await store.set('k', { value: SECRET, expiresAt: Date.now() + 60_000 });
          else if (n === 2) {
            const lock = await store.lock!(`lock-${n}`, { ttlMs: 1_000, waitMs: 50 });
            await lock?.release();
          } else {
            const current = await store.get('k');
            await store.compareAndSet!(
              'k',
              { value: 'c', expiresAt: Date.now() + 60_000 },
              { version: current?.version },
            );
          }
          outcomes.push('ok');
        } catch (error) {
          expect(isTokenStoreError(error), String(error)).toBe(true);
          expect((error as Error).message).not.toContain(SECRET);
          outcomes.push((error as { code: string }).code);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      }
    });
    await until(() => outcomes.length > 20);
    await redis.kill();
    const failuresBefore = outcomes.filter((o) => o !== 'ok').length;
    await until(() => outcomes.filter((o) => o !== 'ok').length > failuresBefore + 20);
    await redis.restart();
    await until(() => client.isReady && shared.isReady);
    const okAfter = outcomes.length;
    await until(() => outcomes.slice(okAfter).filter((o) => o === 'ok').length > 20);
    stop = true;
    await Promise.all(traffic); // every loop ends: nothing hangs
    const failures = new Set(outcomes.filter((o) => o !== 'ok'));
    expect([...failures].every((code) => code === 'ERR_STORE_UNAVAILABLE')).toBe(true);
    await store.set('k', { value: 'after', expiresAt: Date.now() + 60_000 });
    expect((await store.get('k'))?.value).toBe('after');
  }, 60_000);
});

// G06 at the store: "at once" is measured against the store's own command timeout. A store that queued commands
// while Redis is away would answer only when that timeout runs out; half of it is a generous bound on a busy
// machine and still far from what a queueing store takes.
describe('G06: a Redis that is killed or frozen', () => {
  const TIMEOUT_MS = 8_000;

  async function timedCode(run: () => Promise<unknown>): Promise<{ code: string; ms: number }> {
    const started = performance.now();
    const code = await codeOf(run);
    return { code, ms: performance.now() - started };
  }

  function operations(store: TokenStore): Array<[string, () => Promise<unknown>]> {
    const entry = () => ({ value: SECRET, expiresAt: Date.now() + 60_000 });
    return [
      ['get', () => store.get('k')],
      ['set', () => store.set('k', entry())],
      ['delete', () => store.delete('k')],
      ['lock', () => store.lock!('k', { ttlMs: 1_000, waitMs: 5_000 })],
      ['compareAndSet', () => store.compareAndSet!('k', entry(), { version: undefined })],
    ];
  }

  it('SIGKILL: every call answers ERR_STORE_UNAVAILABLE at once, not after the command timeout', async () => {
    const client = await connect();
    const store = redisTokenStore({ client, encrypt: false, prefix: prefix(), commandTimeoutMs: TIMEOUT_MS });
    await store.set('k', { value: 'before', expiresAt: Date.now() + 60_000 });
    await redis.kill();
    try {
      await vi.waitFor(() => expect(client.isReady).toBe(false), { timeout: 10_000 });
      for (const [name, run] of operations(store)) {
        const { code, ms } = await timedCode(run);
        expect({ name, code }).toEqual({ name, code: 'ERR_STORE_UNAVAILABLE' });
        expect(ms, name).toBeLessThan(TIMEOUT_MS / 2);
      }
    } finally {
      await redis.restart();
      await vi.waitFor(() => expect(client.isReady && shared.isReady).toBe(true), { timeout: 15_000 });
    }
  }, 60_000);

  it('SIGSTOP (the connection stays up, nothing answers): ERR_STORE_UNAVAILABLE once the command timeout runs out', async () => {
    const client = await connect();
    const store = redisTokenStore({ client, encrypt: false, prefix: prefix(), commandTimeoutMs: 300 });
    await store.set('k', { value: 'before', expiresAt: Date.now() + 60_000 });
    process.kill(redis.pid, 'SIGSTOP');
    try {
      // All at once: each must settle on its own timer, none may wait for Redis.
      const results = await Promise.all(operations(store).map(([, run]) => codeOf(run)));
      expect(results).toEqual(operations(store).map(() => 'ERR_STORE_UNAVAILABLE'));
    } finally {
      process.kill(redis.pid, 'SIGCONT');
    }
    expect((await store.get('k'))?.value).toBeDefined();
  }, 60_000);
});

describe('redisTokenStore options', () => {
  it('rejects bad options synchronously with ERR_STORE_INVALID_OPTION', () => {
    const bad: unknown[] = [
      undefined,
      {},
      { client: {} },
      { client: shared, encrypt: false, prefix: '' },
      { client: shared, encrypt: false, prefix: 'a\nb' },
      { client: shared, encrypt: false, now: 1 },
      { client: shared, encrypt: false, commandTimeoutMs: 0 },
      { client: shared, encrypt: false, reclaimAfterMs: 1.5 },
      { client: shared, keys: [{ id: 'k', key: 'a passphrase' }] },
      { client: shared, keys, encrypt: false },
      { client: shared, encrypt: 'no' },
    ];
    for (const options of bad) {
      let code: string | undefined;
      try {
        redisTokenStore(options as never);
      } catch (error) {
        code = (error as { code?: string }).code;
      }
      expect(code).toBe('ERR_STORE_INVALID_OPTION');
    }
  });

  it('refuses to store tokens in clear unless told so: neither keys nor encrypt: false throws at once', async () => {
    const p = prefix();
    let error: unknown;
    try {
      redisTokenStore({ client: shared, prefix: p } as never);
    } catch (e) {
      error = e;
    }
    expect(isTokenStoreError(error, 'ERR_STORE_INVALID_OPTION')).toBe(true);
    expect((error as Error).message).toMatch(/keys are required.*encrypt: false/);
    // Nothing was written: the refusal happens before any command.
    expect(await shared.keys(`${p}*`)).toEqual([]);
    // Saying it explicitly is allowed, and then the store says it is not encrypted.
    const plain = redisTokenStore({ client: shared, prefix: p, encrypt: false });
    expect(plain.capabilities.encrypted).toBe(false);
    await plain.set('k', { value: SECRET, expiresAt: Date.now() + 60_000 });
    expect(await shared.hGet(`${p}t:k`, 'value')).toBe(SECRET);
  });

  it('does not close the client it was given', async () => {
    const store = redisTokenStore({ client: shared, prefix: prefix(), encrypt: false });
    await store.close!();
    expect(shared.isReady).toBe(true);
    expect(await codeOf(() => store.get('k'))).toBe('ERR_STORE_CLOSED');
  });
});
