// Public API of @netsuite-oauth/governance-redis: named exports only.
export {
  type RedisAccountLimiters,
  type RedisAccountLimitersOptions,
  redisAccountLimiters,
} from './accounts.js';
export { governanceRedisChannels, type LeaseEvent } from './diagnostics.js';
export { GovernanceRedisError, type GovernanceRedisErrorCode, isGovernanceRedisError } from './errors.js';
export {
  type RedisAdaptiveOptions,
  type RedisBudgetSnapshot,
  type RedisCommandClient,
  type RedisConcurrencyLimiter,
  type RedisConcurrencyLimiterOptions,
  type RedisPermit,
  type RedisPermitOutcome,
  type RedisSubscriberClient,
  redisConcurrencyLimiter,
} from './limiter.js';
