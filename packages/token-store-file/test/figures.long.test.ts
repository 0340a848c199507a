// `pnpm test:long`: the file store's figures at full scale (the default suite runs them small).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reportFigure } from '@netsuite-oauth/test-utils';
import { generateEncryptionKey } from '@netsuite-oauth/token-store';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { concurrentWriters, crashTrials } from './figures.js';
import { workerScript } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'ns-file-long-'));
const keys = [{ id: 'k1', key: generateEncryptionKey() }];
beforeAll(async () => {
  await workerScript();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('file store figures at full scale', () => {
  it('G14: 1,000 SIGKILLs during file writes → every read is a complete old or new value', async () => {
    mkdirSync(join(root, 'crash'));
    reportFigure('G14', await crashTrials(join(root, 'crash'), keys, 1_000));
  });

  it('G15: 8 processes × 500 locked increments with 3 readers → 4,000, no lost update, no torn read', async () => {
    mkdirSync(join(root, 'concurrent'));
    reportFigure('G15', await concurrentWriters(join(root, 'concurrent'), keys, 8, 500));
  });
});
