import { createHash, randomUUID } from 'node:crypto';
import { type LeaseEvent, leaseChannel } from './diagnostics.js';
import { GovernanceRedisError } from './errors.js';

/**
 * The part of a Redis client the limiter uses: node-redis 4, 5 and 6 (`createClient()`, connected) fit as they are.
 * Commands go through `sendCommand`, so the client's own modules and scripts do not matter.
 *
 * @example
 * const client: RedisCommandClient = await createClient({ url }).connect()
 */
export interface RedisCommandClient {
  /** `options.timeout` is node-redis's per-command timeout; a client that ignores it is still cut off by the limiter. */
  sendCommand(args: string[], options?: { timeout?: number }): Promise<unknown>;
}

/**
 * A permit; release it once the request has settled. Never rejects: a lost release expires with its lease.
 *
 * @example
 * const permit = await limiter.acquire(); try { await work() } finally { await permit.release() }
 */
export interface RedisPermit {
  release(): Promise<void>;
}

/**
 * Options of {@link redisConcurrencyLimiter}.
 *
 * @example
 * redisConcurrencyLimiter({ client, key: 'ns:1234567:concurrency', limit: 5, leaseMs: 30_000 })
 */
export interface RedisConcurrencyLimiterOptions {
  /** A connected node-redis client. The limiter never connects, quits or duplicates it. */
  readonly client: RedisCommandClient;
  /** The Redis key of this budget; use one key per NetSuite account (or per integration share). */
  readonly key: string;
  /** Permits across every process that uses `key`: the account's (or integration's) concurrency limit. */
  readonly limit: number;
  /**
   * How long a permit lives without renewal. A holder renews it every `leaseMs / 3` while its request runs, so a
   * killed process frees its permits after at most `leaseMs`. @default 30000
   */
  readonly leaseMs?: number;
  /** Wait between tries while the budget is full (jittered ±50 %; a local release retries at once). @default 10 */
  readonly pollMs?: number;
  /**
   * How long one Redis command may take. A Redis that stops answering (no TCP reset) then fails the waiters with
   * `ERR_GOVERNANCE_REDIS_UNAVAILABLE` instead of leaving them, and every later caller, waiting forever. @default 2000
   */
  readonly commandTimeoutMs?: number;
}

/**
 * A concurrency budget shared through Redis; fits record-client's `ConcurrencyLimiter`.
 *
 * @example
 * const limiter = redisConcurrencyLimiter({ client, key: 'ns:1234567:concurrency', limit: 5 }); await limiter.inFlight()
 */
export interface RedisConcurrencyLimiter {
  readonly key: string;
  readonly limit: number;
  /** Waits for a permit. Rejects with `ERR_GOVERNANCE_ABORTED` when `signal` aborts, `ERR_GOVERNANCE_REDIS_UNAVAILABLE` when Redis fails. */
  acquire(options?: { signal?: AbortSignal }): Promise<RedisPermit>;
  /** Permits currently held across all processes (expired leases not counted). */
  inFlight(): Promise<number>;
  /** Callers of this process waiting for a permit. */
  readonly waiting: number;
}

// The time comes from Redis itself, so processes with skewed clocks agree on lease expiry.
const NOW = `local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

const ACQUIRE = `${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local lease = tonumber(ARGV[2])
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + lease, ARGV[3])
  if redis.call('PTTL', KEYS[1]) < lease * 2 then redis.call('PEXPIRE', KEYS[1], lease * 2) end
  return 1
end
return 0`;

const RENEW = `${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZSCORE', KEYS[1], ARGV[2]) then
  local lease = tonumber(ARGV[1])
  redis.call('ZADD', KEYS[1], 'XX', now + lease, ARGV[2])
  if redis.call('PTTL', KEYS[1]) < lease * 2 then redis.call('PEXPIRE', KEYS[1], lease * 2) end
  return 1
end
return 0`;

const COUNT = `${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
return redis.call('ZCARD', KEYS[1])`;

const sha1 = (script: string) => createHash('sha1').update(script).digest('hex');
const SCRIPTS = {
  acquire: [ACQUIRE, sha1(ACQUIRE)],
  renew: [RENEW, sha1(RENEW)],
  count: [COUNT, sha1(COUNT)],
} as const;

interface Waiter {
  resolve(permit: RedisPermit): void;
  reject(error: unknown): void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  settled: boolean;
  /** `performance.now()` at `acquire`, only while someone subscribes to the lease channel (0 otherwise). */
  since: number;
}

function invalid(message: string): GovernanceRedisError {
  return new GovernanceRedisError('ERR_GOVERNANCE_INVALID_OPTION', message);
}

/**
 * A NetSuite concurrency budget shared by every process that uses the same Redis `key`: at most `limit` requests
 * in flight across all of them. Atomic (Lua), lease-based (a killed process frees its permits after `leaseMs`),
 * clock-safe (Redis `TIME`). Pass it as `concurrency` to record-client's `createNetSuiteClient`.
 *
 * @example
 * import { createClient } from 'redis';
 * const redis = await createClient({ url: 'redis://127.0.0.1:6379' }).connect();
 * const limiter = redisConcurrencyLimiter({ client: redis, key: 'ns:1234567_SB1:concurrency', limit: 5 });
 * const client = createNetSuiteClient({ accountId: '1234567_SB1', token, concurrency: limiter });
 * @throws {GovernanceRedisError} `ERR_GOVERNANCE_INVALID_OPTION` for a missing client, an empty key, or a bad limit or lease.
 * @see https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/bridgehead_1500275603.html
 */
export function redisConcurrencyLimiter(options: RedisConcurrencyLimiterOptions): RedisConcurrencyLimiter {
  if (options === null || typeof options !== 'object') throw invalid('options must be an object');
  const { client, key } = options;
  if (client === null || typeof client !== 'object' || typeof client.sendCommand !== 'function') {
    throw invalid('client must be a connected node-redis client (with sendCommand)');
  }
  if (typeof key !== 'string' || key.length === 0 || key.length > 512) {
    throw invalid('key must be a non-empty string of at most 512 characters');
  }
  const limit = options.limit;
  if (!Number.isSafeInteger(limit) || limit < 1) throw invalid('limit must be a positive integer');
  const leaseMs = options.leaseMs ?? 30_000;
  if (!Number.isSafeInteger(leaseMs) || leaseMs < 100 || leaseMs > 3_600_000) {
    throw invalid('leaseMs must be an integer from 100 to 3600000');
  }
  const pollMs = options.pollMs ?? 10;
  if (typeof pollMs !== 'number' || !Number.isFinite(pollMs) || pollMs < 1 || pollMs > 10_000) {
    throw invalid('pollMs must be a number from 1 to 10000');
  }
  const commandTimeoutMs = options.commandTimeoutMs ?? 2_000;
  if (!Number.isSafeInteger(commandTimeoutMs) || commandTimeoutMs < 1 || commandTimeoutMs > 60_000) {
    throw invalid('commandTimeoutMs must be an integer from 1 to 60000');
  }

  // node-redis honours `timeout`; the timer also bounds clients that do not, so no call can hang the pump.
  const send = (args: string[]): Promise<unknown> => {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`redis did not answer within ${commandTimeoutMs} ms`)),
        commandTimeoutMs,
      );
    });
    const call = Promise.resolve().then(() => client.sendCommand(args, { timeout: commandTimeoutMs }));
    // A late rejection after the timer won must not become an unhandled rejection.
    call.catch(() => {});
    return Promise.race([call, timedOut]).finally(() => clearTimeout(timer));
  };

  const run = async (name: keyof typeof SCRIPTS, args: string[]): Promise<unknown> => {
    const [script, sha] = SCRIPTS[name];
    try {
      return await send(['EVALSHA', sha, '1', key, ...args]);
    } catch (error) {
      if (!String((error as Error)?.message ?? '').startsWith('NOSCRIPT')) throw error;
      return await send(['EVAL', script, '1', key, ...args]);
    }
  };

  const queue: Waiter[] = [];
  let pumping = false;
  let wake: (() => void) | undefined;

  const lease = (action: LeaseEvent['action'], since: number) =>
    leaseChannel.publish({ key, limit, action, waitedMs: since === 0 ? 0 : performance.now() - since });

  const release = async (id: string, renewTimer: NodeJS.Timeout) => {
    clearInterval(renewTimer);
    if (leaseChannel.hasSubscribers) lease('release', 0);
    try {
      await send(['ZREM', key, id]);
    } catch {
      // The lease expires on its own.
    }
    wake?.();
    if (queue.length > 0) void pump();
  };

  const grant = (id: string): RedisPermit => {
    const renewTimer = setInterval(
      () => {
        run('renew', [String(leaseMs), id]).then(
          (renewed) => {
            if (Number(renewed) !== 1 && leaseChannel.hasSubscribers) lease('lost', 0);
          },
          () => {},
        );
      },
      Math.max(50, Math.floor(leaseMs / 3)),
    );
    renewTimer.unref();
    let released: Promise<void> | undefined;
    return {
      release() {
        released ??= release(id, renewTimer);
        return released;
      },
    };
  };

  const pump = async () => {
    if (pumping) return;
    pumping = true;
    try {
      for (;;) {
        // Waiters aborted while at the head stay until here: drop them.
        while (queue.length > 0 && (queue[0] as Waiter).settled) queue.shift();
        const head = queue[0];
        if (!head) break;
        const id = randomUUID();
        let granted: boolean;
        try {
          granted = Number(await run('acquire', [String(limit), String(leaseMs), id])) === 1;
        } catch (cause) {
          // A timed-out script may still run once Redis answers again: take that permit back, or it would count
          // against the budget until its lease ends. Redis runs one connection's commands in order.
          send(['ZREM', key, id]).catch(() => {});
          const error = new GovernanceRedisError(
            'ERR_GOVERNANCE_REDIS_UNAVAILABLE',
            'redis failed to hand out a permit',
            {
              cause,
            },
          );
          for (const waiter of queue.splice(0)) settle(waiter, () => waiter.reject(error));
          return;
        }
        if (granted) {
          const permit = grant(id);
          if (head.settled) {
            // Aborted while Redis was answering: give the permit straight back.
            queue.shift();
            void permit.release();
            continue;
          }
          queue.shift();
          if (leaseChannel.hasSubscribers) lease('acquire', head.since);
          settle(head, () => head.resolve(permit));
          continue;
        }
        // Full: wait a jittered poll interval, or less if this process releases a permit.
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, pollMs * (0.5 + Math.random()));
          function done() {
            clearTimeout(timer);
            wake = undefined;
            resolve();
          }
          wake = done;
        });
      }
    } finally {
      pumping = false;
    }
  };

  const settle = (waiter: Waiter, action: () => void) => {
    if (waiter.settled) return;
    waiter.settled = true;
    if (waiter.signal && waiter.onAbort) waiter.signal.removeEventListener('abort', waiter.onAbort);
    action();
  };

  return {
    key,
    limit,
    get waiting() {
      return queue.filter((w) => !w.settled).length;
    },
    acquire(acquireOptions = {}) {
      const signal = acquireOptions.signal;
      const aborted = () =>
        new GovernanceRedisError('ERR_GOVERNANCE_ABORTED', 'waiting for a permit was aborted', {
          cause: signal?.reason,
        });
      if (signal?.aborted) return Promise.reject(aborted());
      return new Promise<RedisPermit>((resolve, reject) => {
        const waiter: Waiter = {
          resolve,
          reject,
          signal,
          onAbort: undefined,
          settled: false,
          since: leaseChannel.hasSubscribers ? performance.now() : 0,
        };
        if (signal) {
          waiter.onAbort = () => {
            settle(waiter, () => reject(aborted()));
            const index = queue.indexOf(waiter);
            // The head may be in a Redis call right now; the pump drops it when the call returns.
            if (index > 0) queue.splice(index, 1);
          };
          signal.addEventListener('abort', waiter.onAbort, { once: true });
        }
        queue.push(waiter);
        void pump();
      });
    },
    async inFlight() {
      try {
        return Number(await run('count', []));
      } catch (cause) {
        throw new GovernanceRedisError('ERR_GOVERNANCE_REDIS_UNAVAILABLE', 'redis failed to count permits', {
          cause,
        });
      }
    },
  };
}
