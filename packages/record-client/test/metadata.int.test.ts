import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Emulator, startEmulator } from '@netsuite-oauth/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetSuiteClient, isRecordClientError, type NetSuiteClientOptions } from '../src/index.js';
import { emulatorTokenSource } from './helpers/emulator-token.js';

let emu: Emulator;
let dir: string;
let token: NetSuiteClientOptions['token'];

beforeAll(async () => {
  emu = await startEmulator({ port: 0, seed: { customers: 2 } });
  token = await emulatorTokenSource(emu);
  dir = await mkdtemp(join(tmpdir(), 'nso-metadata-'));
  for (let i = 0; i < 12; i++) await emu.admin.addCustomRecordType({ scriptId: `customrecord_m${i}` });
});
afterAll(async () => {
  await emu.close();
  await rm(dir, { recursive: true, force: true });
});

function client(extra: Partial<NetSuiteClientOptions> = {}) {
  return createNetSuiteClient({
    accountId: emu.accountId,
    origin: emu.url,
    allowInsecureLoopback: true,
    token,
    ...extra,
  });
}

async function metadataRequests(): Promise<number> {
  return (await emu.admin.counters()).metadata;
}

describe('client.metadata', () => {
  it('reads the catalog, one JSON Schema and an OpenAPI document', async () => {
    const c = client();
    const names = (await c.metadata.catalog()).map((e) => e.name);
    expect(names).toContain('salesOrder');
    expect(names).toContain('customrecord_m0');
    const schema = await c.metadata.jsonSchema('customer');
    expect(schema.properties?.companyName).toMatchObject({ type: 'string' });
    const doc = await c.metadata.openApi(['customer', 'invoice']);
    expect(Object.keys(doc.components?.schemas ?? {})).toEqual(
      expect.arrayContaining(['customer', 'invoice', 'nsResource']),
    );
  });

  it('fetches many types in parallel up to the concurrency limit, never past it, in the caller order', async () => {
    await emu.admin.setLatency({ route: 'metadata', ms: 40 });
    await emu.admin.setConcurrencyLimit(3);
    try {
      const c = client({ concurrency: 3 });
      const types = Array.from({ length: 12 }, (_, i) => `customrecord_m${11 - i}`);
      const before = await emu.admin.counters();
      const progress: number[] = [];
      const schemas = await c.metadata.jsonSchemas(types, { onProgress: (done) => progress.push(done) });
      const after = await emu.admin.counters();
      expect(Object.keys(schemas)).toEqual(types);
      expect(progress).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
      expect(after.metadata - before.metadata).toBe(12);
      // In parallel: the limit was reached; within governance: nothing was refused.
      expect(after.maxInFlight).toBe(3);
      expect(after.concurrencyRejected).toBe(before.concurrencyRejected);
    } finally {
      await emu.admin.setLatency({ route: 'metadata', ms: 0 });
      await emu.admin.setConcurrencyLimit(5);
    }
  });

  it('caches answers in memory for ttlMs, shares a request in flight, and fresh skips the cache', async () => {
    let now = 1_000_000;
    const c = client({ now: () => now, metadata: { cache: { ttlMs: 60_000 } } });
    const before = await metadataRequests();
    await Promise.all([c.metadata.jsonSchema('contact'), c.metadata.jsonSchema('contact')]);
    await c.metadata.jsonSchema('contact');
    expect((await metadataRequests()) - before).toBe(1);
    now += 60_001;
    await c.metadata.jsonSchema('contact');
    expect((await metadataRequests()) - before).toBe(2);
    await c.metadata.jsonSchema('contact', { fresh: true });
    expect((await metadataRequests()) - before).toBe(3);
    const uncached = client({ metadata: { cache: false } });
    await uncached.metadata.jsonSchema('contact');
    await uncached.metadata.jsonSchema('contact');
    expect((await metadataRequests()) - before).toBe(5);
  });

  it('keeps answers in a file that a new client (a new process) reads within its validity period', async () => {
    const file = join(dir, 'cache', 'metadata.json');
    let now = 5_000_000;
    const first = client({ now: () => now, metadata: { cache: { file, ttlMs: 3_600_000 } } });
    await first.metadata.jsonSchemas(['customer', 'vendor']);
    const stored = JSON.parse(await readFile(file, 'utf8')) as { accountId: string; entries: object };
    expect(stored.accountId).toBe(emu.accountId);
    expect(Object.keys(stored.entries)).toHaveLength(2);

    const before = await metadataRequests();
    const second = client({ now: () => now, metadata: { cache: { file, ttlMs: 3_600_000 } } });
    expect((await second.metadata.jsonSchema('vendor')).properties?.companyName).toBeDefined();
    expect((await metadataRequests()) - before).toBe(0);
    now += 3_600_001;
    await second.metadata.jsonSchema('vendor');
    expect((await metadataRequests()) - before).toBe(1);
    await second.metadata.clearCache();
    expect(JSON.parse(await readFile(file, 'utf8')).entries).toEqual({});
  });

  it('treats a corrupt cache file as empty, and rejects when the file cannot be written', async () => {
    const file = join(dir, 'corrupt.json');
    await writeFile(file, '{not json');
    const c = client({ metadata: { cache: { file } } });
    expect((await c.metadata.jsonSchema('employee')).type).toBe('object');
    expect(JSON.parse(await readFile(file, 'utf8')).version).toBe(1);

    const blocked = join(dir, 'a-file');
    await writeFile(blocked, 'x');
    const bad = client({ metadata: { cache: { file: join(blocked, 'metadata.json') } } });
    const error = await bad.metadata.jsonSchema('employee').catch((e: unknown) => e);
    expect(isRecordClientError(error, 'ERR_RECORD_METADATA_CACHE')).toBe(true);
  });

  it('refuses bad arguments and options with typed errors; an unknown type is a NetSuite 404', async () => {
    const c = client();
    const codeOf = async (call: () => Promise<unknown>) =>
      call().then(
        () => 'resolved',
        (e: unknown) => (e as { code?: string }).code,
      );
    expect(await codeOf(() => c.metadata.jsonSchema('../customer'))).toBe('ERR_RECORD_INVALID_ARGUMENT');
    expect(await codeOf(() => c.metadata.jsonSchemas([]))).toBe('ERR_RECORD_INVALID_ARGUMENT');
    expect(await codeOf(() => c.metadata.openApi(['customer', 'a b']))).toBe('ERR_RECORD_INVALID_ARGUMENT');
    expect(await codeOf(() => c.metadata.jsonSchema('customer', { fresh: 'yes' as never }))).toBe(
      'ERR_RECORD_INVALID_ARGUMENT',
    );
    expect(await codeOf(() => c.metadata.jsonSchema('notAType'))).toBe('ERR_RECORD_API');
    expect(await codeOf(() => c.metadata.jsonSchemas(['customer', 'notAType']))).toBe('ERR_RECORD_API');
    expect(() => client({ metadata: { cache: { ttlMs: -1 } } })).toThrow(/ttlMs/);
    expect(() => client({ metadata: { cache: { file: '' } } })).toThrow(/file/);
    expect(() => client({ metadata: { cache: 'memory' as never } })).toThrow(/cache/);
  });
});
