import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateEncryptionKey, type TokenStore } from '@netsuite-oauth/token-store';
import { fileTokenStore } from '@netsuite-oauth/token-store-file';
import { redisTokenStore } from '@netsuite-oauth/token-store-redis';
import { createClient } from 'redis';
import type { ServerEnvConfig } from './config.js';

/** A store built from configuration, with what to say about it and how to release it. */
export interface CreatedStore {
  readonly store: TokenStore;
  /** One line for the start-up banner (no secret). */
  readonly description: string;
  close(): Promise<void>;
}

/**
 * Builds the server's token store from its configuration: the encrypted file store by default, Redis (with the
 * same AES-256-GCM envelope) when `REDIS_URL` is set. Without `TOKEN_STORE_KEY`, a random key is made for this
 * run, and the file goes to a fresh temporary folder (removed on close), since nothing sealed with it can be
 * read after a restart anyway.
 *
 * @example
 * const { store, close } = await createStoreFromConfig(parseServerEnv(process.env).store);
 */
export async function createStoreFromConfig(config: ServerEnvConfig['store']): Promise<CreatedStore> {
  const ephemeral = config.key === undefined;
  const keys = [{ id: ephemeral ? 'run' : 'k1', key: config.key ?? generateEncryptionKey() }];
  if (config.kind === 'redis') {
    const client = createClient({ url: config.url });
    client.on('error', () => {});
    await client.connect();
    const store = redisTokenStore({ client, prefix: config.prefix, keys });
    return {
      store,
      description: `redis (prefix ${config.prefix}, encrypted${ephemeral ? ' with a per-run key' : ''})`,
      async close() {
        await store.close?.();
        await client.close().catch(() => {});
      },
    };
  }
  let dir: string | undefined;
  let path = config.path;
  if (path === undefined) {
    if (ephemeral) {
      dir = mkdtempSync(join(tmpdir(), 'nsdemo-'));
      path = join(dir, 'server-store.json');
    } else {
      path = join('.netsuite-oauth', 'server-store.json');
    }
  }
  const store = fileTokenStore({ path, keys });
  return {
    store,
    description: `encrypted file ${dir === undefined ? path : '(temporary, per-run key)'}`,
    async close() {
      await store.close?.();
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}
