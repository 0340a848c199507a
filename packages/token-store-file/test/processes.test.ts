import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateEncryptionKey } from '@netsuite-oauth/token-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileTokenStore } from '../src/index.js';
import { concurrentWriters, crashTrials } from './figures.js';
import { killWorker, startWorker, workerScript } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'ns-file-proc-'));
const keys = [{ id: 'k1', key: generateEncryptionKey() }];
beforeAll(async () => {
  await workerScript();
}, 60_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('crash safety (G14, scaled: 1,000 kills in pnpm test:long)', () => {
  it('every read after a SIGKILL at a random point of the write loop is a complete old or new value', async () => {
    mkdirSync(join(root, 'crash'));
    console.info(await crashTrials(join(root, 'crash'), keys, 16));
  }, 120_000);
});

describe('concurrent writers (G15, scaled: 8 × 500 in pnpm test:long)', () => {
  it('loses no update across processes doing locked read-modify-write, with no torn read', async () => {
    mkdirSync(join(root, 'concurrent'));
    console.info(await concurrentWriters(join(root, 'concurrent'), keys, 4, 40));
  }, 120_000);
});

describe('killed lock holder', () => {
  it('does not block others: a lease whose holder died is free at once', async () => {
    const path = join(root, 'holder', 'tokens.enc');
    const worker = await startWorker({ mode: 'hold-lock', path, key: 'ns:client', keys });
    const line = await worker.nextLine();
    expect(line).toMatch(/^locked \d+$/);
    const store = fileTokenStore({ path, keys });
    expect(await store.lock('ns:client', { ttlMs: 1_000 })).toBeUndefined(); // holder alive: busy
    await killWorker(worker);
    const lock = await store.lock('ns:client', { ttlMs: 1_000 });
    expect(lock).toBeDefined();
    expect(lock!.fencingToken).toBeGreaterThan(Number(line.split(' ')[1]));
    await lock!.release();
    await store.close();
  }, 60_000);
});

describe('permissions (G16)', () => {
  for (const umask of [0o000, 0o022]) {
    it(`creates files 0600 and new directories 0700 under umask ${umask.toString(8).padStart(3, '0')}`, async () => {
      const base = join(root, `umask-${umask}`);
      const path = join(base, 'a', 'b', 'tokens.enc');
      for (const job of [{ keys }, {}]) {
        rmSync(base, { recursive: true, force: true });
        const worker = await startWorker({ mode: 'create', path, key: 'k', umask, ...job });
        expect(await worker.nextLine()).toBe('created');
        await worker.exited;
        for (const dir of [base, join(base, 'a'), join(base, 'a', 'b'), path]) {
          expect(statSync(dir).mode & 0o777).toBe(0o700);
        }
        const files = () => readdirSync(path).map((name) => join(path, name));
        expect(files()).toHaveLength(2); // store.json and the key's file
        for (const file of files()) expect(statSync(file).mode & 0o777).toBe(0o600);
        // Rewrites keep the mode too.
        const store = job.keys ? fileTokenStore({ path, keys }) : fileTokenStore({ path, encrypt: false });
        await store.set('k', { value: 'w', expiresAt: Date.now() + 60_000 });
        for (const file of files()) expect(statSync(file).mode & 0o777).toBe(0o600);
      }
    }, 60_000);
  }
});
