// Public API of @netsuite-oauth/token-store-redis: named exports only.
export {
  type RedisClientLike,
  type RedisTokenStoreCommonOptions,
  type RedisTokenStoreOptions,
  redisTokenStore,
} from './redis-store.js';
