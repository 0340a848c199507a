import {
  encryptedTokenStore,
  generateEncryptionKey,
  memoryTokenStore,
  prefixedTokenStore,
} from '@netsuite-oauth/token-store';
import { describe, expect, it } from 'vitest';
import { describeTokenStore } from '../src/index.js';

// keyv style: the suite tests itself on the stores of @netsuite-oauth/token-store.
describeTokenStore('memory', {
  createStore: () => memoryTokenStore(),
  createStoreWithClock: (now) => memoryTokenStore({ now }),
});

describeTokenStore('prefixed memory', {
  createStore: () => prefixedTokenStore(memoryTokenStore(), 'app'),
  createStoreWithClock: (now) => prefixedTokenStore(memoryTokenStore({ now }), 'app'),
});

const keys = [{ id: 'k1', key: generateEncryptionKey() }];
describeTokenStore('encrypted memory', {
  createStore: () => encryptedTokenStore(memoryTokenStore(), { keys }),
  createStoreWithClock: (now) => encryptedTokenStore(memoryTokenStore({ now }), { keys }),
});

describe('describeTokenStore', () => {
  it('refuses a missing name or createStore', () => {
    for (const run of [
      () => describeTokenStore('', { createStore: () => memoryTokenStore() }),
      () => describeTokenStore('x', {} as never),
      () => describeTokenStore('x', undefined as never),
    ]) {
      expect(run).toThrow(expect.objectContaining({ code: 'ERR_STORE_INVALID_OPTION' }));
    }
  });
});
