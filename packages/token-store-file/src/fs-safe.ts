import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { TokenStoreError } from '@netsuite-oauth/token-store';

/** Mode of the token file and of any temporary or lock file next to it. */
export const FILE_MODE = 0o600;
/** Mode of a directory the store creates. */
export const DIR_MODE = 0o700;

/** Node error code of a file-system error, if any. */
export function errnoOf(error: unknown): string | undefined {
  const code: unknown = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Wraps a file-system error in `ERR_STORE_IO`, naming the operation but not the token. */
export function ioError(operation: string, cause: unknown): TokenStoreError {
  const code = errnoOf(cause);
  return new TokenStoreError('ERR_STORE_IO', `token file ${operation} failed${code ? ` (${code})` : ''}`, {
    cause,
  });
}

/**
 * Creates the directory (and missing parents) as 0700 whatever the umask. An existing directory is left as
 * it is: chmod-ing a folder the user already had (say the working directory) would be a surprise.
 */
export async function ensureDirectory(dir: string): Promise<void> {
  let created: string | undefined;
  try {
    created = await fs.mkdir(dir, { recursive: true, mode: DIR_MODE });
  } catch (cause) {
    throw ioError('directory creation', cause);
  }
  if (created === undefined) return;
  // mkdir's mode is filtered by the umask; chmod is not. Fix every directory this call created.
  const parts = relative(created, dir).split(sep).filter(Boolean);
  let current = created;
  try {
    await fs.chmod(current, DIR_MODE);
    for (const part of parts) {
      current = join(current, part);
      await fs.chmod(current, DIR_MODE);
    }
  } catch (cause) {
    throw ioError('directory chmod', cause);
  }
}

/** fsync a directory so a rename inside it survives a power loss. */
export async function fsyncDirectory(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
    await handle.sync();
  } catch (cause) {
    // Some file systems refuse fsync on a directory (EINVAL/EISDIR); the rename itself is still atomic.
    const code = errnoOf(cause);
    if (code !== 'EINVAL' && code !== 'EISDIR' && code !== 'EPERM') throw ioError('directory fsync', cause);
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** A unique temporary file name next to `path` (same directory, so the rename is atomic). */
export function tempPathFor(path: string, kind = 'tmp'): string {
  return `${path}.${randomBytes(8).toString('hex')}.${kind}`;
}

/**
 * Writes `data` in full to a new temporary file next to `path` (O_EXCL, no symlink, 0600) and fsyncs it; the
 * caller moves it into place. On failure the temp file is gone and the error is `ERR_STORE_IO`.
 */
async function writeTempFile(path: string, data: string): Promise<string> {
  const temp = tempPathFor(path);
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(
      temp,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      FILE_MODE,
    );
    await handle.chmod(FILE_MODE);
    await handle.writeFile(data, 'utf8');
    await handle.sync();
    await handle.close();
    return temp;
  } catch (cause) {
    await handle?.close().catch(() => undefined);
    await fs.unlink(temp).catch(() => undefined);
    throw ioError('write', cause);
  }
}

/**
 * Writes `data` to `path` atomically and durably: temp file (O_EXCL, 0600) → write → fsync → rename →
 * fsync(directory). A reader sees the old file or the new one, never a mix.
 */
export async function writeFileAtomic(path: string, data: string): Promise<void> {
  const temp = await writeTempFile(path, data);
  try {
    await fs.rename(temp, path);
  } catch (cause) {
    await fs.unlink(temp).catch(() => undefined);
    throw ioError('write', cause);
  }
  await fsyncDirectory(dirname(path));
}

/**
 * Creates `path` with `data` only if it does not exist yet: the file is written and fsynced in full under a
 * temporary name, then hard-linked into place (which fails if the name exists). Answers false when another
 * writer created it first.
 */
export async function writeFileExclusive(path: string, data: string): Promise<boolean> {
  const temp = await writeTempFile(path, data);
  try {
    await fs.link(temp, path);
  } catch (error) {
    if (errnoOf(error) === 'EEXIST') return false;
    throw ioError('write', error);
  } finally {
    await fs.unlink(temp).catch(() => undefined);
  }
  await fsyncDirectory(dirname(path));
  return true;
}

/** The names in a directory. */
export async function listDirectory(dir: string): Promise<string[]> {
  try {
    return await fs.readdir(dir);
  } catch (cause) {
    throw ioError('directory read', cause);
  }
}

/**
 * Reads `path` after checking, on the open descriptor, that it is a regular file owned by this user and
 * not readable or writable by group or others (as ssh does). `undefined` when the file does not exist.
 */
export async function readSecureFile(path: string): Promise<string | undefined> {
  let handle: fs.FileHandle | undefined;
  try {
    try {
      handle = await fs.open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (cause) {
      if (errnoOf(cause) === 'ENOENT') return undefined;
      if (errnoOf(cause) === 'ELOOP') {
        throw new TokenStoreError(
          'ERR_STORE_INSECURE_PERMISSIONS',
          'token file must not be a symbolic link',
          {
            cause,
          },
        );
      }
      throw ioError('open', cause);
    }
    const stat = await handle.stat();
    if (!stat.isFile()) {
      throw new TokenStoreError('ERR_STORE_INSECURE_PERMISSIONS', 'token file must be a regular file');
    }
    if ((stat.mode & 0o077) !== 0) {
      throw new TokenStoreError(
        'ERR_STORE_INSECURE_PERMISSIONS',
        `token file is accessible by group or others (mode ${(stat.mode & 0o777).toString(8)}); chmod 600 it`,
      );
    }
    const uid = process.getuid?.();
    if (uid !== undefined && stat.uid !== uid) {
      throw new TokenStoreError('ERR_STORE_INSECURE_PERMISSIONS', 'token file is owned by another user');
    }
    return await handle.readFile('utf8');
  } catch (cause) {
    if (cause instanceof TokenStoreError) throw cause;
    throw ioError('read', cause);
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
