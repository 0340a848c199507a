import { describe, expect, it } from 'vitest';
import {
  type RedisConcurrencyLimiter,
  type RedisPermit,
  redisAccountLimiters,
  redisConcurrencyLimiter,
} from '../src/index.js';
import { useRedisServer } from './helpers/redis.js';

const redis = useRedisServer();
const connect = () => redis.connect();

let keyN = 0;
const freshKey = () => `test:adaptive:${++keyN}:${Date.now()}`;

/** Two limiters on one key, each with its own Redis connection: two workers of a fleet. */
async function fleetOfTwo(limit: number, adaptive: boolean | object = true) {
  const key = freshKey();
  const make = async () =>
    redisConcurrencyLimiter({ client: await connect(), key, limit, pollMs: 2, adaptive: adaptive as never });
  return [await make(), await make()] as const;
}

/** Takes `n` permits, alternating between the limiters. */
async function take(limiters: readonly RedisConcurrencyLimiter[], n: number): Promise<RedisPermit[]> {
  const permits: RedisPermit[] = [];
  for (let i = 0; i < n; i++)
    permits.push(await (limiters[i % limiters.length] as RedisConcurrencyLimiter).acquire());
  return permits;
}

/** True when no permit comes within `ms` (the budget is full for this caller). */
async function blocked(limiter: RedisConcurrencyLimiter, ms = 150): Promise<boolean> {
  const outcome = await limiter.acquire({ signal: AbortSignal.timeout(ms) }).then(
    async (permit) => {
      await permit.release();
      return false;
    },
    () => true,
  );
  return outcome;
}

describe('fleet-wide AIMD (adaptive: true)', () => {
  it('a rejection seen by one worker shrinks the limit for every worker, once per window, not once per worker', async () => {
    const [a, b] = await fleetOfTwo(8);
    const permits = await take([a, b], 8);
    expect(await blocked(b)).toBe(true);
    // Every request of the window is refused: the first report halves the limit, the other 7 (granted before the
    // decrease, from both workers) do not shrink it again.
    for (const permit of permits) await permit.release('rejected');
    const snapshot = await a.snapshot();
    expect(snapshot).toMatchObject({ limit: 4, max: 8, inFlight: 0, decreases: 1 });
    // Both workers now share 4 permits.
    const held = await take([b, a], 4);
    expect(await blocked(a)).toBe(true);
    expect(await blocked(b)).toBe(true);
    for (const permit of held) await permit.release('neutral');
    expect((await b.snapshot()).limit).toBe(4);
  });

  it('successes from any worker while the budget is full grow the shared limit back, up to the configured one', async () => {
    const [a, b] = await fleetOfTwo(6, { initial: 2, probeWindows: 1 });
    expect((await a.snapshot()).limit).toBe(2);
    for (let round = 0; round < 10; round++) {
      const { limit } = await a.snapshot();
      const permits = await take([a, b], limit);
      for (const permit of permits) await permit.release('success');
    }
    const snapshot = await b.snapshot();
    expect(snapshot.limit).toBe(6);
    expect(snapshot.increases).toBe(4);
    // Six permits now, across both workers, and not a seventh.
    const permits = await take([a, b], 6);
    expect(await blocked(b)).toBe(true);
    for (const permit of permits) await permit.release();
  });

  it('an idle budget learns nothing: successes without the budget ever full do not raise it', async () => {
    const [a] = await fleetOfTwo(6, { initial: 3, probeWindows: 1 });
    for (let i = 0; i < 20; i++) await (await a.acquire()).release('success');
    expect((await a.snapshot()).limit).toBe(3);
  });

  it('never goes below min, and setLimit caps the shared limit at once', async () => {
    const [a, b] = await fleetOfTwo(8, { min: 3 });
    for (let i = 0; i < 4; i++) {
      const permits = await take([a, b], (await a.snapshot()).limit);
      for (const permit of permits) await permit.release('rejected');
    }
    expect((await a.snapshot()).limit).toBe(3);
    a.setLimit(2);
    b.setLimit(2);
    expect((await a.snapshot()).limit).toBe(2);
    const permits = await take([a, b], 2);
    expect(await blocked(a)).toBe(true);
    for (const permit of permits) await permit.release();
  });

  it('a process held to a lower limit (discovering the account’s limit) obeys it without lowering the others’', async () => {
    const key = freshKey();
    const wide = redisConcurrencyLimiter({
      client: await connect(),
      key,
      limit: 4,
      pollMs: 2,
      adaptive: true,
    });
    const narrow = redisConcurrencyLimiter({
      client: await connect(),
      key,
      limit: 1,
      pollMs: 2,
      adaptive: true,
    });
    // The narrow one comes first: it must not set the shared limit to its own.
    await (await narrow.acquire()).release('success');
    const held = await wide.acquire();
    expect(await blocked(narrow)).toBe(true);
    await held.release('success');
    await (await narrow.acquire()).release('success');
    expect((await wide.snapshot()).limit).toBe(4);
    const permits = await take([wide], 4);
    for (const permit of permits) await permit.release();
  });

  it('a fixed budget ignores outcomes', async () => {
    const [a, b] = await fleetOfTwo(4, false);
    const permits = await take([a, b], 4);
    for (const permit of permits) await permit.release('rejected');
    expect(await a.snapshot()).toMatchObject({ limit: 4, max: 4, decreases: 0 });
    expect(a.adaptive).toBe(false);
  });
});

describe('redisAccountLimiters', () => {
  it('gives each account its own budget, the same limiter for either form of an id, and follows a new limit', async () => {
    const client = await connect();
    const prefix = `test:accounts:${Date.now()}`;
    const budgets = redisAccountLimiters({ client, prefix, pollMs: 2 });
    const sb1 = budgets.limiter('1234567_SB1', 2);
    expect(budgets.limiter('1234567-sb1', 2)).toBe(sb1);
    expect(sb1.key).toBe(`${prefix}:1234567_SB1`);
    const other = budgets.limiter('7654321', 1);
    const held = [await sb1.acquire(), await sb1.acquire(), await other.acquire()];
    expect(await blocked(sb1)).toBe(true);
    expect(await blocked(other)).toBe(true);
    // Another process with the same prefix shares the budgets.
    const elsewhere = redisAccountLimiters({ client: await connect(), prefix, pollMs: 2 });
    expect(await blocked(elsewhere.limiter('1234567_SB1', 2))).toBe(true);
    // A new limit (e.g. discovered from governanceLimits) applies to the account's limiter.
    expect(budgets.limiter('1234567_SB1', 3)).toBe(sb1);
    expect(sb1.limit).toBe(3);
    const third = await sb1.acquire();
    for (const permit of [...held, third]) await permit.release();
    expect(budgets.size).toBe(2);
  });

  it.each([
    [
      'a bad account id',
      () => redisAccountLimiters({ client: { sendCommand: async () => 1 } }).limiter('no way', 1),
    ],
    [
      'a bad limit',
      () => redisAccountLimiters({ client: { sendCommand: async () => 1 } }).limiter('1234567', 0),
    ],
    ['an empty prefix', () => redisAccountLimiters({ client: { sendCommand: async () => 1 }, prefix: '' })],
    ['no client', () => redisAccountLimiters({} as never)],
    [
      'a bad adaptive option',
      () => redisAccountLimiters({ client: { sendCommand: async () => 1 }, adaptive: { min: 0 } }),
    ],
  ])('%s throws ERR_GOVERNANCE_INVALID_OPTION synchronously', (_name, call) => {
    expect(call).toThrow(expect.objectContaining({ code: 'ERR_GOVERNANCE_INVALID_OPTION' }));
  });
});
