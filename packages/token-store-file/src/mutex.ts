import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { TokenStoreError } from '@netsuite-oauth/token-store';
import { errnoOf, FILE_MODE, ioError } from './fs-safe.js';

interface Owner {
  readonly pid: number;
  readonly host: string;
  readonly id: string;
}

/** Options of the file mutex that serialises read-modify-write of the token file across processes. */
export interface MutexOptions {
  /** Give up after this long with `ERR_STORE_LOCK_TIMEOUT`. */
  readonly waitMs: number;
  /** A lock file older than this is stale even if its holder seems alive (hung or on another host). */
  readonly staleMs: number;
}

/** A held file mutex. */
export interface HeldMutex {
  /** Throws if another process took the lock over (this holder was too slow and was judged stale). */
  assertHeld(): Promise<void>;
  release(): Promise<void>;
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoOf(error) === 'EPERM';
  }
}

async function readOwner(
  lockPath: string,
): Promise<{ owner: Owner | undefined; mtimeMs: number } | undefined> {
  try {
    const [text, stat] = await Promise.all([fs.readFile(lockPath, 'utf8'), fs.stat(lockPath)]);
    let owner: Owner | undefined;
    try {
      const parsed = JSON.parse(text) as Partial<Owner>;
      if (
        typeof parsed.pid === 'number' &&
        typeof parsed.host === 'string' &&
        typeof parsed.id === 'string'
      ) {
        owner = { pid: parsed.pid, host: parsed.host, id: parsed.id };
      }
    } catch {
      owner = undefined;
    }
    return { owner, mtimeMs: stat.mtimeMs };
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return undefined;
    throw ioError('lock read', error);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Takes the cross-process mutex `<path>.lock`.
 *
 * The lock file is written in full to a temp file and `link()`ed into place (atomic, fails if it exists), so
 * it always names its holder. A lock whose holder process is dead (same host) or which is older than
 * `staleMs` is taken over: renamed aside, checked to be the one judged stale, then removed — a killed
 * holder blocks nobody (MSAL #7148).
 */
export async function acquireMutex(path: string, options: MutexOptions): Promise<HeldMutex> {
  const lockPath = `${path}.lock`;
  const me: Owner = { pid: process.pid, host: hostname(), id: randomBytes(16).toString('hex') };
  const temp = `${path}.${process.pid}-${randomBytes(8).toString('hex')}.locktmp`;
  try {
    await fs.writeFile(temp, JSON.stringify(me), {
      mode: FILE_MODE,
      flag: constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL,
    });
  } catch (cause) {
    throw ioError('lock create', cause);
  }
  const started = performance.now();
  let delay = 1;
  try {
    for (;;) {
      try {
        await fs.link(temp, lockPath);
        break;
      } catch (error) {
        if (errnoOf(error) !== 'EEXIST') throw ioError('lock create', error);
      }
      const seen = await readOwner(lockPath);
      if (seen === undefined) continue; // released meanwhile: try again at once
      const stale =
        (seen.owner !== undefined && seen.owner.host === me.host && !pidAlive(seen.owner.pid)) ||
        Date.now() - seen.mtimeMs > options.staleMs;
      if (stale && (await takeOver(path, lockPath, seen.owner))) continue;
      if (performance.now() - started >= options.waitMs) {
        throw new TokenStoreError(
          'ERR_STORE_LOCK_TIMEOUT',
          'token file lock not acquired within the wait time',
        );
      }
      await sleep(delay * (0.5 + randomBytes(1)[0]! / 256));
      delay = Math.min(25, delay * 2);
    }
  } finally {
    await fs.unlink(temp).catch(() => undefined);
  }
  let released = false;
  return {
    async assertHeld() {
      const seen = await readOwner(lockPath);
      if (seen?.owner?.id !== me.id) {
        throw new TokenStoreError(
          'ERR_STORE_IO',
          'token file lock was taken over by another process (holder too slow)',
        );
      }
    },
    async release() {
      if (released) return;
      released = true;
      const seen = await readOwner(lockPath).catch(() => undefined);
      if (seen?.owner?.id === me.id) await fs.unlink(lockPath).catch(() => undefined);
    },
  };
}

/** Moves a stale lock aside; true when the lock file that was removed is the one judged stale. */
async function takeOver(path: string, lockPath: string, judged: Owner | undefined): Promise<boolean> {
  const aside = `${path}.lock.${randomBytes(8).toString('hex')}.stale`;
  try {
    await fs.rename(lockPath, aside);
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return true;
    throw ioError('stale lock removal', error);
  }
  const moved = await readOwner(aside);
  if (judged === undefined || moved?.owner?.id === judged.id) {
    await fs.unlink(aside).catch(() => undefined);
    return true;
  }
  // Another waiter replaced the stale lock with a fresh one between our read and our rename: put it back.
  await fs.link(aside, lockPath).catch(() => undefined);
  await fs.unlink(aside).catch(() => undefined);
  return false;
}
