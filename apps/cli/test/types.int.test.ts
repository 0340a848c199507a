import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli as runInProcess } from '../src/cli.js';
import { memoryIo } from './helpers.js';
import { runCli } from './run-cli.js';
import { createFixture, type Fixture } from './setup-emulator.js';

let fx: Fixture;
beforeAll(async () => {
  fx = await createFixture();
  await fx.emu.admin.addCustomRecordType({
    scriptId: 'customrecord_project',
    fields: [{ scriptId: 'custrecord_budget', type: 'float' }],
  });
  await fx.emu.admin.addCustomField({
    recordType: 'customer',
    scriptId: 'custentity_score',
    type: 'integer',
  });
});
afterAll(async () => {
  await fx?.close();
});

describe('types generate', () => {
  it('writes the named record types, custom fields included (built CLI)', async () => {
    const out = join(fx.dir, 'records.ts');
    const r = await runCli(
      ['types', 'generate', '--records', 'customer,customrecord_project', '--out', out],
      {
        env: fx.env,
      },
    );
    expect(r.stderr).toMatch(/wrote 2 record types to records\.ts in /);
    expect(r.code).toBe(0);
    const source = readFileSync(out, 'utf8');
    expect(source).toContain('custentity_score?: number;');
    expect(source).toContain('export interface CustomrecordProject {');
    expect(source).toMatch(/customrecord_project: CustomrecordProject;/);
    expect(source).toContain(`// account ${fx.emu.accountId}`);
  });

  it('--all covers the whole catalog with a progress bar on a TTY, and --json reports the types', async () => {
    const m = memoryIo({ ...fx.env, NETSUITE_OAUTH_STORE: 'memory', NO_COLOR: '1' }, { tty: true });
    const out = join(fx.dir, 'all.ts');
    expect(await runInProcess(['types', 'generate', '--all', '--out', out, '--json'], m.io)).toBe(0);
    expect(m.stderr).toMatch(/\[█+░*\] \d\/8 record types/);
    expect(JSON.parse(m.stdout).types).toEqual([
      'customer',
      'contact',
      'employee',
      'vendor',
      'inventoryItem',
      'salesOrder',
      'invoice',
      'customrecord_project',
    ]);
  });

  it('--cache keeps the catalog answers in a file: a rerun asks NetSuite nothing', async () => {
    const out = join(fx.dir, 'cached.ts');
    const cache = join(fx.dir, 'metadata.json');
    const args = ['types', 'generate', '--records', 'customer,vendor', '--out', out, '--cache', cache];
    expect((await runCli(args, { env: fx.env })).code).toBe(0);
    const before = (await fx.emu.admin.counters()).metadata;
    expect((await runCli(args, { env: fx.env })).code).toBe(0);
    expect((await fx.emu.admin.counters()).metadata).toBe(before);
    expect(readFileSync(out, 'utf8')).toContain('export interface Vendor {');
  });

  it('refuses bad usage before any request, and names an unknown record type', async () => {
    const out = join(fx.dir, 'x.ts');
    const cases: Array<[string[], RegExp]> = [
      [['--records', 'customer'], /missing --out/],
      [['--out', out], /either --records a,b or --all/],
      [['--all', '--records', 'customer', '--out', out], /either --records a,b or --all/],
      [['--records', 'cust omer', '--out', out], /--records must be record type names/],
      [['--records', 'customer', '--out', join(fx.dir, 'x.js')], /--out must name a \.ts file/],
      [['--records', 'customer', '--out', join(fx.dir, 'nope', 'x.ts')], /does not exist/],
    ];
    for (const [args, message] of cases) {
      const m = memoryIo({ ...fx.env, NETSUITE_OAUTH_STORE: 'memory' });
      expect(await runInProcess(['types', 'generate', ...args], m.io)).not.toBe(0);
      expect(m.stderr).toMatch(message);
    }
    const m = memoryIo({ ...fx.env, NETSUITE_OAUTH_STORE: 'memory' });
    expect(
      await runInProcess(['types', 'generate', '--records', 'customer,notAType', '--out', out], m.io),
    ).not.toBe(0);
    expect(m.stderr).toMatch(/NetSuite answered 404/);
  });
});
