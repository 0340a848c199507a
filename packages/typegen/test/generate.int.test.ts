import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Emulator, startEmulator } from '@netsuite-oauth/emulator';
import { reportFigure } from '@netsuite-oauth/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRecordTypes, isTypegenError, writeRecordTypes } from '../src/index.js';
import { emulatorClient } from './helpers.js';

const run = promisify(execFile);
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const project = join(import.meta.dirname, '..', '.artifacts', 'fixture-project');

let emu: Emulator;

/** Twenty custom fields of every kind, on entities, transactions, items and a custom record type. */
async function customize(e: Emulator): Promise<void> {
  const kinds = ['string', 'boolean', 'integer', 'float', 'date', 'datetime'] as const;
  await e.admin.addCustomRecordType({ scriptId: 'customrecord_project', name: 'Project' });
  const on = [
    ['customer', 'custentity'],
    ['vendor', 'custentity'],
    ['salesOrder', 'custbody'],
    ['inventoryItem', 'custitem'],
    ['customrecord_project', 'custrecord'],
  ] as const;
  let n = 0;
  for (const [recordType, prefix] of on) {
    for (const kind of kinds.slice(0, 3)) {
      await e.admin.addCustomField({
        recordType,
        scriptId: `${prefix}_f${n++}`,
        type: kind,
        label: `Field ${n}`,
      });
    }
  }
  // 15 so far; five more: dates, a select, references (20 in all).
  await e.admin.addCustomField({ recordType: 'invoice', scriptId: 'custbody_due', type: 'date' });
  await e.admin.addCustomField({ recordType: 'contact', scriptId: 'custentity_seen', type: 'datetime' });
  await e.admin.addCustomField({
    recordType: 'customer',
    scriptId: 'custentity_tier',
    type: 'enum',
    label: 'Tier */ console.log("escaped")',
    options: { '1': 'Gold', '2': 'Silver' },
  });
  await e.admin.addCustomField({
    recordType: 'customrecord_project',
    scriptId: 'custrecord_client',
    type: 'ref',
    refType: 'customer',
  });
  await e.admin.addCustomField({ recordType: 'employee', scriptId: 'custentity_float', type: 'float' });
}

beforeAll(async () => {
  emu = await startEmulator({ port: 0, seed: { customers: 1 } });
  await customize(emu);
  expect((await emu.admin.customizations()).customFields).toHaveLength(20);
});
afterAll(async () => {
  await emu.close();
});

// Typed calls that must compile, and misspellings that must not (an unused @ts-expect-error fails the compile).
const USAGE = `import { createNetSuiteClient } from '@netsuite-oauth/record-client';
import type { Customer, NetSuiteRecords, NetSuiteRecordsType } from './netsuite-records.js';

const client = createNetSuiteClient<NetSuiteRecords>({ accountId: '1234567', token: async () => 't' });

export async function typed(): Promise<Customer> {
  const customer = await client.records.get('customer', '1');
  const tier: '1' | '2' | undefined = customer.custentity_tier?.id;
  const subsidiary: string | undefined = customer.subsidiary?.id;
  await client.records.create('customer', { companyName: 'Acme', custentity_tier: { id: '2' }, custentity_f1: true });
  await client.records.update('salesOrder', '1', { custbody_f6: 'x', item: { items: [{ item: { id: '1' }, quantity: 2 }] } });
  await client.records.create('customrecord_project', { name: 'P', custrecord_client: { id: '1' }, custrecord_f12: 'a' });
  await client.records.transform('customer', '1', 'salesOrder', { memo: 'from a customer' });
  client.batch.upsert('vendor', [{ externalId: 'V-1', companyName: 'Supplies', custentity_f3: 'x' }]);
  for await (const row of client.suiteql<{ id: string; custentity_f2: string }>('SELECT id, custentity_f2 FROM customer')) {
    const id: string = row.id;
    void id;
  }
  const names: NetSuiteRecordsType[] = ['customer', 'customrecord_project'];
  void [tier, subsidiary, names];
  return customer;
}

export async function misspelt(): Promise<void> {
  // @ts-expect-error companyNme is not a customer field
  await client.records.create('customer', { companyNme: 'Acme' });
  // @ts-expect-error custentity_teir is not a customer field
  await client.records.update('customer', '1', { custentity_teir: { id: '1' } });
  // @ts-expect-error 3 is not a tier
  await client.records.update('customer', '1', { custentity_tier: { id: '3' } });
  // @ts-expect-error custentity_f1 is a boolean
  await client.records.create('customer', { custentity_f1: 'yes' });
  // @ts-expect-error salesOrdr is not a record type
  await client.records.get('salesOrdr', '1');
  // @ts-expect-error the line has no qty field
  await client.records.update('salesOrder', '1', { item: { items: [{ qty: 1 }] } });
  // @ts-expect-error a batch record with a misspelt field
  client.batch.create('customer', [{ companyName: 'A' }, { compnyName: 'B' }]);
  const customer = await client.records.get('customer', '1');
  // @ts-expect-error emial is not a customer field
  void customer.emial;
  // @ts-expect-error custentity_tier takes an enum reference, not a string (a batch create body)
  client.batch.create('customer', [{ companyName: 'A', custentity_tier: 'Gold' }]);
  // @ts-expect-error salesOrdr is not a record type (batch.get)
  client.batch.get('salesOrdr', ['1']);
  for await (const result of client.batch.get('customer', ['1'])) {
    // @ts-expect-error companyNme is not a customer field (a batch.get record)
    if (result.ok) void result.record?.companyNme;
  }
  for await (const order of client.records.list('salesOrder', { expand: true })) {
    // @ts-expect-error memmo is not a sales order field (an expanded list item)
    void order.memmo;
  }
}

export async function readTyped(): Promise<void> {
  for await (const result of client.batch.get('customer', ['1', '2'])) {
    if (result.ok) {
      const tier: '1' | '2' | undefined = result.record?.custentity_tier?.id;
      void tier;
    }
  }
  for await (const order of client.records.list('salesOrder', { expand: true, q: 'memo IS "x"' })) {
    const memo: string | null | undefined = order.memo;
    const lines = order.item?.items?.length;
    void [memo, lines];
  }
  for await (const item of client.records.list('salesOrder')) {
    const id: string = item.id;
    void id;
  }
}
`;

describe('generated record types', () => {
  it('a file for every emulated type plus 20 custom fields compiles with strict and exactOptionalPropertyTypes; typed calls compile and misspellings do not (one tsc run)', async () => {
    const client = await emulatorClient(emu);
    const progress: string[] = [];
    await rm(project, { recursive: true, force: true });
    const { types } = await writeRecordTypes({
      metadata: client.metadata,
      types: 'all',
      out: join(project, 'netsuite-records.ts'),
      header: `account ${emu.accountId}`,
      onProgress: (done, total, type) => progress.push(`${done}/${total} ${type}`),
    });
    expect(types).toEqual([
      'customer',
      'contact',
      'employee',
      'vendor',
      'inventoryItem',
      'salesOrder',
      'invoice',
      'customrecord_project',
    ]);
    expect(progress.at(-1)).toMatch(/^8\/8 /);
    const source = await readFile(join(project, 'netsuite-records.ts'), 'utf8');
    expect(source).toContain('export interface NetSuiteRecords {');
    expect(source).toContain('custentity_tier?: NsEnum<"1" | "2">;');
    expect(source).toContain('custrecord_client?: NsRef;');
    expect(source).toContain('export interface SalesOrderItemLine {');
    // A label cannot end the doc comment and inject code.
    expect(source).not.toContain('*/ console.log');

    await writeFile(join(project, 'usage.ts'), USAGE);
    await writeFile(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          lib: ['ES2022', 'DOM'],
          types: [],
          strict: true,
          exactOptionalPropertyTypes: true,
          noUncheckedIndexedAccess: true,
          noEmit: true,
          skipLibCheck: true,
        },
        files: ['netsuite-records.ts', 'usage.ts'],
      }),
    );
    await writeFile(join(project, 'package.json'), JSON.stringify({ type: 'module', private: true }));
    // The project resolves @netsuite-oauth/record-client from this package's node_modules (its built types).
    const result = await run(process.execPath, [tsc, '-p', join(project, 'tsconfig.json')], {
      cwd: project,
    }).then(
      () => ({ ok: true, out: '' }),
      (error: { stdout?: string }) => ({ ok: false, out: String(error.stdout) }),
    );
    expect(result.out).toBe('');
    expect(result.ok).toBe(true);
    reportFigure(
      'typegen-compile',
      `8 record types + 20 custom fields: tsc strict + exactOptionalPropertyTypes, 0 errors; 12 misspellings refused`,
    );
  }, 120_000);

  it('generates the named types only, and wraps a catalog failure', async () => {
    const client = await emulatorClient(emu);
    const { source, types } = await generateRecordTypes({
      metadata: client.metadata,
      types: ['invoice'],
      mapName: 'AcmeRecords',
      format: false,
    });
    expect(types).toEqual(['invoice']);
    expect(source).toContain('export interface AcmeRecords');
    expect(source).not.toContain('export interface Customer ');
    const error = await generateRecordTypes({ metadata: client.metadata, types: ['notAType'] }).catch(
      (e) => e,
    );
    expect(isTypegenError(error, 'ERR_TYPEGEN_METADATA')).toBe(true);
    expect((error as Error).cause).toMatchObject({ code: 'ERR_RECORD_API', status: 404 });
  });

  it('two roles, two catalogs: the generated types differ, and the restricted role reads records without the hidden field', async () => {
    const SALES = 1000; // the role of emulatorClient's default certificate
    const SUPPORT = 1002;
    await emu.admin.addCustomField({
      recordType: 'customer',
      scriptId: 'custentity_margin',
      type: 'float',
      roles: [SALES],
    });
    const sales = await emulatorClient(emu, { metadata: { cache: false } });
    const support = await emulatorClient(emu, { metadata: { cache: false } }, SUPPORT);
    const forSales = await generateRecordTypes({
      metadata: sales.metadata,
      types: ['customer'],
      format: false,
    });
    const forSupport = await generateRecordTypes({
      metadata: support.metadata,
      types: ['customer'],
      format: false,
    });
    expect(forSales.source).toContain('custentity_margin?:');
    expect(forSupport.source).not.toContain('custentity_margin');
    expect(forSupport.source).toContain('custentity_tier?:');

    const { id } = await sales.records.create('customer', {
      companyName: 'Margins',
      custentity_margin: 0.25,
    });
    expect(await sales.records.get('customer', id)).toMatchObject({ custentity_margin: 0.25 });
    const bySupport = await support.records.get('customer', id);
    expect(bySupport).toMatchObject({ id, companyName: 'Margins' });
    expect(bySupport).not.toHaveProperty('custentity_margin');
    const batchRead: Array<Record<string, unknown> | undefined> = [];
    for await (const r of support.batch.get('customer', [id])) if (r.ok) batchRead.push(r.record);
    expect(batchRead).toHaveLength(1);
    expect(batchRead[0]).toMatchObject({ id, companyName: 'Margins' });
    expect(batchRead[0]).not.toHaveProperty('custentity_margin');
    const listed: Array<Record<string, unknown>> = [];
    for await (const r of support.records.list('customer', { expand: true, q: 'companyName IS "Margins"' }))
      listed.push(r);
    expect(listed.map((r) => r.id)).toEqual([id]);
    expect(listed[0]).not.toHaveProperty('custentity_margin');
  });
});
