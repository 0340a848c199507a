import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { configError } from './errors.js';

/** Largest files the CLI reads, so `--key /dev/zero` or a huge file fails fast instead of eating memory. */
export const FILE_LIMITS = {
  privateKey: 64 * 1024,
  certificate: 64 * 1024,
  secret: 4 * 1024,
  config: 1024 * 1024,
  body: 16 * 1024 * 1024,
} as const;

function kib(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MiB` : `${bytes / 1024} KiB`;
}

/** Options of {@link readLimitedFile}. */
export interface ReadLimitedOptions {
  /** What the file is, for messages: `private key file`, `config file`, … */
  readonly what: string;
  readonly maxBytes: number;
  /** Hint shown when the file cannot be read. */
  readonly hint: string;
  /** Refuse a file that group or others can read or write, or that another user owns (as ssh does with keys). */
  readonly secret?: boolean | undefined;
  /** Refuse a file that group or others can write, or that another user owns (as ssh does with its config). */
  readonly trusted?: boolean | undefined;
}

/**
 * Reads a text file of at most `maxBytes` (a device or a larger file is refused, never read to the end), after
 * checking its permissions on the open descriptor.
 *
 * @example
 * const pem = readLimitedFile(path, { what: 'private key file', maxBytes: FILE_LIMITS.privateKey, hint, secret: true });
 * @throws {CliError} exit 3 when the file is missing, unreadable, too large or too open.
 */
export function readLimitedFile(path: string, options: ReadLimitedOptions): string {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (cause) {
    throw configError(`cannot read ${options.what} ${path}`, options.hint, cause);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw configError(`${options.what} ${path} is a directory`, options.hint);
    const uid = process.getuid?.();
    if (stat.isFile() && uid !== undefined && (options.secret || options.trusted)) {
      const mode = stat.mode & 0o777;
      const open = options.secret ? mode & 0o077 : mode & 0o022;
      if (open !== 0) {
        throw configError(
          `permissions ${mode.toString(8).padStart(4, '0')} for ${options.what} ${path} are too open`,
          options.secret ? `chmod 600 ${path}` : `chmod go-w ${path}`,
        );
      }
      if (stat.uid !== uid && stat.uid !== 0) {
        throw configError(`${options.what} ${path} belongs to another user`, `use a file you own`);
      }
    }
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(64 * 1024, options.maxBytes + 1 - total));
      let read: number;
      try {
        read = readSync(fd, chunk, 0, chunk.length, null);
      } catch (cause) {
        throw configError(`cannot read ${options.what} ${path}`, options.hint, cause);
      }
      if (read === 0) break;
      total += read;
      if (total > options.maxBytes) {
        throw configError(`${options.what} ${path} is larger than ${kib(options.maxBytes)}`, options.hint);
      }
      chunks.push(chunk.subarray(0, read));
    }
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads a stream (stdin) up to `maxBytes`; more is refused.
 *
 * @example
 * const text = await readLimitedStream(process.stdin, FILE_LIMITS.body, 'stdin');
 * @throws {CliError} exit 3 when the stream is larger than `maxBytes`.
 */
export async function readLimitedStream(
  stream: AsyncIterable<unknown>,
  maxBytes: number,
  what: string,
): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    total += buffer.length;
    if (total > maxBytes) throw configError(`${what} is larger than ${kib(maxBytes)}`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Fails clearly, before any work, when the directory an output file goes to does not exist.
 *
 * @example
 * assertOutputDirectory('/tmp/out/customers.ndjson');
 * @throws {CliError} exit 3 naming the missing directory.
 */
export function assertOutputDirectory(path: string): void {
  const dir = dirname(path);
  let ok = false;
  try {
    ok = statSync(dir).isDirectory();
  } catch {
    ok = false;
  }
  if (!ok) {
    throw configError(
      `cannot write ${path}: the directory ${dir} does not exist`,
      `create it first (mkdir -p ${dir})`,
    );
  }
}

/**
 * Writes a file the CLI creates (a key, a certificate): never through a symbolic link, atomically (a temporary
 * file in the same directory, renamed over the target), with `mode`. An existing file is replaced only with
 * `overwrite`.
 *
 * @example
 * writeOutputFile('netsuite-key.pem', pem, { mode: 0o600, overwrite: false, what: 'private key' });
 * @throws {CliError} exit 3 when the directory is missing, the path is a link or a directory, or it exists.
 */
export function writeOutputFile(
  path: string,
  data: string,
  options: { mode: number; overwrite: boolean; what: string },
): void {
  const dir = dirname(path);
  let existing: ReturnType<typeof lstatSync> | undefined;
  try {
    existing = lstatSync(path);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw configError(`cannot write ${options.what} ${path}`, 'check the path and its permissions', cause);
    }
  }
  if (existing?.isSymbolicLink()) {
    throw configError(
      `${path} is a symbolic link; the ${options.what} is never written through one`,
      'remove the link or choose another path',
    );
  }
  if (existing?.isDirectory()) throw configError(`${path} is a directory`, 'choose a file path');
  if (existing && !options.overwrite) {
    throw configError(`${path} already exists`, 'use --force to overwrite, or --out-key / --out-cert');
  }
  let dirStat: ReturnType<typeof lstatSync> | undefined;
  try {
    dirStat = lstatSync(dir);
  } catch {
    dirStat = undefined;
  }
  if (!dirStat?.isDirectory() && !dirStat?.isSymbolicLink()) {
    throw configError(
      `cannot write ${path}: the directory ${dir} does not exist`,
      `create it first (mkdir -p ${dir})`,
    );
  }
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(
      temp,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      options.mode,
    );
    writeSync(fd, data);
    closeSync(fd);
    fd = undefined;
    // rename() replaces a path, never what a link at that path points to.
    renameSync(temp, path);
  } catch (cause) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(temp);
    } catch {
      // never created, or already renamed
    }
    throw configError(`cannot write ${options.what} ${path}`, 'check the path and its permissions', cause);
  }
}
