import { type RedisServer, startRedisServer } from '@netsuite-oauth/test-utils';
import { generateEncryptionKey } from '@netsuite-oauth/token-store';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../src/server.js';
import { createStoreFromConfig } from '../src/store-setup.js';
import { Agent, connect } from './helpers.js';

let redis: RedisServer;

beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.stop();
});

describe('the configured token store', () => {
  it('Redis: sessions and tokens live under the prefix, encrypted; the whole flow works', async () => {
    const created = await createStoreFromConfig({
      kind: 'redis',
      url: redis.url,
      prefix: 'nsdemo-test:',
      key: generateEncryptionKey(),
    });
    expect(created.description).toContain('redis');
    const server = await startServer({ store: created.store, port: 0 });
    const inspect = createClient({ url: redis.url });
    inspect.on('error', () => {});
    await inspect.connect();
    try {
      const agent = new Agent(server.url);
      const callback = await connect(agent);
      expect(callback.status).toBe(303);
      expect((await agent.request('/customers')).status).toBe(200);

      const keys = await inspect.keys('*');
      expect(keys.length).toBeGreaterThanOrEqual(2);
      for (const key of keys) expect(key.startsWith('nsdemo-test:')).toBe(true);
      // Neither the session id nor any plaintext token field is readable in Redis.
      const raw: string[] = [];
      for (const key of keys) {
        if ((await inspect.type(key)) === 'string') raw.push((await inspect.get(key)) ?? '');
        else raw.push(JSON.stringify(await inspect.hGetAll(key)));
      }
      const dump = `${keys.join('\n')}\n${raw.join('\n')}`;
      expect(dump.includes(agent.sessionId!)).toBe(false);
      expect(dump).not.toMatch(/"csrf"|"tokenKey"|"codeVerifier"|"a":"|"r":"/);

      // Redis down: a clear 503 page, not a stack trace.
      const newcomer = new Agent(server.url);
      await redis.kill();
      const down = await agent.request('/dashboard');
      expect(down.status).toBe(503);
      expect(down.body).toContain('ERR_SERVER_STORE_UNAVAILABLE');
      // A new visitor: the home page needs no store at all; starting a sign-in says 503, as documented.
      const home = await newcomer.request('/');
      expect(home.status).toBe(200);
      const start = await newcomer.request('/connect', { form: { csrf: Agent.csrf(home) } });
      expect(start.status).toBe(503);
      expect(start.body).toContain('ERR_SERVER_STORE_UNAVAILABLE');
      expect(start.body).not.toMatch(/\n\s+at .+:\d+:\d+/);
      await redis.restart();
    } finally {
      await inspect.close();
      await server.close();
      await created.close();
    }
  });

  it('file: without a key, a per-run key and a temporary file that is removed on close', async () => {
    const created = await createStoreFromConfig({ kind: 'file' });
    expect(created.description).toContain('temporary');
    await created.store.set('probe', { value: 'x', expiresAt: Date.now() + 60_000 });
    expect((await created.store.get('probe'))?.value).toBe('x');
    await created.close();
  });
});
