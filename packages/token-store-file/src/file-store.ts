import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import {
  type CompareAndSetResult,
  createKeyring,
  type EncryptionKey,
  type Keyring,
  type LockOptions,
  type StoredTokenEntry,
  type TokenEntry,
  type TokenStore,
  TokenStoreError,
  type TokenStoreLock,
} from '@netsuite-oauth/token-store';
import {
  assertCondition,
  assertEntry,
  assertKey,
  normalizeLockOptions,
  waitUntil,
} from '@netsuite-oauth/token-store/adapter';
import {
  errnoOf,
  fsyncDirectory,
  ioError,
  listDirectory,
  readSecureFile,
  writeFileAtomic,
} from './fs-safe.js';
import {
  checkStoreDirectory,
  createNamingSecret,
  decodeRecordText,
  ENTRY_FILE,
  encodeRecord,
  ensureStoreDirectory,
  entryName,
  migrateLegacyStore,
  readNamingSecret,
  rewriteNamingSecret,
  type StoreCodec,
} from './layout.js';
import { acquireMutex, type MutexOptions, pidAlive } from './mutex.js';
import { emptyRecord, type KeyRecord, parseRecord } from './record.js';

/**
 * Options of {@link fileTokenStore}. Give `keys` (encrypted, the default) or `encrypt: false` explicitly.
 *
 * @example
 * const options: FileTokenStoreOptions = { path: '.netsuite/tokens', keys: [{ id: 'k1', key: process.env.NS_TOKEN_KEY! }] };
 */
export type FileTokenStoreOptions = FileTokenStoreCommonOptions &
  (
    | {
        /** AES-256 keys (32 random bytes each, e.g. base64 from an env var); the first one writes. */
        readonly keys: readonly EncryptionKey[];
        readonly encrypt?: true | undefined;
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
 * const common: FileTokenStoreCommonOptions = { path: '.netsuite/tokens', lockStaleMs: 10_000 };
 */
export interface FileTokenStoreCommonOptions {
  /**
   * The store's directory (created 0700 with its missing parents). A file here is a store of the previous
   * format (one file for every key): it is migrated into a directory on first use.
   */
  readonly path: string;
  /** Clock for token expiry and leases (epoch ms). @default Date.now */
  readonly now?: (() => number) | undefined;
  /**
   * A key's internal file lock (held for one read-modify-write of that key) is taken over when its holder is
   * dead or the lock is older than this. @default 10000
   */
  readonly lockStaleMs?: number | undefined;
  /** How long an operation waits for a key's internal file lock before `ERR_STORE_LOCK_TIMEOUT`. @default 10000 */
  readonly lockWaitMs?: number | undefined;
  /**
   * How often (at most) a store object looks for files of deleted or expired keys to remove, in the
   * background after a write. A key's file is removed a day after its entry was deleted or expired.
   * @default 600000
   */
  readonly sweepIntervalMs?: number | undefined;
}

/**
 * A {@link TokenStore} in one directory, plus file-store extras.
 *
 * @example
 * const store: FileTokenStore = fileTokenStore({ path: '.netsuite/tokens', keys });
 * await store.reencrypt(); // after putting a new key first
 */
export interface FileTokenStore extends TokenStore {
  /** The absolute path of the store's directory. */
  readonly path: string;
  /** Rewrites every file with the first key (finish a key rotation now rather than at each key's next write). */
  reencrypt(): Promise<void>;
  /** The absolute path of the file that holds `key` (its name is a keyed hash of the key), for operators and tests. */
  entryPath(key: string): Promise<string>;
  lock(key: string, options: LockOptions): Promise<TokenStoreLock | undefined>;
  compareAndSet: NonNullable<TokenStore['compareAndSet']>;
  /** Waits for this object's pending operations; later calls reject with `ERR_STORE_CLOSED`. */
  close(): Promise<void>;
}

/** Files of a deleted or expired key stay this long, so its counters (versions, fencing tokens) never repeat. */
const TOMBSTONE_MS = 86_400_000;
/** Waiting for a key's lock while cleaning what a killed writer left: a live holder means it is not a leftover. */
const CLEANUP_WAIT_MS = 50;

function positiveMs(value: unknown, name: string, fallback: number, max = 3_600_000): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 1 || value > max) {
    throw new TokenStoreError('ERR_STORE_INVALID_OPTION', `${name} must be a number of ms from 1 to ${max}`);
  }
  return value;
}

/**
 * The first value of a counter for a key with no history (a new key, or one whose tombstone was removed a
 * day or more ago): microseconds of the wall clock, above anything the key was given before. Later values
 * of a key count up from its file, so they never depend on the clock.
 */
function counterFloor(): number {
  return Date.now() * 1000;
}

function next(counter: number): number {
  return counter === 0 ? Math.max(1, counterFloor()) : counter + 1;
}

/**
 * A token store in a directory, one file per key: encrypted by default (AES-256-GCM envelope from
 * `@netsuite-oauth/token-store`, bound to the file's name), written atomically (temp file + fsync + rename +
 * directory fsync), mode 0600 in a 0700 directory whatever the umask, and shared safely by several processes:
 * every change of a key is a read-modify-write of that key's file under that key's file lock, whose dead or
 * stuck holder is taken over. A write costs one small file, however many keys the store holds.
 *
 * File names are an HMAC-SHA-256 of the key under a random secret kept (encrypted) in `store.json`, so a
 * directory listing does not show keys. A store of the previous format (one file) is migrated on first use;
 * the old file is removed only once the new directory is complete.
 *
 * Refuses to read a file that group or others can access, a symlink, a file owned by another user, or a
 * directory others can write (`ERR_STORE_INSECURE_PERMISSIONS`). A corrupt or undecryptable file is never
 * overwritten (`ERR_STORE_INTEGRITY`, `ERR_STORE_KEY_NOT_FOUND`, `ERR_STORE_CORRUPT`): move it aside to start over.
 *
 * @example
 * const store = fileTokenStore({ path: '.netsuite/tokens', keys: [{ id: 'k1', key: process.env.NS_TOKEN_KEY! }] });
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
    throw new TokenStoreError('ERR_STORE_INVALID_OPTION', 'path must be a non-empty directory path');
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
  const mutex: MutexOptions = {
    staleMs: positiveMs(options.lockStaleMs, 'lockStaleMs', 10_000),
    waitMs: positiveMs(options.lockWaitMs, 'lockWaitMs', 10_000),
  };
  const sweepEveryMs = positiveMs(options.sweepIntervalMs, 'sweepIntervalMs', 600_000, 86_400_000);
  const codec: StoreCodec = { keyring };
  const dir = resolve(rawPath);
  const host = hostname();

  let closed = false;
  // Everything in flight, so close() can wait for it (background sweeps included).
  const inFlight = new Set<Promise<unknown>>();
  const track = <T>(promise: Promise<T>): Promise<T> => {
    inFlight.add(promise);
    void promise.then(
      () => inFlight.delete(promise),
      () => inFlight.delete(promise),
    );
    return promise;
  };
  // Operations on one key run one at a time in this process (fewer lock-file round trips); other processes
  // and other store objects are serialised by the key's file lock. Different keys run in parallel.
  const queues = new Map<string, Promise<unknown>>();
  const serial = <T>(name: string, task: () => Promise<T>): Promise<T> => {
    const run = (queues.get(name) ?? Promise.resolve()).then(task, task);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    queues.set(name, tail);
    void tail.then(() => {
      if (queues.get(name) === tail) queues.delete(name);
    });
    return run;
  };

  const open = () => {
    if (closed) throw new TokenStoreError('ERR_STORE_CLOSED', 'store is closed');
  };

  let secretForWrites: Promise<Uint8Array> | undefined;
  let secretForReads: Uint8Array | undefined;
  let lastSweep = Number.NEGATIVE_INFINITY;
  let cleaned: Promise<void> | undefined;
  // The first use of a store object removes what killed writers left behind.
  const cleanOnce = (): Promise<void> => {
    cleaned ??= cleanLeftovers();
    cleaned.catch(() => {
      cleaned = undefined;
    });
    return cleaned;
  };

  /** The naming secret, creating the store (directory, metadata) and migrating an old one as needed. */
  const writableSecret = (): Promise<Uint8Array> => {
    secretForWrites ??= (async () => {
      await migrateLegacyStore(codec, dir, mutex, now);
      await ensureStoreDirectory(dir);
      const held = await acquireMutex(join(dir, 'store'), mutex);
      let secret: Uint8Array;
      try {
        secret = await createNamingSecret(codec, dir);
      } finally {
        await held.release();
      }
      await cleanOnce();
      secretForReads = secret;
      return secret;
    })();
    secretForWrites.catch(() => {
      secretForWrites = undefined;
    });
    return secretForWrites;
  };

  /** The naming secret for a read: `undefined` when there is no store yet (a read creates nothing). */
  const readableSecret = async (): Promise<Uint8Array | undefined> => {
    if (secretForReads) return secretForReads;
    if (await migrateLegacyStore(codec, dir, mutex, now)) return await writableSecret();
    let secret: Uint8Array | undefined;
    try {
      await checkStoreDirectory(dir);
      secret = await readNamingSecret(codec, dir);
    } catch (error) {
      if (errnoOf((error as { cause?: unknown }).cause) === 'ENOENT') return undefined;
      throw error;
    }
    if (secret) {
      await cleanOnce();
      secretForReads = secret;
    }
    return secret;
  };

  const fileOf = (name: string) => join(dir, `${name}.tok`);

  const readRecord = async (name: string, key: string | undefined): Promise<KeyRecord | undefined> => {
    const text = await readSecureFile(fileOf(name));
    if (text === undefined) return undefined;
    const plain = await decodeRecordText(codec, name, text);
    if (key !== undefined) return parseRecord(plain, key);
    // A sweep knows only the file name: take the key from inside and check it names this file.
    const inner = (JSON.parse(plain) as { k?: unknown }).k;
    if (typeof inner !== 'string' || entryName(await writableSecret(), inner) !== name) {
      throw new TokenStoreError('ERR_STORE_CORRUPT', 'token file content is not a valid token store entry');
    }
    return parseRecord(plain, inner);
  };

  /** Runs `change` on `key`'s record under its file lock; writes the file only when it reports a change. */
  const mutate = async <T>(
    key: string,
    change: (record: KeyRecord, t: number) => { changed: boolean; result: T },
  ): Promise<T> => {
    open();
    const secret = await writableSecret();
    const name = entryName(secret, key);
    const result = await track(
      serial(name, async () => {
        const held = await acquireMutex(join(dir, name), mutex);
        try {
          const record = (await readRecord(name, key)) ?? emptyRecord(key);
          const { changed, result } = change(record, now());
          if (changed) {
            const text = await encodeRecord(codec, name, record);
            await held.assertHeld();
            await writeFileAtomic(fileOf(name), text);
          }
          return result;
        } finally {
          await held.release();
        }
      }),
    );
    scheduleSweep();
    return result;
  };

  const live = (record: KeyRecord | undefined, t: number): StoredTokenEntry | undefined => {
    const entry = record?.entry;
    return record && entry && t < entry.expiresAt
      ? Object.freeze({ value: entry.value, expiresAt: entry.expiresAt, version: record.version })
      : undefined;
  };

  const write = (record: KeyRecord, entry: TokenEntry, t: number): number => {
    record.version = next(record.version);
    record.entry = { value: entry.value, expiresAt: entry.expiresAt };
    // An entry written already expired (how a token manager drops a dead token) is a deletion for the sweep:
    // its fencing token is kept a day from now, not from the expiry in the past.
    record.deletedAt = entry.expiresAt <= t ? t : undefined;
    return record.version;
  };

  /** True when a key's file holds nothing worth keeping any more (removed by the sweep). */
  const collectable = (record: KeyRecord, t: number): boolean => {
    if (record.lease && record.lease.expiresAt > t) return false;
    // Dead since its expiry, or since it was deleted or written dead; a key that only held leases stays.
    const deadSince = Math.max(record.entry?.expiresAt ?? 0, record.deletedAt ?? (record.entry ? 0 : t));
    return deadSince <= t - TOMBSTONE_MS;
  };

  /** Removes files of keys deleted or expired more than a day ago (and their counters with them). */
  const sweep = async (): Promise<void> => {
    const secret = await writableSecret();
    const names = await listDirectory(dir);
    let removed = 0;
    for (const file of names) {
      if (closed) break;
      const name = ENTRY_FILE.exec(file)?.[1];
      if (!name) continue;
      await serial(name, async () => {
        const record = await readRecord(name, undefined).catch(() => undefined);
        if (!record || !collectable(record, now())) return;
        if (entryName(secret, record.key) !== name) return;
        const held = await acquireMutex(join(dir, name), { ...mutex, waitMs: CLEANUP_WAIT_MS }).catch(
          () => undefined,
        );
        if (!held) return;
        try {
          const again = await readRecord(name, record.key);
          if (again && collectable(again, now())) {
            await fs.unlink(fileOf(name));
            removed += 1;
          }
        } finally {
          await held.release();
        }
      });
    }
    if (removed > 0) await fsyncDirectory(dir);
  };

  const scheduleSweep = () => {
    if (closed || Date.now() - lastSweep < sweepEveryMs) return;
    lastSweep = Date.now();
    // In the background: a write never waits for it; close() does.
    void track(sweep()).catch(() => undefined);
  };

  /**
   * Removes what killed writers left: lock files of dead holders, their temp files and stale-lock leftovers
   * (each under its key's lock, so never a live writer's), and lock temp files of dead processes.
   */
  const cleanLeftovers = async (): Promise<void> => {
    const names = await listDirectory(dir);
    for (const file of names) {
      const waiter = /^([0-9a-f]{64}|store)\.(\d+)-[0-9a-f]{16}\.locktmp$/.exec(file);
      if (waiter) {
        const pid = Number(waiter[2]);
        if (pid !== process.pid && !pidAlive(pid)) await fs.unlink(join(dir, file)).catch(() => undefined);
        continue;
      }
      const lockFile = /^([0-9a-f]{64}|store)\.lock$/.exec(file);
      if (lockFile) {
        // Taking the lock takes over one whose holder is dead; a live holder keeps it (the wait times out).
        const held = await acquireMutex(join(dir, lockFile[1]!), { ...mutex, waitMs: CLEANUP_WAIT_MS }).catch(
          () => undefined,
        );
        await held?.release();
        continue;
      }
      const leftover =
        /^([0-9a-f]{64})\.tok\.[0-9a-f]{16}\.tmp$/.exec(file) ??
        /^(store)\.json\.[0-9a-f]{16}\.tmp$/.exec(file) ??
        /^([0-9a-f]{64}|store)\.lock\.[0-9a-f]{16}\.stale$/.exec(file);
      if (!leftover) continue;
      // Only under that key's lock: a temp file of a live writer is never removed.
      const held = await acquireMutex(join(dir, leftover[1]!), { ...mutex, waitMs: CLEANUP_WAIT_MS }).catch(
        () => undefined,
      );
      if (!held) continue;
      try {
        await fs.unlink(join(dir, file)).catch((error: unknown) => {
          if (errnoOf(error) !== 'ENOENT') throw ioError('temp file cleanup', error);
        });
      } finally {
        await held.release();
      }
    }
  };

  const tryLock = async (key: string, ttlMs: number): Promise<TokenStoreLock | undefined> => {
    const id = randomBytes(16).toString('hex');
    const granted = await mutate(key, (record, t) => {
      const current = record.lease;
      // A live lease blocks, unless its holder process is gone (same host): a killed holder frees the key now.
      const holderDead = current !== undefined && current.host === host && !pidAlive(current.pid);
      if (current && current.expiresAt > t && !holderDead) return { changed: false, result: undefined };
      record.lockCounter = next(record.lockCounter);
      const lease = { id, fencingToken: record.lockCounter, expiresAt: t + ttlMs, pid: process.pid, host };
      record.lease = lease;
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
        await mutate(key, (record, t) => {
          if (record.lease?.id !== id) return { changed: false, result: undefined };
          record.lease = undefined;
          // A key that only ever held leases is a tombstone from now on (its fencing counter must outlive it).
          if (!record.entry) record.deletedAt ??= t;
          return { changed: true, result: undefined };
        });
      },
      async extend(ms: number) {
        const { ttlMs: nextTtl } = normalizeLockOptions({ ttlMs: ms });
        return await mutate(key, (record, t) => {
          const lease = record.lease;
          if (lease?.id !== id || lease.expiresAt <= t) return { changed: false, result: false };
          lease.expiresAt = t + nextTtl;
          expiresAt = lease.expiresAt;
          return { changed: true, result: true };
        });
      },
    };
  };

  return {
    path: dir,
    capabilities: Object.freeze({
      lock: true,
      compareAndSet: true,
      crossProcess: true,
      encrypted: keyring !== undefined,
    }),
    async get(key) {
      assertKey(key);
      open();
      return await track(
        (async () => {
          const secret = await readableSecret();
          if (!secret) return undefined;
          return live(await readRecord(entryName(secret, key), key), now());
        })(),
      );
    },
    async set(key, entry) {
      assertKey(key);
      assertEntry(entry);
      await mutate(key, (record, t) => {
        write(record, entry, t);
        return { changed: true, result: undefined };
      });
    },
    async delete(key) {
      assertKey(key);
      open();
      const secret = await readableSecret();
      // Nothing to delete in a store that does not exist yet.
      if (!secret) return;
      await mutate(key, (record, t) => {
        if (!record.entry) return { changed: false, result: undefined };
        record.entry = undefined;
        record.deletedAt = t;
        return { changed: true, result: undefined };
      });
    },
    async close() {
      closed = true;
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
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
      return await mutate<CompareAndSetResult>(key, (record, t) => {
        if (live(record, t)?.version !== condition.version) return { changed: false, result: false };
        if (condition.fencingToken !== undefined) {
          if (record.fence > condition.fencingToken) return { changed: false, result: false };
          record.fence = condition.fencingToken;
        }
        return { changed: true, result: Object.freeze({ version: write(record, entry, t) }) };
      });
    },
    async reencrypt() {
      open();
      const secret = await writableSecret();
      await track(
        (async () => {
          const held = await acquireMutex(join(dir, 'store'), mutex);
          try {
            await rewriteNamingSecret(codec, dir, secret);
          } finally {
            await held.release();
          }
        })(),
      );
      const names = await listDirectory(dir);
      for (const file of names) {
        const name = ENTRY_FILE.exec(file)?.[1];
        if (!name) continue;
        const record = await readRecord(name, undefined);
        if (record) await mutate(record.key, () => ({ changed: true, result: undefined }));
      }
    },
    async entryPath(key) {
      assertKey(key);
      open();
      return fileOf(entryName(await writableSecret(), key));
    },
  };
}
