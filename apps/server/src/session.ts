import { ServerError } from './errors.js';
import { digest, randomId } from './random.js';
import type { KeyValueStore } from './store.js';

/** What the server knows about a connected NetSuite account. Tokens are not here: see `tokenKey`. */
export interface Connection {
  /** Store key of this connection's tokens (server-side only). */
  readonly tokenKey: string;
  readonly accountId: string;
  readonly role?: string | undefined;
  readonly entity?: string | undefined;
  /** The role's and entity's names, when NetSuite gave them at connection time. */
  readonly roleName?: string | undefined;
  readonly entityName?: string | undefined;
  readonly company?: string | undefined;
  readonly connectedAt: number;
}

/** The server-side data of one browser session. */
export interface SessionData {
  /** Synchronizer token every form must echo back (docs/security.md#demo-server). */
  readonly csrf: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly connection?: Connection | undefined;
  /** A one-time message for the next page. */
  readonly notice?: string | undefined;
}

/** A loaded session: its id (only ever sent in the cookie) and its data. */
export interface Session {
  readonly id: string;
  data: SessionData;
  /**
   * Store version of the session as this request read or last wrote it (`undefined` for one not written yet).
   * {@link SessionManager.save} writes only over this version, so a destroyed session is never written back.
   */
  version?: number | undefined;
}

/** Options of {@link SessionManager}. */
export interface SessionManagerOptions {
  readonly store: KeyValueStore;
  /** Lifetime of a session, absolute. @default 8 hours */
  readonly ttlMs?: number | undefined;
  readonly now?: (() => number) | undefined;
}

const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

/**
 * Server-side sessions in a token store, keyed by a hash of the session id (RFC 6749 §10.3, docs/security.md#demo-server).
 *
 * @example
 * const sessions = new SessionManager({ store: memoryTokenStore() });
 * const session = await sessions.create();
 * const again = await sessions.load(session.id);
 */
export class SessionManager {
  readonly ttlMs: number;
  readonly #store: KeyValueStore;
  readonly #now: () => number;

  constructor(options: SessionManagerOptions) {
    this.#store = options.store;
    this.ttlMs = options.ttlMs ?? 8 * 60 * 60 * 1000;
    this.#now = options.now ?? Date.now;
  }

  /** The session with this id, or `undefined` when it is unknown, destroyed, expired or unreadable. */
  async load(id: string | undefined): Promise<Session | undefined> {
    if (id === undefined || !SESSION_ID.test(id)) return undefined;
    let entry: Awaited<ReturnType<KeyValueStore['get']>>;
    try {
      entry = await this.#store.get(key(id));
    } catch (error) {
      // An entry that fails to decrypt (tampered, or sealed with a retired key) is a logged-out session.
      const code = (error as { code?: unknown }).code;
      if (code !== 'ERR_STORE_INTEGRITY' && code !== 'ERR_STORE_KEY_NOT_FOUND') throw error;
      await this.#store.delete(key(id));
      return undefined;
    }
    if (!entry) return undefined;
    let data: SessionData;
    try {
      data = JSON.parse(entry.value) as SessionData;
    } catch {
      // A corrupt session is a logged-out session; the user connects again.
      await this.#store.delete(key(id));
      return undefined;
    }
    if (
      typeof data.csrf !== 'string' ||
      typeof data.expiresAt !== 'number' ||
      data.expiresAt <= this.#now()
    ) {
      await this.#store.delete(key(id));
      return undefined;
    }
    return { id, data, version: entry.version };
  }

  /** When a session created now would expire (epoch ms). */
  expiryOfNew(): number {
    return this.#now() + this.ttlMs;
  }

  /**
   * A new session with a fresh id and CSRF token, expiring at `expiresAt` (default: {@link expiryOfNew}).
   * Called once a sign-in succeeded: anonymous visitors never get one.
   */
  async create(
    extra: Partial<Pick<SessionData, 'connection' | 'notice'>> = {},
    expiresAt: number = this.expiryOfNew(),
  ): Promise<Session> {
    const now = this.#now();
    const data: SessionData = { csrf: randomId(), createdAt: now, expiresAt, ...extra };
    const session: Session = { id: randomId(), data, version: undefined };
    if (!(await this.save(session))) {
      // 256 random bits never collide; a store that refuses a write to an absent key is misbehaving.
      throw new ServerError('ERR_SERVER_STORE_UNAVAILABLE', 'the session store refused a new session', {
        status: 503,
      });
    }
    return session;
  }

  /**
   * Writes the session's data over the version this request read. Answers `false`, writing nothing, when the
   * session changed or was destroyed since (rotated at login or logout by another request): a request that
   * loaded the session before the rotation must not bring the old id back (session fixation, docs/security.md#demo-server).
   */
  async save(session: Session): Promise<boolean> {
    const store = this.#store;
    const id = key(session.id);
    const entry = { value: JSON.stringify(session.data), expiresAt: session.data.expiresAt };
    if (store.capabilities.compareAndSet && typeof store.compareAndSet === 'function') {
      if (!(await store.compareAndSet(id, entry, { version: session.version }))) return false;
    } else {
      // A store without compare-and-set: check, then write (a narrow race remains; every bundled store has CAS).
      if ((await store.get(id))?.version !== session.version) return false;
      await store.set(id, entry);
    }
    session.version = (await store.get(id))?.version;
    return true;
  }

  /** Deletes a session. */
  async destroy(id: string): Promise<void> {
    if (SESSION_ID.test(id)) await this.#store.delete(key(id));
  }

  /** Seconds left before the session expires, for the cookie's Max-Age. */
  maxAgeSeconds(session: Session): number {
    return Math.max(0, Math.floor((session.data.expiresAt - this.#now()) / 1000));
  }
}

function key(id: string): string {
  return `session:${digest(id)}`;
}
