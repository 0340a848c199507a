import { TokenStoreError } from '@netsuite-oauth/token-store';
import type { FileLease } from './state.js';

/**
 * Everything the store keeps about one key, in that key's own file. A deleted or expired key keeps its
 * counters for a while (a tombstone), so a version or fencing token is never handed out twice.
 */
export interface KeyRecord {
  /** The key itself: checked on read, so a file moved to another key's name is refused (with or without encryption). */
  readonly key: string;
  /** The entry; absent for a tombstone. */
  entry: { readonly value: string; readonly expiresAt: number } | undefined;
  /** Version of the last write of this key (0: never written). */
  version: number;
  /** Highest fencing token of a successful fenced write. */
  fence: number;
  /** Last fencing token handed out by `lock`. */
  lockCounter: number;
  lease: FileLease | undefined;
  /** When the key was deleted (epoch ms), for a tombstone. */
  deletedAt: number | undefined;
}

/** A record for a key never seen. */
export function emptyRecord(key: string): KeyRecord {
  return {
    key,
    entry: undefined,
    version: 0,
    fence: 0,
    lockCounter: 0,
    lease: undefined,
    deletedAt: undefined,
  };
}

const FORMAT = 2;

/** The record as JSON text (encrypted by the caller unless `encrypt: false`). */
export function serializeRecord(record: KeyRecord): string {
  return JSON.stringify({
    format: FORMAT,
    k: record.key,
    ...(record.entry ? { v: record.entry.value, e: record.entry.expiresAt } : {}),
    ver: record.version,
    fence: record.fence,
    lock: record.lockCounter,
    ...(record.lease ? { lease: record.lease } : {}),
    dead: record.deletedAt,
  });
}

function corrupt(): TokenStoreError {
  return new TokenStoreError('ERR_STORE_CORRUPT', 'token file content is not a valid token store entry');
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Parses and checks a record; anything unexpected is `ERR_STORE_CORRUPT` (never silently reset: the file may
 * hold the only copy of a refresh token). A record naming another key than `key` is refused the same way.
 */
export function parseRecord(text: string, key: string): KeyRecord {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch (cause) {
    throw new TokenStoreError('ERR_STORE_CORRUPT', 'token file content is not valid JSON', { cause });
  }
  if (typeof raw !== 'object' || raw === null || raw.format !== FORMAT || raw.k !== key) throw corrupt();
  if (!isCount(raw.ver) || !isCount(raw.fence) || !isCount(raw.lock)) throw corrupt();
  const hasValue = raw.v !== undefined;
  if (hasValue && (typeof raw.v !== 'string' || !isTime(raw.e))) throw corrupt();
  if (raw.dead !== undefined && !isTime(raw.dead)) throw corrupt();
  let lease: FileLease | undefined;
  if (raw.lease !== undefined) {
    const l = raw.lease as Record<string, unknown> | null;
    if (
      typeof l !== 'object' ||
      l === null ||
      typeof l.id !== 'string' ||
      !isCount(l.fencingToken) ||
      !isTime(l.expiresAt) ||
      !isCount(l.pid) ||
      typeof l.host !== 'string'
    ) {
      throw corrupt();
    }
    lease = { id: l.id, fencingToken: l.fencingToken, expiresAt: l.expiresAt, pid: l.pid, host: l.host };
  }
  return {
    key,
    entry: hasValue ? { value: raw.v as string, expiresAt: raw.e as number } : undefined,
    version: raw.ver,
    fence: raw.fence,
    lockCounter: raw.lock,
    lease,
    deletedAt: raw.dead as number | undefined,
  };
}
