import { parseAccountId } from '@netsuite-oauth/core';
import { GovernanceRedisError } from './errors.js';
import {
  type RedisConcurrencyLimiter,
  type RedisConcurrencyLimiterOptions,
  redisConcurrencyLimiter,
} from './limiter.js';

/**
 * Options of {@link redisAccountLimiters}: every option of {@link redisConcurrencyLimiter} but `key` and `limit`,
 * shared by every account, and the key prefix.
 *
 * @example
 * redisAccountLimiters({ client, prefix: 'myapp:netsuite', leaseMs: 30_000, adaptive: true })
 */
export interface RedisAccountLimitersOptions extends Omit<RedisConcurrencyLimiterOptions, 'key' | 'limit'> {
  /** An account's budget lives at `<prefix>:<accountId>` (and `…:aimd`). @default 'netsuite:concurrency' */
  readonly prefix?: string | undefined;
}

/**
 * One Redis budget per NetSuite account, made on first use.
 *
 * @example
 * const budgets = redisAccountLimiters({ client, adaptive: true });
 * const limiter = budgets.limiter('1234567_SB1', 15);
 */
export interface RedisAccountLimiters {
  /**
   * The budget of `accountId` (either form: `1234567_SB1` or `1234567-sb1`), sized `limit`. The same account always
   * gets the same limiter in this process; a later call with another limit changes it (`setLimit`), as when
   * NetSuite's `governanceLimits` become known. Fits record-client's `createAccountGovernance({ limiter })`.
   * @throws {GovernanceRedisError} `ERR_GOVERNANCE_INVALID_OPTION` for a bad account id or limit.
   */
  limiter(accountId: string, limit: number): RedisConcurrencyLimiter;
  /** Accounts with a limiter in this process. */
  readonly size: number;
}

/**
 * Per-account NetSuite concurrency budgets in Redis for a fleet that works for many accounts: every process that
 * uses the same Redis and prefix shares each account's budget, leases of a killed process lapse after `leaseMs`,
 * and with `adaptive` each account's limit adapts across the fleet.
 *
 * @example
 * import { createClient } from 'redis';
 * const redis = await createClient({ url: 'redis://127.0.0.1:6379' }).connect();
 * const budgets = redisAccountLimiters({ client: redis, adaptive: true });
 * const permit = await budgets.limiter('1234567_SB1', 15).acquire();
 * await permit.release('success');
 * @throws {GovernanceRedisError} `ERR_GOVERNANCE_INVALID_OPTION` for a missing client or a bad prefix (and, on the
 *   first `limiter` call, for any other bad option).
 * @see https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/bridgehead_1500275603.html
 */
export function redisAccountLimiters(options: RedisAccountLimitersOptions): RedisAccountLimiters {
  if (options === null || typeof options !== 'object') {
    throw new GovernanceRedisError('ERR_GOVERNANCE_INVALID_OPTION', 'options must be an object');
  }
  const { prefix = 'netsuite:concurrency', ...shared } = options;
  if (typeof prefix !== 'string' || prefix.length === 0 || prefix.length > 256) {
    throw new GovernanceRedisError(
      'ERR_GOVERNANCE_INVALID_OPTION',
      'prefix must be a non-empty string of at most 256 characters',
    );
  }
  // Checks the shared options once, with a placeholder budget that is never used.
  redisConcurrencyLimiter({ ...shared, key: `${prefix}:check`, limit: 1 });
  const limiters = new Map<string, RedisConcurrencyLimiter>();
  return {
    get size() {
      return limiters.size;
    },
    limiter(accountId, limit) {
      let id: string;
      try {
        id = parseAccountId(accountId).id;
      } catch (cause) {
        throw new GovernanceRedisError(
          'ERR_GOVERNANCE_INVALID_OPTION',
          'accountId must look like 1234567 or 1234567_SB1',
          { cause },
        );
      }
      const known = limiters.get(id);
      if (known) {
        if (known.limit !== limit) known.setLimit(limit);
        return known;
      }
      const made = redisConcurrencyLimiter({ ...shared, key: `${prefix}:${id}`, limit });
      limiters.set(id, made);
      return made;
    },
  };
}
