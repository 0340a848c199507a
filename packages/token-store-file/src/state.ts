import { TokenStoreError } from '@netsuite-oauth/token-store';

/** One key's token. */
export interface FileEntry {
  readonly value: string;
  readonly expiresAt: number;
  readonly version: number;
}

/** One key's lease. */
export interface FileLease {
  readonly id: string;
  readonly fencingToken: number;
  expiresAt: number;
  /** Holder process, so a lease whose holder died on this host frees at once instead of at expiry. */
  readonly pid: number;
  readonly host: string;
}

/**
 * Everything the file holds. Maps (not objects) so a key like `__proto__` is just a key; stored as arrays.
 */
export interface FileState {
  /** Last version handed out (versions never repeat, even after a delete). */
  counter: number;
  /** Last fencing token handed out. */
  fence: number;
  readonly entries: Map<string, FileEntry>;
  /** Highest fencing token of a successful fenced write, per key. */
  readonly fences: Map<string, number>;
  readonly leases: Map<string, FileLease>;
}

/** A fresh, empty state. */
export function emptyState(): FileState {
  return { counter: 0, fence: 0, entries: new Map(), fences: new Map(), leases: new Map() };
}

const FORMAT = 1;

/** Serialises the state (plaintext JSON; encrypted by the caller unless `encrypt: false`). */
export function serializeState(state: FileState): string {
  return JSON.stringify({
    format: FORMAT,
    counter: state.counter,
    fence: state.fence,
    entries: [...state.entries],
    fences: [...state.fences],
    leases: [...state.leases],
  });
}

function corrupt(): TokenStoreError {
  return new TokenStoreError('ERR_STORE_CORRUPT', 'token file content is not a valid token store');
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function pairs(value: unknown): Array<[string, Record<string, unknown>]> {
  if (!Array.isArray(value)) throw corrupt();
  return value.map((pair: unknown) => {
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string') throw corrupt();
    return [pair[0], pair[1] as Record<string, unknown>];
  });
}

/**
 * Parses and checks the state; anything unexpected is `ERR_STORE_CORRUPT` (never silently reset: the file
 * may hold the only copy of a refresh token).
 */
export function parseState(text: string): FileState {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch (cause) {
    throw new TokenStoreError('ERR_STORE_CORRUPT', 'token file content is not valid JSON', { cause });
  }
  if (typeof raw !== 'object' || raw === null || raw.format !== FORMAT) throw corrupt();
  if (!isCount(raw.counter) || !isCount(raw.fence)) throw corrupt();
  const state: FileState = { ...emptyState(), counter: raw.counter, fence: raw.fence };
  for (const [key, e] of pairs(raw.entries)) {
    if (typeof e?.value !== 'string' || !isTime(e.expiresAt) || !isCount(e.version)) throw corrupt();
    state.entries.set(key, { value: e.value, expiresAt: e.expiresAt, version: e.version });
  }
  for (const [key, f] of pairs(raw.fences)) {
    if (!isCount(f)) throw corrupt();
    state.fences.set(key, f);
  }
  for (const [key, l] of pairs(raw.leases)) {
    if (
      typeof l?.id !== 'string' ||
      !isCount(l.fencingToken) ||
      !isTime(l.expiresAt) ||
      !isCount(l.pid) ||
      typeof l.host !== 'string'
    ) {
      throw corrupt();
    }
    state.leases.set(key, {
      id: l.id,
      fencingToken: l.fencingToken,
      expiresAt: l.expiresAt,
      pid: l.pid,
      host: l.host,
    });
  }
  return state;
}
