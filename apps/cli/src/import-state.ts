import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { BatchCheckpoint } from '@netsuite-oauth/record-client';
import { configError } from './errors.js';

/**
 * What `record import` keeps beside its input file (`<file>.import-state.json`) while it runs, so a killed
 * import resumes where it was acknowledged: the batch checkpoint (run id, chunk size, records acknowledged), how
 * many bytes of the rejects file belong to those records, the tallies, and the input file's size and time (a
 * changed file is not resumed).
 */
export interface ImportState {
  readonly version: 1;
  readonly operation: 'create' | 'upsert' | 'update';
  /** What an update names each record by (`--update-by`). */
  readonly updateBy?: 'id' | 'externalId' | undefined;
  readonly type: string;
  readonly file: { readonly size: number; readonly mtimeMs: number };
  readonly checkpoint: BatchCheckpoint;
  readonly rejectsBytes: number;
  readonly landed: number;
  readonly rejected: number;
  readonly malformed: number;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * Reads the state file; undefined when there is none.
 *
 * @throws {CliError} exit 3 when it exists but cannot be read or is not an import state.
 * @example
 * const state = readImportState('customers.ndjson.import-state.json');
 */
export function readImportState(path: string): ImportState | undefined {
  if (!existsSync(path)) return undefined;
  let value: Partial<ImportState>;
  try {
    value = JSON.parse(readFileSync(path, 'utf8')) as Partial<ImportState>;
  } catch (cause) {
    throw configError(`cannot read ${path}`, 'delete it to start the import over', cause);
  }
  const c = value.checkpoint;
  if (
    value.version !== 1 ||
    (value.operation !== 'create' && value.operation !== 'upsert' && value.operation !== 'update') ||
    (value.operation === 'update' && value.updateBy !== 'id' && value.updateBy !== 'externalId') ||
    typeof value.type !== 'string' ||
    !isCount(value.file?.size) ||
    typeof value.file?.mtimeMs !== 'number' ||
    typeof c !== 'object' ||
    c === null ||
    !isCount(c.acknowledged) ||
    !isCount(value.rejectsBytes) ||
    !isCount(value.landed) ||
    !isCount(value.rejected) ||
    !isCount(value.malformed)
  ) {
    throw configError(`${path} is not an import state`, 'delete it to start the import over');
  }
  return value as ImportState;
}

/**
 * Writes the state file atomically (a temporary file renamed over it): a kill leaves the old state or the new.
 *
 * @example
 * writeImportState(path, { ...state, checkpoint: run.checkpoint() });
 */
export function writeImportState(path: string, state: ImportState): void {
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(state)}\n`);
  renameSync(temporary, path);
}

/**
 * Removes the state file once the import is finished.
 *
 * @example
 * removeImportState(path);
 */
export function removeImportState(path: string): void {
  rmSync(path, { force: true });
  rmSync(`${path}.tmp`, { force: true });
}
