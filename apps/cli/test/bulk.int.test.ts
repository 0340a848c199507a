import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli as runInProcess } from '../src/cli.js';
import { memoryIo } from './helpers.js';
import { expectNoSecrets, MAIN, runCli } from './run-cli.js';
import { createFixture, type Fixture, keyLines } from './setup-emulator.js';

let fx: Fixture;
let env: Record<string, string>;

beforeAll(async () => {
  fx = await createFixture();
  env = { ...fx.env, NETSUITE_OAUTH_STORE: 'memory' };
});
afterAll(async () => {
  await fx?.close();
});

/** Runs the CLI in this process (no TTY): the commands' own paths, without a Node start-up per call. */
async function cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const m = memoryIo(env, { tty: false, cwd: fx.dir });
  const code = await runInProcess(args, m.io);
  return { code, stdout: m.stdout, stderr: m.stderr };
}

/** Customers whose external ids start with `prefix`, counted through SuiteQL by the CLI itself. */
async function countByExternalId(prefix: string): Promise<{ rows: number; distinct: number }> {
  const result = await cli([
    'suiteql',
    `SELECT externalid FROM customer WHERE externalid LIKE '${prefix}%'`,
    '--json',
  ]);
  expect(result.code).toBe(0);
  const rows = JSON.parse(result.stdout) as Array<{ externalid: string }>;
  return { rows: rows.length, distinct: new Set(rows.map((r) => r.externalid)).size };
}

function ndjson(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) =>
    JSON.stringify({ companyName: `${prefix} ${i}`, externalId: `${prefix}-${i}`, subsidiary: { id: '1' } }),
  );
}

describe('record import', () => {
  it('one bad record in a chunk of 100: 99 created, the 1 reported with its line and NetSuite error; exit 7', async () => {
    const lines = ndjson('IMPBAD', 100);
    lines[57] = JSON.stringify({ email: 'no-company@example.com', externalId: 'IMPBAD-57' });
    const file = join(fx.dir, 'one-bad.ndjson');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const result = await runCli(['record', 'import', 'customer', '--file', file], { env });
    expect(result.code).toBe(7);
    expect(result.stderr).toContain('line 58: USER_ERROR at companyName');
    expect(result.stderr).toMatch(
      /imported 99 of 100 customer records in .*; 1 rejected, 0 malformed → one-bad\.ndjson\.rejects\.ndjson/,
    );
    const rejects = readFileSync(`${file}.rejects.ndjson`, 'utf8').trim().split('\n');
    expect(rejects.map((l) => JSON.parse(l))).toEqual([
      {
        line: 58,
        index: 57,
        kind: 'rejected',
        status: 400,
        errorCode: 'USER_ERROR',
        errorPath: 'companyName',
        detail: expect.stringContaining('Company Name'),
      },
    ]);
    expect(existsSync(`${file}.import-state.json`)).toBe(false);
    expect(await countByExternalId('IMPBAD-')).toEqual({ rows: 99, distinct: 99 });
    expectNoSecrets(result, [fx.clientSecret, ...keyLines(fx.privateKeyPem)]);
  });

  it('skips a malformed line (nothing sent) and upserts CSV rows by external id, twice without duplicates', async () => {
    const file = join(fx.dir, 'upsert.csv');
    writeFileSync(
      file,
      [
        'externalId,companyName,email,subsidiary.id',
        'CSV-1,"Acme, Inc.",ap@acme.example,1',
        'CSV-2,Globex,,1',
        'CSV-3,Initech,"x@initech.example",1,extra',
        'CSV-4,"Umbrella ""Corp""",u@umbrella.example,1',
        '',
      ].join('\r\n'),
    );
    const first = await cli([
      'record',
      'import',
      'customer',
      '--file',
      file,
      '--upsert-by',
      'externalId',
      '--json',
    ]);
    expect(first.code).toBe(7);
    expect(JSON.parse(first.stdout)).toMatchObject({ total: 4, landed: 3, rejected: 0, malformed: 1 });
    expect(first.stderr).toContain('line 4: malformed, skipped: 5 fields where the header has 4');
    const reject = JSON.parse(readFileSync(`${file}.rejects.ndjson`, 'utf8')) as Record<string, unknown>;
    expect(reject).toMatchObject({ line: 4, index: 2, kind: 'malformed' });
    expect(await countByExternalId('CSV-')).toEqual({ rows: 3, distinct: 3 });
    const again = await cli(['record', 'import', 'customer', '--file', file, '--upsert-by', 'externalId']);
    expect(again.code).toBe(7);
    expect(await countByExternalId('CSV-')).toEqual({ rows: 3, distinct: 3 });
    const get = await cli(['record', 'get', 'customer', 'eid:CSV-4', '--json']);
    expect(JSON.parse(get.stdout)).toMatchObject({
      companyName: 'Umbrella "Corp"',
      email: 'u@umbrella.example',
    });
  });

  it('updates existing records by internal id in batches: an unknown id or a row without one is rejected with its line, the rest lands; exit 7', async () => {
    const seed = join(fx.dir, 'update-seed.ndjson');
    writeFileSync(seed, `${ndjson('UPDID', 6).join('\n')}\n`);
    expect((await cli(['record', 'import', 'customer', '--file', seed])).code).toBe(0);
    const listed = await cli([
      'suiteql',
      "SELECT id, externalid FROM customer WHERE externalid LIKE 'UPDID-%' ORDER BY id",
      '--json',
    ]);
    const ids = (JSON.parse(listed.stdout) as Array<{ id: string }>).map((r) => r.id);
    expect(ids).toHaveLength(6);
    const lines = ids.map((id, i) =>
      JSON.stringify({ id: i % 2 ? Number(id) : id, email: `upd${i}@example.com` }),
    );
    // Line 3: an id no record has; line 5: no id at all (never sent); the others land.
    lines[2] = JSON.stringify({ id: '999999999', email: 'nobody@example.com' });
    lines[4] = JSON.stringify({ externalId: 'UPDID-4', email: 'by-eid@example.com' });
    const file = join(fx.dir, 'update.ndjson');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const before = await fx.emu.admin.counters();
    const result = await cli(['record', 'import', 'customer', '--file', file, '--update-by', 'id', '--json']);
    expect(result.code).toBe(7);
    expect(JSON.parse(result.stdout)).toMatchObject({
      operation: 'update',
      updateBy: 'id',
      total: 6,
      landed: 4,
      rejected: 2,
      malformed: 0,
    });
    expect(result.stderr).toContain('line 3: NONEXISTENT_ID');
    expect(result.stderr).toContain('line 5: not sent: no id');
    const rejects = readFileSync(`${file}.rejects.ndjson`, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rejects).toEqual([
      expect.objectContaining({
        line: 3,
        index: 2,
        kind: 'rejected',
        status: 404,
        errorCode: 'NONEXISTENT_ID',
      }),
      expect.objectContaining({ line: 5, index: 4, kind: 'invalid', errorPath: 'id' }),
    ]);
    // In batches: one job for the six rows (the row without an id is not in it), no record created.
    expect((await fx.emu.admin.counters()).asyncJobs - before.asyncJobs).toBe(1);
    expect(await countByExternalId('UPDID-')).toEqual({ rows: 6, distinct: 6 });
    const emails = await cli([
      'suiteql',
      "SELECT externalid, email FROM customer WHERE externalid LIKE 'UPDID-%' ORDER BY id",
      '--json',
    ]);
    expect(JSON.parse(emails.stdout)).toEqual([
      { externalid: 'UPDID-0', email: 'upd0@example.com' },
      { externalid: 'UPDID-1', email: 'upd1@example.com' },
      { externalid: 'UPDID-2' },
      { externalid: 'UPDID-3', email: 'upd3@example.com' },
      { externalid: 'UPDID-4' },
      { externalid: 'UPDID-5', email: 'upd5@example.com' },
    ]);

    // By externalId from CSV: a row that also carries an id is not sent.
    const csv = join(fx.dir, 'update.csv');
    writeFileSync(
      csv,
      ['externalId,id,email', 'UPDID-4,,eid4@example.com', `UPDID-2,${ids[2]},x@example.com`, ''].join('\n'),
    );
    const byEid = await cli([
      'record',
      'import',
      'customer',
      '--file',
      csv,
      '--update-by',
      'externalId',
      '--json',
    ]);
    expect(byEid.code).toBe(7);
    expect(JSON.parse(byEid.stdout)).toMatchObject({ landed: 1, rejected: 1 });
    expect(byEid.stderr).toContain('line 3: not sent: has an id');
    const got = await cli(['record', 'get', 'customer', 'eid:UPDID-4', '--json']);
    expect(JSON.parse(got.stdout)).toMatchObject({ email: 'eid4@example.com' });

    // An unfinished update resumes only as the same update.
    const { size, mtimeMs } = statSync(file);
    writeFileSync(
      `${file}.import-state.json`,
      JSON.stringify({
        version: 1,
        operation: 'update',
        updateBy: 'id',
        type: 'customer',
        file: { size, mtimeMs },
        checkpoint: {
          version: 1,
          runId: 'r',
          operation: 'update',
          type: 'customer',
          chunkSize: 100,
          acknowledged: 0,
        },
        rejectsBytes: 0,
        landed: 0,
        rejected: 0,
        malformed: 0,
      }),
    );
    const other = await cli([
      'record',
      'import',
      'customer',
      '--file',
      file,
      '--update-by',
      'externalId',
      '--resume',
    ]);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('was an update by id of customer');
    const same = await cli([
      'record',
      'import',
      'customer',
      '--file',
      file,
      '--update-by',
      'id',
      '--resume',
      '--json',
    ]);
    expect(same.code).toBe(7);
    expect(JSON.parse(same.stdout)).toMatchObject({ landed: 4, rejected: 2 });
    expect(existsSync(`${file}.import-state.json`)).toBe(false);
  });

  it('exits 0 when every record landed, and refuses bad usage', async () => {
    const file = join(fx.dir, 'good.ndjson');
    writeFileSync(file, `${ndjson('GOOD', 30).join('\n')}\n\n`);
    const result = await cli(['record', 'import', 'customer', '--file', file, '--chunk-size', '7']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^imported 30 of 30 customer records in /m);
    expect(existsSync(`${file}.rejects.ndjson`)).toBe(false);
    for (const [args, message] of [
      [['--file', join(fx.dir, 'missing.ndjson')], /cannot read/],
      [['--file', join(fx.dir, 'good.txt')], /cannot tell the format/],
      [['--file', file, '--upsert-by', 'email'], /--upsert-by takes externalId/],
      [['--file', file, '--update-by', 'email'], /--update-by takes id or externalId/],
      [['--file', file, '--update-by', 'id', '--upsert-by', 'externalId'], /not both/],
      [['--file', file, '--chunk-size', '101'], /--chunk-size must be a whole number from 1 to 100/],
      [[], /missing --file/],
    ] as const) {
      const bad = await cli(['record', 'import', 'customer', ...args]);
      expect(bad.code === 2 || bad.code === 3).toBe(true);
      expect(bad.stderr).toMatch(message);
    }
  });

  it('shows a progress bar on a TTY (done/total, rate, ETA) and plain lines elsewhere', async () => {
    const file = join(fx.dir, 'progress.ndjson');
    writeFileSync(file, `${ndjson('PROGRESS', 300).join('\n')}\n`);
    let clock = 0;
    const tty = memoryIo(env, { tty: true });
    // A clock that moves 50 ms per reading, so the bar redraws as results arrive.
    const io = { ...tty.io, now: () => (clock += 50) };
    expect(
      await runInProcess(['record', 'import', 'customer', '--file', file, '--chunk-size', '20'], io),
    ).toBe(0);
    const frames = tty.stderr.split('\r\u001b[2K');
    expect(
      frames.some((f) => /^\[█*░*\] [\d,]+\/300 records {2}\d+% {2}[\d,]+\/s ETA \S+( \S+)?$/.test(f)),
    ).toBe(true);
    const last = tty.stderr.split('\r\u001b[2K').at(-1) ?? '';
    expect(last).toMatch(/^imported 300 of 300 customer records in /);
    const plain = memoryIo(env, { tty: false });
    writeFileSync(file, `${ndjson('PROGRESS2', 40).join('\n')}\n`);
    expect(await runInProcess(['record', 'import', 'customer', '--file', file], plain.io)).toBe(0);
    expect(plain.stderr).not.toContain('\r');
    expect(plain.stderr).not.toContain('\u001b');
  });

  it('killed with SIGKILL half-way, then resumed: every record exists exactly once (G-figure: 0 duplicates, 0 lost)', async () => {
    const total = 3000;
    const file = join(fx.dir, 'killed.ndjson');
    writeFileSync(file, `${ndjson('KILL', total).join('\n')}\n`);
    const statePath = `${file}.import-state.json`;
    // Slow enough that the kill lands mid-run, with chunks accepted and not yet acknowledged.
    await fx.emu.admin.setCostModel({ requestMs: 15, recordMs: 1 });
    const before = await fx.emu.admin.counters();
    try {
      const child = spawn(process.execPath, [MAIN, 'record', 'import', 'customer', '--file', file], {
        env: { PATH: process.env.PATH ?? '', ...env },
        stdio: 'ignore',
      });
      let acknowledgedAtKill = 0;
      await new Promise<void>((resolveKill, rejectKill) => {
        const timer = setInterval(() => {
          if (!existsSync(statePath)) return;
          try {
            const state = JSON.parse(readFileSync(statePath, 'utf8')) as {
              checkpoint: { acknowledged: number };
            };
            if (state.checkpoint.acknowledged >= total / 3) {
              clearInterval(timer);
              acknowledgedAtKill = state.checkpoint.acknowledged;
              child.kill('SIGKILL');
            }
          } catch {
            // Read while being renamed: try again.
          }
        }, 5);
        child.once('exit', (_code, signal) => {
          clearInterval(timer);
          if (signal === 'SIGKILL') resolveKill();
          else rejectKill(new Error(`the import ended before it was killed (${String(signal)})`));
        });
      });
      expect(acknowledgedAtKill).toBeGreaterThan(0);
      expect(acknowledgedAtKill).toBeLessThan(total);
      const atKill = await fx.emu.admin.counters();
      // NetSuite had accepted chunks the import had not acknowledged when it died.
      expect((atKill.asyncJobs - before.asyncJobs) * 100).toBeGreaterThan(acknowledgedAtKill);

      const refused = await runCli(['record', 'import', 'customer', '--file', file], { env });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('--resume');

      const resumed = await runCli(['record', 'import', 'customer', '--file', file, '--resume', '--json'], {
        env,
      });
      expect(resumed.stderr).toBe('');
      expect(resumed.code).toBe(0);
      expect(JSON.parse(resumed.stdout)).toMatchObject({ total, landed: total, rejected: 0, malformed: 0 });
      expect(await countByExternalId('KILL-')).toEqual({ rows: total, distinct: total });
      // One job per chunk of 100, whatever was resent: a resent chunk found its earlier job by its key.
      expect((await fx.emu.admin.counters()).asyncJobs - before.asyncJobs).toBe(total / 100);
      expect(existsSync(statePath)).toBe(false);
    } finally {
      await fx.emu.admin.setCostModel({ requestMs: 0, recordMs: 0 });
    }
  });
});

describe('record export', () => {
  it('writes every row in id order to NDJSON and CSV, with the same rows SuiteQL counts', async () => {
    const count = await cli(['suiteql', 'SELECT COUNT(*) AS n FROM customer', '--json']);
    const n = Number((JSON.parse(count.stdout) as Array<{ n: string }>)[0]?.n);
    const out = join(fx.dir, 'customers.ndjson');
    const result = await cli(['record', 'export', 'customer', '--out', out, '--page-size', '50']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      new RegExp(`^exported ${n.toLocaleString('en-US')} customer rows to customers\\.ndjson in `, 'm'),
    );
    const rows = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; links?: unknown });
    expect(rows).toHaveLength(n);
    expect(rows.map((r) => Number(r.id))).toEqual(rows.map((r) => Number(r.id)).sort((a, b) => a - b));
    expect(rows[0]).not.toHaveProperty('links');
    expect(existsSync(`${out}.partial`)).toBe(false);

    writeFileSync(
      join(fx.dir, 'formula.ndjson'),
      `${JSON.stringify({ companyName: '=HYPERLINK("x")', externalId: 'FORMULA-1', subsidiary: { id: '1' } })}\n`,
    );
    expect((await cli(['record', 'import', 'customer', '--file', join(fx.dir, 'formula.ndjson')])).code).toBe(
      0,
    );
    const csv = join(fx.dir, 'formula.csv');
    const filtered = await cli([
      'record',
      'export',
      'customer',
      '--out',
      csv,
      '--columns',
      'companyName,externalId',
      '--where',
      "externalid = 'FORMULA-1'",
      '--json',
    ]);
    expect(filtered.code).toBe(0);
    expect(JSON.parse(filtered.stdout)).toMatchObject({ table: 'customer', rows: 1 });
    const [header, line] = readFileSync(csv, 'utf8').split('\r\n');
    expect(header).toBe('id,companyname,externalid');
    expect(line).toMatch(/^\d+,"'=HYPERLINK\(""x""\)",FORMULA-1$/);
  });

  it('exports a record type from its SuiteQL table (salesOrder: transaction rows of that type), still takes a table', async () => {
    const expected = await cli([
      'suiteql',
      "SELECT id FROM transaction WHERE type = 'SalesOrd' ORDER BY id",
      '--json',
    ]);
    const orderIds = (JSON.parse(expected.stdout) as Array<{ id: string }>).map((r) => r.id);
    expect(orderIds.length).toBeGreaterThan(0);
    const out = join(fx.dir, 'orders.csv');
    const result = await cli([
      'record',
      'export',
      'salesOrder',
      '--out',
      out,
      '--columns',
      'tranid,type',
      '--page-size',
      '5',
      '--json',
    ]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      table: 'transaction',
      recordType: 'salesOrder',
      condition: "type = 'SalesOrd'",
      rows: orderIds.length,
    });
    const [header, ...lines] = readFileSync(out, 'utf8').trim().split('\r\n');
    expect(header).toBe('id,tranid,type');
    expect(lines.map((l) => l.split(',')[0])).toEqual(orderIds);
    expect(lines.every((l) => l.endsWith(',SalesOrd'))).toBe(true);

    // A plain table still works, the record type's condition and --where together, and any table with --table.
    const all = await cli(['record', 'export', 'transaction', '--out', join(fx.dir, 't.ndjson'), '--json']);
    expect(all.code).toBe(0);
    expect(JSON.parse(all.stdout).rows).toBeGreaterThan(orderIds.length);
    const some = await cli([
      'record',
      'export',
      'invoice',
      '--out',
      join(fx.dir, 'inv.ndjson'),
      '--where',
      'id > 0',
    ]);
    expect(some.code).toBe(0);
    expect(some.stderr).toMatch(/^exported [\d,]+ invoice rows to inv\.ndjson/m);
    const role = await cli([
      'record',
      'export',
      'role',
      '--out',
      join(fx.dir, 'r.ndjson'),
      '--table',
      '--json',
    ]);
    expect(role.code).toBe(0);
  });

  it('refuses bad usage and leaves no partial file when NetSuite refuses the query', async () => {
    const bad = await cli([
      'record',
      'export',
      'customer',
      '--out',
      join(fx.dir, 'x.csv'),
      '--where',
      'nosuchcolumn = 1',
    ]);
    expect(bad.code).toBe(6);
    expect(existsSync(join(fx.dir, 'x.csv'))).toBe(false);
    expect(existsSync(join(fx.dir, 'x.csv.partial'))).toBe(false);
    const usage = await cli(['record', 'export', 'customer; DROP', '--out', join(fx.dir, 'x.csv')]);
    expect(usage.code).toBe(2);
    const unknown = await cli(['record', 'export', 'salesorders', '--out', join(fx.dir, 'x.csv')]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('"salesorders" is not a record type or SuiteQL table this CLI knows');
    expect(unknown.stderr).toContain('did you mean salesOrder');
    expect(unknown.stderr).toContain('--table');
    expect(existsSync(join(fx.dir, 'x.csv.partial'))).toBe(false);
    const noOut = await cli(['record', 'export', 'customer']);
    expect(noOut.stderr).toContain('missing --out');
  });
});
