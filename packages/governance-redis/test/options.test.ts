import { describe, expect, it } from 'vitest';
import { GovernanceRedisError, redisAccountLimiters, redisConcurrencyLimiter } from '../src/index.js';

const client = { sendCommand: async () => 1 };

describe('redisConcurrencyLimiter options', () => {
  it.each([
    ['no options', undefined],
    ['no client', { key: 'k', limit: 5 }],
    ['client without sendCommand', { client: {}, key: 'k', limit: 5 }],
    ['empty key', { client, key: '', limit: 5 }],
    ['long key', { client, key: 'k'.repeat(513), limit: 5 }],
    ['zero limit', { client, key: 'k', limit: 0 }],
    ['fractional limit', { client, key: 'k', limit: 2.5 }],
    ['short lease', { client, key: 'k', limit: 5, leaseMs: 10 }],
    ['NaN poll', { client, key: 'k', limit: 5, pollMs: Number.NaN }],
    ['zero command timeout', { client, key: 'k', limit: 5, commandTimeoutMs: 0 }],
    ['string command timeout', { client, key: 'k', limit: 5, commandTimeoutMs: '2000' }],
    ['subscriber without subscribe', { client, key: 'k', limit: 5, subscriber: {} }],
    ['null subscriber', { client, key: 'k', limit: 5, subscriber: null }],
  ])('%s throws ERR_GOVERNANCE_INVALID_OPTION synchronously', (_name, options) => {
    expect(() => redisConcurrencyLimiter(options as never)).toThrow(GovernanceRedisError);
    expect(() => redisConcurrencyLimiter(options as never)).toThrow(
      expect.objectContaining({ code: 'ERR_GOVERNANCE_INVALID_OPTION' }),
    );
  });

  it('a client that never answers (and ignores the timeout option) fails the waiters; the next acquire tries again', async () => {
    let hang = true;
    const seen: unknown[] = [];
    const limiter = redisConcurrencyLimiter({
      client: {
        sendCommand: (_args: string[], options?: { timeout?: number }) => {
          seen.push(options?.timeout);
          return hang ? new Promise<never>(() => {}) : Promise.resolve(1);
        },
      },
      key: 'k',
      limit: 5,
      commandTimeoutMs: 20,
    });
    const results = await Promise.allSettled([limiter.acquire(), limiter.acquire()]);
    for (const r of results) {
      expect(r).toMatchObject({ status: 'rejected', reason: { code: 'ERR_GOVERNANCE_REDIS_UNAVAILABLE' } });
    }
    expect(limiter.waiting).toBe(0);
    expect(seen[0]).toBe(20);
    expect((results[0] as PromiseRejectedResult).reason.cause).toMatchObject({
      message: 'redis did not answer within 20 ms',
    });
    hang = false;
    const permit = await limiter.acquire();
    await permit.release();
  });

  it('hands out a permit from a client that answers the script with 1', async () => {
    const calls: string[][] = [];
    const limiter = redisConcurrencyLimiter({
      client: {
        sendCommand: async (args: string[]) => {
          calls.push(args);
          return 1;
        },
      },
      key: 'k',
      limit: 5,
    });
    expect(limiter.limit).toBe(5);
    const permit = await limiter.acquire();
    await permit.release();
    expect(calls[0]?.[0]).toBe('EVALSHA');
    // The release removes the permit and tells waiting processes on the budget's channel.
    expect(calls.at(-1)).toEqual([
      'EVALSHA',
      expect.any(String),
      '2',
      'k',
      'k:aimd',
      calls[0]?.[7],
      'k:free',
    ]);
  });

  it('a waiter aborted while Redis answers gives the permit straight back; the next waiter still gets one', async () => {
    const calls: string[][] = [];
    const isRelease = (args: string[]) => args.at(-1) === 'k:free';
    const pending: ((value: number) => void)[] = [];
    const limiter = redisConcurrencyLimiter({
      client: {
        sendCommand: (args: string[]) => {
          calls.push(args);
          if (isRelease(args)) return Promise.resolve(0);
          return new Promise<number>((resolve) => pending.push(resolve));
        },
      },
      key: 'k',
      limit: 1,
    });
    const controller = new AbortController();
    const first = limiter.acquire({ signal: controller.signal });
    const second = limiter.acquire();
    await Promise.resolve();
    controller.abort();
    await expect(first).rejects.toMatchObject({ code: 'ERR_GOVERNANCE_ABORTED' });
    expect(pending).toHaveLength(1);
    pending.shift()?.(1);
    await new Promise((r) => setTimeout(r, 10));
    expect(calls.filter(isRelease)).toHaveLength(1);
    expect(pending).toHaveLength(1);
    pending.shift()?.(1);
    const permit = await second;
    expect(limiter.waiting).toBe(0);
    await permit.release();
    expect(calls.filter(isRelease)).toHaveLength(2);
  });
});

describe('redisConcurrencyLimiter option bounds and messages', () => {
  const base = { client, key: 'k', limit: 5 };
  it.each([
    ['options must be an object', null],
    ['options must be an object', 'k'],
    ['client must be a connected node-redis client (with sendCommand)', { key: 'k', limit: 5, client: null }],
    [
      'client must be a connected node-redis client (with sendCommand)',
      { ...base, client: { sendCommand: 1 } },
    ],
    ['key must be a non-empty string of at most 512 characters', { ...base, key: 'k'.repeat(513) }],
    ['key must be a non-empty string of at most 512 characters', { ...base, key: 7 }],
    ['limit must be a positive integer', { ...base, limit: 0 }],
    ['limit must be a positive integer', { ...base, limit: 2 ** 53 }],
    ['leaseMs must be an integer from 100 to 3600000', { ...base, leaseMs: 99 }],
    ['leaseMs must be an integer from 100 to 3600000', { ...base, leaseMs: 3_600_001 }],
    ['leaseMs must be an integer from 100 to 3600000', { ...base, leaseMs: 150.5 }],
    ['subscriber must be a connected node-redis client (with subscribe)', { ...base, subscriber: 'redis' }],
    ['pollMs must be a number from 1 to 10000', { ...base, pollMs: 0.5 }],
    ['pollMs must be a number from 1 to 10000', { ...base, pollMs: 10_000.5 }],
    ['pollMs must be a number from 1 to 10000', { ...base, pollMs: Number.POSITIVE_INFINITY }],
    ['pollMs must be a number from 1 to 10000', { ...base, pollMs: '5' }],
    ['commandTimeoutMs must be an integer from 1 to 60000', { ...base, commandTimeoutMs: 60_001 }],
    ['commandTimeoutMs must be an integer from 1 to 60000', { ...base, commandTimeoutMs: 1.5 }],
    ['adaptive must be a boolean or adaptive options', { ...base, adaptive: null }],
    ['adaptive must be a boolean or adaptive options', { ...base, adaptive: 'yes' }],
    ['adaptive must be a boolean or adaptive options', { ...base, adaptive: [] }],
    ['adaptive.min must be a positive integer', { ...base, adaptive: { min: 0 } }],
    ['adaptive.min must be a positive integer', { ...base, adaptive: { min: 1.5 } }],
    ['adaptive.min must be a positive integer', { ...base, adaptive: { min: '2' } }],
    ['adaptive.initial must be a positive integer', { ...base, adaptive: { initial: 0 } }],
    ['adaptive.probeWindows must be a positive integer', { ...base, adaptive: { probeWindows: 0 } }],
    ['adaptive must satisfy min <= initial <= limit', { ...base, adaptive: { initial: 6 } }],
    ['adaptive must satisfy min <= initial <= limit', { ...base, adaptive: { min: 3, initial: 2 } }],
    [
      'adaptive.decreaseFactor must be a number above 0 and below 1',
      { ...base, adaptive: { decreaseFactor: 0 } },
    ],
    [
      'adaptive.decreaseFactor must be a number above 0 and below 1',
      { ...base, adaptive: { decreaseFactor: 1 } },
    ],
    [
      'adaptive.decreaseFactor must be a number above 0 and below 1',
      { ...base, adaptive: { decreaseFactor: '0.5' } },
    ],
    [
      'adaptive.decreaseFactor must be a number above 0 and below 1',
      { ...base, adaptive: { decreaseFactor: Number.NaN } },
    ],
  ])('refuses with "%s"', (message, options) => {
    expect(() => redisConcurrencyLimiter(options as never)).toThrow(
      expect.objectContaining({ code: 'ERR_GOVERNANCE_INVALID_OPTION', message }),
    );
  });

  it.each([
    ['a 512-character key', { key: 'k'.repeat(512) }],
    ['the shortest lease', { leaseMs: 100 }],
    ['the longest lease', { leaseMs: 3_600_000 }],
    ['the shortest poll', { pollMs: 1 }],
    ['a fractional poll', { pollMs: 1.5 }],
    ['the longest poll', { pollMs: 10_000 }],
    ['the shortest command timeout', { commandTimeoutMs: 1 }],
    ['the longest command timeout', { commandTimeoutMs: 60_000 }],
    ['a subscriber', { subscriber: { subscribe: async () => 1 } }],
    ['adaptive: false', { adaptive: false }],
    ['min = initial = limit', { adaptive: { min: 5, initial: 5 } }],
    ['a factor just inside (0, 1)', { adaptive: { decreaseFactor: 0.01, probeWindows: 1 } }],
  ])('accepts %s', (_name, extra: Record<string, unknown>) => {
    const limiter = redisConcurrencyLimiter({ ...base, ...extra } as never);
    expect(limiter.limit).toBe(5);
    expect(limiter.adaptive).toBe(extra.adaptive !== undefined && extra.adaptive !== false);
  });

  it('setLimit takes a positive integer and refuses anything else', () => {
    const limiter = redisConcurrencyLimiter(base);
    limiter.setLimit(1);
    expect(limiter.limit).toBe(1);
    for (const bad of [0, 2.5, Number.NaN, '3']) {
      expect(() => limiter.setLimit(bad as never)).toThrow(
        expect.objectContaining({
          code: 'ERR_GOVERNANCE_INVALID_OPTION',
          message: 'limit must be a positive integer',
        }),
      );
    }
    expect(limiter.limit).toBe(1);
  });
});

describe('redisAccountLimiters option bounds and messages', () => {
  it.each([
    ['options must be an object', null],
    ['options must be an object', 'netsuite'],
    ['prefix must be a non-empty string of at most 256 characters', { client, prefix: 'p'.repeat(257) }],
    ['prefix must be a non-empty string of at most 256 characters', { client, prefix: 7 }],
    ['leaseMs must be an integer from 100 to 3600000', { client, leaseMs: 1 }],
  ])('refuses with "%s"', (message, options) => {
    expect(() => redisAccountLimiters(options as never)).toThrow(
      expect.objectContaining({ code: 'ERR_GOVERNANCE_INVALID_OPTION', message }),
    );
  });

  it('takes a 256-character prefix; a bad account id names the expected form and keeps the parser’s error as cause', () => {
    const budgets = redisAccountLimiters({ client, prefix: 'p'.repeat(256) });
    expect(budgets.limiter('1234567', 2).key).toBe(`${'p'.repeat(256)}:1234567`);
    let thrown: unknown;
    try {
      budgets.limiter('no way', 2);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({
      code: 'ERR_GOVERNANCE_INVALID_OPTION',
      message: 'accountId must look like 1234567 or 1234567_SB1',
      cause: expect.objectContaining({ code: expect.stringMatching(/^ERR_/) }),
    });
    expect(budgets.size).toBe(1);
  });
});
