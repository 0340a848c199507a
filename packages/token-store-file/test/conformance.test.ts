import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateEncryptionKey } from '@netsuite-oauth/token-store';
import { describeTokenStore } from '@netsuite-oauth/token-store-test-suite';
import { afterAll } from 'vitest';
import { fileTokenStore } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'ns-file-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const keys = [{ id: 'k1', key: generateEncryptionKey() }];

describeTokenStore('file (encrypted)', {
  createStore: () => fileTokenStore({ path: join(dir, 'shared.enc'), keys }),
  createStoreWithClock: (now) =>
    fileTokenStore({ path: join(dir, `clock-${crypto.randomUUID()}.enc`), keys, now }),
});

describeTokenStore('file (plain)', {
  createStore: () => fileTokenStore({ path: join(dir, 'plain.json'), encrypt: false }),
  concurrency: 8,
  groups: ['basic', 'concurrency', 'capability'],
});
