import { isNetSuiteError } from '@netsuite-oauth/core';
import {
  isTokenStoreError,
  isUnreadableEntryError,
  memoryTokenStore,
  TokenStoreError,
  UNREADABLE_ENTRY_CODES,
} from '@netsuite-oauth/token-store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTokenManager, type OAuthFlowError, type TokenStoreLike } from '../src/index.js';
import { UNREADABLE_STORE_ENTRY_CODES } from '../src/store-types.js';
import { type MockAs, mockClientCredentialsGrant, startMockAs } from './helpers/mock-as.js';

let as: MockAs;
beforeEach(async () => {
  as = await startMockAs();
});
afterEach(async () => {
  await as.close();
});

const grant = () => mockClientCredentialsGrant(as.url);

/** A store whose `get` throws `error`; everything else works. */
function failingGet(error: unknown): TokenStoreLike & { deletes: number } {
  const inner = memoryTokenStore();
  const store = {
    deletes: 0,
    capabilities: { lock: false, compareAndSet: false, crossProcess: false, encrypted: false },
    get: async () => {
      throw error;
    },
    set: inner.set.bind(inner),
    delete: async (key: string) => {
      store.deletes += 1;
      await inner.delete(key);
    },
  };
  return store;
}

async function storeFailure(error: unknown): Promise<OAuthFlowError> {
  const manager = createTokenManager({ store: failingGet(error), key: 'k', grant: grant() });
  return (await manager.getAccessToken().catch((e: unknown) => e)) as OAuthFlowError;
}

describe('store errors across the package boundary', () => {
  it("mirrors the TokenStore contract's unreadable-entry codes", () => {
    expect([...UNREADABLE_STORE_ENTRY_CODES].sort()).toEqual([...UNREADABLE_ENTRY_CODES].sort());
  });

  it('core and token-store guards agree on a TokenStoreError (one brand)', () => {
    const error = new TokenStoreError('ERR_STORE_UNAVAILABLE', 'redis is unavailable');
    expect(isTokenStoreError(error)).toBe(true);
    expect(isNetSuiteError(error)).toBe(true);
    expect(isNetSuiteError(error, 'ERR_STORE_UNAVAILABLE')).toBe(true);
    const lookalike = Object.assign(new Error('x'), { code: 'ERR_STORE_UNAVAILABLE' });
    expect(isTokenStoreError(lookalike)).toBe(false);
    expect(isNetSuiteError(lookalike)).toBe(false);
    expect(isUnreadableEntryError(new TokenStoreError('ERR_STORE_CORRUPT', 'bad'))).toBe(true);
    expect(isUnreadableEntryError(error)).toBe(false);
  });

  it("keeps a store's own error as the cause of ERR_OAUTH_STORE", async () => {
    const cause = new TokenStoreError('ERR_STORE_UNAVAILABLE', 'redis is unavailable');
    const error = await storeFailure(cause);
    expect(error.code).toBe('ERR_OAUTH_STORE');
    expect(error.cause).toBe(cause);
  });

  it("drops a foreign cause, even one with an ERR_ code like Node's own", async () => {
    const secret = 'rt-SECRET-in-a-foreign-message';
    for (const cause of [
      Object.assign(new TypeError(`Invalid URL: https://x/?refresh_token=${secret}`), {
        code: 'ERR_INVALID_URL',
      }),
      Object.assign(new Error(secret), { code: 'ERR_STORE_CORRUPT' }),
    ]) {
      const error = await storeFailure(cause);
      expect(error.code).toBe('ERR_OAUTH_STORE');
      expect(error.cause).toBeUndefined();
      expect(JSON.stringify(error)).not.toContain(secret);
    }
  });

  it('drops an unreadable client-credentials entry only for a real unreadable-entry error', async () => {
    const unreadable = failingGet(new TokenStoreError('ERR_STORE_INTEGRITY', 'tampered'));
    const manager = createTokenManager({ store: unreadable, key: 'k', grant: grant() });
    // The entry is deleted and read as a miss; the next read fails again, so the refresh still reports it.
    await manager.getAccessToken().catch(() => {});
    expect(unreadable.deletes).toBeGreaterThan(0);
    const lookalike = failingGet(Object.assign(new Error('x'), { code: 'ERR_STORE_INTEGRITY' }));
    const other = createTokenManager({ store: lookalike, key: 'k', grant: grant() });
    await expect(other.getAccessToken()).rejects.toMatchObject({ code: 'ERR_OAUTH_STORE' });
    expect(lookalike.deletes).toBe(0);
  });
});
