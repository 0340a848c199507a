// The README's bulk example, run as written against the emulator.
import { startEmulator } from '@netsuite-oauth/emulator';
import { expect, it } from 'vitest';
import { createNetSuiteClient } from '../src/index.js';
import { emulatorTokenSource } from './helpers/emulator-token.js';

it('README bulk example: upsert 1000 records in batches, then export them', async () => {
  const emu = await startEmulator({ port: 0, seed: false });
  try {
    const client = createNetSuiteClient({
      accountId: emu.accountId,
      origin: emu.url,
      allowInsecureLoopback: true,
      token: await emulatorTokenSource(emu),
    });
    const errors: string[] = [];
    const rows = Array.from({ length: 1000 }, (_, i) => ({
      companyName: `Bulk ${i}`,
      externalId: `BULK-${i}`,
      subsidiary: { id: '1' },
    }));
    const run = client.batch.upsert('customer', rows); // an array, or an async iterable of any length
    for await (const result of run) {
      if (!result.ok) errors.push(`row ${result.index}: ${result.error.errorCode} ${result.error.detail}`);
    }
    expect(errors).toEqual([]);
    expect(run.checkpoint().acknowledged).toBe(1000);
    let exported = 0;
    for await (const _row of client.exportRows({ from: 'customer', where: "externalid LIKE 'BULK-%'" }))
      exported++;
    expect(exported).toBe(1000);
  } finally {
    await emu.close();
  }
});
