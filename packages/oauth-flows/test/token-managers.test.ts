import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { memoryTokenStore } from '@netsuite-oauth/token-store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createTokenManager,
  createTokenManagers,
  type GrantResolver,
  type TokenManagerGrant,
  type TokenManagers,
  type TokenManagersOptions,
  TokenSet,
  type TokenStoreLike,
} from '../src/index.js';
import { ACCOUNT, json, type MockAs, startMockAs } from './helpers/mock-as.js';

// The many-key manager against a mock authorization server that tells keys apart: every key's signer puts the
// key in its assertion, and the server issues `<key>#<n>` tokens and counts requests per key.

let as: MockAs;
let clock: number;
const now = () => clock;
let issuedPerKey: Map<string, number>;

const keyOf = (assertion: string | null): string => {
  const payload = (assertion ?? '').split('.')[1] ?? '';
  return (JSON.parse(Buffer.from(payload, 'base64url').toString()) as { key: string }).key;
};

function issuing(expiresIn = 3600) {
  return (req: { form: URLSearchParams }, res: Parameters<typeof json>[0]) => {
    const key =
      req.form.get('grant_type') === 'refresh_token'
        ? (req.form.get('refresh_token') ?? '').split('@')[0]
        : keyOf(req.form.get('client_assertion'));
    const n = (issuedPerKey.get(key ?? '') ?? 0) + 1;
    issuedPerKey.set(key ?? '', n);
    json(res, 200, {
      access_token: `${key}#${n}`,
      token_type: 'Bearer',
      expires_in: expiresIn,
      ...(req.form.get('grant_type') === 'refresh_token' ? { refresh_token: `${key}@${n}` } : {}),
    });
  };
}

/** A signer whose assertion names the key it signs for (the mock counts requests per key with it). */
const keySigner = (key: string) => ({
  async sign(options?: { now?: number }) {
    const payload = Buffer.from(JSON.stringify({ key, now: options?.now ?? Date.now() })).toString(
      'base64url',
    );
    return `eyJhbGciOiJQUzI1NiJ9.${payload}.c2lnbmF0dXJl`;
  },
});

const ccGrant = (key: string): TokenManagerGrant => ({
  type: 'client_credentials',
  accountId: ACCOUNT,
  origin: as.url,
  allowInsecureLoopback: true,
  signer: keySigner(key),
});

const rtGrant = (clientSecret?: string): TokenManagerGrant => ({
  type: 'refresh_token',
  accountId: ACCOUNT,
  origin: as.url,
  allowInsecureLoopback: true,
  client: clientSecret === undefined ? { clientId: 'pub' } : { clientId: 'cid', clientSecret },
});

/** A resolver that knows every key starting with `k` and counts its calls per key. */
function countingResolver(): GrantResolver & { calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const resolve = async (key: string) => {
    calls.set(key, (calls.get(key) ?? 0) + 1);
    return key.startsWith('k') ? ccGrant(key) : undefined;
  };
  return Object.assign(resolve, { calls });
}

/** The memory store with its lock and compare-and-set hidden: only in-process single flight is left. */
function locklessStore(inner = memoryTokenStore({ now })): TokenStoreLike & { gets: number } {
  const store = {
    gets: 0,
    capabilities: { lock: false, compareAndSet: false, crossProcess: false, encrypted: false },
    get: async (key: string) => {
      store.gets += 1;
      return await inner.get(key);
    },
    set: (key: string, entry: { value: string; expiresAt: number }) => inner.set(key, entry),
    delete: (key: string) => inner.delete(key),
  };
  return store;
}

const open: TokenManagers[] = [];
function managersWith(options: Partial<TokenManagersOptions> = {}): TokenManagers {
  const managers = createTokenManagers({
    store: memoryTokenStore({ now }),
    resolve: countingResolver(),
    now,
    refreshJitterMs: 0,
    ...options,
  });
  open.push(managers);
  return managers;
}

/** Makes the mock hold every answer until the returned function is called (for one request at a time). */
function holdAnswers(): () => void {
  let release: () => void = () => {};
  const handler = issuing();
  as.handle(async (req, res) => {
    await new Promise<void>((resolve) => {
      release = resolve;
    });
    handler(req, res);
  });
  return () => release();
}

const keys = (n: number, prefix = 'k') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const tick = () => new Promise((r) => setImmediate(r));

beforeEach(async () => {
  clock = 1_800_000_000_000;
  issuedPerKey = new Map();
  as = await startMockAs();
  as.handle(issuing());
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((m) => m.close()));
  await as.close();
});

describe('createTokenManagers: single flight per key', () => {
  it('20 keys × 100 concurrent cold callers on a store without a lock → exactly one request per key', async () => {
    const managers = managersWith({ store: locklessStore() });
    const ks = keys(20);
    const got = await Promise.all(
      ks.flatMap((k) => Array.from({ length: 100 }, () => managers.getAccessToken(k))),
    );
    expect(as.requests).toHaveLength(20);
    for (const [i, k] of ks.entries()) {
      const mine = got.slice(i * 100, (i + 1) * 100);
      // every caller of a key got that key's one token: none crossed to another key
      expect(new Set(mine)).toEqual(new Set([`${k}#1`]));
    }
  });

  it('resolves each key once however many callers ask at once, and not again while it is held', async () => {
    const resolve = countingResolver();
    const managers = managersWith({ resolve });
    await Promise.all(keys(5).flatMap((k) => Array.from({ length: 50 }, () => managers.getTokenSet(k))));
    for (const k of keys(5)) await managers.getAccessToken(k);
    expect([...resolve.calls.values()]).toEqual([1, 1, 1, 1, 1]);
  });

  it('different keys refresh in parallel: 8 cold keys have 8 token requests in flight at once', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const waiting: Array<() => void> = [];
    const handler = issuing();
    as.handle(async (req, res) => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      // hold every answer until all 8 arrived (or give up after 2 s, and the assertion below fails)
      await new Promise<void>((resolve) => {
        waiting.push(resolve);
        if (waiting.length === 8) for (const w of waiting) w();
        setTimeout(resolve, 2000);
      });
      inFlight -= 1;
      handler(req, res);
    });
    const managers = managersWith({ store: locklessStore() });
    await Promise.all(keys(8).map((k) => managers.getAccessToken(k)));
    expect(maxInFlight).toBe(8);
  });

  it('N expiry cycles of 5 keys → exactly N requests per key (the single flight is cleared every time)', async () => {
    const managers = managersWith();
    for (let cycle = 0; cycle < 10; cycle++) {
      await Promise.all(keys(5).flatMap((k) => [managers.getAccessToken(k), managers.getAccessToken(k)]));
      clock += 3600_000;
    }
    expect([...issuedPerKey.values()]).toEqual([10, 10, 10, 10, 10]);
  });

  it('serves a fresh token from memory: no store access, no resolver call', async () => {
    const store = locklessStore();
    const resolve = countingResolver();
    const managers = managersWith({ store, resolve });
    for (const k of keys(10)) await managers.getAccessToken(k);
    const gets = store.gets;
    for (let i = 0; i < 1000; i++) expect(await managers.getAccessToken(`k${i % 10}`)).toBe(`k${i % 10}#1`);
    expect(store.gets).toBe(gets);
    expect([...resolve.calls.values()].every((n) => n === 1)).toBe(true);
  });

  it('a key in its refresh-ahead window is served while one background refresh runs', async () => {
    const managers = managersWith({ refreshAheadMs: 600_000 });
    expect(await managers.getAccessToken('k1')).toBe('k1#1');
    clock += 3600_000 - 300_000;
    const during = await Promise.all(Array.from({ length: 20 }, () => managers.getAccessToken('k1')));
    expect(new Set(during)).toEqual(new Set(['k1#1']));
    for (let i = 0; i < 500 && managers.stats().refreshing > 0; i++)
      await new Promise((r) => setTimeout(r, 5));
    expect(await managers.getAccessToken('k1')).toBe('k1#2');
    expect(issuedPerKey.get('k1')).toBe(2);
  });

  it('each key keeps its own clock skew (accounts served by different hosts)', async () => {
    as.handle((req, res) => {
      const key = keyOf(req.form.get('client_assertion'));
      const ahead = key === 'k-ahead' ? 120_000 : 0;
      json(
        res,
        200,
        { access_token: `${key}#1`, token_type: 'Bearer', expires_in: 3600 },
        { date: new Date(Date.now() + ahead).toUTCString() },
      );
    });
    const managers = createTokenManagers({
      store: memoryTokenStore(),
      resolve: async (key) => ccGrant(key),
    });
    open.push(managers);
    await managers.getAccessToken('k-ahead');
    await managers.getAccessToken('k-even');
    expect(Math.abs(managers.clockSkewMs('k-ahead') - 120_000)).toBeLessThan(2_000);
    expect(Math.abs(managers.clockSkewMs('k-even'))).toBeLessThan(2_000);
    expect(managers.forKey('k-ahead').clockSkewMs).toBe(managers.clockSkewMs('k-ahead'));
    expect(managers.clockSkewMs('k-unknown')).toBe(0);
  });
});

describe('createTokenManagers: the resolver', () => {
  it('an unknown key is ERR_OAUTH_UNKNOWN_KEY, asked again next time (never cached)', async () => {
    const resolve = countingResolver();
    const managers = managersWith({ resolve });
    await expect(managers.getAccessToken('nobody')).rejects.toMatchObject({ code: 'ERR_OAUTH_UNKNOWN_KEY' });
    await expect(managers.getAccessToken('nobody')).rejects.toMatchObject({ code: 'ERR_OAUTH_UNKNOWN_KEY' });
    expect(resolve.calls.get('nobody')).toBe(2);
    expect(managers.size).toBe(0);
    expect(as.requests).toHaveLength(0);
  });

  it('a throwing resolver is ERR_OAUTH_RESOLVE_FAILED, shared by concurrent callers, not cached, and leaks nothing', async () => {
    const secret = `CANARY${randomBytes(12).toString('hex')}`;
    let calls = 0;
    let fail = true;
    const managers = managersWith({
      resolve: async (key) => {
        calls += 1;
        await tick();
        if (fail) throw new Error(`db connection postgres://admin:${secret}@db failed`);
        return ccGrant(key);
      },
    });
    const errors = await Promise.all(
      Array.from({ length: 10 }, () => managers.getAccessToken('k1').catch((e: unknown) => e)),
    );
    expect(calls).toBe(1);
    for (const error of errors) {
      expect(error).toMatchObject({ code: 'ERR_OAUTH_RESOLVE_FAILED', name: 'OAuthFlowError' });
      const rendered = `${(error as Error).message}${(error as Error).stack}${JSON.stringify(error)}${inspect(error, { depth: 10, showHidden: true })}`;
      expect(rendered).not.toContain(secret);
    }
    fail = false;
    await expect(managers.getAccessToken('k1')).resolves.toBe('k1#1');
    expect(calls).toBe(2);
  });

  it('a resolver that throws synchronously is ERR_OAUTH_RESOLVE_FAILED too', async () => {
    const managers = managersWith({
      resolve: () => {
        throw new TypeError('boom');
      },
    });
    await expect(managers.getAccessToken('k1')).rejects.toMatchObject({ code: 'ERR_OAUTH_RESOLVE_FAILED' });
  });

  it('garbage from the resolver is ERR_OAUTH_RESOLVE_FAILED with the reason as a typed cause', async () => {
    const answers: unknown[] = [
      null,
      42,
      'client_credentials',
      { type: 'password', accountId: ACCOUNT },
      { type: 'client_credentials', accountId: ACCOUNT },
      { type: 'client_credentials', accountId: ACCOUNT, signer: { sign: 'no' } },
      { type: 'refresh_token', accountId: ACCOUNT, client: { clientId: '' } },
      { type: 'client_credentials', accountId: 'evil.com/x', signer: keySigner('k') },
      {
        get type(): string {
          throw new Error('getter');
        },
      },
    ];
    for (const answer of answers) {
      const managers = managersWith({ resolve: async () => answer as TokenManagerGrant });
      const error = await managers.getAccessToken('k1').catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'ERR_OAUTH_RESOLVE_FAILED' });
      expect(managers.size).toBe(0);
    }
    const bad = managersWith({ resolve: async () => ({ type: 'password' }) as never });
    const error = (await bad.getAccessToken('k1').catch((e: unknown) => e)) as Error;
    expect(error.cause).toMatchObject({ code: 'ERR_OAUTH_INVALID_OPTION' });
    expect(as.requests).toHaveLength(0);
  });

  it('a public client on a cross-process store without lock is refused per key, like createTokenManager', async () => {
    const inner = memoryTokenStore({ now });
    const store: TokenStoreLike = {
      capabilities: { lock: false, compareAndSet: false, crossProcess: true, encrypted: false },
      get: (k) => inner.get(k),
      set: (k, e) => inner.set(k, e),
      delete: (k) => inner.delete(k),
    };
    const managers = managersWith({
      store,
      resolve: async (key) => (key === 'pub' ? rtGrant() : rtGrant('secret')),
    });
    const error = (await managers.getAccessToken('pub').catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({ code: 'ERR_OAUTH_RESOLVE_FAILED' });
    expect(error.cause).toMatchObject({ code: 'ERR_OAUTH_INVALID_OPTION' });
    // the confidential session on the same store is fine (it just has no session yet)
    await expect(managers.getAccessToken('conf')).rejects.toMatchObject({
      code: 'ERR_OAUTH_REAUTHENTICATION_REQUIRED',
    });
  });

  it('a slow resolver times out with ERR_OAUTH_RESOLVE_FAILED and its signal aborts', async () => {
    let signal: AbortSignal | undefined;
    const managers = managersWith({
      resolveTimeoutMs: 30,
      resolve: (_key, context) => {
        signal = context.signal;
        return new Promise(() => {});
      },
    });
    await expect(managers.getAccessToken('k1')).rejects.toMatchObject({
      code: 'ERR_OAUTH_RESOLVE_FAILED',
      message: expect.stringContaining('30 ms'),
    });
    expect(signal?.aborted).toBe(true);
    expect(managers.stats().resolving).toBe(0);
  });

  it('close() while a resolver is running → its callers get ERR_OAUTH_CLOSED at once', async () => {
    let signal: AbortSignal | undefined;
    const managers = managersWith({
      resolve: (_key, context) => {
        signal = context.signal;
        return new Promise(() => {});
      },
    });
    const call = managers.getAccessToken('k1');
    await tick();
    await managers.close();
    await expect(call).rejects.toMatchObject({ code: 'ERR_OAUTH_CLOSED' });
    expect(signal?.aborted).toBe(true);
  });

  it('forget(key) makes the next call resolve the grant again (a rotated certificate), keeping the token', async () => {
    const resolve = countingResolver();
    const managers = managersWith({ resolve });
    expect(await managers.getAccessToken('k1')).toBe('k1#1');
    await managers.forget('k1');
    await managers.forget('k1');
    expect(managers.size).toBe(0);
    expect(await managers.getAccessToken('k1')).toBe('k1#1');
    expect(resolve.calls.get('k1')).toBe(2);
    expect(as.requests).toHaveLength(1);
  });
});

describe('createTokenManagers: bad input', () => {
  it('refuses bad keys with ERR_OAUTH_INVALID_OPTION before the resolver is called', async () => {
    const resolve = countingResolver();
    const managers = managersWith({ resolve });
    const token = new TokenSet({ accessToken: 'a', tokenType: 'Bearer', expiresAt: clock + 1000 });
    for (const key of ['', 'k'.repeat(513), undefined, null, 42, {}, ['k1']] as unknown as string[]) {
      for (const call of [
        () => managers.getAccessToken(key),
        () => managers.getTokenSet(key),
        () => managers.invalidate(key, 'a'),
        () => managers.setTokenSet(key, token),
        () => managers.clear(key),
        () => managers.logout(key),
        () => managers.forget(key),
      ]) {
        await expect(call()).rejects.toMatchObject({ code: 'ERR_OAUTH_INVALID_OPTION' });
      }
      expect(() => managers.forKey(key)).toThrow(
        expect.objectContaining({ code: 'ERR_OAUTH_INVALID_OPTION' }),
      );
    }
    expect(resolve.calls.size).toBe(0);
    // the longest key is fine
    await expect(managers.getAccessToken('k'.repeat(512))).resolves.toEqual(expect.any(String));
  });

  it('refuses a bad token or token set', async () => {
    const managers = managersWith();
    await expect(managers.invalidate('k1', '')).rejects.toMatchObject({ code: 'ERR_OAUTH_INVALID_OPTION' });
    await expect(managers.setTokenSet('k1', { accessToken: 'x' } as never)).rejects.toMatchObject({
      code: 'ERR_OAUTH_INVALID_OPTION',
    });
  });

  it('throws synchronously on bad configuration', () => {
    const store = memoryTokenStore();
    const ok = { store, resolve: async () => undefined };
    const bad: unknown[] = [
      null,
      {},
      { store },
      { ...ok, resolve: 'x' },
      { ...ok, store: {} },
      { ...ok, maxCachedKeys: 0 },
      { ...ok, maxCachedKeys: 1.5 },
      { ...ok, maxCachedKeys: '10' },
      { ...ok, maxCachedKeys: Number.POSITIVE_INFINITY },
      { ...ok, resolveTimeoutMs: 0 },
      { ...ok, resolveTimeoutMs: 'x' },
      { ...ok, refreshAheadMs: -1 },
      { ...ok, timeoutMs: 10_000, lockTtlMs: 5_000 },
      { ...ok, onError: 'x' },
    ];
    for (const options of bad) {
      expect(() => createTokenManagers(options as never)).toThrow(
        expect.objectContaining({ code: 'ERR_OAUTH_INVALID_OPTION' }),
      );
    }
  });

  it('invalidate with a stale token leaves the newer one alone', async () => {
    const managers = managersWith();
    const t1 = await managers.getAccessToken('k1');
    await managers.invalidate('k1', t1);
    const t2 = await managers.getAccessToken('k1');
    expect(t2).not.toBe(t1);
    await managers.invalidate('k1', t1);
    await managers.invalidate('k1', 'never-issued');
    expect(await managers.getAccessToken('k1')).toBe(t2);
    expect(issuedPerKey.get('k1')).toBe(2);
  });

  it('after close() every call rejects with ERR_OAUTH_CLOSED, views too', async () => {
    const managers = managersWith();
    const view = managers.forKey('k1');
    await managers.getAccessToken('k1');
    await managers.close();
    await managers.close();
    expect(managers.size).toBe(0);
    const token = new TokenSet({ accessToken: 'a', tokenType: 'Bearer', expiresAt: clock + 1000 });
    for (const call of [
      () => managers.getAccessToken('k1'),
      () => managers.getTokenSet('k1'),
      () => managers.invalidate('k1', 'a'),
      () => managers.setTokenSet('k1', token),
      () => managers.clear('k1'),
      () => managers.logout('k1'),
      () => view.getAccessToken(),
    ]) {
      await expect(call()).rejects.toMatchObject({ code: 'ERR_OAUTH_CLOSED' });
    }
  });
});

describe('createTokenManagers: bounded memory', () => {
  it('10,000 keys through a manager of 100 → never more than 100 held; an evicted key is read back from the store', async () => {
    const store = locklessStore();
    const resolve = countingResolver();
    const managers = managersWith({ store, resolve, maxCachedKeys: 100 });
    let most = 0;
    const ks = keys(10_000);
    // seeded through the manager, in batches of 50 concurrent keys
    for (let i = 0; i < ks.length; i += 50) {
      await Promise.all(
        ks
          .slice(i, i + 50)
          .map((k) =>
            managers.setTokenSet(
              k,
              new TokenSet({ accessToken: `${k}#seed`, tokenType: 'Bearer', expiresAt: clock + 3600_000 }),
            ),
          ),
      );
      most = Math.max(most, managers.size);
    }
    for (const k of ks) {
      expect(await managers.getAccessToken(k)).toBe(`${k}#seed`);
      most = Math.max(most, managers.size);
    }
    expect(most).toBe(100);
    expect(managers.stats()).toMatchObject({ cachedKeys: 100, maxCachedKeys: 100 });
    expect(managers.stats().evictions).toBeGreaterThanOrEqual(2 * 10_000 - 2 * 100);
    // nothing was lost: every token was served from the store, none asked for again
    expect(as.requests).toHaveLength(0);
  });

  it('keeps the keys in use and drops the idle ones (second chance)', async () => {
    const resolve = countingResolver();
    const managers = managersWith({ resolve, maxCachedKeys: 10 });
    for (const k of keys(10)) await managers.getAccessToken(k);
    // k0 stays hot while 50 other keys pass through
    for (const k of keys(50, 'kx')) {
      await managers.getAccessToken('k0');
      await managers.getAccessToken(k);
    }
    expect(resolve.calls.get('k0')).toBe(1);
    expect(resolve.calls.get('k1')).toBe(1);
    await managers.getAccessToken('k1');
    expect(resolve.calls.get('k1')).toBe(2);
  });

  it('a key with a refresh in flight is not evicted: a new key waits for room, and nothing is lost', async () => {
    let release: () => void = () => {};
    const handler = issuing();
    as.handle(async (req, res) => {
      if (keyOf(req.form.get('client_assertion')) === 'k-slow') {
        await new Promise<void>((resolve) => {
          release = resolve;
        });
      }
      handler(req, res);
    });
    const resolve = countingResolver();
    const store = locklessStore();
    const managers = managersWith({ store, resolve, maxCachedKeys: 1 });
    const slow = managers.getAccessToken('k-slow');
    while (as.requests.length === 0) await tick();
    let other: string | undefined;
    const next = managers.getAccessToken('k-next').then((t) => {
      other = t;
    });
    for (let i = 0; i < 20; i++) await tick();
    // k-next is resolved but waits for room; k-slow is still held, with its refresh
    expect(other).toBeUndefined();
    expect(managers.size).toBe(1);
    expect(managers.stats()).toMatchObject({ refreshing: 1, cachedKeys: 1 });
    release();
    expect(await slow).toBe('k-slow#1');
    await next;
    expect(other).toBe('k-next#1');
    expect(managers.size).toBe(1);
    // k-slow was evicted only after its refresh had written the token: it comes back from the store
    expect(await managers.getAccessToken('k-slow')).toBe('k-slow#1');
    expect(issuedPerKey.get('k-slow')).toBe(1);
    expect(resolve.calls.get('k-slow')).toBe(2);
  });

  it('every slot in use counts: with room for 2 keys, 10 busy keys never have more than 2 refreshes in flight', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const handler = issuing();
    as.handle(async (req, res) => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight -= 1;
      handler(req, res);
    });
    const managers = managersWith({ store: locklessStore(), maxCachedKeys: 2 });
    const ks = keys(10);
    const got = await Promise.all(
      ks.flatMap((k) => Array.from({ length: 10 }, () => managers.getAccessToken(k))),
    );
    expect(new Set(got).size).toBe(10);
    expect(as.requests).toHaveLength(10);
    expect(maxInFlight).toBeLessThanOrEqual(2);
    expect(managers.size).toBe(2);
  });

  it('a key whose operation is running (setTokenSet, invalidate) is not evicted either', async () => {
    const inner = memoryTokenStore({ now });
    let releaseSet: () => void = () => {};
    const store: TokenStoreLike = {
      ...locklessStore(inner),
      set: async (k, e) => {
        if (k === 'k-busy') await new Promise<void>((r) => (releaseSet = r));
        await inner.set(k, e);
      },
    };
    const managers = managersWith({ store, maxCachedKeys: 1 });
    const token = new TokenSet({ accessToken: 'seeded', tokenType: 'Bearer', expiresAt: clock + 3600_000 });
    const saving = managers.setTokenSet('k-busy', token);
    for (let i = 0; i < 10; i++) await tick();
    const next = managers.getAccessToken('k-next');
    for (let i = 0; i < 20; i++) await tick();
    expect(managers.size).toBe(1);
    expect(managers.stats().evictions).toBe(0);
    releaseSet();
    await saving;
    await next;
    expect(await managers.getAccessToken('k-busy')).toBe('seeded');
  });

  it('close() during a refresh waits for it, and its token is in the store', async () => {
    const release = holdAnswers();
    const store = memoryTokenStore({ now });
    const managers = managersWith({ store });
    const call = managers.getAccessToken('k1');
    while (as.requests.length === 0) await tick();
    let closed = false;
    const closing = managers.close().then(() => {
      closed = true;
    });
    for (let i = 0; i < 20; i++) await tick();
    expect(closed).toBe(false);
    release();
    await closing;
    expect(await call).toBe('k1#1');
    const again = managersWith({ store });
    expect(await again.getAccessToken('k1')).toBe('k1#1');
    expect(as.requests).toHaveLength(1);
  });

  it('close() waits for a background refresh too', async () => {
    const store = memoryTokenStore({ now });
    const managers = managersWith({ store, refreshAheadMs: 600_000 });
    await managers.getAccessToken('k1');
    const release = holdAnswers();
    clock += 3600_000 - 300_000;
    expect(await managers.getAccessToken('k1')).toBe('k1#1');
    while (as.requests.length === 1) await tick();
    const closing = managers.close();
    release();
    await closing;
    const again = managersWith({ store, refreshAheadMs: 600_000 });
    expect(await again.getAccessToken('k1')).toBe('k1#2');
  });
});

describe('createTokenManagers: sessions (refresh tokens) per key', () => {
  it('G07 (in process, many keys): 8 managers × 6 rotating sessions → no refresh token spent twice', async () => {
    const live = new Set<string>();
    let reuse = 0;
    as.handle((req, res) => {
      const rt = req.form.get('refresh_token') ?? '';
      if (!live.has(rt)) {
        reuse += 1;
        json(res, 400, { error: 'invalid_grant' });
        return;
      }
      live.delete(rt);
      const [key, n] = rt.split('@') as [string, string];
      const next = `${key}@${Number(n) + 1}`;
      live.add(next);
      json(res, 200, {
        access_token: `${next}-a`,
        token_type: 'bearer',
        expires_in: 60,
        refresh_token: next,
      });
    });
    const store = memoryTokenStore({ now });
    const sessions = keys(6, 's');
    const all = Array.from({ length: 8 }, () => managersWith({ store, resolve: async () => rtGrant() }));
    for (const s of sessions) {
      live.add(`${s}@0`);
      await all[0]?.setTokenSet(
        s,
        new TokenSet({
          accessToken: `${s}@0-a`,
          tokenType: 'Bearer',
          expiresAt: clock + 60_000,
          refreshToken: `${s}@0`,
        }),
      );
    }
    for (let cycle = 0; cycle < 5; cycle++) {
      clock += 60_000;
      const got = await Promise.all(
        all.flatMap((m) => sessions.flatMap((s) => Array.from({ length: 10 }, () => m.getAccessToken(s)))),
      );
      for (const [i, s] of sessions.entries()) {
        const mine = all.flatMap((_, m) => got.slice((m * 6 + i) * 10, (m * 6 + i + 1) * 10));
        expect(new Set(mine)).toEqual(new Set([`${s}@${cycle + 1}-a`]));
      }
    }
    expect(reuse).toBe(0);
    expect(as.requests).toHaveLength(6 * 5);
  });

  it('setTokenSet, logout and clear per key; clear needs no resolver', async () => {
    let revoked: string[] = [];
    as.handle((req, res) => {
      if (req.path.includes('revoke')) {
        revoked.push(req.form.get('token') ?? '');
        res.writeHead(200);
        res.end();
        return;
      }
      issuing()(req, res);
    });
    const store = memoryTokenStore({ now });
    const managers = managersWith({
      store,
      resolve: async (k) => (k.startsWith('s') ? rtGrant('sec') : undefined),
    });
    for (const s of ['s1', 's2']) {
      await managers.setTokenSet(
        s,
        new TokenSet({
          accessToken: `${s}-a`,
          tokenType: 'Bearer',
          expiresAt: clock + 3600_000,
          refreshToken: `${s}@0`,
        }),
      );
    }
    expect(await managers.getAccessToken('s1')).toBe('s1-a');
    expect(await managers.logout('s1')).toEqual({ revoked: true });
    expect(revoked).toEqual(['s1@0']);
    expect(await store.get('s1')).toBeUndefined();
    await expect(managers.getAccessToken('s1')).rejects.toMatchObject({
      code: 'ERR_OAUTH_REAUTHENTICATION_REQUIRED',
    });
    expect(await managers.getAccessToken('s2')).toBe('s2-a');
    // a key the resolver does not know (any more) can still be cleared
    await store.set('gone', { value: 'x', expiresAt: clock + 1000 });
    await managers.clear('gone');
    expect(await store.get('gone')).toBeUndefined();
    await managers.clear('s2');
    expect(await store.get('s2')).toBeUndefined();
    revoked = [];
  });

  it('logout needs a refresh_token grant', async () => {
    const managers = managersWith();
    await expect(managers.logout('k1')).rejects.toMatchObject({ code: 'ERR_OAUTH_INVALID_OPTION' });
  });
});

describe('createTokenManagers: forKey views', () => {
  it('a view is a TokenManager of one key; closing it closes the view, not the manager', async () => {
    const managers = managersWith();
    const a = managers.forKey('k1');
    const b = managers.forKey('k2');
    const ta = await a.getAccessToken();
    expect(ta).toBe('k1#1');
    expect((await a.getTokenSet()).accessToken).toBe(ta);
    await a.invalidate(ta);
    expect(await a.getAccessToken()).toBe('k1#2');
    await a.close();
    await expect(a.getAccessToken()).rejects.toMatchObject({ code: 'ERR_OAUTH_CLOSED' });
    await expect(a.invalidate('x')).rejects.toMatchObject({ code: 'ERR_OAUTH_CLOSED' });
    expect(await b.getAccessToken()).toBe('k2#1');
    expect(await managers.getAccessToken('k1')).toBe('k1#2');
  });

  it('the single-key manager and a view of the many-key manager share one stored token', async () => {
    const store = memoryTokenStore({ now });
    const single = createTokenManager({ store, key: 'k1', grant: ccGrant('k1'), now });
    const t = await single.getAccessToken();
    const managers = managersWith({ store });
    expect(await managers.forKey('k1').getAccessToken()).toBe(t);
    expect(as.requests).toHaveLength(1);
    await single.close();
  });
});
