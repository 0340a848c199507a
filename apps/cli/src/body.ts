import { resolve } from 'node:path';
import type { Context } from './context.js';
import { usageError } from './errors.js';
import { FILE_LIMITS, readLimitedFile, readLimitedStream } from './files.js';

/**
 * The JSON body of a command, from `--data '<json>'` or `--data-file <file|->`; undefined when neither is given.
 *
 * @throws {CliError} exit 2 when both are given or the text is not JSON; exit 3 when the file cannot be read.
 *
 * @example
 * const body = await readJsonBody(ctx, { required: true }); // from --data or --data-file
 */
export async function readJsonBody(ctx: Context, options: { required: boolean }): Promise<unknown> {
  const data = ctx.string('data');
  const file = ctx.string('data-file');
  if (data !== undefined && file !== undefined)
    throw usageError('use either --data or --data-file, not both');
  let text: string | undefined = data;
  let from = '--data';
  if (file !== undefined) {
    from = file === '-' ? 'stdin' : file;
    if (file === '-') text = await readLimitedStream(ctx.io.stdin, FILE_LIMITS.body, 'the body on stdin');
    else {
      text = readLimitedFile(resolve(ctx.io.cwd, file), {
        what: '--data-file',
        maxBytes: FILE_LIMITS.body,
        hint: 'check the path given to --data-file',
      });
    }
  }
  if (text === undefined) {
    if (options.required)
      throw usageError('missing body', "give it with --data '<json>' or --data-file <file|->");
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch {
    throw usageError(
      `the body from ${from} is not valid JSON`,
      'check quoting: wrap JSON in single quotes in a shell',
    );
  }
}

/**
 * Parses a positive whole-number option.
 *
 * @example
 * const limit = positiveInt(ctx, 'limit') ?? 100;
 */
export function positiveInt(ctx: Context, name: string, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const text = ctx.string(name);
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw usageError(`--${name} must be a whole number from 1 to ${max}`);
  return n;
}
