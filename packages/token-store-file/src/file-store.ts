import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import {
  assertCondition,
  assertEntry,
  assertKey,
  type CompareAndSetResult,
  createKeyring,
  type EncryptionKey,
  type Keyring,
  type LockOptions,
  normalizeLockOptions,
  type StoredTokenEntry,
  type TokenEntry,
  type TokenStore,
  TokenStoreError,
  type TokenStoreLock,
  waitUntil,
} from '@netsuite-oauth/token-store';
import {
  ensureDirectory,
  errnoOf,
  ioError,
  isTempFileOf,
  lockTempOwner,
  readSecureFile,
  writeFileAtomic,
} from './fs-safe.js';
import { acquireMutex, pidAlive } from './mutex.js';
import { emptyState, type FileState, parseState, serializeState } from './state.js';

/**
 * Options of {@link fileTokenStore}. Give `keys` (encrypted, the default) or `encrypt: false` explicitly.
 *
 * @example
 * const options: FileTokenStoreOptions = { path: '.netsuite/tokens.enc', keys: [{ id: 'k1', key: process.env.NS_TOKEN_KEY! }] };
 */
export type FileTokenStoreOptions = FileTokenStoreCommonOptions &
  (
    | {
        /** AES-256 keys (32 random bytes each, e.g. base64 from an env var); the first one writes. */
        readonly keys: readonly EncryptionKey[];
        readonly encrypt?: true;
      }
    | {
        /** Store tokens in clear (still 0600). Only for throwaway local use. */
        readonly encrypt: false;
        readonly keys?: undefined;
      }
  );

/**
 * Options every {@link fileTokenStore} takes.
 *
 * @example
 * const common: FileTokenStoreCommonOptions = { path: 'tokens.enc', lockStaleMs: 10_000 };
 */
export interface FileTokenStoreCommonOptions {
  /** The token file. Its directory is created as 0700 when missing. */
  readonly path: string;
  /** Clock for token expiry and leases (epoch ms). @default Date.now */
  readonly now?: () => number;
  /**
   * The internal file lock (held for one read-modify-write) is taken over when its holder is dead or the
   * lock is older than this. @default 10000
   */
  readonly lockStaleMs?: number;
  /** How long an operation waits for the internal file lock before `ERR_STORE_LOCK_TIMEOUT`. @default 10000 */
  readonly lockWaitMs?: number;
}

/**
 * A {@link TokenStore} in one file, plus file-store extras.
 *
 * @example
 * const store: FileTokenStore = fileTokenStore({ path: 'tokens.enc', keys });
 * await store.reencrypt(); // after putting a new key first
 */
export interface FileTokenStore extends TokenStore {
  /** The absolute path of the token file. */
  readonly path: string;
  /** Rewrites the file with the first key (finish a key rotation now rather than at the next write). */
  reencrypt(): Promise<void>;
  lock(key: string, options: LockOptions): Promise<TokenStoreLock | undefined>;
  compareAndSet: NonNullable<TokenStore['compareAndSet']>;
  /** Waits for this object's pending operations; later calls reject with `ERR_STORE_CLOSED`. */
  close(): Promise<void>;
}

const FILE_AAD = 'netsuite-oauth/token-store-file/v1';

function positiveMs(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 1 || value > 3_600_000) {
    throw new TokenStoreError('ERR_STORE_INVALID_OPTION', `${name} must be a number of ms from 1 to 3600000`);
  }
  return value;
}

/**
 * A token store in one file: encrypted by default (AES-256-GCM envelope from `@netsuite-oauth/token-store`),
 * written atomically (temp file + fsync + rename + directory fsync), mode 0600 in a 0700 directory whatever
 * the umask, and shared safely by several processes: every change is a read-modify-write under a file lock
 * whose dead or stuck holder is taken over, so a killed process never blocks the others.
 *
 * Refuses to read a file that group or others can access, a symlink, or a file owned by another user
 * (`ERR_STORE_INSECURE_PERMISSIONS`). A corrupt or undecryptable file is never overwritten
 * (`ERR_STORE_INTEGRITY`, `ERR_STORE_KEY_NOT_FOUND`, `ERR_STORE_CORRUPT`): move it aside to start over.
 *
 * @example
 * const store = fileTokenStore({ path: '.netsuite/tokens.enc', keys: [{ id: 'k1', key: process.env.NS_TOKEN_KEY! }] });
 * await store.set('netsuite:client', { value: 'opaque', expiresAt: Date.now() + 3_600_000 });
 * @throws {TokenStoreError} `ERR_STORE_INVALID_OPTION` (synchronously) for a bad path, keys or timing option
 */
export function fileTokenStore(options: FileTokenStoreOptions): FileTokenStore {
  if (typeof options !== 'object' || options === null) {
    throw new TokenStoreError('ERR_STORE_INVALID_OPTION', 'options must be an object with path and keys');
  }
  const {
    path: rawPath,
    keys,
    encrypt,
    now: nowOption,
  } = options as FileTokenStoreOptions & { keys?: unknown };
  if (typeof rawPath !== 'string' || rawPath.length === 0 || rawPath.includes('\0')) {
    throw new TokenStoreError('ERR_STORE_INVALID_OPTION', 'path must be a non-empty file path');
  }
  if (encrypt !== undefined && typeof encrypt !== 'boolean') {
    throw new TokenStoreError('ERR_STORE_INVALID_OPTION', 'encrypt must be a boolean');
  }
  let keyring: Keyring | undefined;
  if (encrypt === false) {
    if (keys !== undefined) {
      throw new TokenStoreError(
        'ERR_STORE_INVALID_OPTION',
        'keys and encrypt: false cannot be used together',
      );
    }
  } else {
    if (keys === undefined) {
      throw new TokenStoreError(
        'ERR_STORE_INVALID_OPTION',
        'keys are required (32-byte keys, see generateEncryptionKey), or pass encrypt: false',
      );
    }
    keyring = createKeyring(keys as readonly EncryptionKey[]);
  }
  if (nowOption !== undefined && typeof nowOption !== 'function') {
    throw new TokenStoreError('ERR_STORE_INVALID_OPTION', 'now must be a function returning epoch ms');
  }
  const now = nowOption ?? Date.now;
  const staleMs = positiveMs(options.lockStaleMs, 'lockStaleMs', 10_000);
  const mutexWaitMs = positiveMs(options.lockWaitMs, 'lockWaitMs', 10_000);
  const path = resolve(rawPath);
  const dir = dirname(path);
  const host = hostname();

  let closed = false;
  let initialised = false;
  // Operations of this store object run one at a time (fewer lock-file round trips); other processes and
  // other store objects on the same path are serialised by the file lock.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    const run = queue.then(task, task);
    queue = run.catch(() => undefined);
    return run;
  };

  const open = () => {
    if (closed) throw new TokenStoreError('ERR_STORE_CLOSED', 'store is closed');
  };

  const decode = async (text: string): Promise<FileState> => {
    if (!keyring) return parseState(text);
    const { plaintext } = await keyring.open(text, FILE_AAD);
    return parseState(plaintext);
  };
  const encode = async (state: FileState): Promise<string> => {
    const text = serializeState(state);
    return keyring ? await keyring.seal(text, FILE_AAD) : text;
  };
  const load = async (): Promise<FileState> => {
    const text = await readSecureFile(path);
    return text === undefined ? emptyState() : await decode(text);
  };

  const cleanOrphans = async () => {
    let names: string[];
    try {
      names = await fs.readdir(dir);
    } catch (cause) {
      throw ioError('directory read', cause);
    }
    for (const name of names) {
      const owner = lockTempOwner(path, name);
      if (isTempFileOf(path, name) || (owner !== undefined && owner !== process.pid && !pidAlive(owner))) {
        await fs.unlink(resolve(dir, name)).catch((error: unknown) => {
          if (errnoOf(error) !== 'ENOENT') throw ioError('temp file cleanup', error);
        });
      }
    }
  };

  /** Runs `change` on the current state under the file lock; writes only when it reports a change. */
  const mutateNow = async <T>(
    change: (state: FileState, t: number) => { changed: boolean; result: T },
  ): Promise<T> => {
    open();
    await ensureDirectory(dir);
    const held = await acquireMutex(path, { waitMs: mutexWaitMs, staleMs });
    try {
      if (!initialised) {
        await cleanOrphans();
        initialised = true;
      }
      const state = await load();
      const t = now();
      const { changed, result } = change(state, t);
      if (changed) {
        collectGarbage(state, t);
        const text = await encode(state);
        await held.assertHeld();
        await writeFileAtomic(path, text);
      }
      return result;
    } finally {
      await held.release();
    }
  };
  const mutate = <T>(change: (state: FileState, t: number) => { changed: boolean; result: T }): Promise<T> =>
    serial(() => mutateNow(change));

  const write = (state: FileState, key: string, entry: TokenEntry): number => {
    state.counter += 1;
    state.entries.set(key, { value: entry.value, expiresAt: entry.expiresAt, version: state.counter });
    return state.counter;
  };

  const liveEntry = (state: FileState, key: string, t: number): StoredTokenEntry | undefined => {
    const entry = state.entries.get(key);
    return entry && t < entry.expiresAt ? Object.freeze({ ...entry }) : undefined;
  };

  const tryLock = async (key: string, ttlMs: number): Promise<TokenStoreLock | undefined> => {
    const id = randomBytes(16).toString('hex');
    const granted = await mutate((state, t) => {
      const current = state.leases.get(key);
      // A live lease blocks, unless its holder process is gone (same host): a killed holder frees the key now.
      const holderDead = current !== undefined && current.host === host && !pidAlive(current.pid);
      if (current && current.expiresAt > t && !holderDead) return { changed: false, result: undefined };
      state.fence += 1;
      const lease = { id, fencingToken: state.fence, expiresAt: t + ttlMs, pid: process.pid, host };
      state.leases.set(key, lease);
      return { changed: true, result: lease };
    });
    if (!granted) return undefined;
    let expiresAt = granted.expiresAt;
    return {
      fencingToken: granted.fencingToken,
      get expiresAt() {
        return expiresAt;
      },
      async release() {
        if (closed) return;
        await mutate((state) => {
          if (state.leases.get(key)?.id !== id) return { changed: false, result: undefined };
          state.leases.delete(key);
          return { changed: true, result: undefined };
        });
      },
      async extend(ms: number) {
        const { ttlMs: next } = normalizeLockOptions({ ttlMs: ms });
        return await mutate((state, t) => {
          const lease = state.leases.get(key);
          if (lease?.id !== id || lease.expiresAt <= t) return { changed: false, result: false };
          lease.expiresAt = t + next;
          expiresAt = lease.expiresAt;
          return { changed: true, result: true };
        });
      },
    };
  };

  return {
    path,
    capabilities: Object.freeze({
      lock: true,
      compareAndSet: true,
      crossProcess: true,
      encrypted: keyring !== undefined,
    }),
    async get(key) {
      assertKey(key);
      return await serial(async () => {
        open();
        if (!initialised) {
          // First use: remove temp files a killed writer left behind (under the lock, so no live writer's).
          await mutateNow(() => ({ changed: false, result: undefined }));
        }
        return liveEntry(await load(), key, now());
      });
    },
    async set(key, entry) {
      assertKey(key);
      assertEntry(entry);
      await mutate((state) => {
        write(state, key, entry);
        return { changed: true, result: undefined };
      });
    },
    async delete(key) {
      assertKey(key);
      await mutate((state) => ({ changed: state.entries.delete(key), result: undefined }));
    },
    async close() {
      closed = true;
      await queue;
    },
    async lock(key, lockOptions) {
      assertKey(key);
      const { ttlMs, waitMs } = normalizeLockOptions(lockOptions);
      open();
      return await waitUntil(() => tryLock(key, ttlMs), { waitMs, now, minDelayMs: 2, maxDelayMs: 25 });
    },
    async compareAndSet(key, entry, condition) {
      assertKey(key);
      assertEntry(entry);
      assertCondition(condition);
      return await mutate<CompareAndSetResult>((state, t) => {
        if (liveEntry(state, key, t)?.version !== condition.version) return { changed: false, result: false };
        if (condition.fencingToken !== undefined) {
          if ((state.fences.get(key) ?? 0) > condition.fencingToken) return { changed: false, result: false };
          state.fences.set(key, condition.fencingToken);
        }
        return { changed: true, result: Object.freeze({ version: write(state, key, entry) }) };
      });
    },
    async reencrypt() {
      await mutate(() => ({ changed: true, result: undefined }));
    },
  };
}

/** Drops expired entries and leases (fences stay: they must outlive the entry they guard). */
function collectGarbage(state: FileState, t: number): void {
  for (const [key, entry] of state.entries) if (entry.expiresAt <= t) state.entries.delete(key);
  for (const [key, lease] of state.leases) if (lease.expiresAt <= t) state.leases.delete(key);
}
