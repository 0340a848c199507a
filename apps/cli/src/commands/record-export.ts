import { closeSync, constants, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import {
  RECORD_TYPE_TABLES,
  type RecordTypeTable,
  recordTypeTable,
  suggestNames,
} from '@netsuite-oauth/record-client';
import { stringify } from 'csv-stringify/sync';
import { positiveInt } from '../body.js';
import type { Context } from '../context.js';
import { EXIT, usageError } from '../errors.js';
import { assertOutputDirectory } from '../files.js';
import { elapsed, printObject } from '../output.js';
import { createProgress } from '../progress-bar.js';
import { fileFormat } from '../record-input.js';
import { createClient } from '../runtime.js';

const COUNT = new Intl.NumberFormat('en-US');
const TABLE = /^[A-Za-z][A-Za-z0-9_]{0,127}$/;
const COLUMN = /^[A-Za-z_][A-Za-z0-9_.]{0,127}$/;
/** Rows written to the file at once. */
const FLUSH_ROWS = 500;

/** A spreadsheet would run a cell starting with =, +, -, @ as a formula: such text gets a leading ' (as suiteql --csv). */
function formulaSafe(value: string): string {
  return /^[=+\-@\t\r]/.test(value) && !/^[+-]?\d+(\.\d+)?$/.test(value) ? `'${value}` : value;
}

/**
 * SuiteQL tables a name may give as is, besides the tables of the record types record-client maps (`customer`,
 * `transaction`, `item`, …); any other table needs `--table`.
 */
const TABLES = [
  'account',
  'accountingperiod',
  'classification',
  'currency',
  'department',
  'entity',
  'item',
  'location',
  'role',
  'subsidiary',
  'term',
  'transaction',
  'transactionline',
];

/**
 * What `record export <name>` reads: a REST record type (its table, and the type's condition in a shared table),
 * a SuiteQL table this CLI knows, or with `--table` any table as given.
 *
 * @throws {CliError} exit 2 for a name that is none of these, with close names suggested.
 */
function source(
  name: string,
  asTable: boolean,
): { table: string; recordType?: string | undefined; condition?: string | undefined } {
  if (!TABLE.test(name)) {
    throw usageError(
      `"${name.slice(0, 60)}" is not a record type or SuiteQL table`,
      'e.g. customer, salesOrder, invoice, transaction, item',
    );
  }
  if (asTable) return { table: name };
  let mapped: RecordTypeTable | undefined;
  try {
    mapped = recordTypeTable(name);
  } catch {
    mapped = undefined;
  }
  if (mapped?.column !== undefined) {
    return {
      table: mapped.table,
      recordType: mapped.recordType,
      condition: `${mapped.column} = '${mapped.value ?? ''}'`,
    };
  }
  if (mapped) return { table: mapped.table };
  if (TABLES.includes(name.toLowerCase())) return { table: name.toLowerCase() };
  const close = suggestNames(name, [...RECORD_TYPE_TABLES, ...TABLES]);
  throw usageError(
    `"${name}" is not a record type or SuiteQL table this CLI knows`,
    (close.length > 0 ? `did you mean ${close.join(', ')}? ` : '') +
      'record types: customer, salesOrder, invoice, vendorBill, inventoryItem, … (see --help); ' +
      'for another SuiteQL table, add --table',
  );
}

/**
 * `record export <type> --out <file>`: a table's rows, in id order, to NDJSON or CSV, with the parallel keyset
 * reader (every concurrency slot busy, memory flat).
 *
 * @example
 * await run(ctx) // 0, or 7 when a CSV could not hold some rows' columns
 */
export async function run(ctx: Context): Promise<number> {
  const { table, recordType, condition } = source(ctx.positionals[0] ?? '', ctx.flag('table'));
  const out = ctx.string('out');
  if (out === undefined)
    throw usageError('missing --out', 'usage: pnpm nso record export <type> --out <file>');
  const path = resolve(ctx.io.cwd, out);
  assertOutputDirectory(path);
  const format = fileFormat(path, ctx.string('format'));
  const where = ctx.string('where');
  if (where !== undefined && where.trim() === '') throw usageError('--where is empty');
  const columns = ctx
    .string('columns')
    ?.split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  if (columns && (columns.length === 0 || columns.some((c) => !COLUMN.test(c)))) {
    throw usageError(
      '--columns must be column names, comma-separated',
      'e.g. --columns id,companyname,email',
    );
  }
  const pageSize = positiveInt(ctx, 'page-size', 1000);
  const concurrency = positiveInt(ctx, 'concurrency', 64);
  const client = await createClient(ctx, concurrency === undefined ? {} : { concurrency });
  const started = ctx.now();
  const rows = client.exportRows({
    ...(recordType === undefined ? { from: table } : { recordType }),
    columns,
    where,
    pageSize,
    concurrency,
  });
  // Written beside the target and renamed at the end: a failed export never leaves a file that looks complete.
  const partial = `${path}.partial`;
  // Never through a link someone planted at the partial file's name.
  const fd = openSync(
    partial,
    constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW,
    0o644,
  );
  // SuiteQL names columns in lower case, and the export always carries the key (id) first.
  const named = columns?.map((c) => c.toLowerCase());
  let header: string[] | undefined = named ? (named.includes('id') ? named : ['id', ...named]) : undefined;
  let buffered: Array<Record<string, unknown>> = [];
  let count = 0;
  let dropped = 0;
  let progress: ReturnType<typeof createProgress> | undefined;
  const flush = () => {
    if (buffered.length === 0) return;
    let text: string;
    if (format === 'ndjson') {
      text = buffered.map((row) => `${JSON.stringify(row)}\n`).join('');
    } else {
      // Without --columns the header is every column of the first rows written (NetSuite leaves out empty ones).
      if (!header) header = [...new Set(buffered.flatMap((row) => Object.keys(row)))];
      const known = new Set(header);
      for (const row of buffered) if (Object.keys(row).some((k) => !known.has(k))) dropped++;
      text = stringify(buffered, {
        header: count === buffered.length,
        columns: header,
        record_delimiter: 'windows',
        cast: { string: formulaSafe },
      });
    }
    writeSync(fd, text);
    buffered = [];
  };
  try {
    for await (const row of rows) {
      const { links: _links, ...data } = row as Record<string, unknown>;
      buffered.push(data);
      count++;
      if (buffered.length >= FLUSH_ROWS) flush();
      progress ??= createProgress(ctx, { total: rows.total, unit: 'rows' });
      progress.update(count);
    }
    flush();
    if (format === 'csv' && count === 0 && header)
      writeSync(fd, stringify([], { header: true, columns: header }));
    closeSync(fd);
    renameSync(partial, path);
  } catch (error) {
    closeSync(fd);
    rmSync(partial, { force: true });
    progress?.finish();
    throw error;
  }
  progress?.finish();
  const ms = ctx.now() - started;
  if (ctx.format === 'json') {
    printObject(ctx, {
      table,
      recordType,
      condition,
      file: out,
      rows: count,
      requests: rows.requests,
      rowsWithDroppedColumns: dropped > 0 ? dropped : undefined,
      seconds: Math.round(ms) / 1000,
      rowsPerSecond: ms > 0 ? Math.round((count * 1000) / ms) : undefined,
    });
  } else {
    const rate = ms > 0 ? ` (${COUNT.format(Math.round((count * 1000) / ms))} rows/s)` : '';
    ctx.note(
      `exported ${COUNT.format(count)} ${recordType ?? table} rows to ${basename(path)} in ${elapsed(ms)}${rate}`,
    );
  }
  if (dropped > 0) {
    ctx.note(
      `${COUNT.format(dropped)} rows had columns the CSV header does not hold (it comes from the first rows); ` +
        'name them with --columns, or export to .ndjson',
    );
    return EXIT.partial;
  }
  return EXIT.ok;
}
