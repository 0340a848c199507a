import { createHmac, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { type Keyring, TokenStoreError } from '@netsuite-oauth/token-store';
import { decodeBase64Url, encodeBase64Url } from '@netsuite-oauth/token-store/adapter';
import {
  DIR_MODE,
  ensureDirectory,
  errnoOf,
  fsyncDirectory,
  ioError,
  readSecureFile,
  writeFileAtomic,
  writeFileExclusive,
} from './fs-safe.js';
import { acquireMutex, type MutexOptions } from './mutex.js';
import { emptyRecord, type KeyRecord, serializeRecord } from './record.js';
import { parseState } from './state.js';

/**
 * The store's directory holds `store.json` (format and the secret that names entry files) and one
 * `<name>.tok` file per key, where `<name>` is an HMAC-SHA-256 of the key: file names do not show keys.
 */
export const META_FILE = 'store.json';
/** Entry files: 64 hex characters (the keyed hash of the key) and `.tok`. */
export const ENTRY_FILE = /^([0-9a-f]{64})\.tok$/;

const META_FORMAT = 2;
const NAMING_AAD = 'netsuite-oauth/token-store-file/v2\u0000naming';
const ENTRY_AAD = 'netsuite-oauth/token-store-file/v2\u0000entry\u0000';
/** The AAD of the one-file store (format 1) this version migrates from. */
const LEGACY_AAD = 'netsuite-oauth/token-store-file/v1';

/** What encrypts and names entries: `keyring` is undefined with `encrypt: false`. */
export interface StoreCodec {
  readonly keyring: Keyring | undefined;
}

/** The file name of `key`'s entry (without `.tok`): HMAC-SHA-256 under the store's naming secret. */
export function entryName(secret: Uint8Array, key: string): string {
  return createHmac('sha256', secret).update(key, 'utf8').digest('hex');
}

/** Seals (or, in clear mode, just returns) a record for the entry file `name`: the AAD binds it to that name. */
export async function encodeRecord(codec: StoreCodec, name: string, record: KeyRecord): Promise<string> {
  const text = serializeRecord(record);
  return codec.keyring ? await codec.keyring.seal(text, ENTRY_AAD + name) : text;
}

/** Opens the text of entry file `name` (the caller parses and checks the key inside). */
export async function decodeRecordText(codec: StoreCodec, name: string, text: string): Promise<string> {
  return codec.keyring ? (await codec.keyring.open(text, ENTRY_AAD + name)).plaintext : text;
}

/** Checks that the store directory is a real directory of this user that group and others cannot write. */
export async function checkStoreDirectory(dir: string): Promise<void> {
  let stat: Awaited<ReturnType<typeof fs.lstat>>;
  try {
    stat = await fs.lstat(dir);
  } catch (cause) {
    throw ioError('directory stat', cause);
  }
  if (stat.isSymbolicLink() || !stat.isDirectory()) {
    throw new TokenStoreError('ERR_STORE_INSECURE_PERMISSIONS', 'token store path must be a directory');
  }
  if ((stat.mode & 0o022) !== 0) {
    throw new TokenStoreError(
      'ERR_STORE_INSECURE_PERMISSIONS',
      `token store directory is writable by group or others (mode ${(stat.mode & 0o777).toString(8)}); chmod 700 it`,
    );
  }
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== uid) {
    throw new TokenStoreError(
      'ERR_STORE_INSECURE_PERMISSIONS',
      'token store directory is owned by another user',
    );
  }
}

async function sealNaming(codec: StoreCodec, secret: Uint8Array): Promise<string> {
  const text = encodeBase64Url(secret);
  const naming = codec.keyring ? await codec.keyring.seal(text, NAMING_AAD) : text;
  return JSON.stringify({ format: META_FORMAT, encrypted: codec.keyring !== undefined, naming });
}

/** Reads the naming secret from `store.json`; `undefined` when the store has none yet. */
export async function readNamingSecret(codec: StoreCodec, dir: string): Promise<Uint8Array | undefined> {
  const text = await readSecureFile(join(dir, META_FILE));
  if (text === undefined) return undefined;
  let raw: { format?: unknown; encrypted?: unknown; naming?: unknown };
  try {
    raw = JSON.parse(text) as typeof raw;
  } catch (cause) {
    throw new TokenStoreError('ERR_STORE_CORRUPT', 'token store metadata is not valid JSON', { cause });
  }
  if (raw?.format !== META_FORMAT || typeof raw.naming !== 'string' || typeof raw.encrypted !== 'boolean') {
    throw new TokenStoreError('ERR_STORE_CORRUPT', 'token store metadata is not valid');
  }
  if (raw.encrypted !== (codec.keyring !== undefined)) {
    throw new TokenStoreError(
      'ERR_STORE_CORRUPT',
      raw.encrypted
        ? 'token store is encrypted: pass its keys'
        : 'token store is not encrypted: pass encrypt: false',
    );
  }
  const encoded = codec.keyring ? (await codec.keyring.open(raw.naming, NAMING_AAD)).plaintext : raw.naming;
  const secret = decodeBase64Url(encoded);
  if (secret?.length !== 32) {
    throw new TokenStoreError('ERR_STORE_CORRUPT', 'token store metadata is not valid');
  }
  return secret;
}

/**
 * The naming secret, creating `store.json` when the store has none (two processes racing agree: the file is
 * linked into place only if absent, and the loser reads the winner's).
 */
export async function createNamingSecret(codec: StoreCodec, dir: string): Promise<Uint8Array> {
  const existing = await readNamingSecret(codec, dir);
  if (existing) return existing;
  const secret = randomBytes(32);
  if (await writeFileExclusive(join(dir, META_FILE), await sealNaming(codec, secret))) return secret;
  const winner = await readNamingSecret(codec, dir);
  if (!winner) throw new TokenStoreError('ERR_STORE_IO', 'token store metadata could not be created');
  return winner;
}

/** Re-seals `store.json` with the keyring's first key (key rotation). */
export async function rewriteNamingSecret(codec: StoreCodec, dir: string, secret: Uint8Array): Promise<void> {
  await writeFileAtomic(join(dir, META_FILE), await sealNaming(codec, secret));
}

async function kindOf(path: string): Promise<'missing' | 'file' | 'dir' | 'other'> {
  try {
    const stat = await fs.lstat(path);
    if (stat.isDirectory()) return 'dir';
    if (stat.isFile()) return 'file';
    return 'other';
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return 'missing';
    throw ioError('stat', error);
  }
}

/**
 * Makes sure `path` is a format-2 store directory (or absent), migrating a format-1 store — one encrypted file
 * holding every key — in place:
 *
 * 1. under the format-1 store's own file lock (`<path>.lock`, which its writers also take), read the old file;
 * 2. write every key into a new directory `<path>.v2-<random>.tmp` (each file fsynced, then the directory);
 * 3. rename the old file to `<path>.v1`, rename the new directory to `<path>`, then delete `<path>.v1`.
 *
 * The old file is kept until the new store is complete. A crash at any point is finished or undone by the
 * next open: a `<path>.v1` next to a directory is deleted; a `<path>.v1` with no `<path>` is put back and
 * migrated again; leftover `.v2-….tmp` directories are removed. Returns true when a migration ran.
 */
export async function migrateLegacyStore(
  codec: StoreCodec,
  path: string,
  mutex: MutexOptions,
  now: () => number,
): Promise<boolean> {
  const backup = `${path}.v1`;
  const kind = await kindOf(path);
  if (kind === 'dir' && (await kindOf(backup)) === 'missing') return false;
  if (kind === 'missing' && (await kindOf(backup)) === 'missing') return false;
  if (kind === 'other') {
    throw new TokenStoreError('ERR_STORE_INSECURE_PERMISSIONS', 'token store path must be a directory');
  }
  const parent = dirname(path);
  const held = await acquireMutex(path, mutex);
  try {
    let current = await kindOf(path);
    if (current === 'dir') {
      await fs.unlink(backup).catch((error: unknown) => {
        if (errnoOf(error) !== 'ENOENT') throw ioError('migration cleanup', error);
      });
      return false;
    }
    if (current === 'missing') {
      if ((await kindOf(backup)) !== 'file') return false;
      // Interrupted between the two renames: start over from the old file.
      await fs.rename(backup, path);
      current = 'file';
    }
    const text = await readSecureFile(path);
    const plain =
      text === undefined
        ? undefined
        : codec.keyring
          ? (await codec.keyring.open(text, LEGACY_AAD)).plaintext
          : text;
    const state = plain === undefined ? undefined : parseState(plain);
    const prefix = `${basename(path)}.v2-`;
    for (const name of await fs.readdir(parent)) {
      if (name.startsWith(prefix) && name.endsWith('.tmp')) {
        await fs.rm(join(parent, name), { recursive: true, force: true });
      }
    }
    const temp = join(parent, `${prefix}${randomBytes(8).toString('hex')}.tmp`);
    try {
      await fs.mkdir(temp, { mode: DIR_MODE });
      await fs.chmod(temp, DIR_MODE);
    } catch (cause) {
      throw ioError('migration directory creation', cause);
    }
    const secret = randomBytes(32);
    await writeFileAtomic(join(temp, META_FILE), await sealNaming(codec, secret));
    if (state) {
      const t = now();
      const keys = new Set([...state.entries.keys(), ...state.fences.keys(), ...state.leases.keys()]);
      for (const key of keys) {
        const entry = state.entries.get(key);
        const record: KeyRecord = {
          ...emptyRecord(key),
          entry: entry && { value: entry.value, expiresAt: entry.expiresAt },
          // Versions and fencing tokens carry on from the old store's counters: none is handed out twice.
          version: entry?.version ?? state.counter,
          fence: state.fences.get(key) ?? 0,
          lockCounter: state.fence,
          lease: state.leases.get(key),
          deletedAt: entry ? undefined : t,
        };
        const name = entryName(secret, key);
        await writeFileAtomic(join(temp, `${name}.tok`), await encodeRecord(codec, name, record));
      }
    }
    await fsyncDirectory(temp);
    try {
      await fs.rename(path, backup);
      await fsyncDirectory(parent);
      await fs.rename(temp, path);
      await fsyncDirectory(parent);
      await fs.unlink(backup);
      await fsyncDirectory(parent);
    } catch (cause) {
      throw ioError('migration rename', cause);
    }
    return true;
  } finally {
    await held.release();
  }
}

/** Creates the store directory (0700, with missing parents) and checks it. */
export async function ensureStoreDirectory(dir: string): Promise<void> {
  await ensureDirectory(dir);
  await checkStoreDirectory(dir);
}
