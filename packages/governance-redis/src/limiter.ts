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
 * The part of a node-redis client in subscriber mode the limiter uses: a second connection
 * (`await client.duplicate().connect()`), since a connection that subscribes does nothing else (RESP2).
 *
 * @example
 * const subscriber: RedisSubscriberClient = await client.duplicate().connect()
 */
export interface RedisSubscriberClient {
  /** node-redis's `subscribe(channel, listener)`: the listener gets each message published on the channel. */
  subscribe(channel: string, listener: (message: string, channel: string) => void): Promise<unknown>;
}

/**
 * How the request under a permit ended, as record-client reports it: `'success'` (2xx), `'rejected'` (NetSuite's
 * concurrency refusal: 429 or `SSS_REQUEST_LIMIT_EXCEEDED`), `'neutral'` (anything else). Only an adaptive
 * limiter uses it.
 *
 * @example
 * await permit.release(response.status === 429 ? 'rejected' : 'success');
 */
export type RedisPermitOutcome = 'success' | 'rejected' | 'neutral';

/**
 * A permit; release it once the request has settled. Never rejects: a lost release expires with its lease.
 *
 * @example
 * const permit = await limiter.acquire(); try { await work() } finally { await permit.release('success') }
 */
export interface RedisPermit {
  release(outcome?: RedisPermitOutcome): Promise<void>;
}

/**
 * Fleet-wide adaptive concurrency (AIMD) of {@link redisConcurrencyLimiter}: the account's current limit lives in
 * Redis, next to its permits, so every process of every host sees and moves the same one.
 *
 * @example
 * redisConcurrencyLimiter({ client, key, limit: 20, adaptive: { min: 1, decreaseFactor: 0.5 } })
 */
export interface RedisAdaptiveOptions {
  /** The lowest limit. @default 1 */
  readonly min?: number | undefined;
  /** The limit a new budget starts at (the shared limit, once in Redis, wins). @default limit */
  readonly initial?: number | undefined;
  /** A concurrency rejection multiplies the limit by this, above 0 and below 1. @default 0.5 */
  readonly decreaseFactor?: number | undefined;
  /**
   * Runs of successes needed to climb back to (or past) the limit last rejected; below it one run (as many
   * successes as the limit, counted across the fleet while the budget was full) raises the limit by one.
   * @default 32
   */
  readonly probeWindows?: number | undefined;
}

/**
 * The shared state of a budget, read from Redis.
 *
 * @example
 * const { limit, inFlight } = await limiter.snapshot();
 */
export interface RedisBudgetSnapshot {
  /** The limit in force now: the adaptive limit, or `max` for a fixed budget. */
  readonly limit: number;
  /** The configured limit (`limit` option or the last `setLimit`). */
  readonly max: number;
  /** Permits held across every process (lapsed leases not counted). */
  readonly inFlight: number;
  /** Adaptive: how often a concurrency rejection shrank the shared limit (0 for a fixed budget). */
  readonly decreases: number;
  /** Adaptive: how often a run of successes raised it. */
  readonly increases: number;
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
  readonly leaseMs?: number | undefined;
  /**
   * Wait between tries while the budget is full (jittered ±50 %; a release in this process, or with a
   * `subscriber` in any process, retries at once). @default 10, or 250 with a `subscriber`
   */
  readonly pollMs?: number | undefined;
  /**
   * A connection for pub/sub (`await client.duplicate().connect()`; share one among all budgets). Every release
   * publishes on `<key>:free`; with a subscriber, a process waiting for a permit tries again as soon as any process
   * frees one, instead of on its next poll, and polls only for permits freed by lapsed leases (every `pollMs`).
   * Without one, waiting processes poll Redis every `pollMs`. The limiter never connects, quits or unsubscribes it.
   */
  readonly subscriber?: RedisSubscriberClient | undefined;
  /**
   * How long one Redis command may take. A Redis that stops answering (no TCP reset) then fails the waiters with
   * `ERR_GOVERNANCE_REDIS_UNAVAILABLE` instead of leaving them, and every later caller, waiting forever. @default 2000
   */
  readonly commandTimeoutMs?: number | undefined;
  /**
   * Adapt the limit across the fleet (AIMD) from NetSuite's answers, up to `limit`: a concurrency rejection reported
   * by any process shrinks the shared limit once per window (not once per process), successes grow it back for
   * every process at once. `true` for the defaults. @default false
   */
  readonly adaptive?: boolean | RedisAdaptiveOptions | undefined;
}

/**
 * A concurrency budget shared through Redis; fits record-client's `ConcurrencyLimiter`.
 *
 * @example
 * const limiter = redisConcurrencyLimiter({ client, key: 'ns:1234567:concurrency', limit: 5 }); await limiter.inFlight()
 */
export interface RedisConcurrencyLimiter {
  readonly key: string;
  /** The configured limit (for an adaptive budget, its maximum). */
  readonly limit: number;
  /** Whether the budget adapts its limit across the fleet. */
  readonly adaptive: boolean;
  /**
   * Changes the configured limit (e.g. once NetSuite's `governanceLimits` are known); permits held above it run to
   * their end.
   * @throws {GovernanceRedisError} `ERR_GOVERNANCE_INVALID_OPTION` when `limit` is not a positive integer.
   */
  setLimit(limit: number): void;
  /** The shared state in Redis. Rejects with `ERR_GOVERNANCE_REDIS_UNAVAILABLE` when Redis fails. */
  snapshot(): Promise<RedisBudgetSnapshot>;
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

// ARGV: id, the channel that tells waiting processes a permit is free.
const RELEASE = `if redis.call('ZREM', KEYS[1], ARGV[1]) == 1 then redis.call('PUBLISH', ARGV[2], '') end
return 0`;

const COUNT = `${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
return redis.call('ZCARD', KEYS[1])`;

// Adaptive budgets keep their shared limit in a hash next to the permits (KEYS[2]): limit, epoch (bumped by each
// decrease), full (bumped whenever the budget is found full), run (successes since the last change), ceiling (the
// limit last rejected), decreases, increases. It lives a day past its last change.
const STATE_TTL_MS = 86_400_000;

// ARGV: max, lease, id, initial. Returns { granted, epoch, fullMarkBeforeGrant }.
const ACQUIRE_ADAPTIVE = `${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local max = tonumber(ARGV[1])
local lease = tonumber(ARGV[2])
local s = redis.call('HMGET', KEYS[2], 'limit', 'epoch', 'full')
-- Until the first change the shared limit is each caller's initial one (nothing written, so a process held to a
-- lower limit, e.g. while it discovers the account's limit, does not set it for the others); a process whose
-- configured limit is lower obeys it without lowering the shared one.
local limit = tonumber(s[1]) or tonumber(ARGV[4])
if limit > max then limit = max end
local epoch = tonumber(s[2]) or 0
local full = tonumber(s[3]) or 0
local held = redis.call('ZCARD', KEYS[1])
local granted = 0
if held < limit then
  redis.call('ZADD', KEYS[1], now + lease, ARGV[3])
  if redis.call('PTTL', KEYS[1]) < lease * 2 then redis.call('PEXPIRE', KEYS[1], lease * 2) end
  granted = 1
end
if held + granted >= limit then redis.call('HINCRBY', KEYS[2], 'full', 1) end
if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('PEXPIRE', KEYS[2], ${STATE_TTL_MS}) end
return {granted, epoch, full}`;

// ARGV: id, outcome, epoch at grant, full mark at grant, max, min, decrease factor, probe windows, initial, channel.
const RELEASE_ADAPTIVE = `if redis.call('ZREM', KEYS[1], ARGV[1]) == 1 then redis.call('PUBLISH', ARGV[10], '') end
local outcome = ARGV[2]
if outcome ~= 'success' and outcome ~= 'rejected' then return 0 end
local s = redis.call('HMGET', KEYS[2], 'limit', 'epoch', 'full', 'ceiling')
local max = tonumber(ARGV[5])
local limit = math.min(tonumber(s[1]) or tonumber(ARGV[9]), max)
local epoch = tonumber(s[2]) or 0
redis.call('PEXPIRE', KEYS[2], ${STATE_TTL_MS})
if outcome == 'rejected' then
  redis.call('HSET', KEYS[2], 'run', 0)
  if tonumber(ARGV[3]) ~= epoch then return 0 end
  local nextLimit = math.max(tonumber(ARGV[6]), math.floor(limit * tonumber(ARGV[7])))
  redis.call('HSET', KEYS[2], 'ceiling', limit, 'epoch', epoch + 1)
  if nextLimit < limit then
    redis.call('HSET', KEYS[2], 'limit', nextLimit)
    redis.call('HINCRBY', KEYS[2], 'decreases', 1)
  end
  return -1
end
if (tonumber(s[3]) or 0) <= tonumber(ARGV[4]) then return 0 end
local run = redis.call('HINCRBY', KEYS[2], 'run', 1)
if limit >= max then return 0 end
local ceiling = tonumber(s[4])
local needed = limit
if ceiling and limit + 1 >= ceiling then needed = limit * tonumber(ARGV[8]) end
if run < needed then return 0 end
if ceiling and limit >= ceiling then redis.call('HDEL', KEYS[2], 'ceiling') end
redis.call('HSET', KEYS[2], 'limit', limit + 1, 'run', 0)
redis.call('HINCRBY', KEYS[2], 'increases', 1)
return 1`;

const SNAPSHOT = `${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local s = redis.call('HMGET', KEYS[2], 'limit', 'decreases', 'increases')
return {redis.call('ZCARD', KEYS[1]), s[1] or false, s[2] or false, s[3] or false}`;

const sha1 = (script: string) => createHash('sha1').update(script).digest('hex');
const SCRIPTS = {
  acquire: [ACQUIRE, sha1(ACQUIRE)],
  renew: [RENEW, sha1(RENEW)],
  release: [RELEASE, sha1(RELEASE)],
  count: [COUNT, sha1(COUNT)],
  acquireAdaptive: [ACQUIRE_ADAPTIVE, sha1(ACQUIRE_ADAPTIVE)],
  releaseAdaptive: [RELEASE_ADAPTIVE, sha1(RELEASE_ADAPTIVE)],
  snapshot: [SNAPSHOT, sha1(SNAPSHOT)],
} as const;

/** Where the shared adaptive state stood when a permit was granted. */
interface GrantMark {
  readonly epoch: number;
  readonly full: number;
}

interface ResolvedAdaptive {
  readonly min: number;
  /** Undefined: the configured limit at the time the budget is first used. */
  readonly initial: number | undefined;
  readonly decreaseFactor: number;
  readonly probeWindows: number;
}

function resolveAdaptive(value: unknown, limit: number): ResolvedAdaptive | undefined {
  if (value === undefined || value === false) return undefined;
  if (value !== true && (value === null || typeof value !== 'object' || Array.isArray(value))) {
    throw invalid('adaptive must be a boolean or adaptive options');
  }
  const o = (value === true ? {} : value) as RedisAdaptiveOptions;
  const int = (v: unknown, name: string, fallback: number): number => {
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) {
      throw invalid(`adaptive.${name} must be a positive integer`);
    }
    return v;
  };
  const min = int(o.min, 'min', 1);
  const initial = o.initial === undefined ? undefined : int(o.initial, 'initial', limit);
  if (initial !== undefined && (min > initial || initial > limit)) {
    throw invalid('adaptive must satisfy min <= initial <= limit');
  }
  const decreaseFactor = o.decreaseFactor ?? 0.5;
  if (typeof decreaseFactor !== 'number' || !(decreaseFactor > 0 && decreaseFactor < 1)) {
    throw invalid('adaptive.decreaseFactor must be a number above 0 and below 1');
  }
  return { min, initial, decreaseFactor, probeWindows: int(o.probeWindows, 'probeWindows', 32) };
}

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
  let limit = options.limit;
  if (!Number.isSafeInteger(limit) || limit < 1) throw invalid('limit must be a positive integer');
  const aimd = resolveAdaptive(options.adaptive, limit);
  const stateKey = `${key}:aimd`;
  const leaseMs = options.leaseMs ?? 30_000;
  if (!Number.isSafeInteger(leaseMs) || leaseMs < 100 || leaseMs > 3_600_000) {
    throw invalid('leaseMs must be an integer from 100 to 3600000');
  }
  const subscriber = options.subscriber;
  if (
    subscriber !== undefined &&
    (subscriber === null || typeof subscriber !== 'object' || typeof subscriber.subscribe !== 'function')
  ) {
    throw invalid('subscriber must be a connected node-redis client (with subscribe)');
  }
  const pollMs = options.pollMs ?? (subscriber ? 250 : 10);
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

  // Every script names both keys (the permits and the adaptive state), so a cluster would route them together.
  const run = async (name: keyof typeof SCRIPTS, args: string[]): Promise<unknown> => {
    const [script, sha] = SCRIPTS[name];
    try {
      return await send(['EVALSHA', sha, '2', key, stateKey, ...args]);
    } catch (error) {
      if (!String((error as Error)?.message ?? '').startsWith('NOSCRIPT')) throw error;
      return await send(['EVAL', script, '2', key, stateKey, ...args]);
    }
  };

  const queue: Waiter[] = [];
  let pumping = false;
  let wake: (() => void) | undefined;

  // Permits freed anywhere, as heard on the channel; a pump that saw this move while Redis refused it tries again.
  const channel = `${key}:free`;
  let freed = 0;
  // Polling stays fast until the subscription is confirmed (and for good if it failed).
  let listening: 'no' | 'pending' | 'yes' | 'failed' = 'no';
  const listen = () => {
    if (!subscriber || listening !== 'no') return;
    listening = 'pending';
    Promise.resolve()
      .then(() =>
        subscriber.subscribe(channel, () => {
          freed++;
          wake?.();
        }),
      )
      .then(
        () => {
          listening = 'yes';
        },
        () => {
          // A subscriber that cannot subscribe: poll as without one.
          listening = 'failed';
        },
      );
  };
  const idleMs = () => (listening === 'yes' ? pollMs : Math.min(pollMs, options.pollMs ?? 10));

  const lease = (action: LeaseEvent['action'], since: number) =>
    leaseChannel.publish({ key, limit, action, waitedMs: since === 0 ? 0 : performance.now() - since });

  const release = async (
    id: string,
    renewTimer: NodeJS.Timeout,
    outcome: RedisPermitOutcome | undefined,
    grantedIn: GrantMark | undefined,
  ) => {
    clearInterval(renewTimer);
    if (leaseChannel.hasSubscribers) lease('release', 0);
    try {
      if (aimd && grantedIn)
        await run('releaseAdaptive', [
          id,
          outcome === 'success' || outcome === 'rejected' ? outcome : 'neutral',
          String(grantedIn.epoch),
          String(grantedIn.full),
          String(limit),
          String(aimd.min),
          String(aimd.decreaseFactor),
          String(aimd.probeWindows),
          String(Math.min(aimd.initial ?? limit, limit)),
          channel,
        ]);
      else await run('release', [id, channel]);
    } catch {
      // The lease expires on its own (and an adaptive outcome is lost).
    }
    wake?.();
    if (queue.length > 0) void pump();
  };

  const grant = (id: string, grantedIn: GrantMark | undefined): RedisPermit => {
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
      release(outcome) {
        released ??= release(id, renewTimer, outcome, grantedIn);
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
        const freedBefore = freed;
        let granted: boolean;
        let grantedIn: GrantMark | undefined;
        try {
          if (aimd) {
            const answer = (await run('acquireAdaptive', [
              String(limit),
              String(leaseMs),
              id,
              String(Math.min(aimd.initial ?? limit, limit)),
            ])) as unknown[];
            granted = Number(answer?.[0]) === 1;
            grantedIn = { epoch: Number(answer?.[1]), full: Number(answer?.[2]) };
          } else {
            granted = Number(await run('acquire', [String(limit), String(leaseMs), id])) === 1;
          }
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
          const permit = grant(id, grantedIn);
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
        // Full: wait a jittered poll interval, or less if a permit is freed (here, or anywhere with a subscriber).
        listen();
        if (freed !== freedBefore) continue;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, idleMs() * (0.5 + Math.random()));
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
    get limit() {
      return limit;
    },
    adaptive: aimd !== undefined,
    setLimit(next) {
      if (!Number.isSafeInteger(next) || next < 1) throw invalid('limit must be a positive integer');
      limit = next;
      wake?.();
    },
    async snapshot() {
      try {
        const [held, current, decreases, increases] = (await run('snapshot', [])) as unknown[];
        return {
          limit: aimd ? Math.min(current ? Number(current) : (aimd.initial ?? limit), limit) : limit,
          max: limit,
          inFlight: Number(held),
          decreases: Number(decreases || 0),
          increases: Number(increases || 0),
        };
      } catch (cause) {
        throw new GovernanceRedisError(
          'ERR_GOVERNANCE_REDIS_UNAVAILABLE',
          'redis failed to read the budget',
          {
            cause,
          },
        );
      }
    },
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
