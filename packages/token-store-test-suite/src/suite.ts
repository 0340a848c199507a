import {
  isTokenStoreError,
  prefixedTokenStore,
  type TokenStore,
  TokenStoreError,
  type TokenStoreErrorCode,
  withTokenStoreLock,
} from '@netsuite-oauth/token-store';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * The groups of {@link describeTokenStore}.
 *
 * @example
 * describeTokenStore('mine', { createStore, groups: ['basic', 'errors'] satisfies TokenStoreSuiteGroup[] });
 */
export type TokenStoreSuiteGroup = 'basic' | 'expiry' | 'isolation' | 'concurrency' | 'capability' | 'errors';

/**
 * Options of {@link describeTokenStore}.
 *
 * @example
 * const options: DescribeTokenStoreOptions = { createStore: () => memoryTokenStore() };
 */
export interface DescribeTokenStoreOptions {
  /** A store to test. Called once per test; the suite uses random keys, so stores may share a backend. */
  createStore(): TokenStore | Promise<TokenStore>;
  /**
   * A store on the same kind of backend whose clock is `now` (the store's `now` option). Enables the
   * clock-driven expiry and lease tests; without it those use past timestamps and short real leases.
   */
  createStoreWithClock?(now: () => number): TokenStore | Promise<TokenStore>;
  /**
   * Breaks the backend (stop the server, remove access) and answers a function that repairs it. Enables the
   * "backend down" tests: calls must reject with a typed store error, then work again after repair.
   */
  breakBackend?(store: TokenStore): Promise<() => Promise<void>>;
  /**
   * Whose clock decides when a lease lapses: `'injected'` (the store's `now`, like the memory and file stores)
   * or `'backend'` (e.g. Redis's server-side `PX`). With `'backend'` the lease tests use short real leases.
   * @default 'injected'
   */
  readonly leaseClock?: 'injected' | 'backend' | undefined;
  /** Call `close()` after each test. @default true */
  readonly closeAfterEach?: boolean | undefined;
  /** `close()` makes later calls reject with `ERR_STORE_CLOSED`. @default true */
  readonly rejectsAfterClose?: boolean | undefined;
  /** Parallel operations in the concurrency group. @default 16 */
  readonly concurrency?: number | undefined;
  /** Groups to run. @default all */
  readonly groups?: readonly TokenStoreSuiteGroup[] | undefined;
}

const CANARY = 'token-value-CANARY-do-not-log';

function randomKey(label: string): string {
  return `suite:${label}:${globalThis.crypto.randomUUID()}`;
}

async function rejection(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** `it` when `enabled`, else registers nothing (a test that cannot apply is left out, not reported skipped). */
function itIf(enabled: boolean): (name: string, fn: () => Promise<unknown>) => void {
  return enabled ? (name, fn) => it(name, fn) : () => undefined;
}

/** A store without a capability must say so in `capabilities` and not have the method. */
function expectMissing(store: TokenStore, ...methods: Array<'lock' | 'compareAndSet' | 'close'>): void {
  for (const method of methods) {
    expect(store[method]).toBeUndefined();
    if (method !== 'close') expect(store.capabilities[method]).toBe(false);
  }
}

async function expectStoreError(run: () => Promise<unknown>, code: TokenStoreErrorCode): Promise<void> {
  const error = await rejection(run);
  expect(isTokenStoreError(error), `expected ${code}, got ${String(error)}`).toBe(true);
  expect((error as { code: string }).code).toBe(code);
  expect(String((error as Error).message)).not.toContain(CANARY);
}

/** A successful compare-and-set resolves the version it wrote: the one a read of the key now answers. */
async function expectWritten(store: TokenStore, key: string, result: unknown): Promise<void> {
  expect(result, 'compareAndSet resolves { version } when it writes').toEqual({
    version: expect.any(Number),
  });
  expect((await store.get(key))?.version).toBe((result as { version: number }).version);
}

/**
 * The conformance suite every `TokenStore` adapter runs: basic, expiry, isolation, concurrency, capability
 * (lock, compare-and-set, fencing) and error groups, with random keys. Capability tests run only for what
 * the store declares in `capabilities`.
 *
 * @example
 * import { describeTokenStore } from '@netsuite-oauth/token-store-test-suite';
 * import { myTokenStore } from '../src/index.js';
 * describeTokenStore('my store', { createStore: () => myTokenStore({ url: process.env.MY_URL }) });
 * @throws {TokenStoreError} `ERR_STORE_INVALID_OPTION` synchronously for a missing name or createStore
 */
export function describeTokenStore(name: string, options: DescribeTokenStoreOptions): void {
  if (typeof name !== 'string' || name.length === 0) {
    throw new TokenStoreError('ERR_STORE_INVALID_OPTION', 'name must be a non-empty string');
  }
  if (typeof options?.createStore !== 'function') {
    throw new TokenStoreError('ERR_STORE_INVALID_OPTION', 'options.createStore must be a function');
  }
  const groups = new Set<TokenStoreSuiteGroup>(
    options.groups ?? ['basic', 'expiry', 'isolation', 'concurrency', 'capability', 'errors'],
  );
  const parallel = options.concurrency ?? 16;
  const opened: TokenStore[] = [];
  const open = async (now?: () => number): Promise<TokenStore> => {
    const store =
      now && options.createStoreWithClock
        ? await options.createStoreWithClock(now)
        : await options.createStore();
    opened.push(store);
    return store;
  };
  const soon = () => Date.now() + 600_000;

  describe(`TokenStore conformance: ${name}`, () => {
    afterEach(async () => {
      const stores = opened.splice(0);
      if (options.closeAfterEach === false) return;
      for (const store of stores) await store.close?.();
    });

    if (groups.has('basic')) {
      describe('basic', () => {
        it('answers undefined for a missing key', async () => {
          const store = await open();
          expect(await store.get(randomKey('missing'))).toBeUndefined();
        });

        it('round-trips values exactly, including empty, unicode and large ones', async () => {
          const store = await open();
          const values = ['', CANARY, 'ünïcødé 🙂 \u0000\n"\\', 'x'.repeat(64 * 1024)];
          for (const value of values) {
            const key = randomKey('value');
            const expiresAt = soon();
            await store.set(key, { value, expiresAt });
            const read = await store.get(key);
            expect(read?.value).toBe(value);
            expect(read?.expiresAt).toBe(expiresAt);
            expect(Number.isSafeInteger(read?.version)).toBe(true);
            expect(read!.version).toBeGreaterThan(0);
          }
        });

        it('accepts keys with separators and unicode', async () => {
          const store = await open();
          for (const suffix of ['a:b/c', 'é 🙂', '__proto__', 'constructor', '*?[]{}']) {
            const key = `${randomKey('chars')}:${suffix}`;
            await store.set(key, { value: suffix, expiresAt: soon() });
            expect((await store.get(key))?.value).toBe(suffix);
          }
        });

        it('bumps the version on every write and never reuses one after delete', async () => {
          const store = await open();
          const key = randomKey('version');
          const seen: number[] = [];
          for (let i = 0; i < 3; i++) {
            await store.set(key, { value: `v${i}`, expiresAt: soon() });
            seen.push((await store.get(key))!.version);
          }
          await store.delete(key);
          expect(await store.get(key)).toBeUndefined();
          await store.set(key, { value: 'again', expiresAt: soon() });
          seen.push((await store.get(key))!.version);
          for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThan(seen[i - 1]!);
        });

        it('deletes, and deleting a missing key is fine', async () => {
          const store = await open();
          const key = randomKey('delete');
          await store.delete(key);
          await store.set(key, { value: 'v', expiresAt: soon() });
          await store.delete(key);
          expect(await store.get(key)).toBeUndefined();
        });

        it('declares its capabilities and has the methods they promise', async () => {
          const store = await open();
          const { capabilities } = store;
          for (const flag of ['lock', 'compareAndSet', 'crossProcess', 'encrypted'] as const) {
            expect(typeof capabilities[flag]).toBe('boolean');
          }
          expect(typeof store.lock === 'function').toBe(capabilities.lock);
          expect(typeof store.compareAndSet === 'function').toBe(capabilities.compareAndSet);
        });
      });
    }

    if (groups.has('expiry')) {
      describe('expiry', () => {
        it('hides an entry whose expiresAt has passed', async () => {
          const store = await open();
          const key = randomKey('expired');
          await store.set(key, { value: CANARY, expiresAt: Date.now() - 1 });
          expect(await store.get(key)).toBeUndefined();
          await store.set(key, { value: 'fresh', expiresAt: soon() });
          expect((await store.get(key))?.value).toBe('fresh');
        });

        itIf(options.createStoreWithClock !== undefined)(
          'follows the injected clock exactly at expiresAt',
          async () => {
            let t = Date.now();
            const store = await open(() => t);
            const key = randomKey('clock');
            const expiresAt = t + 60_000;
            await store.set(key, { value: 'v', expiresAt });
            t = expiresAt - 1;
            expect((await store.get(key))?.value).toBe('v');
            t = expiresAt;
            expect(await store.get(key)).toBeUndefined();
          },
        );

        itIf(options.createStoreWithClock !== undefined)(
          'treats an expired entry as absent for compare-and-set',
          async () => {
            let t = Date.now();
            const store = await open(() => t);
            if (!store.compareAndSet) return expectMissing(store, 'compareAndSet');
            const key = randomKey('cas-expired');
            await store.set(key, { value: 'old', expiresAt: t + 1_000 });
            t += 1_000;
            await expectWritten(
              store,
              key,
              await store.compareAndSet(key, { value: 'new', expiresAt: t + 60_000 }, { version: undefined }),
            );
            expect((await store.get(key))?.value).toBe('new');
          },
        );
      });
    }

    if (groups.has('isolation')) {
      describe('isolation', () => {
        it('keeps similar keys apart', async () => {
          const store = await open();
          const base = randomKey('iso');
          const keys = [base, `${base}:x`, `${base}x`, `${base.toUpperCase()}`];
          await Promise.all(keys.map((key, i) => store.set(key, { value: `v${i}`, expiresAt: soon() })));
          const read = await Promise.all(keys.map((key) => store.get(key)));
          expect(read.map((entry) => entry?.value)).toEqual(keys.map((_, i) => `v${i}`));
          await store.delete(keys[0]!);
          expect((await store.get(keys[1]!))?.value).toBe('v1');
        });

        it('keeps prefixed namespaces apart on one store', async () => {
          const store = await open();
          const key = randomKey('ns');
          const a = prefixedTokenStore(store, 'tenant-a');
          const b = prefixedTokenStore(store, 'tenant-b');
          await a.set(key, { value: 'A', expiresAt: soon() });
          expect(await b.get(key)).toBeUndefined();
          await b.set(key, { value: 'B', expiresAt: soon() });
          expect((await a.get(key))?.value).toBe('A');
          await a.delete(key);
          expect((await b.get(key))?.value).toBe('B');
        });
      });
    }

    if (groups.has('concurrency')) {
      describe('concurrency', () => {
        it('loses no write to distinct keys made in parallel', async () => {
          const store = await open();
          const keys = Array.from({ length: parallel }, (_, i) => `${randomKey('par')}:${i}`);
          await Promise.all(keys.map((key, i) => store.set(key, { value: `v${i}`, expiresAt: soon() })));
          const read = await Promise.all(keys.map((key) => store.get(key)));
          expect(read.map((entry) => entry?.value)).toEqual(keys.map((_, i) => `v${i}`));
        });

        it('ends with one of the values after parallel writes to one key, never a mix', async () => {
          const store = await open();
          const key = randomKey('race');
          const values = Array.from({ length: parallel }, (_, i) => `value-${i}-${'y'.repeat(i * 100)}`);
          await Promise.all(values.map((value) => store.set(key, { value, expiresAt: soon() })));
          expect(values).toContain((await store.get(key))?.value);
        });

        it('loses no update in locked read-modify-write increments', async () => {
          const store = await open();
          if (!store.lock || !store.compareAndSet) return expectMissing(store, 'lock', 'compareAndSet');
          const key = randomKey('counter');
          const increments = Math.min(parallel, 12);
          await Promise.all(
            Array.from({ length: increments }, () =>
              withTokenStoreLock(store, key, { ttlMs: 20_000, waitMs: 20_000 }, async (lock) => {
                const current = await store.get(key);
                const next = String(Number(current?.value ?? '0') + 1);
                const ok = await store.compareAndSet!(
                  key,
                  { value: next, expiresAt: soon() },
                  { version: current?.version, fencingToken: lock.fencingToken },
                );
                await expectWritten(store, key, ok);
              }),
            ),
          );
          expect((await store.get(key))?.value).toBe(String(increments));
        });

        it('lets exactly one of many parallel compare-and-set calls on one version win', async () => {
          const store = await open();
          if (!store.compareAndSet) return expectMissing(store, 'compareAndSet');
          const key = randomKey('cas-race');
          await store.set(key, { value: 'start', expiresAt: soon() });
          const { version } = (await store.get(key))!;
          const results = await Promise.all(
            Array.from({ length: parallel }, (_, i) =>
              store.compareAndSet!(key, { value: `w${i}`, expiresAt: soon() }, { version }),
            ),
          );
          const won = results.filter(Boolean);
          expect(won).toHaveLength(1);
          await expectWritten(store, key, won[0]);
        });
      });
    }

    if (groups.has('capability')) {
      describe('capability: lock', () => {
        it('grants one holder at a time, with growing fencing tokens', async () => {
          const store = await open();
          if (!store.lock) return expectMissing(store, 'lock');
          const key = randomKey('lock');
          const first = await store.lock(key, { ttlMs: 30_000 });
          expect(first).toBeDefined();
          expect(first!.expiresAt).toBeGreaterThan(Date.now());
          expect(await store.lock(key, { ttlMs: 30_000 })).toBeUndefined();
          const other = await store.lock(randomKey('lock-other'), { ttlMs: 30_000 });
          expect(other).toBeDefined();
          await other!.release();
          await first!.release();
          await first!.release(); // twice is harmless
          const second = await store.lock(key, { ttlMs: 30_000 });
          expect(second!.fencingToken).toBeGreaterThan(first!.fencingToken);
          await second!.release();
        });

        it('hands the lock to a waiter when the holder releases', async () => {
          const store = await open();
          if (!store.lock) return expectMissing(store, 'lock');
          const key = randomKey('lock-wait');
          const held = await store.lock(key, { ttlMs: 30_000 });
          const waiting = store.lock(key, { ttlMs: 30_000, waitMs: 20_000 });
          setTimeout(() => void held!.release(), 30);
          const next = await waiting;
          expect(next!.fencingToken).toBeGreaterThan(held!.fencingToken);
          await next!.release();
        });

        it('frees the key when a holder dies (lease lapses), and the dead holder cannot release it', async () => {
          let t = Date.now();
          const clocked = options.createStoreWithClock !== undefined && options.leaseClock !== 'backend';
          const store = await open(() => t);
          if (!store.lock) return expectMissing(store, 'lock');
          const key = randomKey('lease');
          const dead = await store.lock(key, { ttlMs: clocked ? 30_000 : 150 });
          if (clocked) t += 30_000;
          const next = await store.lock(key, { ttlMs: 30_000, waitMs: clocked ? 0 : 20_000 });
          expect(next).toBeDefined();
          expect(next!.fencingToken).toBeGreaterThan(dead!.fencingToken);
          await dead!.release();
          expect(await store.lock(key, { ttlMs: 30_000 })).toBeUndefined();
          if (dead!.extend) expect(await dead!.extend(30_000)).toBe(false);
          await next!.release();
        });

        it('extends a held lease', async () => {
          const store = await open();
          if (!store.lock) return expectMissing(store, 'lock');
          const lock = await store.lock(randomKey('extend'), { ttlMs: 5_000 });
          if (!lock?.extend) {
            // extend is optional in the contract; a lock without it must still release.
            await lock?.release();
            expect(await store.lock(randomKey('extend'), { ttlMs: 5_000 })).toBeDefined();
            return;
          }
          const before = lock.expiresAt;
          expect(await lock.extend(60_000)).toBe(true);
          expect(lock.expiresAt).toBeGreaterThan(before);
          await lock.release();
        });
      });

      describe('capability: compare-and-set and fencing', () => {
        it('writes only over the expected version (undefined = absent)', async () => {
          const store = await open();
          if (!store.compareAndSet) return expectMissing(store, 'compareAndSet');
          const key = randomKey('cas');
          expect(await store.compareAndSet(key, { value: 'a', expiresAt: soon() }, { version: 1 })).toBe(
            false,
          );
          expect(await store.get(key)).toBeUndefined();
          await expectWritten(
            store,
            key,
            await store.compareAndSet(key, { value: 'a', expiresAt: soon() }, { version: undefined }),
          );
          expect(
            await store.compareAndSet(key, { value: 'b', expiresAt: soon() }, { version: undefined }),
          ).toBe(false);
          const a = (await store.get(key))!;
          expect(a.value).toBe('a');
          expect(
            await store.compareAndSet(key, { value: 'b', expiresAt: soon() }, { version: a.version + 1 }),
          ).toBe(false);
          await expectWritten(
            store,
            key,
            await store.compareAndSet(key, { value: 'b', expiresAt: soon() }, { version: a.version }),
          );
          const b = (await store.get(key))!;
          expect(b.value).toBe('b');
          expect(b.version).toBeGreaterThan(a.version);
          await store.delete(key);
          await expectWritten(
            store,
            key,
            await store.compareAndSet(key, { value: 'c', expiresAt: soon() }, { version: undefined }),
          );
        });

        it('refuses a writer whose fencing token is older than the last fenced write', async () => {
          const store = await open();
          if (!store.compareAndSet) return expectMissing(store, 'compareAndSet');
          const key = randomKey('fence');
          await expectWritten(
            store,
            key,
            await store.compareAndSet(
              key,
              { value: 'new', expiresAt: soon() },
              { version: undefined, fencingToken: 20 },
            ),
          );
          const current = (await store.get(key))!;
          expect(
            await store.compareAndSet(
              key,
              { value: 'stale', expiresAt: soon() },
              {
                version: current.version,
                fencingToken: 19,
              },
            ),
          ).toBe(false);
          expect((await store.get(key))?.value).toBe('new');
          await expectWritten(
            store,
            key,
            await store.compareAndSet(
              key,
              { value: 'same-holder', expiresAt: soon() },
              {
                version: current.version,
                fencingToken: 20,
              },
            ),
          );
        });

        it('keeps the fence after the entry is deleted or written already expired (no stale resurrection)', async () => {
          const store = await open();
          if (!store.compareAndSet) return expectMissing(store, 'compareAndSet');
          const key = randomKey('fence-outlives');
          const fenced = (fencingToken: number) =>
            store.compareAndSet!(
              key,
              { value: `w${fencingToken}`, expiresAt: soon() },
              { version: undefined, fencingToken },
            );
          await expectWritten(store, key, await fenced(20));
          // Dropped the way a token manager drops a dead token: a write that is already expired.
          const current = (await store.get(key))!;
          expect(
            await store.compareAndSet(key, { value: 'dropped', expiresAt: 1 }, { version: current.version }),
          ).not.toBe(false);
          expect(await store.get(key)).toBeUndefined();
          // "No entry" matches a stale holder's condition: only the fence can refuse it.
          expect(await fenced(19)).toBe(false);
          await store.delete(key);
          expect(await fenced(19)).toBe(false);
          expect(await store.get(key)).toBeUndefined();
          await expectWritten(store, key, await fenced(21));
          expect((await store.get(key))?.value).toBe('w21');
        });

        it('stops a holder whose lease lapsed from overwriting the new holder (the refresh race)', async () => {
          let t = Date.now();
          const clocked = options.createStoreWithClock !== undefined && options.leaseClock !== 'backend';
          const store = await open(() => t);
          if (!store.lock || !store.compareAndSet) return expectMissing(store, 'lock', 'compareAndSet');
          const key = randomKey('refresh-race');
          await store.set(key, { value: 'rt-0', expiresAt: soon() });
          const slow = await store.lock(key, { ttlMs: clocked ? 10_000 : 150 });
          const seenBySlow = (await store.get(key))!;
          if (clocked) t += 10_000;
          const fast = await store.lock(key, { ttlMs: 30_000, waitMs: clocked ? 0 : 20_000 });
          expect(fast).toBeDefined();
          const seenByFast = (await store.get(key))!;
          await expectWritten(
            store,
            key,
            await store.compareAndSet(
              key,
              { value: 'rt-fast', expiresAt: soon() },
              {
                version: seenByFast.version,
                fencingToken: fast!.fencingToken,
              },
            ),
          );
          expect(
            await store.compareAndSet(
              key,
              { value: 'rt-slow', expiresAt: soon() },
              {
                version: seenBySlow.version,
                fencingToken: slow!.fencingToken,
              },
            ),
          ).toBe(false);
          expect((await store.get(key))?.value).toBe('rt-fast');
          await fast!.release();
        });
      });
    }

    if (groups.has('errors')) {
      describe('errors', () => {
        it('rejects bad keys with ERR_STORE_INVALID_KEY', async () => {
          const store = await open();
          for (const key of ['', 'a\u0000b', 'x'.repeat(100_000), undefined, 42, {}]) {
            await expectStoreError(() => store.get(key as string), 'ERR_STORE_INVALID_KEY');
            await expectStoreError(
              () => store.set(key as string, { value: CANARY, expiresAt: soon() }),
              'ERR_STORE_INVALID_KEY',
            );
            await expectStoreError(() => store.delete(key as string), 'ERR_STORE_INVALID_KEY');
          }
        });

        it('rejects bad entries with ERR_STORE_INVALID_ENTRY and keeps the old value', async () => {
          const store = await open();
          const key = randomKey('bad-entry');
          await store.set(key, { value: 'keep', expiresAt: soon() });
          const bad: unknown[] = [
            undefined,
            null,
            'string',
            { value: 5, expiresAt: soon() },
            { value: CANARY },
            { value: CANARY, expiresAt: Number.NaN },
            { value: CANARY, expiresAt: Number.POSITIVE_INFINITY },
            { value: CANARY, expiresAt: '2030-01-01' },
          ];
          for (const entry of bad)
            await expectStoreError(() => store.set(key, entry as never), 'ERR_STORE_INVALID_ENTRY');
          expect((await store.get(key))?.value).toBe('keep');
        });

        it('rejects bad lock options and compare-and-set conditions with ERR_STORE_INVALID_ARGUMENT', async () => {
          const store = await open();
          const key = randomKey('bad-args');
          if (store.lock) {
            for (const bad of [
              undefined,
              {},
              { ttlMs: 0 },
              { ttlMs: -5 },
              { ttlMs: 1.5 },
              { ttlMs: 1_000, waitMs: -1 },
            ]) {
              await expectStoreError(() => store.lock!(key, bad as never), 'ERR_STORE_INVALID_ARGUMENT');
            }
          }
          if (store.compareAndSet) {
            for (const bad of [
              undefined,
              {},
              { version: 0 },
              { version: 'x' },
              { version: 1, fencingToken: 0 },
            ]) {
              await expectStoreError(
                () => store.compareAndSet!(key, { value: CANARY, expiresAt: soon() }, bad as never),
                'ERR_STORE_INVALID_ARGUMENT',
              );
            }
            await expectStoreError(
              () => store.compareAndSet!(key, { value: 1 } as never, { version: undefined }),
              'ERR_STORE_INVALID_ENTRY',
            );
          }
          expect(await store.get(key)).toBeUndefined();
        });

        itIf(options.rejectsAfterClose !== false)(
          'rejects calls after close with ERR_STORE_CLOSED',
          async () => {
            const store = await options.createStore();
            if (!store.close) return expectMissing(store, 'close');
            await store.close();
            await expectStoreError(() => store.get(randomKey('closed')), 'ERR_STORE_CLOSED');
            await expectStoreError(
              () => store.set(randomKey('closed'), { value: CANARY, expiresAt: soon() }),
              'ERR_STORE_CLOSED',
            );
          },
        );

        itIf(options.breakBackend !== undefined)(
          'fails with a typed error while the backend is down, and works again after',
          async () => {
            const store = await open();
            const key = randomKey('down');
            await store.set(key, { value: 'before', expiresAt: soon() });
            const repair = await options.breakBackend!(store);
            try {
              for (const run of [
                () => store.get(key),
                () => store.set(key, { value: CANARY, expiresAt: soon() }),
                () => store.delete(key),
              ]) {
                const error = await rejection(run);
                expect(isTokenStoreError(error), `got ${String(error)}`).toBe(true);
                expect(String((error as Error).message)).not.toContain(CANARY);
              }
            } finally {
              await repair();
            }
            await store.set(key, { value: 'after', expiresAt: soon() });
            expect((await store.get(key))?.value).toBe('after');
          },
        );
      });
    }
  });
}
