// Public API of @netsuite-oauth/token-store-redis: named exports only.
export { type RedisClientLike, type RedisTokenStoreOptions, redisTokenStore } from './redis-store.js';
