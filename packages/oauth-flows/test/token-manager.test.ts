import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { encryptedTokenStore, generateEncryptionKey, memoryTokenStore } from '@netsuite-oauth/token-store';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createTokenManager,
  type OAuthFlowError,
  oauthFlowsChannels,
  refreshAccessToken,
  type TokenLockEvent,
  TokenSet,
  type TokenStoreLike,
} from '../src/index.js';
import { ACCOUNT, json, type MockAs, mockClientCredentialsGrant, startMockAs } from './helpers/mock-as.js';

let as: MockAs;
let issued: Map<string, number>;
let clock: number;
const now = () => clock;
let seq = 0;

function issuing(expiresIn = 3600, extra: () => Record<string, unknown> = () => ({})) {
  return (_r: unknown, res: Parameters<typeof json>[0]) => {
    seq += 1;
    const token = `tok-${seq}`;
    issued.set(token, clock + expiresIn * 1000);
    json(res, 200, { access_token: token, token_type: 'Bearer', expires_in: expiresIn, ...extra() });
  };
}

beforeEach(async () => {
  clock = 1_800_000_000_000;
  issued = new Map();
  as = await startMockAs();
  as.handle(issuing());
});
afterEach(async () => {
  await as.close();
});

const ccGrant = () => mockClientCredentialsGrant(as.url);

function countingStore(inner: TokenStoreLike): TokenStoreLike & { gets: number } {
  const wrapped = {
    gets: 0,
    capabilities: inner.capabilities,
    get: async (key: string) => {
      wrapped.gets += 1;
      return await inner.get(key);
    },
    set: inner.set.bind(inner),
    delete: inner.delete.bind(inner),
    lock: inner.lock?.bind(inner),
    compareAndSet: inner.compareAndSet?.bind(inner),
  };
  return wrapped as TokenStoreLike & { gets: number };
}

/** The store with every capability, counting reads, writes and the calls still running. */
function instrumented(
  inner: TokenStoreLike,
): TokenStoreLike & { gets: number; sets: number; pending: number } {
  const track = async <T>(run: () => Promise<T>): Promise<T> => {
    wrapped.pending += 1;
    try {
      return await run();
    } finally {
      wrapped.pending -= 1;
    }
  };
  const wrapped = {
    gets: 0,
    sets: 0,
    pending: 0,
    capabilities: inner.capabilities,
    get: (key: string) => {
      wrapped.gets += 1;
      return track(() => inner.get(key));
    },
    set: (key: string, entry: Parameters<TokenStoreLike['set']>[1]) => {
      wrapped.sets += 1;
      return track(() => inner.set(key, entry));
    },
    delete: (key: string) => track(() => inner.delete(key)),
    lock: (key: string, options: Parameters<NonNullable<TokenStoreLike['lock']>>[1]) =>
      track(async () => await inner.lock?.(key, options)),
    compareAndSet: (...args: Parameters<NonNullable<TokenStoreLike['compareAndSet']>>) =>
      track(async () => {
        const ok = (await inner.compareAndSet?.(...args)) ?? false;
        if (ok) wrapped.sets += 1;
        return ok;
      }),
  };
  return wrapped;
}

/**
 * `fetch` that reads the whole response before handing it over, counting requests still running: between a
 * store call and a request (and back) the manager only runs microtasks, so "no store call and no request
 * running", seen from a macrotask, means no refresh is running.
 */
function trackedFetch(): { fetch: typeof fetch; pending: () => number } {
  let pending = 0;
  return {
    pending: () => pending,
    fetch: async (input, init) => {
      pending += 1;
      try {
        const response = await fetch(input, init);
        const body = await response.arrayBuffer();
        return new Response(response.status === 204 ? null : body, response);
      } finally {
        pending -= 1;
      }
    },
  };
}

/**
 * Waits until no store call and no request of the manager is running, looked at from macrotasks only (a
 * refresh may sit between two of them for a few microtasks, never across a macrotask).
 */
async function untilIdle(store: { pending: number }, http: { pending(): number }): Promise<void> {
  await vi.waitFor(
    async () => {
      await new Promise((resolve) => setImmediate(resolve));
      expect(store.pending === 0 && http.pending() === 0).toBe(true);
    },
    { interval: 1 },
  );
}

/**
 * True when `promise` settles within a few microtask hops: nothing it waited for needed the event loop (no I/O,
 * no timer). The memory store resolves in microtasks, so this is "no network, no lock wait, no timer".
 */
async function settlesWithoutIo(promise: Promise<unknown>, hops = 20): Promise<boolean> {
  let settled = false;
  promise.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  for (let i = 0; i < hops && !settled; i++) await Promise.resolve();
  return settled;
}

/** The store without lock and compare-and-set: whatever dedups requests on it is the manager's own. */
function lockless(inner: TokenStoreLike): TokenStoreLike & { gets: number } {
  const wrapped = {
    gets: 0,
    capabilities: { ...inner.capabilities, lock: false, compareAndSet: false },
    get: async (key: string) => {
      wrapped.gets += 1;
      return await inner.get(key);
    },
    set: inner.set.bind(inner),
    delete: inner.delete.bind(inner),
  };
  return wrapped;
}

describe('createTokenManager: client credentials', () => {
  it('G01: 1,000 concurrent calls on a cold cache make exactly one token request (store without a lock)', async () => {
    // A locking store would also turn 1,000 callers into one request (the losers wait and re-read), so the
    // in-process single flight is shown on a store that cannot lock: it is the only thing left to dedup.
    const store = lockless(memoryTokenStore({ now }));
    const manager = createTokenManager({ store, key: 'k', grant: ccGrant(), now });
    const tokens = await Promise.all(Array.from({ length: 1000 }, () => manager.getAccessToken()));
    expect(as.requests).toHaveLength(1);
    expect(new Set(tokens).size).toBe(1);
    // One refresh ran: it read the store once, not once per caller.
    expect(store.gets).toBe(1);
  });

  it('serves a fresh token from memory without touching the store', async () => {
    const store = countingStore(memoryTokenStore({ now }));
    const manager = createTokenManager({ store, key: 'k', grant: ccGrant(), now });
    const first = await manager.getAccessToken();
    const gets = store.gets;
    for (let i = 0; i < 1000; i++) expect(await manager.getAccessToken()).toBe(first);
    expect(store.gets).toBe(gets);
  });

  it('adopts a token another manager stored instead of asking the server', async () => {
    const store = memoryTokenStore({ now });
    const a = createTokenManager({ store, key: 'k', grant: ccGrant(), now });
    const b = createTokenManager({ store, key: 'k', grant: ccGrant(), now });
    const ta = await a.getAccessToken();
    expect(await b.getAccessToken()).toBe(ta);
    expect(as.requests).toHaveLength(1);
  });

  it('takes the version a compare-and-set wrote from its answer instead of reading the store again', async () => {
    const store = countingStore(memoryTokenStore({ now }));
    const manager = createTokenManager({ store, key: 'k', grant: ccGrant(), now });
    await manager.getAccessToken();
    // A read before the lock and one under it; the write answers its own version.
    expect(store.gets).toBe(2);
  });

  it('still works with a store whose compare-and-set answers true (the first contract)', async () => {
    const inner = memoryTokenStore({ now });
    const legacy = countingStore(inner);
    legacy.compareAndSet = async (key, entry, condition) =>
      (await inner.compareAndSet!(key, entry, condition)) !== false;
    const manager = createTokenManager({ store: legacy, key: 'k', grant: ccGrant(), now });
    const token = await manager.getAccessToken();
    expect(legacy.gets).toBe(3);
    const other = createTokenManager({ store: inner, key: 'k', grant: ccGrant(), now });
    expect(await other.getAccessToken()).toBe(token);
    expect(as.requests).toHaveLength(1);
  });

  it('N sequential expiry cycles make exactly N requests (single flight is cleared every time)', async () => {
    const manager = createTokenManager({ store: memoryTokenStore({ now }), key: 'k', grant: ccGrant(), now });
    for (let cycle = 0; cycle < 20; cycle++) {
      await manager.getAccessToken();
      clock += 3600_000;
    }
    expect(as.requests).toHaveLength(20);
  });

  it('G03: across 100,000 fake-clock calls no token is handed out with less than 30 s left, and no caller waits in the refresh-ahead window', async () => {
    const store = instrumented(memoryTokenStore({ now }));
    const http = trackedFetch();
    const manager = createTokenManager({ store, key: 'k', grant: ccGrant(), now, fetch: http.fetch });
    let minLeft = Number.POSITIVE_INFINITY;
    // Callers that had to wait for something (a store round trip, the network, a timer) before their token,
    // by the state of the token they held: the latency of the refresh-ahead window is the point of it.
    const waited = { fresh: 0, stale: 0, expired: 0 };
    let stale = 0;
    let step = 7;
    let held: string | undefined;
    for (let i = 0; i < 100_000; i++) {
      const heldLeft = held === undefined ? 0 : (issued.get(held) ?? 0) - clock;
      const state = heldLeft > 300_000 + 60_000 ? 'fresh' : heldLeft > 30_000 ? 'stale' : 'expired';
      if (state === 'stale') stale += 1;
      const gets = store.gets;
      const call = manager.getAccessToken();
      if (!(await settlesWithoutIo(call))) waited[state] += 1;
      const token = await call;
      const left = (issued.get(token) ?? 0) - clock;
      if (left < minLeft) minLeft = left;
      held = token;
      // A refresh started: it runs in the background, so let it finish (on its own clock: the fake one stands
      // still meanwhile) before the next call. Callers did not wait for it (checked above).
      if (store.gets > gets) await untilIdle(store, http);
      step = (step * 1103515245 + 12345) % 2147483648;
      clock += step % 2000;
    }
    expect(minLeft).toBeGreaterThanOrEqual(30_000);
    // The stale window was crossed many times, and not one caller in it (nor with a fresh token) waited: the
    // token came from memory without a request, a lock wait or a timer. Only the very first call, on
    // an empty cache, waits. (The p99 latency of this path is measured by `pnpm bench --only token`.)
    expect(stale).toBeGreaterThan(1_000);
    expect(waited).toEqual({ fresh: 0, stale: 0, expired: 1 });
    // ~28 h of fake time at one token per hour: refreshes happen ahead, not one per call
    expect(as.requests.length).toBeGreaterThan(20);
    expect(as.requests.length).toBeLessThan(40);
  });

  it('G04: keeps serving the old token while refreshes fail, backs off, and recovers with one request', async () => {
    const errors: OAuthFlowError[] = [];
    const store = instrumented(memoryTokenStore({ now }));
    const http = trackedFetch();
    const manager = createTokenManager({
      store,
      key: 'k',
      grant: ccGrant(),
      now,
      fetch: http.fetch,
      refreshAheadMs: 900_000,
      refreshJitterMs: 0,
      retryDelayMs: 30_000,
      onError: (e) => errors.push(e),
    });
    // A background refresh runs on its own; wait for it to end before the fake clock moves on.
    const settle = () => untilIdle(store, http);
    const first = await manager.getAccessToken();
    as.handle((_r, res) => {
      res.writeHead(503);
      res.end();
    });
    const staleFrom = clock + 3600_000 - 900_000;
    clock = staleFrom;
    // ten minutes of calls, one a second, all inside the stale window (before the hard margin)
    for (let s = 0; s < 600; s++) {
      expect(await manager.getAccessToken()).toBe(first);
      await settle();
      clock += 1000;
    }
    const failed = as.requests.length - 1;
    expect(failed).toBeGreaterThanOrEqual(1);
    expect(failed).toBeLessThanOrEqual(600 / 15 + 1);
    expect(errors.length).toBe(failed);
    expect(errors.every((e) => e.code === 'ERR_OAUTH_UNEXPECTED_STATUS')).toBe(true);
    as.handle(issuing());
    clock += 35_000;
    await manager.getAccessToken();
    await settle();
    expect(await manager.getAccessToken()).not.toBe(first);
    expect(as.requests.length - 1 - failed).toBe(1);
  });

  it('past the hard margin callers wait for the refresh, and get its error if it fails', async () => {
    const manager = createTokenManager({ store: memoryTokenStore({ now }), key: 'k', grant: ccGrant(), now });
    await manager.getAccessToken();
    as.handle((_r, res) => json(res, 400, { error: 'invalid_client' }));
    clock += 3600_000 - 10_000;
    await expect(manager.getAccessToken()).rejects.toMatchObject({
      code: 'ERR_OAUTH_RESPONSE',
      error: 'invalid_client',
    });
  });

  it('invalidate drops exactly the given token', async () => {
    const store = memoryTokenStore({ now });
    const manager = createTokenManager({ store, key: 'k', grant: ccGrant(), now });
    const t1 = await manager.getAccessToken();
    await manager.invalidate('some-other-token');
    expect(await manager.getAccessToken()).toBe(t1);
    await manager.invalidate(t1);
    const t2 = await manager.getAccessToken();
    expect(t2).not.toBe(t1);
    await manager.invalidate(t1); // late 401 for the old token: the new one stays
    expect(await manager.getAccessToken()).toBe(t2);
    expect(as.requests).toHaveLength(2);
    await expect(manager.invalidate('' as string)).rejects.toMatchObject({
      code: 'ERR_OAUTH_INVALID_OPTION',
    });
  });

  it('G09: corrects for a server clock 120 s ahead from the Date header, in at most 2 requests, never looping', async () => {
    const serverAhead = 120_000;
    let posts = 0;
    as.handle((req, res) => {
      posts += 1;
      const assertion = req.form.get('client_assertion') ?? '';
      const payload = JSON.parse(Buffer.from(assertion.split('.')[1] ?? '', 'base64url').toString()) as {
        now: number;
      };
      const serverNow = Date.now() + serverAhead;
      const date = new Date(serverNow).toUTCString();
      if (Math.abs(payload.now - serverNow) > 60_000) {
        json(res, 400, { error: 'invalid_grant' }, { date });
        return;
      }
      json(res, 200, { access_token: `skew-${posts}`, token_type: 'bearer', expires_in: 3600 }, { date });
    });
    const manager = createTokenManager({ store: memoryTokenStore(), key: 'k', grant: ccGrant() });
    await expect(manager.getAccessToken()).resolves.toBe('skew-2');
    expect(posts).toBe(2);
    expect(Math.abs(manager.clockSkewMs - serverAhead)).toBeLessThan(2_000);
    await manager.invalidate('skew-2');
    await expect(manager.getAccessToken()).resolves.toBe('skew-3');
    expect(posts).toBe(3);
    // a server that rejects everything: still only 2 attempts per call, no loop
    as.handle((_req, res) => {
      posts += 1;
      json(res, 400, { error: 'invalid_grant' }, { date: new Date(Date.now() - 600_000).toUTCString() });
    });
    const other = createTokenManager({ store: memoryTokenStore(), key: 'k2', grant: ccGrant() });
    await expect(other.getAccessToken()).rejects.toMatchObject({ error: 'invalid_grant' });
    expect(posts).toBe(5);
  });

  it('reports store failures as ERR_OAUTH_STORE and closes cleanly', async () => {
    const broken: TokenStoreLike = {
      capabilities: { lock: false, compareAndSet: false, crossProcess: true, encrypted: false },
      get: async () => {
        throw new Error('redis down');
      },
      set: async () => {},
      delete: async () => {},
    };
    const manager = createTokenManager({ store: broken, key: 'k', grant: ccGrant(), now });
    await expect(manager.getAccessToken()).rejects.toMatchObject({ code: 'ERR_OAUTH_STORE' });
    await manager.close();
    await expect(manager.getAccessToken()).rejects.toMatchObject({ code: 'ERR_OAUTH_CLOSED' });
    await expect(manager.invalidate('x')).rejects.toMatchObject({ code: 'ERR_OAUTH_CLOSED' });
  });

  it('R61: a client-credentials entry the store can no longer decrypt is a cache miss, and is replaced', async () => {
    const backing = memoryTokenStore({ now });
    const oldKeyStore = encryptedTokenStore(backing, { keys: [{ id: 'old', key: generateEncryptionKey() }] });
    const before = createTokenManager({ store: oldKeyStore, key: 'k', grant: ccGrant(), now });
    await before.getAccessToken();
    // Restart with a new key only (the old one was lost): the stored entry cannot be decrypted any more.
    const newKeyStore = encryptedTokenStore(backing, { keys: [{ id: 'new', key: generateEncryptionKey() }] });
    await expect(newKeyStore.get('k')).rejects.toMatchObject({ code: 'ERR_STORE_KEY_NOT_FOUND' });
    const after = createTokenManager({ store: newKeyStore, key: 'k', grant: ccGrant(), now });
    const token = await after.getAccessToken();
    expect(as.requests).toHaveLength(2);
    // The unreadable entry was replaced by one the new key reads.
    expect((await newKeyStore.get('k'))?.value).toBeTypeOf('string');
    const third = createTokenManager({ store: newKeyStore, key: 'k', grant: ccGrant(), now });
    expect(await third.getAccessToken()).toBe(token);
    expect(as.requests).toHaveLength(2);
  });

  it('an undecryptable refresh-token session fails closed (the grant is not silently dropped)', async () => {
    const backing = memoryTokenStore({ now });
    const oldKeyStore = encryptedTokenStore(backing, { keys: [{ id: 'old', key: generateEncryptionKey() }] });
    await oldKeyStore.set('s', { value: 'opaque', expiresAt: clock + 3_600_000 });
    const newKeyStore = encryptedTokenStore(backing, { keys: [{ id: 'new', key: generateEncryptionKey() }] });
    const manager = createTokenManager({
      store: newKeyStore,
      key: 's',
      grant: {
        type: 'refresh_token',
        accountId: ACCOUNT,
        origin: as.url,
        allowInsecureLoopback: true,
        client: { clientId: 'c', clientSecret: 's' },
      },
      now,
    });
    await expect(manager.getAccessToken()).rejects.toMatchObject({ code: 'ERR_OAUTH_STORE' });
    await expect(oldKeyStore.get('s')).resolves.toMatchObject({ value: 'opaque' });
    expect(as.requests).toHaveLength(0);
  });

  it('throws synchronously on bad configuration', () => {
    const store = memoryTokenStore();
    const ok = { store, key: 'k', grant: ccGrant() };
    const bad: unknown[] = [
      null,
      { ...ok, store: {} },
      { ...ok, key: '' },
      { ...ok, grant: { type: 'password' } },
      { ...ok, grant: { ...ccGrant(), signer: null } },
      { ...ok, grant: { type: 'refresh_token', accountId: ACCOUNT, client: { clientId: '' } } },
      { ...ok, refreshAheadMs: -1 },
      { ...ok, timeoutMs: 10_000, lockTtlMs: 5_000 },
      { ...ok, onError: 'x' },
    ];
    for (const options of bad) {
      expect(() => createTokenManager(options as never)).toThrow(
        expect.objectContaining({ code: 'ERR_OAUTH_INVALID_OPTION' }),
      );
    }
    expect(() => createTokenManager({ ...ok, grant: { ...ccGrant(), accountId: 'evil.com/' } })).toThrow(
      expect.objectContaining({ code: 'ERR_CORE_INVALID_ACCOUNT_ID' }),
    );
  });
});

describe('createTokenManager: refresh-token sessions', () => {
  const rtGrant = (clientSecret?: string) =>
    ({
      type: 'refresh_token',
      accountId: ACCOUNT,
      origin: as.url,
      allowInsecureLoopback: true,
      client: clientSecret === undefined ? { clientId: 'pub' } : { clientId: 'cid', clientSecret },
    }) as const;

  it('needs a session: without one it asks to log in again', async () => {
    const manager = createTokenManager({
      store: memoryTokenStore({ now }),
      key: 's',
      grant: rtGrant('sec'),
      now,
    });
    await expect(manager.getAccessToken()).rejects.toMatchObject({
      code: 'ERR_OAUTH_REAUTHENTICATION_REQUIRED',
    });
    expect(as.requests).toHaveLength(0);
  });

  it('refreshes a confidential session and keeps the 7-day refresh token and its expiry', async () => {
    const manager = createTokenManager({
      store: memoryTokenStore({ now }),
      key: 's',
      grant: rtGrant('sec'),
      now,
    });
    const rtExpiry = clock + 7 * 24 * 3600_000;
    await manager.setTokenSet(
      new TokenSet({
        accessToken: 'a0',
        tokenType: 'Bearer',
        expiresAt: clock + 3600_000,
        refreshToken: 'rt',
        refreshTokenExpiresAt: rtExpiry,
      }),
    );
    expect(await manager.getAccessToken()).toBe('a0');
    clock += 3600_000;
    const a1 = await manager.getAccessToken();
    expect(a1).not.toBe('a0');
    expect(as.requests[0]?.form.get('refresh_token')).toBe('rt');
    const set = await manager.getTokenSet();
    expect(set.refreshToken).toBe('rt');
    expect(set.refreshTokenExpiresAt).toBe(rtExpiry);
    // after 7 days the refresh token is known dead: no request, a clear error
    clock = rtExpiry + 1;
    const before = as.requests.length;
    await expect(manager.getAccessToken()).rejects.toMatchObject({
      code: 'ERR_OAUTH_REAUTHENTICATION_REQUIRED',
    });
    expect(as.requests.length).toBe(before);
  });

  it('G07 (in process): rotating single-use refresh tokens are never spent twice', async () => {
    const live = new Set<string>(['rt-0']);
    let reuse = 0;
    let n = 0;
    as.handle((req, res) => {
      const rt = req.form.get('refresh_token') ?? '';
      if (!live.has(rt)) {
        reuse += 1;
        live.clear(); // reuse detection revokes the grant
        json(res, 400, { error: 'invalid_grant' });
        return;
      }
      live.delete(rt);
      n += 1;
      live.add(`rt-${n}`);
      json(res, 200, {
        access_token: `a-${n}`,
        token_type: 'bearer',
        expires_in: 60,
        refresh_token: `rt-${n}`,
      });
    });
    const store = memoryTokenStore({ now });
    const managers = Array.from({ length: 8 }, () =>
      createTokenManager({ store, key: 's', grant: rtGrant(), now }),
    );
    await managers[0]?.setTokenSet(
      new TokenSet({
        accessToken: 'a-0',
        tokenType: 'Bearer',
        expiresAt: clock + 60_000,
        refreshToken: 'rt-0',
      }),
    );
    for (let cycle = 0; cycle < 10; cycle++) {
      clock += 60_000;
      const got = await Promise.all(
        managers.flatMap((m) => Array.from({ length: 60 }, () => m.getAccessToken())),
      );
      expect(new Set(got).size).toBe(1);
    }
    expect(reuse).toBe(0);
    expect(n).toBe(10);
    const stored = await managers[3]?.getTokenSet();
    expect(stored?.refreshToken).toBe(`rt-${n}`);
  });

  it('invalid_grant on refresh is terminal: the session is dropped and the user must log in', async () => {
    as.handle((_r, res) => json(res, 400, { error: 'invalid_grant' }));
    const store = memoryTokenStore({ now });
    const manager = createTokenManager({ store, key: 's', grant: rtGrant('sec'), now });
    await manager.setTokenSet(
      new TokenSet({ accessToken: 'a0', tokenType: 'Bearer', expiresAt: clock + 1000, refreshToken: 'rt' }),
    );
    clock += 2000;
    const error = await manager.getAccessToken().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_OAUTH_REAUTHENTICATION_REQUIRED' });
    expect((error as Error).cause).toMatchObject({ error: 'invalid_grant' });
    expect(await store.get('s')).toBeUndefined();
    await expect(manager.getAccessToken()).rejects.toMatchObject({
      code: 'ERR_OAUTH_REAUTHENTICATION_REQUIRED',
    });
    expect(as.requests).toHaveLength(1);
  });

  it('invalidate keeps the refresh token', async () => {
    const manager = createTokenManager({
      store: memoryTokenStore({ now }),
      key: 's',
      grant: rtGrant('sec'),
      now,
    });
    await manager.setTokenSet(
      new TokenSet({
        accessToken: 'a0',
        tokenType: 'Bearer',
        expiresAt: clock + 3600_000,
        refreshToken: 'rt',
      }),
    );
    await manager.invalidate('a0');
    const next = await manager.getAccessToken();
    expect(next).not.toBe('a0');
    expect(as.requests[0]?.form.get('refresh_token')).toBe('rt');
  });

  it('a rotating session waits for another holder of the lock and then gives up with ERR_OAUTH_LOCK_TIMEOUT', async () => {
    const store = memoryTokenStore();
    const manager = createTokenManager({ store, key: 's', grant: rtGrant(), lockWaitMs: 50 });
    await manager.setTokenSet(
      new TokenSet({
        accessToken: 'a0',
        tokenType: 'Bearer',
        expiresAt: Date.now() + 3600_000,
        refreshToken: 'rt',
      }),
    );
    await manager.invalidate('a0');
    const held = await store.lock?.('s', { ttlMs: 10_000 });
    // The wait and how it ended are published on the lock channel: first a timeout, then a lock taken.
    const locks: TokenLockEvent[] = [];
    const onLock = (e: unknown) => locks.push(e as TokenLockEvent);
    subscribe(oauthFlowsChannels.lock, onLock);
    try {
      await expect(manager.getAccessToken()).rejects.toMatchObject({ code: 'ERR_OAUTH_LOCK_TIMEOUT' });
      expect(as.requests).toHaveLength(0);
      await held?.release();
      await expect(manager.getAccessToken()).resolves.toEqual(expect.any(String));
      expect(as.requests).toHaveLength(1);
    } finally {
      unsubscribe(oauthFlowsChannels.lock, onLock);
    }
    expect(locks.map(({ key, grant, acquired }) => ({ key, grant, acquired }))).toEqual([
      { key: 's', grant: 'refresh_token', acquired: false },
      { key: 's', grant: 'refresh_token', acquired: true },
    ]);
    // The timed-out wait lasted about lockWaitMs (a lower bound only: timers never fire early by much).
    expect(locks[0]?.waitedMs).toBeGreaterThanOrEqual(40);
  });

  it('G08: a lease that ran out before the request left is not used to spend the refresh token', async () => {
    // The process stalls (GC, SIGSTOP) between reading the session under the lock and sending the refresh:
    // modelled by the clock jumping past lockTtlMs on that read. test/fencing.int.test.ts does it for real.
    const inner = memoryTokenStore({ now });
    let locked = false;
    const store: TokenStoreLike = {
      ...countingStore(inner),
      lock: async (key, options) => {
        const lock = await inner.lock?.(key, options);
        locked = lock !== undefined;
        return lock;
      },
      get: async (key) => {
        const entry = await inner.get(key);
        if (locked) clock += 5_000;
        return entry;
      },
    };
    const manager = createTokenManager({
      store,
      key: 's',
      grant: rtGrant(),
      now,
      lockTtlMs: 2_000,
      timeoutMs: 1_000,
    });
    await manager.setTokenSet(
      new TokenSet({
        accessToken: 'a0',
        tokenType: 'Bearer',
        expiresAt: clock + 3600_000,
        refreshToken: 'rt',
      }),
    );
    await manager.invalidate('a0');
    await expect(manager.getAccessToken()).rejects.toMatchObject({ code: 'ERR_OAUTH_LOCK_TIMEOUT' });
    expect(as.requests).toHaveLength(0);
    // nothing was lost: the next attempt (no stall) refreshes with the same refresh token
    locked = false;
    const plain = createTokenManager({ store: inner, key: 's', grant: rtGrant(), now });
    await expect(plain.getAccessToken()).resolves.toEqual(expect.any(String));
    expect(as.requests.map((r) => r.form.get('refresh_token'))).toEqual(['rt']);
  });

  it('a rotating session fails closed when the store cannot lock (no lock-free refresh)', async () => {
    const inner = memoryTokenStore({ now });
    const store: TokenStoreLike = {
      capabilities: inner.capabilities,
      get: (k) => inner.get(k),
      set: (k, e) => inner.set(k, e),
      delete: (k) => inner.delete(k),
      lock: async () => {
        throw new Error('redis down');
      },
      compareAndSet: (k, e, c) => inner.compareAndSet?.(k, e, c) ?? Promise.resolve(false),
    };
    const manager = createTokenManager({ store, key: 's', grant: rtGrant(), now });
    await manager.setTokenSet(
      new TokenSet({ accessToken: 'a0', tokenType: 'Bearer', expiresAt: clock + 1000, refreshToken: 'rt' }),
    );
    clock += 2000;
    await expect(manager.getAccessToken()).rejects.toMatchObject({ code: 'ERR_OAUTH_STORE' });
    expect(as.requests).toHaveLength(0);
    // a client-credentials manager on the same broken lock still gets a token (the lock only saves requests)
    const cc = createTokenManager({ store, key: 'c', grant: ccGrant(), now });
    await expect(cc.getAccessToken()).resolves.toEqual(expect.any(String));
  });

  it('invalid_grant after another manager rotated the token adopts the newer session instead of logging out', async () => {
    const store = memoryTokenStore({ now });
    const a = createTokenManager({ store, key: 's', grant: rtGrant(), now });
    await a.setTokenSet(
      new TokenSet({ accessToken: 'a0', tokenType: 'Bearer', expiresAt: clock + 1000, refreshToken: 'rt-0' }),
    );
    clock += 2000;
    // the server sees rt-0 spent elsewhere: while our request is in flight, another process stores rt-1
    as.handle(async (_r, res) => {
      await store.set('s', {
        value: JSON.stringify({ v: 1, a: 'a1', e: clock + 3600_000, o: clock, r: 'rt-1' }),
        expiresAt: clock + 86_400_000,
      });
      json(res, 400, { error: 'invalid_grant' });
    });
    await expect(a.getAccessToken()).resolves.toBe('a1');
    expect((await a.getTokenSet()).refreshToken).toBe('rt-1');
  });

  it('refuses a public client on a cross-process store that cannot lock', () => {
    const store: TokenStoreLike = {
      capabilities: { lock: false, compareAndSet: false, crossProcess: true, encrypted: false },
      get: async () => undefined,
      set: async () => {},
      delete: async () => {},
    };
    expect(() => createTokenManager({ store, key: 's', grant: rtGrant() })).toThrow(
      expect.objectContaining({ code: 'ERR_OAUTH_INVALID_OPTION' }),
    );
    expect(() => createTokenManager({ store, key: 's', grant: rtGrant('sec') })).not.toThrow();
  });

  it('setTokenSet takes only a TokenSet', async () => {
    const manager = createTokenManager({ store: memoryTokenStore(), key: 's', grant: rtGrant('sec') });
    await expect(manager.setTokenSet({ accessToken: 'x' } as never)).rejects.toMatchObject({
      code: 'ERR_OAUTH_INVALID_OPTION',
    });
    await manager.clear();
    expect(typeof refreshAccessToken).toBe('function');
  });
});
