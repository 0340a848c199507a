import { describe, expect, it } from 'vitest';
import {
  isTokenStoreError,
  memoryTokenStore,
  prefixedTokenStore,
  TokenStoreError,
  withTokenStoreLock,
} from '../src/index.js';

const entry = (value: string, expiresAt = Date.now() + 60_000) => ({ value, expiresAt });

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<TokenStoreError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isTokenStoreError(error)).toBe(true);
  expect((error as TokenStoreError).code).toBe(code);
  return error as TokenStoreError;
}

describe('memoryTokenStore', () => {
  it('stores, versions and deletes entries', async () => {
    const store = memoryTokenStore();
    expect(await store.get('a')).toBeUndefined();
    await store.set('a', entry('one'));
    const first = await store.get('a');
    expect(first?.value).toBe('one');
    await store.set('a', entry('two'));
    const second = await store.get('a');
    expect(second?.value).toBe('two');
    expect(second!.version).toBeGreaterThan(first!.version);
    await store.delete('a');
    expect(await store.get('a')).toBeUndefined();
    await store.delete('a');
    await store.set('a', entry('three'));
    expect((await store.get('a'))!.version).toBeGreaterThan(second!.version);
  });

  it('hides an entry from its expiresAt on (injected clock)', async () => {
    let t = 1_000;
    const store = memoryTokenStore({ now: () => t });
    await store.set('k', { value: 'v', expiresAt: 2_000 });
    t = 1_999;
    expect((await store.get('k'))?.value).toBe('v');
    t = 2_000;
    expect(await store.get('k')).toBeUndefined();
  });

  it('declares its capabilities', () => {
    expect(memoryTokenStore().capabilities).toEqual({
      lock: true,
      compareAndSet: true,
      crossProcess: false,
      encrypted: false,
    });
  });

  it('rejects bad keys, entries, options and conditions with typed errors', async () => {
    const store = memoryTokenStore();
    for (const key of ['', 'x'.repeat(513), 'a\nb', 42, undefined]) {
      await rejectsWith(store.get(key as string), 'ERR_STORE_INVALID_KEY');
    }
    for (const bad of [
      null,
      {},
      { value: 1, expiresAt: 1 },
      { value: 'v', expiresAt: Number.NaN },
      { value: 'v' },
    ]) {
      await rejectsWith(store.set('k', bad as never), 'ERR_STORE_INVALID_ENTRY');
    }
    for (const bad of [
      undefined,
      {},
      { ttlMs: 0 },
      { ttlMs: 1.5 },
      { ttlMs: 10, waitMs: -1 },
      { ttlMs: 600_001 },
    ]) {
      await rejectsWith(store.lock!('k', bad as never), 'ERR_STORE_INVALID_ARGUMENT');
    }
    for (const bad of [undefined, {}, { version: 0 }, { version: 1, fencingToken: -3 }, { version: '1' }]) {
      await rejectsWith(store.compareAndSet!('k', entry('v'), bad as never), 'ERR_STORE_INVALID_ARGUMENT');
    }
    expect(() => memoryTokenStore({ now: 5 as never })).toThrow(TokenStoreError);
    expect(() => memoryTokenStore(null as never)).toThrow(/options must be an object/);
  });

  it('refuses every call after close', async () => {
    const store = memoryTokenStore();
    await store.set('k', entry('v'));
    await store.close!();
    await rejectsWith(store.get('k'), 'ERR_STORE_CLOSED');
    await rejectsWith(store.set('k', entry('v')), 'ERR_STORE_CLOSED');
    await rejectsWith(store.lock!('k', { ttlMs: 100 }), 'ERR_STORE_CLOSED');
  });

  it('grants one lease at a time with growing fencing tokens, and a lapsed lease frees the key', async () => {
    let t = 0;
    const store = memoryTokenStore({ now: () => t });
    const first = await store.lock!('k', { ttlMs: 1_000 });
    expect(first).toBeDefined();
    expect(await store.lock!('k', { ttlMs: 1_000 })).toBeUndefined();
    expect(await store.lock!('other', { ttlMs: 1_000 })).toBeDefined();
    t = 1_000; // the holder "died": its lease lapses
    const second = await store.lock!('k', { ttlMs: 1_000 });
    expect(second!.fencingToken).toBeGreaterThan(first!.fencingToken);
    expect(await first!.extend!(1_000)).toBe(false);
    await first!.release(); // must not release the new holder's lease
    expect(await store.lock!('k', { ttlMs: 1_000 })).toBeUndefined();
    expect(await second!.extend!(5_000)).toBe(true);
    expect(second!.expiresAt).toBe(6_000);
    await second!.release();
    expect(await store.lock!('k', { ttlMs: 1_000 })).toBeDefined();
  });

  it('waits up to waitMs for a released lease', async () => {
    const store = memoryTokenStore();
    const held = await store.lock!('k', { ttlMs: 10_000 });
    const waiting = store.lock!('k', { ttlMs: 10_000, waitMs: 5_000 });
    setTimeout(() => void held!.release(), 20);
    const next = await waiting;
    expect(next!.fencingToken).toBeGreaterThan(held!.fencingToken);
  });

  it('compare-and-set checks version (undefined = absent or expired) and fencing token', async () => {
    let t = 0;
    const store = memoryTokenStore({ now: () => t });
    expect(await store.compareAndSet!('k', { value: 'a', expiresAt: 100 }, { version: 5 })).toBe(false);
    const written = await store.compareAndSet!('k', { value: 'a', expiresAt: 100 }, { version: undefined });
    const a = await store.get('k');
    expect(written).toEqual({ version: a!.version });
    expect(await store.compareAndSet!('k', { value: 'b', expiresAt: 100 }, { version: undefined })).toBe(
      false,
    );
    expect(
      await store.compareAndSet!(
        'k',
        { value: 'b', expiresAt: 100 },
        { version: a!.version, fencingToken: 7 },
      ),
    ).toEqual({ version: a!.version + 1 });
    const b = await store.get('k');
    // An older fencing token is refused even with the right version.
    expect(
      await store.compareAndSet!(
        'k',
        { value: 'c', expiresAt: 100 },
        { version: b!.version, fencingToken: 6 },
      ),
    ).toBe(false);
    expect(
      await store.compareAndSet!(
        'k',
        { value: 'c', expiresAt: 100 },
        { version: b!.version, fencingToken: 7 },
      ),
    ).toEqual({ version: b!.version + 1 });
    t = 100;
    expect(
      await store.compareAndSet!(
        'k',
        { value: 'd', expiresAt: 200 },
        { version: undefined, fencingToken: 8 },
      ),
    ).toEqual({ version: b!.version + 2 });
    expect(await store.get('k')).toEqual({ value: 'd', expiresAt: 200, version: b!.version + 2 });
  });
});

describe('prefixedTokenStore', () => {
  it('isolates namespaces on one store and passes capabilities through', async () => {
    const base = memoryTokenStore();
    const a = prefixedTokenStore(base, 'tenant-a');
    const b = prefixedTokenStore(base, 'tenant-b:');
    await a.set('client', entry('A'));
    await b.set('client', entry('B'));
    expect((await a.get('client'))?.value).toBe('A');
    expect((await b.get('client'))?.value).toBe('B');
    expect((await base.get('tenant-a:client'))?.value).toBe('A');
    expect((await base.get('tenant-b:client'))?.value).toBe('B');
    expect(a.capabilities).toEqual(base.capabilities);
    const lock = await a.lock!('client', { ttlMs: 1_000 });
    expect(await base.lock!('tenant-a:client', { ttlMs: 1_000 })).toBeUndefined();
    await lock!.release();
    const current = await a.get('client');
    const written = await a.compareAndSet!('client', entry('A2'), { version: current!.version });
    expect(written).toEqual({ version: (await base.get('tenant-a:client'))!.version });
    await a.delete('client');
    expect(await base.get('tenant-a:client')).toBeUndefined();
    await a.close!();
    await rejectsWith(base.get('x'), 'ERR_STORE_CLOSED');
  });

  it('rejects a bad store, prefix or over-long key', async () => {
    expect(() => prefixedTokenStore({} as never, 'p')).toThrow(TokenStoreError);
    expect(() => prefixedTokenStore(memoryTokenStore(), '')).toThrow(/prefix/);
    expect(() => prefixedTokenStore(memoryTokenStore(), 'a\u0000')).toThrow(/prefix/);
    const view = prefixedTokenStore(memoryTokenStore(), 'p'.repeat(200));
    await rejectsWith(view.get('k'.repeat(400)), 'ERR_STORE_INVALID_KEY');
    const noLock = { ...memoryTokenStore(), lock: undefined };
    expect(() => prefixedTokenStore(noLock as never, 'p')).toThrow(/declares lock/);
  });
});

describe('withTokenStoreLock', () => {
  it('runs under the lock, releases after a throw, and times out with a typed error', async () => {
    const store = memoryTokenStore();
    await expect(
      withTokenStoreLock(store, 'k', { ttlMs: 5_000 }, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const held = await store.lock!('k', { ttlMs: 5_000 });
    expect(held).toBeDefined();
    await rejectsWith(
      withTokenStoreLock(store, 'k', { ttlMs: 1_000, waitMs: 10 }, () => 1),
      'ERR_STORE_LOCK_TIMEOUT',
    );
    await held!.release();
    expect(
      await withTokenStoreLock(store, 'k', { ttlMs: 1_000 }, (lock) => lock.fencingToken),
    ).toBeGreaterThan(held!.fencingToken);
    const plain = {
      capabilities: { lock: false, compareAndSet: false, crossProcess: false, encrypted: false },
    };
    await rejectsWith(
      withTokenStoreLock(plain as never, 'k', { ttlMs: 1 }, () => 1),
      'ERR_STORE_UNSUPPORTED',
    );
    await rejectsWith(
      withTokenStoreLock(store, 'k', { ttlMs: 1 }, 'nope' as never),
      'ERR_STORE_INVALID_ARGUMENT',
    );
  });
});
