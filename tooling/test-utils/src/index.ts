export { findChromium } from './chromium.js';
export { freePort } from './ports.js';
export { type RedisServer, startRedisServer } from './redis.js';
