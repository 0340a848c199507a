import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateEncryptionKey, isTokenStoreError, type TokenStoreError } from '@netsuite-oauth/token-store';
import { afterAll, describe, expect, it } from 'vitest';
import { fileTokenStore } from '../src/index.js';

const root = mkdtempSync(join(tmpdir(), 'ns-file-unit-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const k1 = generateEncryptionKey();
const k2 = generateEncryptionKey();
const SECRET = 'refresh-CANARY-91b2';
let n = 0;
const freshPath = () => join(root, `case-${++n}`, 'tokens.enc');
const soon = () => Date.now() + 600_000;

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
    ];
    for (const options of bad)
      expect(syncCode(() => fileTokenStore(options as never))).toBe('ERR_STORE_INVALID_OPTION');
  });

  it('declares capabilities and exposes the absolute path', () => {
    const store = fileTokenStore({ path: 'relative/tokens.enc', keys: [{ id: 'a', key: k1 }] });
    expect(store.path.startsWith('/')).toBe(true);
    expect(store.capabilities).toEqual({
      lock: true,
      compareAndSet: true,
      crossProcess: true,
      encrypted: true,
    });
    expect(fileTokenStore({ path: 'x', encrypt: false }).capabilities.encrypted).toBe(false);
  });
});

describe('at rest', () => {
  it('writes only ciphertext, and the whole file is one envelope', async () => {
    const path = freshPath();
    const store = fileTokenStore({ path, keys: [{ id: 'a', key: k1 }] });
    await store.set('ns:client', { value: SECRET, expiresAt: soon() });
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('ns:client');
    expect(Object.keys(JSON.parse(text))).toEqual(['v', 'kid', 'iv', 'tag', 'ct']);
  });

  it('detects every single-bit flip of the file and never overwrites it (G17)', async () => {
    const path = freshPath();
    const store = fileTokenStore({ path, keys: [{ id: 'a', key: k1 }] });
    await store.set('ns:client', { value: SECRET, expiresAt: soon() });
    const original = readFileSync(path, 'latin1');
    const codes = new Map<string, number>();
    // Every bit of every byte is flipped; reads only (a read is one file read + decrypt).
    for (let i = 0; i < original.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const flipped =
          original.slice(0, i) +
          String.fromCharCode(original.charCodeAt(i) ^ (1 << bit)) +
          original.slice(i + 1);
        writeFileSync(path, flipped, 'latin1');
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
    writeFileSync(path, corrupt, 'latin1');
    expect(await codeOf(() => store.set('ns:client', { value: 'x', expiresAt: soon() }))).toBe(
      'ERR_STORE_INTEGRITY',
    );
    expect(readFileSync(path, 'latin1')).toBe(corrupt);
  }, 60_000);

  it('rotates keys: old file readable, rewritten with the new key, unknown key id is typed', async () => {
    const path = freshPath();
    await fileTokenStore({ path, keys: [{ id: 'old', key: k1 }] }).set('k', {
      value: SECRET,
      expiresAt: soon(),
    });
    const rotated = fileTokenStore({
      path,
      keys: [
        { id: 'new', key: k2 },
        { id: 'old', key: k1 },
      ],
    });
    expect((await rotated.get('k'))?.value).toBe(SECRET);
    expect(JSON.parse(readFileSync(path, 'utf8')).kid).toBe('old');
    await rotated.reencrypt();
    expect(JSON.parse(readFileSync(path, 'utf8')).kid).toBe('new');
    expect((await rotated.get('k'))?.value).toBe(SECRET);
    expect(await codeOf(() => fileTokenStore({ path, keys: [{ id: 'old', key: k1 }] }).get('k'))).toBe(
      'ERR_STORE_KEY_NOT_FOUND',
    );
    expect(await codeOf(() => fileTokenStore({ path, keys: [{ id: 'new', key: k1 }] }).get('k'))).toBe(
      'ERR_STORE_INTEGRITY',
    );
  });

  it('answers ERR_STORE_CORRUPT for a plain file that is not a store, and for the wrong mode', async () => {
    const path = freshPath();
    mkdirSync(join(path, '..'), { recursive: true, mode: 0o700 });
    writeFileSync(path, '{"not":"a store"}', { mode: 0o600 });
    const plain = fileTokenStore({ path, encrypt: false });
    expect(await codeOf(() => plain.get('k'))).toBe('ERR_STORE_CORRUPT');
    writeFileSync(path, 'garbage', { mode: 0o600 });
    expect(await codeOf(() => plain.get('k'))).toBe('ERR_STORE_CORRUPT');
    const encryptedPath = freshPath();
    await fileTokenStore({ path: encryptedPath, keys: [{ id: 'a', key: k1 }] }).set('k', {
      value: 'v',
      expiresAt: soon(),
    });
    expect(await codeOf(() => fileTokenStore({ path: encryptedPath, encrypt: false }).get('k'))).toBe(
      'ERR_STORE_CORRUPT',
    );
  });
});

describe('permissions (G16)', () => {
  it('refuses a file group or others can read or write, a symlink, and a directory', async () => {
    const path = freshPath();
    const store = fileTokenStore({ path, keys: [{ id: 'a', key: k1 }] });
    await store.set('k', { value: SECRET, expiresAt: soon() });
    const before = readFileSync(path, 'utf8');
    for (const mode of [0o644, 0o640, 0o604, 0o620, 0o606]) {
      chmodSync(path, mode);
      expect(await codeOf(() => store.get('k'))).toBe('ERR_STORE_INSECURE_PERMISSIONS');
      expect(await codeOf(() => store.set('k', { value: 'x', expiresAt: soon() }))).toBe(
        'ERR_STORE_INSECURE_PERMISSIONS',
      );
    }
    expect(readFileSync(path, 'utf8')).toBe(before);
    chmodSync(path, 0o600);
    expect((await store.get('k'))?.value).toBe(SECRET);

    const link = freshPath();
    mkdirSync(join(link, '..'), { recursive: true });
    symlinkSync(path, link);
    expect(await codeOf(() => fileTokenStore({ path: link, keys: [{ id: 'a', key: k1 }] }).get('k'))).toBe(
      'ERR_STORE_INSECURE_PERMISSIONS',
    );
    const dirPath = freshPath();
    mkdirSync(dirPath, { recursive: true, mode: 0o700 });
    expect(await codeOf(() => fileTokenStore({ path: dirPath, encrypt: false }).get('k'))).toBe(
      'ERR_STORE_INSECURE_PERMISSIONS',
    );
  });

  it('leaves an existing directory as it is', async () => {
    const dir = join(root, 'existing');
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    await fileTokenStore({ path: join(dir, 't.enc'), keys: [{ id: 'a', key: k1 }] }).set('k', {
      value: 'v',
      expiresAt: soon(),
    });
    expect((await import('node:fs')).statSync(dir).mode & 0o777).toBe(0o755);
  });

  it('reports file-system failures as ERR_STORE_IO', async () => {
    const blocker = join(root, 'not-a-dir');
    writeFileSync(blocker, 'x');
    const store = fileTokenStore({ path: join(blocker, 'tokens.enc'), encrypt: false });
    expect(await codeOf(() => store.set('k', { value: 'v', expiresAt: soon() }))).toBe('ERR_STORE_IO');
  });
});

describe('file lock recovery', () => {
  it('takes over a lock file left by a dead process at once', async () => {
    const path = freshPath();
    const store = fileTokenStore({ path, keys: [{ id: 'a', key: k1 }], lockWaitMs: 2_000 });
    await store.set('k', { value: 'v1', expiresAt: soon() });
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: deadPid(), host: hostname(), id: 'dead' }), {
      mode: 0o600,
    });
    await store.set('k', { value: 'v2', expiresAt: soon() });
    expect((await store.get('k'))?.value).toBe('v2');
    expect(existsSync(`${path}.lock`)).toBe(false);
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
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: process.pid, host: 'elsewhere', id: 'hung' }), {
      mode: 0o600,
    });
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${path}.lock`, old, old);
    await store.set('k', { value: 'v2', expiresAt: soon() });
    expect((await store.get('k'))?.value).toBe('v2');
  });

  it('times out with ERR_STORE_LOCK_TIMEOUT behind a live, fresh holder, and changes nothing', async () => {
    const path = freshPath();
    const store = fileTokenStore({ path, keys: [{ id: 'a', key: k1 }], lockWaitMs: 100 });
    await store.set('k', { value: 'v1', expiresAt: soon() });
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: process.pid, host: hostname(), id: 'alive' }), {
      mode: 0o600,
    });
    expect(await codeOf(() => store.set('k', { value: 'v2', expiresAt: soon() }))).toBe(
      'ERR_STORE_LOCK_TIMEOUT',
    );
    rmSync(`${path}.lock`);
    expect((await store.get('k'))?.value).toBe('v1');
  });

  it('removes temp files a killed writer left, on first use', async () => {
    const path = freshPath();
    await fileTokenStore({ path, encrypt: false }).set('k', { value: 'v', expiresAt: soon() });
    const dir = join(path, '..');
    writeFileSync(`${path}.0123456789abcdef.tmp`, 'half a wri', { mode: 0o600 });
    writeFileSync(`${path}.${deadPid()}-0123456789abcdef.locktmp`, '{}', { mode: 0o600 });
    writeFileSync(join(dir, 'unrelated.txt'), 'keep me');
    expect((await fileTokenStore({ path, encrypt: false }).get('k'))?.value).toBe('v');
    expect(readdirSync(dir).sort()).toEqual(['tokens.enc', 'unrelated.txt']);
  });
});
