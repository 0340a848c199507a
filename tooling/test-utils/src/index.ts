export { findChromium } from './chromium.js';
export { reportFigure } from './figures.js';
export { freePort } from './ports.js';
export { type RedisServer, startRedisServer } from './redis.js';
