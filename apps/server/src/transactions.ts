import { ServerError } from './errors.js';
import { digest, safeEqual } from './random.js';
import type { KeyValueStore } from './store.js';

/** One login attempt: what the callback needs, bound to the session that started it. */
export interface LoginTransaction {
  /** Hash of the sign-in cookie's id of the browser that started the flow. */
  readonly sessionHash: string;
  readonly state: string;
  readonly codeVerifier: string;
  /** The exact redirect URI sent in the authorization request (sent again in the token request). */
  readonly redirectUri: string;
  /** The token URL the flow was started against (mix-up defence, RFC 9700 §4.4.2). */
  readonly tokenUrl: string;
  /** The authorization server's issuer: a callback's `iss`, when present, must equal it (RFC 9207). */
  readonly issuer: string;
  readonly returnTo: string;
  readonly createdAt: number;
  readonly expiresAt: number;
}

/** Why {@link TransactionStore.take} found no usable transaction. */
export type TakeFailure = 'unknown' | 'expired' | 'foreign';

/** Options of {@link TransactionStore}. */
export interface TransactionStoreOptions {
  readonly store: KeyValueStore;
  /** Lifetime of a login transaction; at most 15 minutes. @default 10 minutes */
  readonly ttlMs?: number | undefined;
  /** Sign-ins this process lets be in progress at once; more answer 503 until some finish or expire. @default 10000 */
  readonly maxPending?: number | undefined;
  readonly now?: (() => number) | undefined;
}

/**
 * Login transactions (state and PKCE verifier) kept server-side, single-use and short-lived
 * (RFC 7636 §4.1, RFC 9700 §2.1 and §4.4.2).
 *
 * @example
 * const txs = new TransactionStore({ store });
 * await txs.put({ ... });
 * const result = await txs.take(state, sessionId);
 */
export class TransactionStore {
  readonly ttlMs: number;
  readonly #store: KeyValueStore;
  readonly #now: () => number;
  readonly #maxPending: number;
  // Claims in flight in this process: a second callback with the same state waits for none of them.
  readonly #claimed = new Set<string>();
  // Sign-ins started by this process and not finished: store key → expiry, and the one per browser.
  readonly #pending = new Map<string, { readonly expiresAt: number; readonly browser: string }>();
  readonly #byBrowser = new Map<string, string>();

  constructor(options: TransactionStoreOptions) {
    this.#store = options.store;
    this.ttlMs = Math.min(options.ttlMs ?? 10 * 60 * 1000, 15 * 60 * 1000);
    this.#maxPending = options.maxPending ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Saves a new transaction. A browser has one sign-in in progress at a time (a new one replaces and deletes
   * its previous one), and this process at most `maxPending`: the short-lived state before login is bounded.
   *
   * @throws {ServerError} `ERR_SERVER_BUSY` (503) when `maxPending` sign-ins are in progress.
   */
  async put(tx: Omit<LoginTransaction, 'createdAt' | 'expiresAt'>): Promise<LoginTransaction> {
    const now = this.#now();
    const previous = this.#byBrowser.get(tx.sessionHash);
    if (previous !== undefined) {
      this.#forget(previous);
      await this.#store.delete(previous);
    }
    if (this.#pending.size >= this.#maxPending) {
      for (const [k, p] of this.#pending) if (p.expiresAt <= now) this.#forget(k);
    }
    if (this.#pending.size >= this.#maxPending) {
      throw new ServerError(
        'ERR_SERVER_BUSY',
        'too many sign-ins are in progress: try again in a few minutes',
        {
          status: 503,
        },
      );
    }
    const full: LoginTransaction = { ...tx, createdAt: now, expiresAt: now + this.ttlMs };
    const k = key(tx.state);
    await this.#store.set(k, { value: JSON.stringify(full), expiresAt: full.expiresAt });
    this.#pending.set(k, { expiresAt: full.expiresAt, browser: tx.sessionHash });
    this.#byBrowser.set(tx.sessionHash, k);
    return full;
  }

  /** Sign-ins in progress that this process started (for tests and monitoring). */
  get pending(): number {
    return this.#pending.size;
  }

  #forget(k: string): void {
    const pending = this.#pending.get(k);
    this.#pending.delete(k);
    if (pending && this.#byBrowser.get(pending.browser) === k) this.#byBrowser.delete(pending.browser);
  }

  /**
   * Takes the transaction of `state` out of the store — it is deleted on this first use whatever happens next —
   * and checks that it is fresh and belongs to `sessionId`.
   */
  async take(
    state: string,
    sessionId: string | undefined,
  ): Promise<{ ok: true; tx: LoginTransaction } | { ok: false; reason: TakeFailure }> {
    if (!/^[A-Za-z0-9_-]{16,128}$/.test(state)) return { ok: false, reason: 'unknown' };
    const k = key(state);
    if (this.#claimed.has(k)) return { ok: false, reason: 'unknown' };
    this.#claimed.add(k);
    this.#forget(k);
    try {
      const entry = await this.#store.get(k);
      if (!entry) return { ok: false, reason: 'unknown' };
      // Across processes (a shared Redis), claim it atomically: only the one whose compare-and-set wins goes on.
      if (this.#store.compareAndSet && entry.version !== undefined) {
        const won = await this.#store.compareAndSet(
          k,
          { value: '', expiresAt: entry.expiresAt },
          { version: entry.version },
        );
        if (!won) return { ok: false, reason: 'unknown' };
      }
      await this.#store.delete(k);
      let tx: LoginTransaction;
      try {
        tx = JSON.parse(entry.value) as LoginTransaction;
      } catch {
        return { ok: false, reason: 'unknown' };
      }
      if (!safeEqual(tx.state, state)) return { ok: false, reason: 'unknown' };
      if (tx.expiresAt <= this.#now()) return { ok: false, reason: 'expired' };
      if (sessionId === undefined || !safeEqual(tx.sessionHash, digest(sessionId))) {
        return { ok: false, reason: 'foreign' };
      }
      return { ok: true, tx };
    } finally {
      this.#claimed.delete(k);
    }
  }
}

function key(state: string): string {
  return `tx:${digest(state)}`;
}
