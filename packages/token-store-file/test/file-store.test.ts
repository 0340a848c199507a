import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import {
  createKeyring,
  generateEncryptionKey,
  isTokenStoreError,
  type TokenStoreError,
} from '@netsuite-oauth/token-store';
import { afterAll, describe, expect, it } from 'vitest';
import { fileTokenStore } from '../src/index.js';
import { emptyState, serializeState } from '../src/state.js';

const root = mkdtempSync(join(tmpdir(), 'ns-file-unit-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const k1 = generateEncryptionKey();
const k2 = generateEncryptionKey();
const SECRET = 'refresh-CANARY-91b2';
let n = 0;
const freshPath = () => join(root, `case-${++n}`, 'tokens');
const soon = () => Date.now() + 600_000;
const ENTRY = /^[0-9a-f]{64}\.tok$/;
const entries = (dir: string) => readdirSync(dir).filter((name) => ENTRY.test(name));

async function codeOf(run: () => Promise<unknown>): Promise<string> {
  let error: unknown;
  try {
    await run();
  } catch (e) {
    error = e;
  }
  expect(isTokenStoreError(error), String(error)).toBe(true);
  expect((error as Error).message).not.toContain(SECRET);
  expect((error as Error).message).not.toContain(k1);
  return (error as TokenStoreError).code;
}

function syncCode(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    expect(isTokenStoreError(e)).toBe(true);
    return (e as TokenStoreError).code;
  }
  throw new Error('expected a throw');
}

/** A pid that surely belongs to no running process: a child that already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

/** A store of the previous format (one encrypted file for every key), as version 1 wrote it. */
async function legacyStoreFile(
  path: string,
  fill: (state: ReturnType<typeof emptyState>) => void,
  keyId = 'a',
  key = k1,
): Promise<void> {
  const state = emptyState();
  fill(state);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const sealed = await createKeyring([{ id: keyId, key }]).seal(
    serializeState(state),
    'netsuite-oauth/token-store-file/v1',
  );
  writeFileSync(path, sealed, { mode: 0o600 });
}

describe('fileTokenStore options', () => {
  it('rejects bad options synchronously with ERR_STORE_INVALID_OPTION, never echoing a key', () => {
    const bad: unknown[] = [
      undefined,
      { path: '' },
      { path: 42, keys: [{ id: 'a', key: k1 }] },
      { path: 'x\u0000y', keys: [{ id: 'a', key: k1 }] },
      { path: 'x' }, // neither keys nor encrypt: false
      { path: 'x', keys: [] },
      { path: 'x', keys: [{ id: 'a', key: 'a passphrase, not a key' }] },
      { path: 'x', encrypt: false, keys: [{ id: 'a', key: k1 }] },
      { path: 'x', encrypt: 'no' },
      { path: 'x', encrypt: false, now: 'today' },
      { path: 'x', encrypt: false, lockStaleMs: 0 },
      { path: 'x', encrypt: false, lockWaitMs: Number.NaN },
      { path: 'x', encrypt: false, sweepIntervalMs: -1 },
    ];
    for (const options of bad)
      expect(syncCode(() => fileTokenStore(options as never))).toBe('ERR_STORE_INVALID_OPTION');
  });

  it('declares capabilities and exposes the absolute path', () => {
    const store = fileTokenStore({ path: 'relative/tokens', keys: [{ id: 'a', key: k1 }] });
    expect(store.path.startsWith('/')).toBe(true);
    expect(store.capabilities).toEqual({
      lock: true,
      compareAndSet: true,
      crossProcess: true,
      encrypted: true,
    });
    expect(fileTokenStore({ path: 'x', encrypt: false }).capabilities.encrypted).toBe(false);
  });

  it('creates nothing on a read of a store that does not exist', async () => {
    const path = freshPath();
    const store = fileTokenStore({ path, keys: [{ id: 'a', key: k1 }] });
    expect(await store.get('k')).toBeUndefined();
    await store.delete('k');
    expect(existsSync(path)).toBe(false);
  });
});

describe('one file per key', () => {
  it('a write rewrites only the file of its key, however many keys the store holds', async () => {
    const path = freshPath();
    const store = fileTokenStore({ path, keys: [{ id: 'a', key: k1 }] });
    for (let i = 0; i < 200; i++) await store.set(`session:${i}`, { value: `v${i}`, expiresAt: soon() });
    const before = new Map(
      readdirSync(path).map((name) => {
        const s = statSync(join(path, name));
        return [name, `${s.ino}:${s.mtimeMs}:${s.size}`] as const;
      }),
    );
    expect(entries(path)).toHaveLength(200);
    await store.set('session:7', { value: 'changed', expiresAt: soon() });
    await store.delete('session:8');
    const changed = readdirSync(path).filter((name) => {
      const s = statSync(join(path, name));
      return before.get(name) !== `${s.ino}:${s.mtimeMs}:${s.size}`;
    });
    // Exactly the two files of the two keys written (their replacement, by rename), nothing else.
    expect(changed.sort()).toEqual(
      [basename(await store.entryPath('session:7')), basename(await store.entryPath('session:8'))].sort(),
    );
    expect(readdirSync(path).sort()).toEqual([...before.keys()].sort());
  });

  it('names files by a keyed hash: no key name in the listing or in any file', async () => {
    const path = freshPath();
    const store = fileTokenStore({ path, keys: [{ id: 'a', key: k1 }] });
    await store.set('netsuite:client:visible-name', { value: SECRET, expiresAt: soon() });
    const names = readdirSync(path);
    expect(names.some((name) => name.includes('visible-name'))).toBe(false);
    for (const name of names) {
      const text = readFileSync(join(path, name), 'utf8');
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain('visible-name');
    }
    // A store with another secret (another directory) names the same key differently.
    const other = fileTokenStore({ path: freshPath(), keys: [{ id: 'a', key: k1 }] });
    expect(basename(await other.entryPath('netsuite:client:visible-name'))).not.toBe(
      basename(await store.entryPath('netsuite:client:visible-name')),
    );
  });
});

describe('at rest', () => {
  it('writes only ciphertext: every file is one envelope, the directory 0700 and files 0600', async () => {
    const path = freshPath();
    const store = fileTokenStore({ path, keys: [{ id: 'a', key: k1 }] });
    await store.set('ns:client', { value: SECRET, expiresAt: soon() });
    expect(statSync(path).mode & 0o777).toBe(0o700);
    const entry = readFileSync(await store.entryPath('ns:client'), 'utf8');
    expect(Object.keys(JSON.parse(entry))).toEqual(['v', 'kid', 'iv', 'tag', 'ct']);
    const meta = JSON.parse(readFileSync(join(path, 'store.json'), 'utf8')) as Record<string, unknown>;
    expect(meta).toMatchObject({ format: 2, encrypted: true });
    expect(Object.keys(JSON.parse(meta.naming as string))).toEqual(['v', 'kid', 'iv', 'tag', 'ct']);
    for (const name of readdirSync(path)) expect(statSync(join(path, name)).mode & 0o777).toBe(0o600);
  });

  it('detects every single-bit flip of an entry file and never overwrites it (G17)', async () => {
    const path = freshPath();
    const store = fileTokenStore({ path, keys: [{ id: 'a', key: k1 }] });
    await store.set('ns:client', { value: SECRET, expiresAt: soon() });
    const file = await store.entryPath('ns:client');
    const original = readFileSync(file, 'latin1');
    const codes = new Map<string, number>();
    // Every bit of every byte is flipped; reads only (a read is one file read + decrypt).
    for (let i = 0; i < original.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const flipped =
          original.slice(0, i) +
          String.fromCharCode(original.charCodeAt(i) ^ (1 << bit)) +
          original.slice(i + 1);
        writeFileSync(file, flipped, 'latin1');
        const code = await codeOf(() => store.get('ns:client'));
        codes.set(code, (codes.get(code) ?? 0) + 1);
      }
    }
    const total = original.length * 8;
    // A flip inside the key id can make another well-formed id: that one is ERR_STORE_KEY_NOT_FOUND.
    expect(codes.get('ERR_STORE_INTEGRITY')! + (codes.get('ERR_STORE_KEY_NOT_FOUND') ?? 0)).toBe(total);
    expect(codes.get('ERR_STORE_KEY_NOT_FOUND') ?? 0).toBeLessThanOrEqual(8);
    // A write on a corrupt file fails and leaves it as it was (it may hold the only refresh token).
    const corrupt = `${original.slice(0, 40)}${original[40] === 'A' ? 'B' : 'A'}${original.slice(41)}`;
    writeFileSync(file, corrupt, 'latin1');
    expect(await codeOf(() => store.set('ns:client', { value: 'x', expiresAt: soon() }))).toBe(
      'ERR_STORE_INTEGRITY',
    );
    expect(readFileSync(file, 'latin1')).toBe(corrupt);
  }, 60_000);

  it('refuses a file moved to another key’s name (the ciphertext is bound to its file name)', async () => {
    for (const options of [{ keys: [{ id: 'a', key: k1 }] }, { encrypt: false as const }]) {
      const path = freshPath();
      const store = fileTokenStore({ path, ...options });
      await store.set('alice', { value: 'alice-token', expiresAt: soon() });
      await store.set('mallory', { value: 'mallory-token', expiresAt: soon() });
      renameSync(await store.entryPath('mallory'), await store.entryPath('alice'));
      expect(['ERR_STORE_INTEGRITY', 'ERR_STORE_CORRUPT']).toContain(await codeOf(() => store.get('alice')));
    }
  });

  it('rotates keys: old files readable, reencrypt rewrites them with the new key, unknown key id is typed', async () => {
    const path = freshPath();
    const old = fileTokenStore({ path, keys: [{ id: 'old', key: k1 }] });
    await old.set('k', { value: SECRET, expiresAt: soon() });
    await old.set('k2', { value: 'second', expiresAt: soon() });
    const rotated = fileTokenStore({
      path,
      keys: [
        { id: 'new', key: k2 },
        { id: 'old', key: k1 },
      ],
    });
    expect((await rotated.get('k'))?.value).toBe(SECRET);
    const file = await rotated.entryPath('k');
    expect(JSON.parse(readFileSync(file, 'utf8')).kid).toBe('old');
    await rotated.reencrypt();
    expect(JSON.parse(readFileSync(file, 'utf8')).kid).toBe('new');
    expect(JSON.parse(readFileSync(await rotated.entryPath('k2'), 'utf8')).kid).toBe('new');
    const meta = JSON.parse(readFileSync(join(path, 'store.json'), 'utf8')) as { naming: string };
    expect(JSON.parse(meta.naming).kid).toBe('new');
    expect((await rotated.get('k'))?.value).toBe(SECRET);
    expect(await codeOf(() => fileTokenStore({ path, keys: [{ id: 'old', key: k1 }] }).get('k'))).toBe(
      'ERR_STORE_KEY_NOT_FOUND',
    );
    expect(await codeOf(() => fileTokenStore({ path, keys: [{ id: 'new', key: k1 }] }).get('k'))).toBe(
      'ERR_STORE_INTEGRITY',
    );
  });

  it('answers ERR_STORE_CORRUPT for the wrong mode and for content that is not a store', async () => {
    const encryptedPath = freshPath();
    await fileTokenStore({ path: encryptedPath, keys: [{ id: 'a', key: k1 }] }).set('k', {
      value: 'v',
      expiresAt: soon(),
    });
    expect(await codeOf(() => fileTokenStore({ path: encryptedPath, encrypt: false }).get('k'))).toBe(
      'ERR_STORE_CORRUPT',
    );
    const plainPath = freshPath();
    const plain = fileTokenStore({ path: plainPath, encrypt: false });
    await plain.set('k', { value: 'v', expiresAt: soon() });
    expect(
      await codeOf(() => fileTokenStore({ path: plainPath, keys: [{ id: 'a', key: k1 }] }).get('k')),
    ).toBe('ERR_STORE_CORRUPT');
    writeFileSync(await plain.entryPath('k'), 'garbage', { mode: 0o600 });
    expect(await codeOf(() => plain.get('k'))).toBe('ERR_STORE_CORRUPT');
    // A file at the store's path that is not an old store either: refused, and left untouched.
    const notAStore = freshPath();
    mkdirSync(dirname(notAStore), { recursive: true, mode: 0o700 });
    writeFileSync(notAStore, '{"not":"a store"}', { mode: 0o600 });
    expect(await codeOf(() => fileTokenStore({ path: notAStore, encrypt: false }).get('k'))).toBe(
      'ERR_STORE_CORRUPT',
    );
    expect(readFileSync(notAStore, 'utf8')).toBe('{"not":"a store"}');
  });
});

describe('permissions (G16)', () => {
  it('refuses a file group or others can read or write, a symlinked store, and a directory others can write', async () => {
    const path = freshPath();
    const store = fileTokenStore({ path, keys: [{ id: 'a', key: k1 }] });
    await store.set('k', { value: SECRET, expiresAt: soon() });
    const file = await store.entryPath('k');
    const before = readFileSync(file, 'utf8');
    for (const mode of [0o644, 0o640, 0o604, 0o620, 0o606]) {
      chmodSync(file, mode);
      expect(await codeOf(() => store.get('k'))).toBe('ERR_STORE_INSECURE_PERMISSIONS');
      expect(await codeOf(() => store.set('k', { value: 'x', expiresAt: soon() }))).toBe(
        'ERR_STORE_INSECURE_PERMISSIONS',
      );
    }
    expect(readFileSync(file, 'utf8')).toBe(before);
    chmodSync(file, 0o600);
    expect((await store.get('k'))?.value).toBe(SECRET);

    const link = freshPath();
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(path, link);
    expect(await codeOf(() => fileTokenStore({ path: link, keys: [{ id: 'a', key: k1 }] }).get('k'))).toBe(
      'ERR_STORE_INSECURE_PERMISSIONS',
    );
    for (const mode of [0o777, 0o770, 0o707]) {
      chmodSync(path, mode);
      expect(
        await codeOf(() =>
          fileTokenStore({ path, keys: [{ id: 'a', key: k1 }] }).set('k', { value: 'x', expiresAt: soon() }),
        ),
      ).toBe('ERR_STORE_INSECURE_PERMISSIONS');
    }
    chmodSync(path, 0o700);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('leaves an existing parent directory as it is', async () => {
    const dir = join(root, 'existing');
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    await fileTokenStore({ path: join(dir, 'tokens'), keys: [{ id: 'a', key: k1 }] }).set('k', {
      value: 'v',
      expiresAt: soon(),
    });
    expect(statSync(dir).mode & 0o777).toBe(0o755);
    expect(statSync(join(dir, 'tokens')).mode & 0o777).toBe(0o700);
  });

  it('reports file-system failures as ERR_STORE_IO', async () => {
    const blocker = join(root, 'not-a-dir');
    writeFileSync(blocker, 'x');
    const store = fileTokenStore({ path: join(blocker, 'tokens'), encrypt: false });
    expect(await codeOf(() => store.set('k', { value: 'v', expiresAt: soon() }))).toBe('ERR_STORE_IO');
  });
});

describe('file lock recovery', () => {
  const lockOf = async (store: ReturnType<typeof fileTokenStore>, key: string) =>
    (await store.entryPath(key)).replace(/\.tok$/, '.lock');

  it('takes over a key’s lock file left by a dead process at once', async () => {
    const path = freshPath();
    const store = fileTokenStore({ path, keys: [{ id: 'a', key: k1 }], lockWaitMs: 2_000 });
    await store.set('k', { value: 'v1', expiresAt: soon() });
    const lock = await lockOf(store, 'k');
    writeFileSync(lock, JSON.stringify({ pid: deadPid(), host: hostname(), id: 'dead' }), { mode: 0o600 });
    await store.set('k', { value: 'v2', expiresAt: soon() });
    expect((await store.get('k'))?.value).toBe('v2');
    expect(existsSync(lock)).toBe(false);
  });

  it('takes over a lock file older than lockStaleMs even if its holder looks alive (hung, other host)', async () => {
    const path = freshPath();
    const store = fileTokenStore({
      path,
      keys: [{ id: 'a', key: k1 }],
      lockStaleMs: 5_000,
      lockWaitMs: 2_000,
    });
    await store.set('k', { value: 'v1', expiresAt: soon() });
    const lock = await lockOf(store, 'k');
    writeFileSync(lock, JSON.stringify({ pid: process.pid, host: 'elsewhere', id: 'hung' }), { mode: 0o600 });
    const old = new Date(Date.now() - 60_000);
    utimesSync(lock, old, old);
    await store.set('k', { value: 'v2', expiresAt: soon() });
    expect((await store.get('k'))?.value).toBe('v2');
  });

  it('times out with ERR_STORE_LOCK_TIMEOUT behind a live, fresh holder, changes nothing, and other keys go on', async () => {
    const path = freshPath();
    const store = fileTokenStore({ path, keys: [{ id: 'a', key: k1 }], lockWaitMs: 100 });
    await store.set('k', { value: 'v1', expiresAt: soon() });
    const lock = await lockOf(store, 'k');
    writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostname(), id: 'alive' }), { mode: 0o600 });
    expect(await codeOf(() => store.set('k', { value: 'v2', expiresAt: soon() }))).toBe(
      'ERR_STORE_LOCK_TIMEOUT',
    );
    // A key's lock holds only that key.
    await store.set('other', { value: 'free', expiresAt: soon() });
    rmSync(lock);
    expect((await store.get('k'))?.value).toBe('v1');
    expect((await store.get('other'))?.value).toBe('free');
  });

  it('removes temp files a killed writer left, on first use, but never a live writer’s', async () => {
    const path = freshPath();
    const first = fileTokenStore({ path, encrypt: false });
    await first.set('k', { value: 'v', expiresAt: soon() });
    const base = (await first.entryPath('k')).replace(/\.tok$/, '');
    const busy = (await first.entryPath('busy')).replace(/\.tok$/, '');
    writeFileSync(`${base}.tok.0123456789abcdef.tmp`, 'half a wri', { mode: 0o600 });
    writeFileSync(`${base}.${deadPid()}-0123456789abcdef.locktmp`, '{}', { mode: 0o600 });
    writeFileSync(`${base}.lock.0123456789abcdef.stale`, '{}', { mode: 0o600 });
    // A writer that is alive right now: its lock is held, so its temp file stays.
    writeFileSync(`${busy}.lock`, JSON.stringify({ pid: process.pid, host: hostname(), id: 'live' }), {
      mode: 0o600,
    });
    writeFileSync(`${busy}.tok.fedcba9876543210.tmp`, 'in progress', { mode: 0o600 });
    writeFileSync(join(path, 'unrelated.txt'), 'keep me', { mode: 0o600 });
    expect((await fileTokenStore({ path, encrypt: false }).get('k'))?.value).toBe('v');
    expect(readdirSync(path).sort()).toEqual(
      [
        'store.json',
        'unrelated.txt',
        basename(`${base}.tok`),
        basename(`${busy}.lock`),
        basename(`${busy}.tok.fedcba9876543210.tmp`),
      ].sort(),
    );
  });
});

describe('deleted and expired keys', () => {
  it('keeps a tombstone a day (counters never repeat), then the sweep removes the file', async () => {
    const path = freshPath();
    let t = Date.now();
    const store = fileTokenStore({ path, keys: [{ id: 'a', key: k1 }], now: () => t, sweepIntervalMs: 1 });
    await store.compareAndSet(
      'gone',
      { value: 'v', expiresAt: t + 60_000 },
      { version: undefined, fencingToken: 40 },
    );
    const seen = (await store.get('gone'))!.version;
    await store.delete('gone');
    await store.set('expiring', { value: 'v', expiresAt: t + 1_000 });
    await store.set('kept', { value: 'v', expiresAt: t + 10 * 86_400_000 });
    const file = await store.entryPath('gone');
    expect(existsSync(file)).toBe(true);
    // Within the day the tombstone still refuses a stale fenced writer.
    expect(
      await store.compareAndSet(
        'gone',
        { value: 'late', expiresAt: t + 60_000 },
        { version: undefined, fencingToken: 39 },
      ),
    ).toBe(false);
    t += 86_400_000 + 2_000;
    await new Promise((resolve) => setTimeout(resolve, 5));
    await store.set('trigger', { value: 'v', expiresAt: t + 60_000 });
    await store.close();
    const names = new Set(readdirSync(path));
    expect(names.has(basename(file))).toBe(false);
    expect(
      names.has(basename(await fileTokenStore({ path, keys: [{ id: 'a', key: k1 }] }).entryPath('expiring'))),
    ).toBe(false);
    const again = fileTokenStore({ path, keys: [{ id: 'a', key: k1 }], now: () => t });
    expect(names.has(basename(await again.entryPath('kept')))).toBe(true);
    // A key written again after its file was swept gets a larger version than any it had.
    await again.set('gone', { value: 'new', expiresAt: t + 60_000 });
    expect((await again.get('gone'))!.version).toBeGreaterThan(seen);
  });
});

describe('an entry written already expired (a dropped token)', () => {
  it('keeps its fencing token through sweeps for a day from the write, not from its past expiry', async () => {
    const path = freshPath();
    let t = Date.now();
    const store = fileTokenStore({ path, keys: [{ id: 'a', key: k1 }], now: () => t, sweepIntervalMs: 1 });
    const fenced = (fencingToken: number) =>
      store.compareAndSet(
        'dropped',
        { value: 'v', expiresAt: t + 60_000 },
        { version: undefined, fencingToken },
      );
    expect(await fenced(40)).not.toBe(false);
    const current = (await store.get('dropped'))!;
    expect(
      await store.compareAndSet('dropped', { value: 'gone', expiresAt: 1 }, { version: current.version }),
    ).not.toBe(false);
    // Sweeps run (every write triggers one here) within the day: the stale fenced writer is still refused.
    t += 86_400_000 - 5_000;
    await store.set('trigger', { value: 'v', expiresAt: t + 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 5));
    await store.set('trigger', { value: 'w', expiresAt: t + 60_000 });
    expect(await fenced(39)).toBe(false);
    // A day after the write the tombstone may go, like any deleted key's.
    t += 10_000;
    await new Promise((resolve) => setTimeout(resolve, 5));
    await store.set('trigger', { value: 'x', expiresAt: t + 60_000 });
    await store.close();
    expect(
      existsSync(await fileTokenStore({ path, keys: [{ id: 'a', key: k1 }] }).entryPath('dropped')),
    ).toBe(false);
  });
});

describe('migration from the one-file store (format 1)', () => {
  it('moves every key, version, fencing token and lease into the directory, then removes the old file', async () => {
    const path = freshPath();
    const t = Date.now();
    await legacyStoreFile(path, (state) => {
      state.counter = 41;
      state.fence = 17;
      state.entries.set('ns:client', { value: SECRET, expiresAt: t + 600_000, version: 40 });
      state.entries.set('session:1', { value: 'two', expiresAt: t + 600_000, version: 41 });
      state.fences.set('ns:client', 17);
      state.fences.set('deleted:one', 12);
      state.leases.set('held', {
        id: 'x',
        fencingToken: 16,
        expiresAt: t + 600_000,
        pid: process.pid,
        host: hostname(),
      });
    });
    const store = fileTokenStore({ path, keys: [{ id: 'a', key: k1 }] });
    const entry = await store.get('ns:client');
    expect(entry).toMatchObject({ value: SECRET, version: 40 });
    expect((await store.get('session:1'))?.value).toBe('two');
    expect(statSync(path).isDirectory()).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o700);
    expect(readdirSync(dirname(path)).filter((name) => name !== 'tokens')).toEqual([]);
    // Fencing tokens carry over: a writer with a token older than the last fenced write is refused ...
    expect(
      await store.compareAndSet(
        'ns:client',
        { value: 'x', expiresAt: soon() },
        { version: 40, fencingToken: 16 },
      ),
    ).toBe(false);
    expect(
      await store.compareAndSet(
        'deleted:one',
        { value: 'x', expiresAt: soon() },
        { version: undefined, fencingToken: 11 },
      ),
    ).toBe(false);
    // ... a held lease is still held, and new leases and versions only grow.
    expect(await store.lock('held', { ttlMs: 1_000 })).toBeUndefined();
    const lock = await store.lock('ns:client', { ttlMs: 1_000 });
    expect(lock!.fencingToken).toBeGreaterThan(17);
    await lock!.release();
    await store.set('ns:client', { value: 'next', expiresAt: soon() });
    expect((await store.get('ns:client'))!.version).toBeGreaterThan(40);
    await store.set('deleted:one', { value: 'back', expiresAt: soon() });
    // A key the old store had deleted starts above every version the old store ever handed out.
    expect((await store.get('deleted:one'))!.version).toBeGreaterThan(41);
  });

  it('finishes or undoes an interrupted migration, and never touches a file it cannot read', async () => {
    // Crashed between the two renames: the old file is at <path>.v1 and nothing at <path>.
    const a = freshPath();
    await legacyStoreFile(a, (state) => {
      state.entries.set('k', { value: 'from-v1', expiresAt: soon(), version: 3 });
    });
    renameSync(a, `${a}.v1`);
    mkdirSync(`${a}.v2-0123456789abcdef.tmp`, { mode: 0o700 });
    expect((await fileTokenStore({ path: a, keys: [{ id: 'a', key: k1 }] }).get('k'))?.value).toBe('from-v1');
    expect(readdirSync(dirname(a))).toEqual(['tokens']);
    // Crashed after the new directory was in place, before the old file was deleted.
    const b = freshPath();
    await fileTokenStore({ path: b, keys: [{ id: 'a', key: k1 }] }).set('k', {
      value: 'v2',
      expiresAt: soon(),
    });
    writeFileSync(`${b}.v1`, 'old', { mode: 0o600 });
    expect((await fileTokenStore({ path: b, keys: [{ id: 'a', key: k1 }] }).get('k'))?.value).toBe('v2');
    expect(existsSync(`${b}.v1`)).toBe(false);
    // An old file sealed with a key this store does not have: refused, kept as it was.
    const c = freshPath();
    await legacyStoreFile(
      c,
      (state) => state.entries.set('k', { value: SECRET, expiresAt: soon(), version: 1 }),
      'other',
      k2,
    );
    const before = readFileSync(c, 'utf8');
    expect(await codeOf(() => fileTokenStore({ path: c, keys: [{ id: 'a', key: k1 }] }).get('k'))).toBe(
      'ERR_STORE_KEY_NOT_FOUND',
    );
    expect(readFileSync(c, 'utf8')).toBe(before);
  });

  it('migrates a clear-text store too', async () => {
    const path = freshPath();
    const state = emptyState();
    state.counter = 2;
    state.entries.set('k', { value: 'plain', expiresAt: soon(), version: 2 });
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(path, serializeState(state), { mode: 0o600 });
    const store = fileTokenStore({ path, encrypt: false });
    expect((await store.get('k'))?.value).toBe('plain');
    expect(entries(path)).toHaveLength(1);
  });
});
