import { describe, expect, it } from 'vitest';
import {
  assertCondition,
  assertEntry,
  assertKey,
  MAX_KEY_LENGTH,
  MAX_LOCK_TTL_MS,
  MAX_LOCK_WAIT_MS,
  normalizeLockOptions,
} from '../src/adapter.js';
import {
  createKeyring,
  encryptedTokenStore,
  generateEncryptionKey,
  memoryTokenStore,
  type TokenStore,
  withTokenStoreLock,
} from '../src/index.js';
import { clockOption } from '../src/validate.js';

// The edges of every check a store adapter relies on: each bound is accepted exactly at the limit and refused one
// past it, and each refusal says what is wrong (its message is the user's only clue). Written against the
// mutants Stryker left alive in this package (`pnpm test:mutation token-store`; docs/testing.md).

/** The code and message of what `run` throws (sync or async). */
async function refusal(run: () => unknown): Promise<{ code: string; message: string; cause: unknown }> {
  try {
    await run();
  } catch (error) {
    const e = error as { code: string; message: string; cause?: unknown };
    return { code: e.code, message: e.message, cause: e.cause };
  }
  throw new Error('expected a refusal');
}

describe('assertKey', () => {
  it('takes a key of exactly the maximum length and refuses one character more, saying the limit', async () => {
    expect(() => assertKey('k'.repeat(MAX_KEY_LENGTH))).not.toThrow();
    expect(await refusal(() => assertKey('k'.repeat(MAX_KEY_LENGTH + 1)))).toMatchObject({
      code: 'ERR_STORE_INVALID_KEY',
      message: `key must be at most ${MAX_KEY_LENGTH} characters`,
    });
  });

  it('names the problem of an empty key and of a control character', async () => {
    expect(await refusal(() => assertKey(''))).toMatchObject({
      code: 'ERR_STORE_INVALID_KEY',
      message: 'key must be a non-empty string',
    });
    expect(await refusal(() => assertKey('a\nb'))).toMatchObject({
      code: 'ERR_STORE_INVALID_KEY',
      message: 'key must not contain control characters',
    });
  });
});

describe('assertEntry', () => {
  it('takes expiresAt 0 and refuses a negative one, saying why', async () => {
    expect(() => assertEntry({ value: 'v', expiresAt: 0 })).not.toThrow();
    expect(await refusal(() => assertEntry({ value: 'v', expiresAt: -1 }))).toMatchObject({
      code: 'ERR_STORE_INVALID_ENTRY',
      message: 'entry.expiresAt must be a finite epoch ms number',
    });
  });

  it('refuses a non-object and a non-string value with their own messages', async () => {
    for (const entry of [null, 'entry', 42]) {
      expect(await refusal(() => assertEntry(entry))).toMatchObject({
        code: 'ERR_STORE_INVALID_ENTRY',
        message: 'entry must be an object',
      });
    }
    expect(await refusal(() => assertEntry({ value: 1, expiresAt: 1 }))).toMatchObject({
      code: 'ERR_STORE_INVALID_ENTRY',
      message: 'entry.value must be a string',
    });
  });
});

describe('normalizeLockOptions', () => {
  it('takes ttlMs 1 and the maximum, refuses 0 and one past the maximum', async () => {
    expect(normalizeLockOptions({ ttlMs: 1 })).toEqual({ ttlMs: 1, waitMs: 0 });
    expect(normalizeLockOptions({ ttlMs: MAX_LOCK_TTL_MS })).toEqual({ ttlMs: MAX_LOCK_TTL_MS, waitMs: 0 });
    for (const ttlMs of [0, MAX_LOCK_TTL_MS + 1]) {
      expect(await refusal(() => normalizeLockOptions({ ttlMs }))).toMatchObject({
        code: 'ERR_STORE_INVALID_ARGUMENT',
        message: `ttlMs must be an integer from 1 to ${MAX_LOCK_TTL_MS}`,
      });
    }
  });

  it('takes waitMs 0 and the maximum, refuses a negative one and one past the maximum', async () => {
    expect(normalizeLockOptions({ ttlMs: 5, waitMs: 0 })).toEqual({ ttlMs: 5, waitMs: 0 });
    expect(normalizeLockOptions({ ttlMs: 5, waitMs: MAX_LOCK_WAIT_MS })).toEqual({
      ttlMs: 5,
      waitMs: MAX_LOCK_WAIT_MS,
    });
    for (const waitMs of [-1, MAX_LOCK_WAIT_MS + 1, Number.NaN, '5']) {
      expect(await refusal(() => normalizeLockOptions({ ttlMs: 5, waitMs }))).toMatchObject({
        code: 'ERR_STORE_INVALID_ARGUMENT',
        message: `waitMs must be from 0 to ${MAX_LOCK_WAIT_MS}`,
      });
    }
  });

  it('refuses options that are not an object, saying what it wants', async () => {
    for (const options of [null, 5, 'ttl']) {
      expect(await refusal(() => normalizeLockOptions(options))).toMatchObject({
        code: 'ERR_STORE_INVALID_ARGUMENT',
        message: 'lock options must be an object with ttlMs',
      });
    }
  });
});

describe('assertCondition', () => {
  it('takes fencing token 1 and refuses 0, saying why', async () => {
    expect(() => assertCondition({ version: undefined, fencingToken: 1 })).not.toThrow();
    expect(await refusal(() => assertCondition({ version: undefined, fencingToken: 0 }))).toMatchObject({
      code: 'ERR_STORE_INVALID_ARGUMENT',
      message: 'condition.fencingToken must be a positive integer',
    });
  });

  it('names a missing version and a bad one', async () => {
    expect(await refusal(() => assertCondition({}))).toMatchObject({
      code: 'ERR_STORE_INVALID_ARGUMENT',
      message: 'condition must be an object with version (a number or undefined)',
    });
    expect(await refusal(() => assertCondition({ version: 0 }))).toMatchObject({
      code: 'ERR_STORE_INVALID_ARGUMENT',
      message: 'condition.version must be a positive integer',
    });
  });
});

it('clockOption names what a clock must be', async () => {
  expect(clockOption(undefined)).toBe(Date.now);
  expect(await refusal(() => clockOption(5))).toMatchObject({
    code: 'ERR_STORE_INVALID_OPTION',
    message: 'now must be a function returning epoch ms',
  });
});

describe('keyring', () => {
  const key = generateEncryptionKey();

  it('generates keys as 44 characters of standard base64 with padding', () => {
    for (let i = 0; i < 20; i++) expect(generateEncryptionKey()).toMatch(/^[A-Za-z0-9+/]{43}=$/);
  });

  it('names a bad key id, a duplicate id and a key that is not 32 bytes', async () => {
    expect(await refusal(() => createKeyring([{ id: 'bad id', key }]))).toMatchObject({
      code: 'ERR_STORE_INVALID_OPTION',
      message: 'keys[0].id must be 1-64 characters of A-Z a-z 0-9 . _ -',
    });
    expect(
      await refusal(() =>
        createKeyring([
          { id: 'a', key },
          { id: 'a', key },
        ]),
      ),
    ).toMatchObject({ code: 'ERR_STORE_INVALID_OPTION', message: 'keys[1].id is used twice' });
    expect(await refusal(() => createKeyring([{ id: 'a', key: 'passphrase' }]))).toMatchObject({
      code: 'ERR_STORE_INVALID_OPTION',
      message: 'keys[0].key must be 32 random bytes (Uint8Array or base64); passphrases are not accepted',
    });
  });

  it('refuses a CryptoKey of another algorithm even when its size and usages fit', async () => {
    const cbc = await globalThis.crypto.subtle.generateKey({ name: 'AES-CBC', length: 256 }, false, [
      'encrypt',
      'decrypt',
    ]);
    expect(await refusal(() => createKeyring([{ id: 'a', key: cbc }]))).toMatchObject({
      code: 'ERR_STORE_INVALID_OPTION',
      message: 'keys[0].key must be an AES-GCM 256-bit CryptoKey usable to encrypt and decrypt',
    });
  });

  it('seal refuses non-string input with a message, open calls it an integrity failure without a cause', async () => {
    const ring = createKeyring([{ id: 'a', key }]);
    expect(await refusal(() => ring.seal(1 as unknown as string, 'aad'))).toMatchObject({
      code: 'ERR_STORE_INVALID_ARGUMENT',
      message: 'plaintext and aad must be strings',
    });
    const sealed = await ring.seal('secret', 'aad');
    for (const [envelope, aad] of [
      [1, 'aad'],
      [sealed, 1],
    ] as const) {
      const failure = await refusal(() => ring.open(envelope as unknown as string, aad as unknown as string));
      expect(failure).toMatchObject({
        code: 'ERR_STORE_INTEGRITY',
        message:
          'stored entry failed its integrity check (tampered, moved to another key, or wrong encryption key)',
      });
      expect(failure.cause).toBeUndefined();
    }
    // Not JSON: the parser's error is kept as the cause (it quotes no part of the entry).
    const notJson = await refusal(() => ring.open(`${sealed}x`, 'aad'));
    expect(notJson.code).toBe('ERR_STORE_INTEGRITY');
    expect(notJson.cause).toBeInstanceOf(SyntaxError);
  });

  it('names a key id that is not configured', async () => {
    const sealed = await createKeyring([{ id: 'old', key }]).seal('secret', 'aad');
    expect(await refusal(() => createKeyring([{ id: 'new', key }]).open(sealed, 'aad'))).toMatchObject({
      code: 'ERR_STORE_KEY_NOT_FOUND',
      message: 'stored entry was encrypted with a key id that is not configured',
    });
  });
});

describe('encryptedTokenStore', () => {
  const keys = [{ id: 'a', key: generateEncryptionKey() }];

  it('refuses options that are not an object and a name that is empty or longer than 256 characters', async () => {
    for (const options of [null, 'keys']) {
      expect(await refusal(() => encryptedTokenStore(memoryTokenStore(), options as never))).toMatchObject({
        code: 'ERR_STORE_INVALID_OPTION',
        message: 'options must be an object with keys',
      });
    }
    expect(() => encryptedTokenStore(memoryTokenStore(), { keys, name: 'n'.repeat(256) })).not.toThrow();
    for (const name of ['', 'n'.repeat(257)]) {
      expect(await refusal(() => encryptedTokenStore(memoryTokenStore(), { keys, name }))).toMatchObject({
        code: 'ERR_STORE_INVALID_OPTION',
        message: 'name must be a non-empty string (≤ 256 characters)',
      });
    }
  });

  it('binds each entry to its store name: another name cannot open it', async () => {
    const inner = memoryTokenStore();
    await encryptedTokenStore(inner, { keys, name: 'one' }).set('k', { value: 'secret', expiresAt: 1e13 });
    await expect(encryptedTokenStore(inner, { keys, name: 'two' }).get('k')).rejects.toMatchObject({
      code: 'ERR_STORE_INTEGRITY',
    });
    await expect(encryptedTokenStore(inner, { keys, name: 'one' }).get('k')).resolves.toMatchObject({
      value: 'secret',
    });
  });

  it('passes lock and close through to the wrapped store', async () => {
    const inner = memoryTokenStore();
    const store = encryptedTokenStore(inner, { keys });
    const lock = await store.lock?.('k', { ttlMs: 1_000 });
    expect(lock).toBeDefined();
    // The wrapped store holds that lock: a second taker there gets none.
    expect(await inner.lock?.('k', { ttlMs: 1_000 })).toBeUndefined();
    await lock?.release();
    await store.close?.();
    await expect(inner.get('k')).rejects.toMatchObject({
      code: 'ERR_STORE_CLOSED',
      message: 'store is closed',
    });
  });
});

describe('withTokenStoreLock', () => {
  it('names each refusal: no lock capability, no function, lock not granted', async () => {
    const noLock = { ...memoryTokenStore(), capabilities: {} } as unknown as TokenStore;
    expect(await refusal(() => withTokenStoreLock(noLock, 'k', { ttlMs: 10 }, () => 1))).toMatchObject({
      code: 'ERR_STORE_UNSUPPORTED',
      message: 'store does not support lock',
    });
    expect(
      await refusal(() =>
        withTokenStoreLock(undefined as unknown as TokenStore, 'k', { ttlMs: 10 }, () => 1),
      ),
    ).toMatchObject({ code: 'ERR_STORE_UNSUPPORTED' });
    const store = memoryTokenStore();
    expect(
      await refusal(() => withTokenStoreLock(store, 'k', { ttlMs: 10 }, 'fn' as unknown as () => number)),
    ).toMatchObject({ code: 'ERR_STORE_INVALID_ARGUMENT', message: 'fn must be a function' });
    const held = await store.lock?.('k', { ttlMs: 10_000 });
    expect(await refusal(() => withTokenStoreLock(store, 'k', { ttlMs: 10 }, () => 1))).toMatchObject({
      code: 'ERR_STORE_LOCK_TIMEOUT',
      message: 'lock not granted within waitMs',
    });
    await held?.release();
    await expect(withTokenStoreLock(store, 'k', { ttlMs: 10 }, () => 'ran')).resolves.toBe('ran');
  });
});
