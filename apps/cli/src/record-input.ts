import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { type Options, parse } from 'csv-parse';
import { configError, usageError } from './errors.js';

/** The formats `record import` reads. */
export type InputFormat = 'ndjson' | 'csv';

/** One item of an input file: a record, or a line that cannot be one (reported, never sent). */
export type InputItem =
  | { readonly line: number; readonly record: Record<string, unknown> }
  | { readonly line: number; readonly malformed: string };

/**
 * The format of an input or output file: `--format`, else its extension (`.csv`; `.ndjson`, `.jsonl`).
 *
 * @example
 * fileFormat('customers.csv', undefined) // 'csv'
 */
export function fileFormat(path: string, explicit: string | undefined): InputFormat {
  const value =
    explicit ?? (/\.csv$/i.test(path) ? 'csv' : /\.(nd)?jsonl?$/i.test(path) ? 'ndjson' : undefined);
  if (value === 'csv' || value === 'ndjson') return value;
  throw usageError(
    explicit === undefined ? `cannot tell the format of ${path}` : `--format must be ndjson or csv`,
    'name the file .ndjson, .jsonl or .csv, or give --format ndjson|csv',
  );
}

function unreadable(path: string, cause: unknown) {
  return configError(`cannot read ${path}`, 'check the path given to --file', cause);
}

async function* ndjson(path: string): AsyncGenerator<InputItem> {
  const stream = createReadStream(path, { encoding: 'utf8' });
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  try {
    for await (const text of lines) {
      line++;
      if (text.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        yield { line, malformed: 'not valid JSON' };
        continue;
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        yield { line, malformed: 'not a JSON object' };
        continue;
      }
      yield { line, record: value as Record<string, unknown> };
    }
  } catch (cause) {
    throw unreadable(path, cause);
  } finally {
    lines.close();
    stream.destroy();
  }
}

const HEADER = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** Checks a CSV header: field names, dotted for nested objects (`subsidiary.id`), no duplicates or clashes. */
function checkHeader(names: readonly string[]): string[][] {
  const paths = names.map((raw) => {
    const name = raw.trim();
    if (!HEADER.test(name)) {
      throw usageError(
        `the CSV header has a column "${name.slice(0, 60)}" that is not a field name`,
        'the first row names the fields: letters, digits and _, with a dot for a nested field (subsidiary.id)',
      );
    }
    return name.split('.');
  });
  const seen = new Set(paths.map((p) => p.join('.')));
  if (seen.size !== paths.length) throw usageError('the CSV header names a column twice');
  for (const path of paths) {
    for (let i = 1; i < path.length; i++) {
      if (seen.has(path.slice(0, i).join('.'))) {
        throw usageError(`the CSV header has both ${path.slice(0, i).join('.')} and ${path.join('.')}`);
      }
    }
  }
  return paths;
}

/** A CSV row as a record: empty cells left out, dotted columns as nested objects, every value a string. */
function toRecord(paths: readonly string[][], fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  paths.forEach((path, i) => {
    const value = fields[i];
    if (value === undefined || value === '') return;
    let target = out;
    for (const key of path.slice(0, -1)) {
      target[key] ??= {};
      target = target[key] as Record<string, unknown>;
    }
    target[path.at(-1) as string] = value;
  });
  return out;
}

async function* csv(path: string): AsyncGenerator<InputItem> {
  const skipped: Array<{ line: number; reason: string }> = [];
  const options: Options<{ fields: string[]; line: number }, string[]> = {
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_record: (fields, context) => ({ fields, line: context.lines }),
    on_skip: (error) => {
      skipped.push({
        line: Number((error as { lines?: unknown } | undefined)?.lines ?? 0),
        reason: `not valid CSV (${error?.code ?? 'unreadable'})`,
      });
      return undefined;
    },
  };
  // csv-parse types on_record as returning a record of the input type; ours wraps it with its line.
  const parser = createReadStream(path).pipe(parse(options as unknown as Options));
  let paths: string[][] | undefined;
  try {
    for await (const row of parser as AsyncIterable<{ fields: string[]; line: number }>) {
      // Records come in order; a skipped record is reported before the first record after it.
      while (skipped.length > 0 && (skipped[0]?.line ?? 0) < row.line) {
        const skip = skipped.shift() as { line: number; reason: string };
        if (paths) yield { line: skip.line, malformed: skip.reason };
      }
      if (!paths) {
        paths = checkHeader(row.fields);
        continue;
      }
      if (row.fields.length !== paths.length) {
        yield {
          line: row.line,
          malformed: `${row.fields.length} fields where the header has ${paths.length}`,
        };
        continue;
      }
      yield { line: row.line, record: toRecord(paths, row.fields) };
    }
  } catch (cause) {
    if ((cause as { code?: unknown }).code === 'ERR_CLI_USAGE') throw cause;
    throw unreadable(path, cause);
  } finally {
    parser.destroy();
  }
  for (const skip of skipped) yield { line: skip.line, malformed: skip.reason };
}

/**
 * Reads an NDJSON or CSV file lazily, item by item, with line numbers. NDJSON: one JSON object per line (blank
 * lines ignored). CSV (csv-parse, RFC 4180): the first row names the fields, `a.b` builds `{ a: { b } }`, empty
 * cells are left out, values are strings; the line of a record is the line it ends on.
 *
 * @throws {CliError} exit 3 when the file cannot be read; exit 2 for a bad CSV header.
 * @example
 * for await (const item of readInput('customers.csv', 'csv')) console.log(item.line);
 */
export function readInput(path: string, format: InputFormat): AsyncGenerator<InputItem> {
  return format === 'csv' ? csv(path) : ndjson(path);
}

/**
 * How many items {@link readInput} will yield (records and malformed lines), for the progress total.
 *
 * @example
 * const total = await countInput('customers.ndjson', 'ndjson');
 */
export async function countInput(path: string, format: InputFormat): Promise<number> {
  let count = 0;
  if (format === 'csv') {
    for await (const _ of readInput(path, format)) count++;
    return count;
  }
  // NDJSON: every non-blank line is an item, a record or a malformed line; no need to parse it.
  const stream = createReadStream(path, { encoding: 'utf8' });
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  try {
    for await (const text of lines) if (text.trim() !== '') count++;
  } catch (cause) {
    throw unreadable(path, cause);
  } finally {
    lines.close();
    stream.destroy();
  }
  return count;
}
