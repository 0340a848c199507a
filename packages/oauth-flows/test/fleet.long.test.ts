// `pnpm test:long`: the fleet figures at full scale (the default suite runs them with 4 processes).
import { type RedisServer, reportFigure, startRedisServer } from '@netsuite-oauth/test-utils';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { rotationFleet, singleFlightFleet } from './helpers/fleet.js';
import { buildWorker } from './helpers/workers.js';

let redis: RedisServer;
let script: string;
beforeAll(async () => {
  [redis, script] = await Promise.all([startRedisServer(), buildWorker()]);
});
afterAll(async () => {
  await redis?.stop();
});

describe('fleet figures at full scale', () => {
  it('G02: 8 processes × 200 callers sharing Redis, 50 expiry cycles → one token request per cycle, 0 duplicates', async () => {
    reportFigure(
      'G02',
      await singleFlightFleet({ script, redisUrl: redis.url, processes: 8, callers: 200, cycles: 50 }),
    );
  });

  it('G07: 504 concurrent refresh triggers across 8 processes (single-use refresh tokens) → none spent twice', async () => {
    reportFigure(
      'G07',
      await rotationFleet({ script, redisUrl: redis.url, processes: 8, callers: 63, cycles: 10 }),
    );
  });
});
