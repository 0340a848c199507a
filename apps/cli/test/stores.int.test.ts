import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator } from '@netsuite-oauth/emulator';
import { freePort, type RedisServer, startRedisServer } from '@netsuite-oauth/test-utils';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoSecrets, runCli } from './run-cli.js';
import { createFixture, type Fixture, keyLines } from './setup-emulator.js';

let fx: Fixture;
let redis: RedisServer;

beforeAll(async () => {
  [fx, redis] = await Promise.all([createFixture(), startRedisServer()]);
});
afterAll(async () => {
  await Promise.all([fx?.close(), redis?.stop()]);
});

describe('token stores and profiles', () => {
  it('--store redis keeps the token for the next run', async () => {
    const env = { ...fx.env, NETSUITE_OAUTH_STORE: 'redis', NETSUITE_OAUTH_REDIS_URL: redis.url };
    const first = await runCli(['token', '--json'], { env });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ fromStore: false, store: 'redis' });
    const second = await runCli(['token', '--json'], { env });
    expect(JSON.parse(second.stdout)).toMatchObject({ fromStore: true, store: 'redis' });
    expectNoSecrets(second, [fx.clientSecret, ...keyLines(fx.privateKeyPem)]);
  });

  it('--store redis encrypts what it keeps (same key and envelope as the file store), with no warning on loopback', async () => {
    const env = { ...fx.env, NETSUITE_OAUTH_STORE: 'redis', NETSUITE_OAUTH_REDIS_URL: redis.url };
    const first = await runCli(['token', '--json', '--fresh'], { env });
    expect(first.code).toBe(0);
    expect(first.stderr).toBe('');
    const revealed = await runCli(['token', '--reveal'], { env });
    expect(revealed.code).toBe(0);
    const accessToken = revealed.stdout.trim();
    expect(accessToken.length).toBeGreaterThan(20);

    const client = createClient({ url: redis.url });
    client.on('error', () => {});
    await client.connect();
    try {
      const keys = await client.keys('netsuite-oauth:*');
      const values: string[] = [];
      for (const key of keys) {
        if ((await client.type(key)) === 'hash') {
          const value = await client.hGet(key, 'value');
          if (value) values.push(value);
        }
      }
      expect(values.length).toBeGreaterThanOrEqual(1);
      for (const value of values) {
        expect(value).not.toContain(accessToken);
        expect(value).not.toContain(accessToken.slice(0, 24));
        expect(value).not.toMatch(/"a":"/);
      }
    } finally {
      client.destroy();
    }
  });

  it('warns in one stderr line when the Redis URL is plain redis:// off loopback', async () => {
    // 0.0.0.0 is not a loopback name, yet on Linux it reaches this machine: the test stays on 127.0.0.1.
    const env = {
      ...fx.env,
      NETSUITE_OAUTH_STORE: 'redis',
      NETSUITE_OAUTH_REDIS_URL: `redis://0.0.0.0:${redis.port}`,
    };
    const result = await runCli(['token', '--json'], { env });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^warning: [^\n]*rediss:\/\/\n$/);
    const loopback = await runCli(['token', '--json'], {
      env: { ...env, NETSUITE_OAUTH_REDIS_URL: redis.url },
    });
    expect(loopback.stderr).toBe('');
  });

  it('an unreachable Redis is a configuration error (exit 3)', async () => {
    const port = await freePort();
    const result = await runCli(['token', '--store', 'redis', '--redis-url', `redis://127.0.0.1:${port}`], {
      env: fx.env,
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^error: cannot connect to Redis\nhint: /);
  });

  it('a file store key from NETSUITE_OAUTH_STORE_KEY; a wrong key is refused and loses nothing', async () => {
    const storePath = join(fx.dir, 'keyed', 'tokens.json');
    const key = Buffer.alloc(32, 7).toString('base64');
    const wrongKey = Buffer.alloc(32, 9).toString('base64');
    const env = { ...fx.env, NETSUITE_OAUTH_STORE_PATH: storePath, NETSUITE_OAUTH_STORE_KEY: key };
    expect((await runCli(['token'], { env })).code).toBe(0);
    const again = await runCli(['token', '--json'], { env });
    expect(JSON.parse(again.stdout)).toMatchObject({ fromStore: true });

    // The file is encrypted as a whole: a wrong key is refused clearly, nothing is overwritten.
    const wrong = await runCli(['token', '--json'], { env: { ...env, NETSUITE_OAUTH_STORE_KEY: wrongKey } });
    expect(wrong.code).toBe(3);
    const reported = JSON.parse(wrong.stderr) as {
      error: { message: string; hint: string; exitCode: number };
    };
    expect(reported.error.message).toMatch(/integrity/);
    expect(reported.error.hint).toMatch(/^the token store cannot be read with this key/);
    expect(reported.error.exitCode).toBe(3);
    expect(wrong.stdout).toBe('');
    const stillThere = await runCli(['token', '--json'], { env });
    expect(JSON.parse(stillThere.stdout)).toMatchObject({ fromStore: true });
    expectNoSecrets(wrong, [key, wrongKey]);
  });

  it('never sends a token cached for one origin to another (keys hold account + origin + client + grant)', async () => {
    const storePath = join(fx.dir, 'origins', 'tokens.json');
    const env = { ...fx.env, NETSUITE_OAUTH_STORE_PATH: storePath };
    expect((await runCli(['token'], { env })).code).toBe(0);
    expect(JSON.parse((await runCli(['token', '--json'], { env })).stdout)).toMatchObject({
      fromStore: true,
    });
    // Origin B: same account id, same client and certificate flags, same store. B does not know the client.
    const other = await startEmulator({ port: 0, accountId: fx.emu.accountId });
    try {
      const result = await runCli(['record', 'get', 'customer', '1', '--json'], {
        env: { ...env, NETSUITE_ORIGIN: other.url },
      });
      expect(result.code).not.toBe(0);
      const routes = (await other.admin.requestLog()).map((entry) => entry.route);
      // B was asked for a token of its own (and refused the unknown client); A's token never reached it.
      expect(routes).toContain('token');
      expect(routes.filter((route) => route !== 'token')).toEqual([]);
    } finally {
      await other.close();
    }
    // A's cached token is still there, for A.
    expect(JSON.parse((await runCli(['token', '--json'], { env })).stdout)).toMatchObject({
      fromStore: true,
    });
  });

  it('reads everything but secrets from a named profile', async () => {
    const config = join(fx.dir, 'profiles.json');
    writeFileSync(
      config,
      JSON.stringify({
        profiles: {
          emulator: {
            accountId: fx.emu.accountId,
            origin: fx.emu.url,
            clientId: fx.clientId,
            certificateId: fx.certificateId,
            privateKeyFile: 'key.pem',
            store: 'memory',
          },
        },
      }),
    );
    const result = await runCli(['token', '--config', config, '--profile', 'emulator', '--json'], {
      env: { HOME: fx.dir },
    });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toMatchObject({ store: 'memory', fromStore: false });
    const viaEnv = await runCli(['record', 'list', 'customer', '--limit', '1', '--json'], {
      env: { HOME: fx.dir, NETSUITE_OAUTH_CONFIG: config, NETSUITE_OAUTH_PROFILE: 'emulator' },
    });
    expect(viaEnv.code).toBe(0);
    expect(JSON.parse(viaEnv.stdout)).toHaveLength(1);
  });
});
