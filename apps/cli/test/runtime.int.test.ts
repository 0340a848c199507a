import type { TokenStore } from '@netsuite-oauth/token-store';
import { memoryTokenStore } from '@netsuite-oauth/token-store';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { COMMANDS } from '../src/commands.js';
import { createContext } from '../src/context.js';
import { clientCredentialsKey, tokenManager } from '../src/runtime.js';
import { memoryIo } from './helpers.js';
import { createFixture, type Fixture } from './setup-emulator.js';

// A command's token managers are views of one many-key manager per store: the client-credentials key and the
// login session's key are served by the same object, and a second view of a key shares its cached token.

let fx: Fixture;
beforeAll(async () => {
  fx = await createFixture();
});
afterAll(async () => {
  await fx?.close();
});

it('two views of the client-credentials key in one command share one cached token (no store read, one request)', async () => {
  const spec = COMMANDS.find((c) => c.name === 'token');
  if (!spec) throw new Error('no token command');
  const ctx = createContext({ spec, values: {}, positionals: [], io: memoryIo(fx.env).io, format: 'json' });
  const inner = memoryTokenStore();
  let reads = 0;
  const store: TokenStore = {
    capabilities: inner.capabilities,
    get: (key) => {
      reads += 1;
      return inner.get(key);
    },
    set: (key, entry) => inner.set(key, entry),
    delete: (key) => inner.delete(key),
    lock: (key, options) => inner.lock!(key, options),
    compareAndSet: (key, entry, condition) => inner.compareAndSet!(key, entry, condition),
  };
  try {
    const before = (await fx.emu.admin.counters()).token;
    const first = await tokenManager(ctx, 'm2m', store);
    const token = await first.getAccessToken();
    const readsAfterFirst = reads;
    const second = await tokenManager(ctx, 'm2m', store);
    expect(await second.getAccessToken()).toBe(token);
    expect(reads).toBe(readsAfterFirst);
    expect((await fx.emu.admin.counters()).token).toBe(before + 1);
    expect((await inner.get(clientCredentialsKey(ctx.settings())))?.value).toEqual(expect.any(String));
    // the login session's key is another key of the same manager: it has no session yet
    const session = await tokenManager(ctx, 'session', store);
    await expect(session.getAccessToken()).rejects.toMatchObject({
      code: 'ERR_OAUTH_REAUTHENTICATION_REQUIRED',
    });
  } finally {
    await ctx.cleanup();
  }
});
