// Public API of @netsuite-oauth/governance-redis: named exports only.
export { governanceRedisChannels, type LeaseEvent } from './diagnostics.js';
export { GovernanceRedisError, type GovernanceRedisErrorCode, isGovernanceRedisError } from './errors.js';
export {
  type RedisCommandClient,
  type RedisConcurrencyLimiter,
  type RedisConcurrencyLimiterOptions,
  type RedisPermit,
  redisConcurrencyLimiter,
} from './limiter.js';
