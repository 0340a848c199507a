import { basename, resolve } from 'node:path';
import { positiveInt } from '../body.js';
import type { Context } from '../context.js';
import { usageError } from '../errors.js';
import { assertOutputDirectory } from '../files.js';
import { elapsed, printObject } from '../output.js';
import { createProgress, type Progress } from '../progress-bar.js';
import { createClient } from '../runtime.js';

const RECORD_TYPE = /^[A-Za-z][A-Za-z0-9_]{0,99}$/;

/**
 * `types generate --records a,b --out file.ts` (or `--all`): writes TypeScript interfaces for the account's record
 * types, custom fields included, from the metadata catalog, with a progress bar on a TTY.
 *
 * @example
 * await run(ctx) // exit code
 */
export async function run(ctx: Context): Promise<number> {
  const out = ctx.string('out');
  if (out === undefined)
    throw usageError(
      'missing --out',
      'usage: pnpm nso types generate --records customer,salesOrder --out src/netsuite-records.ts',
    );
  const path = resolve(ctx.io.cwd, out);
  if (!/\.(ts|mts|cts)$/.test(path))
    throw usageError('--out must name a .ts file', 'e.g. --out src/netsuite-records.ts');
  assertOutputDirectory(path);
  const all = ctx.flag('all');
  const list = ctx.string('records');
  if (all === (list !== undefined))
    throw usageError(
      'give either --records a,b or --all',
      'e.g. --records customer,salesOrder,customrecord_project',
    );
  const records = list
    ?.split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  if (records && (records.length === 0 || records.some((t) => !RECORD_TYPE.test(t))))
    throw usageError(
      '--records must be record type names, comma-separated',
      'e.g. --records customer,salesOrder',
    );
  const mapName = ctx.string('map-name');
  if (mapName !== undefined && !/^[A-Z][A-Za-z0-9_]{0,99}$/.test(mapName))
    throw usageError('--map-name must be a PascalCase identifier', 'e.g. --map-name AcmeRecords');
  const concurrency = positiveInt(ctx, 'concurrency', 64);
  const cacheFile = ctx.string('cache');
  if (cacheFile !== undefined && cacheFile.trim() === '') throw usageError('--cache is empty');
  const cacheHours = positiveInt(ctx, 'cache-hours', 24 * 365) ?? 24;
  const client = await createClient(ctx, {
    ...(concurrency === undefined ? {} : { concurrency }),
    // A rerun reads the schemas it already has: the catalog is slow on a real account.
    ...(cacheFile === undefined
      ? {}
      : { metadata: { cache: { file: resolve(ctx.io.cwd, cacheFile), ttlMs: cacheHours * 3_600_000 } } }),
  });
  const { isTypegenError, writeRecordTypes } = await import('@netsuite-oauth/typegen');
  const started = ctx.now();
  let progress: Progress | undefined;
  let generated: Awaited<ReturnType<typeof writeRecordTypes>>;
  try {
    generated = await writeRecordTypes({
      metadata: client.metadata,
      types: records ?? 'all',
      out: path,
      header: `account ${client.accountId}`,
      ...(mapName === undefined ? {} : { mapName }),
      onProgress: (done, total) => {
        progress ??= createProgress(ctx, { total, unit: 'record types', plainEveryMs: 5_000 });
        progress.update(done);
      },
    });
  } catch (error) {
    progress?.finish();
    // The catalog's own error (a 404 for an unknown type, a refused token) says more than the wrapper.
    if (isTypegenError(error, 'ERR_TYPEGEN_METADATA') && error.cause) throw error.cause;
    throw error;
  }
  progress?.finish();
  const ms = ctx.now() - started;
  if (ctx.format === 'json') {
    printObject(ctx, { file: out, types: generated.types, seconds: Math.round(ms) / 1000 });
  } else {
    const n = generated.types.length;
    ctx.note(`wrote ${n} record type${n === 1 ? '' : 's'} to ${basename(path)} in ${elapsed(ms)}`);
    ctx.note(
      ctx.color.dim(
        `use it: createNetSuiteClient<${mapName ?? 'NetSuiteRecords'}>({ … }) from @netsuite-oauth/record-client`,
      ),
    );
  }
  return 0;
}
