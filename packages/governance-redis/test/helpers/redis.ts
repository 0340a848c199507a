import { type RedisServer, startRedisServer } from '@netsuite-oauth/test-utils';
import { createClient } from 'redis';
import { afterAll, beforeAll } from 'vitest';

/**
 * One real redis-server for the calling test file (started before its tests, stopped after them), and `connect()`
 * for node-redis clients connected to it, each closed when the file ends.
 */
export function useRedisServer() {
  let server: RedisServer | undefined;
  const clients: { destroy(): void }[] = [];
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    for (const client of clients.splice(0)) client.destroy();
    await server?.stop();
  });
  const running = (): RedisServer => {
    if (server === undefined) throw new Error('redis-server is not started yet: use it inside a test');
    return server;
  };
  return {
    get server(): RedisServer {
      return running();
    },
    async connect() {
      const client = createClient({ url: running().url });
      client.on('error', () => {});
      await client.connect();
      clients.push(client);
      return client;
    },
  };
}
