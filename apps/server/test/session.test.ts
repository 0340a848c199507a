import { memoryTokenStore, type TokenStore } from '@netsuite-oauth/token-store';
import { describe, expect, it } from 'vitest';
import { digest } from '../src/random.js';
import { SessionManager } from '../src/session.js';
import { TransactionStore } from '../src/transactions.js';

function clock(start = 1_800_000_000_000) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

describe('SessionManager', () => {
  it('creates 256-bit ids, stores only a hash of them, and loads them back', async () => {
    const store = memoryTokenStore();
    const sessions = new SessionManager({ store });
    const session = await sessions.create();
    expect(session.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(session.data.csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await store.get(`session:${session.id}`)).toBeUndefined();
    expect(await store.get(`session:${digest(session.id)}`)).toBeDefined();
    expect((await sessions.load(session.id))?.data.csrf).toBe(session.data.csrf);
  });

  it('creates sessions with fresh ids and CSRF tokens, expiring when told; a destroyed id is rejected', async () => {
    const c = clock();
    const sessions = new SessionManager({ store: memoryTokenStore(), ttlMs: 1000, now: c.now });
    expect(sessions.expiryOfNew()).toBe(c.now() + 1000);
    const before = await sessions.create();
    const after = await sessions.create({ notice: 'hi' }, c.now() + 500);
    expect(after.id).not.toBe(before.id);
    expect(after.data.csrf).not.toBe(before.data.csrf);
    expect(after.data.expiresAt).toBe(c.now() + 500);
    await sessions.destroy(before.id);
    expect(await sessions.load(before.id)).toBeUndefined();
    expect((await sessions.load(after.id))?.data.notice).toBe('hi');
  });

  it('expires sessions on the server clock', async () => {
    const c = clock();
    const sessions = new SessionManager({ store: memoryTokenStore(), ttlMs: 1000, now: c.now });
    const session = await sessions.create();
    c.advance(999);
    expect(await sessions.load(session.id)).toBeDefined();
    c.advance(1);
    expect(await sessions.load(session.id)).toBeUndefined();
  });

  it('rejects malformed ids and corrupt entries without throwing', async () => {
    const store = memoryTokenStore();
    const sessions = new SessionManager({ store });
    expect(await sessions.load(undefined)).toBeUndefined();
    expect(await sessions.load('short')).toBeUndefined();
    expect(await sessions.load('../../etc/passwd')).toBeUndefined();
    const id = 'a'.repeat(43);
    await store.set(`session:${digest(id)}`, { value: '{not json', expiresAt: Date.now() + 60_000 });
    expect(await sessions.load(id)).toBeUndefined();
    expect(await store.get(`session:${digest(id)}`)).toBeUndefined();
  });
});

/** The memory store with compare-and-set hidden, as a minimal third-party store would be. */
function storeWithoutCas(): TokenStore {
  const inner = memoryTokenStore();
  return {
    capabilities: { ...inner.capabilities, compareAndSet: false, lock: false },
    get: (k) => inner.get(k),
    set: (k, e) => inner.set(k, e),
    delete: (k) => inner.delete(k),
  };
}

describe.each([
  ['a store with compare-and-set', () => memoryTokenStore()],
  ['a store without compare-and-set', storeWithoutCas],
])('SessionManager.save on %s (R64)', (_name, makeStore) => {
  it('never writes back a session that another request rotated meanwhile', async () => {
    const sessions = new SessionManager({ store: makeStore() });
    const created = await sessions.create({ notice: 'Connected to NetSuite.' });
    // Two requests of one browser load the same session; the second one logs out (rotates it).
    const slow = await sessions.load(created.id);
    const logout = await sessions.load(created.id);
    await sessions.destroy(logout!.id);
    const rotated = await sessions.create({ notice: 'Disconnected.' });
    // The first one now takes its notice and saves: the old id must stay dead.
    const { notice: _, ...rest } = slow!.data;
    slow!.data = rest;
    expect(await sessions.save(slow!)).toBe(false);
    expect(await sessions.load(created.id)).toBeUndefined();
    expect((await sessions.load(rotated.id))?.data.notice).toBe('Disconnected.');
  });

  it('saves a session it loaded, again and again', async () => {
    const sessions = new SessionManager({ store: makeStore() });
    const created = await sessions.create({ notice: 'one' });
    const loaded = (await sessions.load(created.id))!;
    loaded.data = { ...loaded.data, notice: 'two' };
    expect(await sessions.save(loaded)).toBe(true);
    loaded.data = { ...loaded.data, notice: 'three' };
    expect(await sessions.save(loaded)).toBe(true);
    expect((await sessions.load(created.id))?.data.notice).toBe('three');
  });
});

describe('TransactionStore', () => {
  const base = {
    codeVerifier: 'v'.repeat(43),
    redirectUri: 'http://127.0.0.1:1/callback',
    tokenUrl: 'http://127.0.0.1:2/token',
    issuer: 'http://127.0.0.1:2',
    returnTo: '/dashboard',
  };

  it('is single-use: the second take of a state fails', async () => {
    const txs = new TransactionStore({ store: memoryTokenStore() });
    const sid = 's'.repeat(43);
    await txs.put({ ...base, state: 'x'.repeat(43), sessionHash: digest(sid) });
    const first = await txs.take('x'.repeat(43), sid);
    expect(first.ok).toBe(true);
    expect(await txs.take('x'.repeat(43), sid)).toEqual({ ok: false, reason: 'unknown' });
  });

  it('is single-use across processes sharing a store: one of two racing takes wins', async () => {
    const store = memoryTokenStore();
    const first = new TransactionStore({ store });
    const second = new TransactionStore({ store });
    const sid = 's'.repeat(43);
    await first.put({ ...base, state: 'r'.repeat(43), sessionHash: digest(sid) });
    const results = await Promise.all([first.take('r'.repeat(43), sid), second.take('r'.repeat(43), sid)]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });

  it('rejects a state bound to another session, and deletes it', async () => {
    const txs = new TransactionStore({ store: memoryTokenStore() });
    await txs.put({ ...base, state: 'y'.repeat(43), sessionHash: digest('a'.repeat(43)) });
    expect(await txs.take('y'.repeat(43), 'b'.repeat(43))).toEqual({ ok: false, reason: 'foreign' });
    expect(await txs.take('y'.repeat(43), 'a'.repeat(43))).toEqual({ ok: false, reason: 'unknown' });
  });

  it('expires after its TTL, which is capped at 15 minutes', async () => {
    const c = clock();
    const txs = new TransactionStore({
      store: memoryTokenStore({ now: c.now }),
      ttlMs: 3_600_000,
      now: c.now,
    });
    expect(txs.ttlMs).toBe(900_000);
    const sid = 's'.repeat(43);
    await txs.put({ ...base, state: 'z'.repeat(43), sessionHash: digest(sid) });
    c.advance(900_000);
    const result = await txs.take('z'.repeat(43), sid);
    expect(result.ok).toBe(false);
  });

  it('is bounded: one sign-in in progress per browser, at most maxPending per process', async () => {
    const store = memoryTokenStore();
    const txs = new TransactionStore({ store, maxPending: 3 });
    const browser = digest('b'.repeat(43));
    await txs.put({ ...base, state: 'p'.repeat(43), sessionHash: browser });
    await txs.put({ ...base, state: 'q'.repeat(43), sessionHash: browser });
    // The browser's second sign-in replaced its first, which is gone from the store.
    expect(txs.pending).toBe(1);
    expect(await txs.take('p'.repeat(43), 'b'.repeat(43))).toEqual({ ok: false, reason: 'unknown' });
    await txs.put({ ...base, state: 'r'.repeat(43), sessionHash: digest('c'.repeat(43)) });
    await txs.put({ ...base, state: 's'.repeat(43), sessionHash: digest('d'.repeat(43)) });
    await expect(
      txs.put({ ...base, state: 't'.repeat(43), sessionHash: digest('e'.repeat(43)) }),
    ).rejects.toMatchObject({ code: 'ERR_SERVER_BUSY', status: 503 });
    // Finishing one frees a place.
    expect((await txs.take('q'.repeat(43), 'b'.repeat(43))).ok).toBe(true);
    await txs.put({ ...base, state: 't'.repeat(43), sessionHash: digest('e'.repeat(43)) });
    expect(txs.pending).toBe(3);
  });

  it('answers malformed states without touching the store', async () => {
    const txs = new TransactionStore({ store: memoryTokenStore() });
    expect(await txs.take('', undefined)).toEqual({ ok: false, reason: 'unknown' });
    expect(await txs.take('a b', undefined)).toEqual({ ok: false, reason: 'unknown' });
    expect(await txs.take('x'.repeat(500), undefined)).toEqual({ ok: false, reason: 'unknown' });
  });
});
