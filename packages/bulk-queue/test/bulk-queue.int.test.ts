import { type Emulator, generateTestCertificate, startEmulator } from '@netsuite-oauth/emulator';
import { createAssertionSigner } from '@netsuite-oauth/jwt-assertion';
import { createTokenManager } from '@netsuite-oauth/oauth-flows';
import { createAccountGovernance, createNetSuiteClient } from '@netsuite-oauth/record-client';
import { type RedisServer, startRedisServer } from '@netsuite-oauth/test-utils';
import { memoryTokenStore } from '@netsuite-oauth/token-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BulkQueue, createBulkQueue, startBulkWorker } from '../src/index.js';

let redis: RedisServer;
let emu: Emulator;
let bulk: BulkQueue;
let worker: ReturnType<typeof startBulkWorker>;
let connection: { host: string; port: number; maxRetriesPerRequest: null };

beforeAll(async () => {
  redis = await startRedisServer();
  connection = { host: '127.0.0.1', port: Number(new URL(redis.url).port), maxRetriesPerRequest: null };
  emu = await startEmulator({ concurrencyLimit: 2, seed: { customers: 1 } });
  const { clientId } = await emu.admin.createIntegration({ grants: ['client_credentials'] });
  const cert = generateTestCertificate({ keyType: 'ec-p256' });
  const { certificateId } = await emu.admin.addCertificate({ clientId, certificatePem: cert.certificatePem });
  const token = createTokenManager({
    store: memoryTokenStore(),
    key: emu.accountId,
    grant: {
      type: 'client_credentials',
      accountId: emu.accountId,
      origin: emu.url,
      allowInsecureLoopback: true,
      signer: await createAssertionSigner({
        key: cert.privateKeyPem,
        certificateId,
        clientId,
        audience: emu.endpoints.tokenUrl,
      }),
    },
  });
  const client = createNetSuiteClient({
    accountId: emu.accountId,
    origin: emu.url,
    allowInsecureLoopback: true,
    token,
    concurrency: createAccountGovernance(),
  });
  bulk = createBulkQueue({ connection, name: 'bulk-test' });
  worker = startBulkWorker({ connection, name: 'bulk-test', clientFor: () => client, concurrency: 3 });
});

afterAll(async () => {
  await worker?.close();
  await bulk?.close();
  await emu?.close();
  await redis?.stop();
});

describe('createBulkQueue + startBulkWorker', () => {
  it('runs an import as chunk jobs within the account’s limit; enqueuing it again adds nothing', async () => {
    const records = Array.from({ length: 45 }, (_, i) => ({
      companyName: `Bulk ${i}`,
      subsidiary: { id: '1' },
    }));
    records[7] = { companyName: '', subsidiary: { id: '1' } } as never;
    const first = await bulk.enqueue({
      importId: 'q1',
      accountId: emu.accountId,
      operation: 'create',
      type: 'customer',
      records,
      chunkSize: 10,
    });
    expect(first).toEqual({ importId: 'q1', chunks: 5 });
    const status = await bulk.wait('q1', 5, { pollMs: 50, timeoutMs: 60_000 });
    expect(status).toMatchObject({
      chunks: 5,
      completed: 5,
      failedChunks: 0,
      pending: 0,
      ok: 44,
      done: true,
    });
    // The refused record is reported by its index in the import, with NetSuite's code.
    expect(status.failures).toEqual([expect.objectContaining({ index: 7, errorCode: expect.any(String) })]);
    const counters = await emu.admin.counters();
    expect(counters.maxSlotsInUse).toBeLessThanOrEqual(2);
    expect(counters.concurrencyRejected).toBe(0);

    // Same import id: the chunk jobs exist already, nothing runs again.
    await bulk.enqueue({
      importId: 'q1',
      accountId: emu.accountId,
      operation: 'create',
      type: 'customer',
      records,
    });
    expect(await bulk.wait('q1', 5, { pollMs: 50 })).toMatchObject({ completed: 5, ok: 44 });
    expect((await emu.admin.counters()).asyncJobs).toBe(counters.asyncJobs);
  });

  it('rejects a bad import with ERR_BULK_INVALID_ARGUMENT and enqueues nothing', async () => {
    const good = {
      importId: 'bad1',
      accountId: '1234567',
      operation: 'create',
      type: 'customer',
      records: [{}],
    };
    for (const bulkImport of [
      null,
      { ...good, importId: 'a/b' },
      { ...good, accountId: 'acme corp' },
      { ...good, operation: 'merge' },
      { ...good, type: '../customer' },
      { ...good, records: 'x' },
      { ...good, chunkSize: 101 },
      { ...good, attempts: 0 },
    ]) {
      await expect(bulk.enqueue(bulkImport as never)).rejects.toMatchObject({
        code: 'ERR_BULK_INVALID_ARGUMENT',
      });
    }
    expect(await bulk.status('bad1', 1)).toMatchObject({ completed: 0, pending: 1 });
    expect(await bulk.queue.getJobCounts('waiting', 'active', 'delayed')).toEqual({
      waiting: 0,
      active: 0,
      delayed: 0,
    });
    await expect(bulk.status('bad/id', 1)).rejects.toMatchObject({ code: 'ERR_BULK_INVALID_ARGUMENT' });
    await expect(bulk.wait('bad1', 1, { pollMs: 1 })).rejects.toMatchObject({
      code: 'ERR_BULK_INVALID_ARGUMENT',
    });
    await expect(bulk.wait('bad1', 1, { timeoutMs: 30, pollMs: 10 })).rejects.toMatchObject({
      code: 'ERR_BULK_TIMEOUT',
    });
  });
});
