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
  ])('%s throws ERR_GOVERNANCE_INVALID_OPTION synchronously', (_name, options) => {
    expect(() => redisConcurrencyLimiter(options as never)).toThrow(GovernanceRedisError);
    expect(() => redisConcurrencyLimiter(options as never)).toThrow(
      expect.objectContaining({ code: 'ERR_GOVERNANCE_INVALID_OPTION' }),
    );
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
    expect(calls.at(-1)).toEqual(['ZREM', 'k', calls[0]?.[6]]);
  });
});
