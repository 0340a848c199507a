// The crash-safety (G14) and concurrent-writer (G15) runs, at any scale: the default suite runs them small,
// `pnpm test:long` at the figures' scale. `path` is the store's directory (store.json and one file per key).
import { randomInt } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { EncryptionKey } from '@netsuite-oauth/token-store';
import { expect } from 'vitest';
import { fileTokenStore } from '../src/index.js';
import { fillLength } from './fixtures/payload.js';
import { killWorker, startWorker } from './helpers.js';

/** What is in the store's directory besides its metadata and the entry files (temp files, locks). */
const leftovers = (store: string) =>
  readdirSync(store).filter((name) => name !== 'store.json' && !/^[0-9a-f]{64}\.tok$/.test(name));

/** The one entry file of a store holding one key. */
function entryFile(store: string): string {
  const files = readdirSync(store).filter((name) => name.endsWith('.tok'));
  expect(files).toHaveLength(1);
  return join(store, files[0] as string);
}

/**
 * G14: `trials` times, a writer rewrites the token file in a loop (small and ~700 kB values) and is SIGKILLed
 * at a random point; then a new store reads it. Every read must decrypt to a complete value (an auth-tag or
 * parse failure throws and fails the test), and the new store must have removed the killed writer's temp and
 * lock files. Returns the figure line.
 */
export async function crashTrials(dir: string, keys: EncryptionKey[], trials: number): Promise<string> {
  const path = join(dir, 'tokens.enc');
  let complete = 0;
  let large = 0;
  let sawLeftovers = 0;
  for (let trial = 0; trial < trials; trial++) {
    const worker = await startWorker({ mode: 'write-loop', path, key: 'ns:client', keys });
    expect(await worker.nextLine()).toBe('ready');
    // Half the kills land at a random point of the loop (inside a write, or between the rename and the
    // directory fsync). The other half land the instant the key's file changes during a large write: for this
    // store that is the rename (the directory fsync not done yet); a store writing in place would be caught with
    // its file truncated or half written.
    if (trial % 2 === 0) {
      await new Promise((resolve) => setTimeout(resolve, randomInt(0, 40)));
    } else {
      while (!(await worker.nextLine()).startsWith('large ')) {
        // only "large <i>" lines follow "ready"
      }
      const file = entryFile(path);
      const before = statSync(file);
      const giveUp = performance.now() + 3_000;
      for (;;) {
        const now = statSync(file, { throwIfNoEntry: false });
        if (!now || now.ino !== before.ino || now.size !== before.size || performance.now() > giveUp) break;
      }
    }
    await killWorker(worker);
    if (leftovers(path).length > 0) sawLeftovers += 1;

    const store = fileTokenStore({ path, keys });
    const entry = await store.get('ns:client'); // decrypts, or throws (auth tag, parse) and fails the test
    expect(entry).toBeDefined();
    const parsed = JSON.parse(entry?.value ?? '') as { i: number; fill: string };
    expect(Number.isSafeInteger(parsed.i) && parsed.i >= 0).toBe(true);
    expect(parsed.fill.length).toBe(fillLength(parsed.i));
    expect(/^x*$/.test(parsed.fill)).toBe(true);
    if (parsed.fill.length > 100_000) large += 1;
    complete += 1;
    // Opening the store removed what the killed writer left behind (temp file, its lock file).
    expect(leftovers(path)).toEqual([]);
    await store.close();
  }
  return (
    `crash safety (file): ${trials} SIGKILLs during writes → ${complete}/${trials} reads complete ` +
    `(${large} of them a large value), 0 auth-tag or parse failures; ${sawLeftovers} kills left temp/lock ` +
    'files, all removed by the next open'
  );
}

/**
 * G15: `processes` processes × `perProcess` locked read-modify-write increments of one counter, with 3 readers
 * in this process meanwhile → the final count is exactly `processes × perProcess` and no read is torn.
 * Returns the figure line.
 */
export async function concurrentWriters(
  dir: string,
  keys: EncryptionKey[],
  processes: number,
  perProcess: number,
): Promise<string> {
  const path = join(dir, 'tokens.enc');
  const workers = await Promise.all(
    Array.from({ length: processes }, () =>
      startWorker({ mode: 'increment', path, key: 'counter', keys, count: perProcess }),
    ),
  );
  const reader = fileTokenStore({ path, keys });
  let reads = 0;
  let torn = 0;
  let running = true;
  const done = Promise.all(workers.map((w) => w.exited)).finally(() => {
    running = false;
  });
  const readers = Array.from({ length: 3 }, async () => {
    while (running) {
      const entry = await reader.get('counter');
      if (entry && !/^\d+$/.test(entry.value)) torn += 1;
      reads += 1;
    }
  });
  const results = await done;
  await Promise.all(readers);
  for (const result of results) expect(result).toMatchObject({ code: 0 });
  const final = Number((await reader.get('counter'))?.value);
  await reader.close();
  expect(torn).toBe(0);
  expect(final).toBe(processes * perProcess);
  expect(reads).toBeGreaterThan(0);
  return (
    `concurrent writers (file): ${processes} processes × ${perProcess} locked increments → ${final} ` +
    `(expected ${processes * perProcess}, ${processes * perProcess - final} lost), ${reads} reads by 3 readers, ` +
    `${torn} torn`
  );
}
