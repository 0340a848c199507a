import { type Emulator, startEmulator } from '@netsuite-oauth/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountGovernance, createNetSuiteClient, isRecordClientError } from '../src/index.js';
import { emulatorTokenSource } from './helpers/emulator-token.js';

let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator({
    concurrencyLimit: 3,
    seed: { customers: 5 },
    accounts: [{ accountId: '7654321', concurrencyLimit: 7, seed: { customers: 5 } }],
  });
});
afterAll(() => emu?.close());

async function clientOf(accountId: string, governance: ReturnType<typeof createAccountGovernance>) {
  const account = emu.account(accountId);
  return createNetSuiteClient({
    accountId: account.accountId,
    origin: account.url,
    allowInsecureLoopback: true,
    token: await emulatorTokenSource(account),
    concurrency: governance,
  });
}

/** `total` GETs, `offered` at a time; the emulator's per-account counters tell the in-flight peak. */
async function load(client: Awaited<ReturnType<typeof clientOf>>, total: number, offered: number) {
  let next = 0;
  let failed = 0;
  await Promise.all(
    Array.from({ length: offered }, async () => {
      while (next++ < total) await client.records.get('customer', 1).catch(() => failed++);
    }),
  );
  return failed;
}

describe('createAccountGovernance: one limiter per account, sized by configuration, discovery or fallback', () => {
  it('discovers each account’s limit from governanceLimits and keeps it (in-flight never above it)', async () => {
    const governance = createAccountGovernance();
    for (const account of emu.accounts) {
      await account.admin.setLatency({ route: 'record', ms: 20 });
      const before = await account.admin.counters();
      const client = await clientOf(account.accountId, governance);
      expect(await load(client, 60, 20)).toBe(0);
      const after = await account.admin.counters();
      const expected = account.accountId === '7654321' ? 7 : 3;
      expect(governance.limitOf(account.accountId)).toEqual({ limit: expected, source: 'discovered' });
      expect(after.system - before.system).toBe(1);
      expect(after.concurrencyRejected).toBe(before.concurrencyRejected);
      expect(after.maxInFlight).toBeLessThanOrEqual(expected);
      await account.admin.setLatency({ route: 'record', ms: 0 });
    }
  });

  it('a configured limit wins, and NetSuite is not asked', async () => {
    const governance = createAccountGovernance({ limits: { '7654321': 2 } });
    const account = emu.account('7654321');
    const before = (await account.admin.counters()).system;
    const client = await clientOf('7654321', governance);
    await client.records.get('customer', 1);
    expect(governance.limitOf('7654321')).toEqual({ limit: 2, source: 'configured' });
    expect((await account.admin.counters()).system).toBe(before);
  });

  it('falls back when governanceLimits is refused (a role that is not an administrator) and still serves', async () => {
    const governance = createAccountGovernance({ fallbackLimit: 2 });
    await emu.admin.injectFault({ route: 'system', status: 403, count: 1 });
    const client = await clientOf(emu.accountId, governance);
    expect((await client.records.get('customer', 1)).id).toBe('1');
    expect(governance.limitOf(emu.accountId)).toMatchObject({
      limit: 2,
      source: 'fallback',
      reason: expect.stringMatching(/^403/),
    });
  });

  it('gives every client of one account the same limiter, and batches size themselves from it', async () => {
    const governance = createAccountGovernance({ limits: { '7654321': 4 } });
    const a = governance.forAccount('7654321');
    expect(governance.forAccount('7654321')).toBe(a);
    expect(a.limit).toBeUndefined();
    expect(await a.ready()).toEqual({ limit: 4, source: 'configured' });
    expect(a.limit).toBe(4);
    const client = await clientOf('7654321', governance);
    const rows = Array.from({ length: 30 }, (_, i) => ({ companyName: `Gov ${i}`, subsidiary: { id: '1' } }));
    let ok = 0;
    for await (const result of client.batch.create('customer', rows, { chunkSize: 10 })) if (result.ok) ok++;
    expect(ok).toBe(30);
  });

  it.each([
    ['a limit that is not a positive integer', { limits: { '1234567': 0 } }],
    ['a bad account id in limits', { limits: { 'not an account': 5 } }],
    ['a limiter that is not a function', { limiter: 5 }],
    ['a bad fallback', { fallbackLimit: -1 }],
    ['a non-boolean discover', { discover: 'yes' }],
  ])('refuses %s with ERR_RECORD_INVALID_OPTION', (_name, options) => {
    try {
      createAccountGovernance(options as never);
      expect.unreachable();
    } catch (error) {
      expect(isRecordClientError(error) && error.code).toBe('ERR_RECORD_INVALID_OPTION');
    }
  });
});
