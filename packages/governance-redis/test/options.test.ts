import { describe, expect, it } from 'vitest';
import { GovernanceRedisError, redisConcurrencyLimiter } from '../src/index.js';

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
