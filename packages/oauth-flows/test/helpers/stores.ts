import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryTokenStore } from '@netsuite-oauth/token-store';
import { fileTokenStore } from '@netsuite-oauth/token-store-file';
import type { TokenStoreLike } from '../../src/index.js';

export interface StoreFactory {
  readonly name: string;
  /** A fresh store (all calls of one factory share the same backing data, like processes sharing a file). */
  create(): TokenStoreLike;
  cleanup(): Promise<void>;
}

export async function memoryFactory(): Promise<StoreFactory> {
  const store = memoryTokenStore();
  return { name: 'memory', create: () => store, cleanup: async () => {} };
}

export async function fileFactory(): Promise<StoreFactory> {
  const dir = mkdtempSync(join(tmpdir(), 'oauth-flows-'));
  const key = randomBytes(32).toString('base64');
  const path = join(dir, 'tokens.enc');
  return {
    name: 'file',
    create: () => fileTokenStore({ path, keys: [{ id: 'k1', key }] }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A real redis-server on 127.0.0.1 (started here, stopped by cleanup) with the Redis store. */
export async function redisFactory(): Promise<StoreFactory> {
  const { startRedisServer } = await import('@netsuite-oauth/test-utils');
  const { redisTokenStore } = await import('@netsuite-oauth/token-store-redis');
  const { createClient } = await import('redis');
  const server = await startRedisServer();
  const client = createClient({ url: server.url });
  await client.connect();
  return {
    name: 'redis',
    create: () => redisTokenStore({ client, encrypt: false }),
    cleanup: async () => {
      await client.quit();
      await server.stop();
    },
  };
}
