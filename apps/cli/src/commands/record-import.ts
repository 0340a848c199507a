import { randomUUID } from 'node:crypto';
import { closeSync, ftruncateSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { BatchResult } from '@netsuite-oauth/record-client';
import { positiveInt } from '../body.js';
import type { Context } from '../context.js';
import { configError, EXIT, usageError } from '../errors.js';
import { type ImportState, readImportState, removeImportState, writeImportState } from '../import-state.js';
import { elapsed, printObject } from '../output.js';
import { createProgress } from '../progress-bar.js';
import { countInput, fileFormat, readInput } from '../record-input.js';
import { createClient } from '../runtime.js';
import { recordType } from './record.js';

const COUNT = new Intl.NumberFormat('en-US');
/** How often the state file is rewritten while results arrive. */
const PERSIST_EVERY_MS = 250;
/** Malformed lines and rejected records shown on stderr before the rest only go to the rejects file. */
const SHOWN = 10;

interface Pending {
  readonly index: number;
  readonly line: number;
  readonly malformed: string | undefined;
  /** Why a well-formed record cannot be sent for this import (an update without its key). */
  readonly refused?: { readonly detail: string; readonly errorPath: string } | undefined;
}

const INTERNAL_ID = /^[1-9]\d{0,19}$/;
const EXTERNAL_ID = /^[A-Za-z0-9_-]{1,255}$/;

/** Why `record` cannot be sent as an update by `by`, or undefined when it can. */
function updateRefusal(
  record: Record<string, unknown>,
  by: 'id' | 'externalId',
): { detail: string; errorPath: string } | undefined {
  if (by === 'id') {
    const id = record.id;
    const text = typeof id === 'number' && Number.isSafeInteger(id) ? String(id) : id;
    if (typeof text === 'string' && INTERNAL_ID.test(text)) return undefined;
    return {
      detail:
        id === undefined
          ? 'no id: --update-by id needs the internal id of the record to update'
          : 'id is not an internal id (digits)',
      errorPath: 'id',
    };
  }
  if (record.id !== undefined) {
    return {
      detail: 'has an id: --update-by externalId names records by externalId only (or use --update-by id)',
      errorPath: 'id',
    };
  }
  if (typeof record.externalId === 'string' && EXTERNAL_ID.test(record.externalId)) return undefined;
  return {
    detail:
      record.externalId === undefined
        ? 'no externalId: --update-by externalId needs the external id of the record to update'
        : 'externalId must be letters, digits, _ or -',
    errorPath: 'externalId',
  };
}

/**
 * `record import <type> --file <path>`: NDJSON or CSV into NetSuite through REST batches, resumable.
 *
 * @example
 * await run(ctx) // 0 when every record landed, 7 when some were rejected or malformed
 */
export async function run(ctx: Context): Promise<number> {
  const type = recordType(ctx.positionals[0]);
  const file = ctx.string('file');
  if (file === undefined)
    throw usageError('missing --file', 'usage: pnpm nso record import <type> --file <path>');
  const path = resolve(ctx.io.cwd, file);
  const format = fileFormat(path, ctx.string('format'));
  const upsertBy = ctx.string('upsert-by');
  if (upsertBy !== undefined && upsertBy !== 'externalId') {
    throw usageError('--upsert-by takes externalId', 'NetSuite upserts by external id only (PUT …/eid:<id>)');
  }
  const updateByOption = ctx.string('update-by');
  if (updateByOption !== undefined && updateByOption !== 'id' && updateByOption !== 'externalId') {
    throw usageError(
      '--update-by takes id or externalId',
      'each record names the existing record to change by its internal id (id) or its externalId',
    );
  }
  if (upsertBy !== undefined && updateByOption !== undefined) {
    throw usageError(
      'give --upsert-by or --update-by, not both',
      '--upsert-by creates missing records; --update-by only changes existing ones',
    );
  }
  const updateBy: 'id' | 'externalId' | undefined = updateByOption;
  const operation = upsertBy !== undefined ? 'upsert' : updateBy !== undefined ? 'update' : 'create';
  const chunkSize = positiveInt(ctx, 'chunk-size', 100);
  const concurrency = positiveInt(ctx, 'concurrency', 1000);
  let stat: { size: number; mtimeMs: number };
  try {
    stat = statSync(path);
  } catch (cause) {
    throw configError(`cannot read ${file}`, 'check the path given to --file', cause);
  }
  const statePath = `${path}.import-state.json`;
  const rejectsPath = `${path}.rejects.ndjson`;
  const stateName = basename(statePath);
  let state = readImportState(statePath);
  if (state && !ctx.flag('resume')) {
    throw usageError(
      `an unfinished import of ${file} exists (${COUNT.format(state.checkpoint.acknowledged)} records done)`,
      `run the same command with --resume to finish it, or delete ${stateName} to start over (its records would be sent again)`,
    );
  }
  if (state && (state.operation !== operation || state.type !== type || state.updateBy !== updateBy)) {
    const by = state.updateBy === undefined ? '' : ` by ${state.updateBy}`;
    throw usageError(
      `the unfinished import of ${file} was ${state.operation === 'update' ? 'an' : 'a'} ${state.operation}${by} of ${state.type}`,
      `resume it with the same type, --upsert-by and --update-by, or delete ${stateName}`,
    );
  }
  if (state && (state.file.size !== stat.size || state.file.mtimeMs !== stat.mtimeMs)) {
    throw usageError(
      `${file} changed since its import started`,
      `resuming could send changed records twice; restore the file, or delete ${stateName} to start over`,
    );
  }
  if (!state && ctx.flag('resume')) ctx.note(`nothing to resume for ${file}: starting a new import`);

  const total = await countInput(path, format);
  const client = await createClient(ctx, concurrency === undefined ? {} : { concurrency });
  const started = ctx.now();
  const resumeFrom = state?.checkpoint.acknowledged ?? 0;
  const fd = openSync(rejectsPath, state ? 'r+' : 'w');
  let position = state?.rejectsBytes ?? 0;
  // Rejects written after the last saved state belong to records that will be reported again.
  ftruncateSync(fd, position);
  let landed = state?.landed ?? 0;
  let rejected = state?.rejected ?? 0;
  let malformed = state?.malformed ?? 0;
  let shown = 0;
  const pending: Pending[] = [];
  let index = 0;
  async function* records(): AsyncGenerator<unknown> {
    for await (const item of readInput(path, format)) {
      const malformedReason = 'malformed' in item ? item.malformed : undefined;
      const refused =
        'record' in item && updateBy !== undefined ? updateRefusal(item.record, updateBy) : undefined;
      // Items before the checkpoint are skipped by the run: no need to remember their lines.
      if (index >= resumeFrom) pending.push({ index, line: item.line, malformed: malformedReason, refused });
      index++;
      // A malformed line (or a record this import cannot send) goes through as a value the batch refuses without
      // sending, so it keeps its place.
      yield 'record' in item && refused === undefined ? item.record : null;
    }
  }
  const options = {
    runId: state?.checkpoint.runId ?? randomUUID(),
    resume: state?.checkpoint,
    chunkSize,
    concurrency,
  };
  const run =
    operation === 'upsert'
      ? client.batch.upsert(type, records() as AsyncIterable<never>, options)
      : operation === 'update'
        ? client.batch.update(type, records() as AsyncIterable<never>, options)
        : client.batch.create(type, records() as AsyncIterable<never>, options);
  const save = () => {
    state = {
      version: 1,
      operation,
      updateBy,
      type,
      file: { size: stat.size, mtimeMs: stat.mtimeMs },
      checkpoint: run.checkpoint(),
      rejectsBytes: position,
      landed,
      rejected,
      malformed,
    } satisfies ImportState;
    writeImportState(statePath, state);
  };
  // Saved before anything is sent: a run killed before its first result resumes with the same run id (and keys).
  save();
  const progress = createProgress(ctx, { total, unit: 'records' });
  let done = resumeFrom;
  let savedAt = ctx.now();
  const reject = (result: BatchResult & { ok: false }, meta: Pending | undefined) => {
    const line = meta?.line;
    const entry = meta?.malformed
      ? { line, index: result.index, kind: 'malformed', detail: meta.malformed }
      : meta?.refused
        ? {
            line,
            index: result.index,
            kind: 'invalid',
            errorPath: meta.refused.errorPath,
            detail: meta.refused.detail,
          }
        : {
            line,
            index: result.index,
            kind: result.error.status === undefined ? 'invalid' : 'rejected',
            status: result.error.status,
            errorCode: result.error.errorCode,
            errorPath: result.error.errorPath,
            detail: result.error.detail,
          };
    const text = `${JSON.stringify(entry)}\n`;
    position += writeSync(fd, text, position);
    if (meta?.malformed) malformed++;
    else rejected++;
    if (shown++ < SHOWN) {
      const what = meta?.malformed
        ? `malformed, skipped: ${meta.malformed}`
        : meta?.refused
          ? `not sent: ${meta.refused.detail}`
          : `${result.error.errorCode ?? 'refused'}${result.error.errorPath ? ` at ${result.error.errorPath}` : ''}: ${result.error.detail ?? ''}`;
      ctx.note(`line ${line ?? '?'}: ${what}`.slice(0, 300));
    }
  };
  try {
    for await (const result of run) {
      while (pending.length > 0 && (pending[0] as Pending).index < result.index) pending.shift();
      const meta = pending[0]?.index === result.index ? pending.shift() : undefined;
      if (result.ok) landed++;
      else reject(result, meta);
      done = result.index + 1;
      progress.update(done);
      const now = ctx.now();
      if (now - savedAt >= PERSIST_EVERY_MS) {
        save();
        savedAt = now;
      }
    }
  } catch (error) {
    save();
    progress.finish();
    ctx.note(
      `import stopped after ${COUNT.format(done)} of ${COUNT.format(total)} records; run the same command with --resume to continue`,
    );
    throw error;
  } finally {
    closeSync(fd);
  }
  progress.finish();
  removeImportState(statePath);
  const failed = rejected + malformed;
  if (failed === 0) rmSync(rejectsPath, { force: true });
  if (shown > SHOWN) ctx.note(`… and ${COUNT.format(shown - SHOWN)} more in ${basename(rejectsPath)}`);
  const ms = ctx.now() - started;
  const sent = done - resumeFrom;
  if (ctx.format === 'json') {
    printObject(ctx, {
      type,
      operation,
      updateBy,
      file,
      total,
      landed,
      rejected,
      malformed,
      rejectsFile: failed > 0 ? rejectsPath : undefined,
      resumedAt: resumeFrom > 0 ? resumeFrom : undefined,
      seconds: Math.round(ms) / 1000,
      recordsPerSecond: ms > 0 ? Math.round((sent * 1000) / ms) : undefined,
    });
  } else {
    const verb = operation === 'upsert' ? 'upserted' : operation === 'update' ? 'updated' : 'imported';
    const rate = ms > 0 ? ` (${COUNT.format(Math.round((sent * 1000) / ms))} records/s)` : '';
    ctx.note(
      `${verb} ${COUNT.format(landed)} of ${COUNT.format(total)} ${type} records in ${elapsed(ms)}${rate}` +
        (failed > 0
          ? `; ${COUNT.format(rejected)} rejected, ${COUNT.format(malformed)} malformed → ${basename(rejectsPath)}`
          : ''),
    );
  }
  return failed > 0 ? EXIT.partial : EXIT.ok;
}
