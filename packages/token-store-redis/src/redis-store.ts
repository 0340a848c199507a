import { randomBytes } from 'node:crypto';
import {
  type EncryptionKey,
  encryptedTokenStore,
  type StoredTokenEntry,
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
import { COMPARE_AND_SET, DELETE, EXTEND, LOCK, RELEASE, type Script, SET } from './scripts.js';

/**
 * The part of a node-redis (v5+) client this store uses. A `createClient()` client fits as is; the store
 * never connects, quits or configures it — you own it (TLS, AUTH/ACL, reconnect strategy, `error` listener).
 *
 * @example
 * const client = createClient({ url: 'rediss://user:pass@redis.internal:6380' });
 * client.on('error', (e) => log.warn(e));
 * await client.connect();
 * const store = redisTokenStore({ client });
 */
export interface RedisClientLike {
  /** `false` while disconnected: calls then fail at once with `ERR_STORE_UNAVAILABLE` instead of queueing. */
  readonly isReady: boolean;
  sendCommand(args: ReadonlyArray<string>, options?: { timeout?: number }): Promise<unknown>;
}

/**
 * Options of {@link redisTokenStore}: give `keys` (values encrypted, the default) or `encrypt: false`
 * explicitly, as for the file store.
 *
 * @example
 * const options: RedisTokenStoreOptions = { client, prefix: 'myapp:tokens:', keys: [{ id: 'k1', key }] };
 */
export type RedisTokenStoreOptions = RedisTokenStoreCommonOptions &
  (
    | {
        /** AES-256 keys (32 random bytes each) that encrypt every value (see `encryptedTokenStore`); the first one writes. */
        readonly keys: readonly EncryptionKey[];
        readonly encrypt?: true | undefined;
      }
    | {
        /** Store values in clear: anyone who can read the Redis keys reads the tokens. Only for throwaway local use. */
        readonly encrypt: false;
        readonly keys?: undefined;
      }
  );

/**
 * Options every {@link redisTokenStore} takes.
 *
 * @example
 * const common: RedisTokenStoreCommonOptions = { client, prefix: 'myapp:' };
 */
export interface RedisTokenStoreCommonOptions {
  /** A connected node-redis client you own. */
  readonly client: RedisClientLike;
  /** Namespace of every Redis key this store touches. For Redis Cluster use a hash tag: `'{nsoauth}:'`. @default 'nsoauth:' */
  readonly prefix?: string | undefined;
  /** Clock for entry expiry (epoch ms). Leases use the Redis server's clock. @default Date.now */
  readonly now?: (() => number) | undefined;
  /** Per-command timeout; a slow or hung Redis fails with `ERR_STORE_UNAVAILABLE`. @default 2000 */
  readonly commandTimeoutMs?: number | undefined;
  /** Native TTL = `expiresAt` + this: Redis reclaims dead entries but never hides a live one. @default 300000 */
  readonly reclaimAfterMs?: number | undefined;
}

const TOMBSTONE_MS = 86_400_000;

function optionMs(value: unknown, name: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new TokenStoreError(
      'ERR_STORE_INVALID_OPTION',
      `${name} must be an integer number of ms from 1 to ${max}`,
    );
  }
  return value;
}

/** Maps a client error to a typed store error without echoing anything but Redis's error word. */
function classify(error: unknown): TokenStoreError {
  if (error instanceof TokenStoreError) return error;
  const message = String((error as { message?: unknown } | null)?.message ?? '');
  // node-redis reports server replies as ErrorReply / SimpleError / BlobError (with name 'Error').
  const kind = (error as { constructor?: { name?: unknown } } | null)?.constructor?.name;
  if (kind === 'ErrorReply' || kind === 'SimpleError' || kind === 'BlobError') {
    const word = /^[A-Z]+/.exec(message)?.[0] ?? 'ERR';
    if (word === 'WRONGTYPE') {
      return new TokenStoreError('ERR_STORE_CORRUPT', 'redis key holds a value of the wrong type', {
        cause: error,
      });
    }
    return new TokenStoreError('ERR_STORE_UNAVAILABLE', `redis refused the command (${word})`, {
      cause: error,
    });
  }
  return new TokenStoreError('ERR_STORE_UNAVAILABLE', 'redis is unavailable', { cause: error });
}

/**
 * A token store in Redis for many workers sharing one NetSuite integration: lock (a lease with a
 * fencing token) and compare-and-set run atomically as Lua scripts, so the token manager refreshes once per
 * expiry across the fleet and a stale writer never overwrites a newer token.
 *
 * Each key is a hash `<prefix>t:<key>` (value, expiresAt, version, last fencing token) whose native TTL is
 * `expiresAt + reclaimAfterMs` (space reclaim only: expiry is decided by `now`), and a day at least once it
 * holds a fencing token (the fence outlives the entry it guards). Leases are
 * `<prefix>l:<key>` with a server-side `PX` TTL. When Redis is down or slow, calls fail fast with
 * `ERR_STORE_UNAVAILABLE` (nothing queues or hangs), and work again once the client has reconnected.
 *
 * @example
 * import { createClient } from 'redis';
 * const client = await createClient({ url: process.env.REDIS_URL }).on('error', console.warn).connect();
 * const store = redisTokenStore({ client, prefix: 'myapp:', keys: [{ id: 'k1', key: process.env.TOKEN_KEY! }] });
 * @throws {TokenStoreError} `ERR_STORE_INVALID_OPTION` (synchronously) for a missing client, neither `keys` nor
 *   `encrypt: false`, or another bad option
 * @see https://redis.io/docs/latest/develop/use/patterns/distributed-locks/
 */
export function redisTokenStore(options: RedisTokenStoreOptions): TokenStore {
  if (typeof options !== 'object' || options === null) {
    throw new TokenStoreError('ERR_STORE_INVALID_OPTION', 'options must be an object with client');
  }
  const { client } = options;
  if (typeof client !== 'object' || client === null || typeof client.sendCommand !== 'function') {
    throw new TokenStoreError('ERR_STORE_INVALID_OPTION', 'client must be a connected node-redis client');
  }
  const { keys, encrypt } = options as RedisTokenStoreOptions & { keys?: unknown; encrypt?: unknown };
  if (encrypt !== undefined && typeof encrypt !== 'boolean') {
    throw new TokenStoreError('ERR_STORE_INVALID_OPTION', 'encrypt must be a boolean');
  }
  if (encrypt === false && keys !== undefined) {
    throw new TokenStoreError('ERR_STORE_INVALID_OPTION', 'keys and encrypt: false cannot be used together');
  }
  if (encrypt !== false && keys === undefined) {
    // Tokens in clear in Redis are readable by anyone with access to it (a replica, a backup, redis-cli).
    throw new TokenStoreError(
      'ERR_STORE_INVALID_OPTION',
      'keys are required (32-byte keys, see generateEncryptionKey), or pass encrypt: false',
    );
  }
  const prefix = options.prefix ?? 'nsoauth:';
  try {
    if (typeof prefix !== 'string' || prefix.length > 256) throw new TypeError('prefix');
    assertKey(prefix);
  } catch (cause) {
    throw new TokenStoreError(
      'ERR_STORE_INVALID_OPTION',
      'prefix must be a non-empty string (≤ 256, no control characters)',
      { cause },
    );
  }
  if (options.now !== undefined && typeof options.now !== 'function') {
    throw new TokenStoreError('ERR_STORE_INVALID_OPTION', 'now must be a function returning epoch ms');
  }
  const now = options.now ?? Date.now;
  const timeout = optionMs(options.commandTimeoutMs, 'commandTimeoutMs', 2_000, 60_000);
  const reclaimAfterMs = optionMs(options.reclaimAfterMs, 'reclaimAfterMs', 300_000, 31_536_000_000);
  const counterVersion = `${prefix}c:version`;
  const counterFence = `${prefix}c:fence`;
  const dataKey = (key: string) => `${prefix}t:${key}`;
  const leaseKey = (key: string) => `${prefix}l:${key}`;
  let closed = false;

  const send = async (args: string[]): Promise<unknown> => {
    if (closed) throw new TokenStoreError('ERR_STORE_CLOSED', 'store is closed');
    // Fail fast instead of letting the client queue the command until a reconnect that may never come.
    if (!client.isReady) throw new TokenStoreError('ERR_STORE_UNAVAILABLE', 'redis client is not connected');
    // node-redis's `timeout` only covers a command waiting to be written; one already sent to a Redis that
    // hangs (paused, overloaded) would wait forever. The timer bounds both.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const call = client.sendCommand(args, { timeout });
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(new TokenStoreError('ERR_STORE_UNAVAILABLE', `redis did not answer within ${timeout} ms`)),
        timeout,
      );
    });
    // A late rejection after the timer won must not become an unhandled rejection.
    call.catch(() => {});
    try {
      return await Promise.race([call, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  };
  const run = async (lua: Script, keys: string[], args: string[]): Promise<unknown> => {
    try {
      try {
        return await send(['EVALSHA', lua.sha, String(keys.length), ...keys, ...args]);
      } catch (error) {
        if (!/^NOSCRIPT/.test(String((error as { message?: unknown })?.message ?? ''))) throw error;
        return await send(['EVAL', lua.source, String(keys.length), ...keys, ...args]);
      }
    } catch (error) {
      throw classify(error);
    }
  };
  const reclaimAt = (expiresAt: number) => String(Math.ceil(expiresAt) + reclaimAfterMs);
  const fenceKeepAt = () => String(Math.ceil(now()) + TOMBSTONE_MS);

  const store: TokenStore = {
    capabilities: Object.freeze({ lock: true, compareAndSet: true, crossProcess: true, encrypted: false }),
    async get(key): Promise<StoredTokenEntry | undefined> {
      assertKey(key);
      let reply: unknown;
      try {
        reply = await send(['HMGET', dataKey(key), 'value', 'exp', 'ver']);
      } catch (error) {
        throw classify(error);
      }
      if (!Array.isArray(reply) || reply.length !== 3) {
        throw new TokenStoreError('ERR_STORE_CORRUPT', 'unexpected redis reply');
      }
      const [value, exp, ver] = reply as unknown[];
      if (value === null || value === undefined) return undefined;
      const expiresAt = Number(exp);
      const version = Number(ver);
      if (
        typeof value !== 'string' ||
        !Number.isFinite(expiresAt) ||
        !Number.isSafeInteger(version) ||
        version < 1
      ) {
        throw new TokenStoreError('ERR_STORE_CORRUPT', 'redis entry is malformed');
      }
      if (now() >= expiresAt) return undefined;
      return Object.freeze({ value, expiresAt, version });
    },
    async set(key, entry) {
      assertKey(key);
      assertEntry(entry);
      await run(
        SET,
        [dataKey(key), counterVersion],
        [entry.value, String(entry.expiresAt), reclaimAt(entry.expiresAt), fenceKeepAt()],
      );
    },
    async delete(key) {
      assertKey(key);
      await run(DELETE, [dataKey(key)], [String(TOMBSTONE_MS)]);
    },
    async close() {
      // The client belongs to the caller: only this store object stops working.
      closed = true;
    },
    async lock(key, lockOptions): Promise<TokenStoreLock | undefined> {
      assertKey(key);
      const { ttlMs, waitMs } = normalizeLockOptions(lockOptions);
      const id = randomBytes(16).toString('hex');
      const lease = leaseKey(key);
      const fencingToken = await waitUntil(
        async () => {
          const reply = Number(await run(LOCK, [lease, counterFence], [id, String(ttlMs)]));
          return reply > 0 ? reply : undefined;
        },
        { waitMs, now: Date.now, minDelayMs: 2, maxDelayMs: 50 },
      );
      if (fencingToken === undefined) return undefined;
      let expiresAt = now() + ttlMs;
      return {
        fencingToken,
        get expiresAt() {
          return expiresAt;
        },
        async release() {
          await run(RELEASE, [lease], [id]);
        },
        async extend(ms: number) {
          const { ttlMs: next } = normalizeLockOptions({ ttlMs: ms });
          const ok = Number(await run(EXTEND, [lease], [id, String(next)])) === 1;
          if (ok) expiresAt = now() + next;
          return ok;
        },
      };
    },
    async compareAndSet(key, entry, condition) {
      assertKey(key);
      assertEntry(entry);
      assertCondition(condition);
      const reply = await run(
        COMPARE_AND_SET,
        [dataKey(key), counterVersion],
        [
          entry.value,
          String(entry.expiresAt),
          reclaimAt(entry.expiresAt),
          condition.version === undefined ? '' : String(condition.version),
          condition.fencingToken === undefined ? '' : String(condition.fencingToken),
          String(now()),
          fenceKeepAt(),
        ],
      );
      const version = Number(reply);
      if (version === 0) return false;
      if (!Number.isSafeInteger(version) || version < 1) {
        throw new TokenStoreError('ERR_STORE_CORRUPT', 'unexpected redis reply');
      }
      return Object.freeze({ version });
    },
  };
  return encrypt === false
    ? store
    : encryptedTokenStore(store, { keys: keys as readonly EncryptionKey[], name: prefix });
}
