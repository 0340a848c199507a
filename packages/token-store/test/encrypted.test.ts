import { describe, expect, it } from 'vitest';
import { decodeBase64Url, encodeBase64Url } from '../src/adapter.js';
import {
  createKeyring,
  encryptedTokenStore,
  generateEncryptionKey,
  isTokenStoreError,
  memoryTokenStore,
  type TokenStoreError,
} from '../src/index.js';

const k1 = generateEncryptionKey();
const k2 = generateEncryptionKey();
const secret = 'refresh-token-CANARY-7f3a';

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isTokenStoreError(error)).toBe(true);
  expect(String((error as Error).message)).not.toContain(secret);
  return (error as TokenStoreError).code;
}

describe('base64url', () => {
  it('round-trips every length and refuses non-canonical text', () => {
    for (let n = 0; n < 40; n++) {
      const bytes = globalThis.crypto.getRandomValues(new Uint8Array(n));
      expect(decodeBase64Url(encodeBase64Url(bytes))).toEqual(bytes);
    }
    expect(encodeBase64Url(new Uint8Array([1, 2, 3]))).toBe('AQID');
    expect(decodeBase64Url('AQ')).toEqual(new Uint8Array([1]));
    expect(decodeBase64Url('AR')).toBeUndefined(); // non-zero unused bits
    expect(decodeBase64Url('A')).toBeUndefined();
    expect(decodeBase64Url('AQ==')).toBeUndefined();
    expect(decodeBase64Url('A+/Q')).toBeUndefined();
  });
});

describe('createKeyring', () => {
  it('accepts 32-byte keys as base64, base64url, bytes or a CryptoKey, and refuses anything else', async () => {
    expect(generateEncryptionKey()).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    const bytes = globalThis.crypto.getRandomValues(new Uint8Array(32));
    const cryptoKey = await globalThis.crypto.subtle.importKey('raw', bytes, 'AES-GCM', false, [
      'encrypt',
      'decrypt',
    ]);
    for (const key of [
      k1,
      k1.replace(/=$/, '').replaceAll('+', '-').replaceAll('/', '_'),
      bytes,
      cryptoKey,
    ]) {
      const ring = createKeyring([{ id: 'a', key }]);
      expect((await ring.open(await ring.seal('x', 'aad'), 'aad')).plaintext).toBe('x');
    }
    const hmac = await globalThis.crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
    ]);
    const aes128 = await globalThis.crypto.subtle.generateKey({ name: 'AES-GCM', length: 128 }, false, [
      'encrypt',
      'decrypt',
    ]);
    const bad: unknown[] = [
      [],
      undefined,
      [{ id: 'a', key: 'correct horse battery staple' }],
      [{ id: 'a', key: new Uint8Array(16) }],
      [{ id: 'a', key: hmac }],
      [{ id: 'a', key: aes128 }],
      [{ id: '', key: k1 }],
      [{ id: 'has space', key: k1 }],
      [
        { id: 'a', key: k1 },
        { id: 'a', key: k2 },
      ],
      [null],
    ];
    for (const keys of bad) {
      let error: unknown;
      try {
        createKeyring(keys as never);
      } catch (e) {
        error = e;
      }
      expect((error as TokenStoreError).code).toBe('ERR_STORE_INVALID_OPTION');
      expect((error as Error).message).not.toContain(k1);
    }
  });

  it('uses a fresh IV each time and binds the ciphertext to its aad', async () => {
    const ring = createKeyring([{ id: 'a', key: k1 }]);
    const one = await ring.seal(secret, 'slot-1');
    const two = await ring.seal(secret, 'slot-1');
    expect(one).not.toBe(two);
    expect(one).not.toContain(secret);
    expect(JSON.parse(one)).toEqual({
      v: 1,
      kid: 'a',
      iv: expect.any(String),
      tag: expect.any(String),
      ct: expect.any(String),
    });
    expect(await codeOf(ring.open(one, 'slot-2'))).toBe('ERR_STORE_INTEGRITY');
  });
});

describe('encryptedTokenStore (G17)', () => {
  it('stores only ciphertext and reads it back with version and expiry', async () => {
    const inner = memoryTokenStore();
    const store = encryptedTokenStore(inner, { keys: [{ id: 'k1', key: k1 }] });
    expect(store.capabilities.encrypted).toBe(true);
    await store.set('slot', { value: secret, expiresAt: Date.now() + 60_000 });
    const raw = await inner.get('slot');
    expect(raw!.value).not.toContain(secret);
    const read = await store.get('slot');
    expect(read).toEqual({ value: secret, expiresAt: raw!.expiresAt, version: raw!.version });
    const written = await store.compareAndSet!(
      'slot',
      { value: 'next', expiresAt: Date.now() + 1000 },
      { version: read!.version },
    );
    expect(written).toEqual({ version: (await inner.get('slot'))!.version });
    expect((await store.get('slot'))?.value).toBe('next');
    await store.delete('slot');
    expect(await store.get('slot')).toBeUndefined();
  });

  it('detects every single-bit flip of the envelope', async () => {
    const inner = memoryTokenStore();
    const store = encryptedTokenStore(inner, {
      keys: [
        { id: 'k1', key: k1 },
        { id: 'k2', key: k2 },
      ],
    });
    const expiresAt = Date.now() + 60_000;
    await store.set('slot', { value: secret, expiresAt });
    const envelope = (await inner.get('slot'))!.value;
    const kidStart = envelope.indexOf('"kid":"') + 7;
    const kidEnd = envelope.indexOf('"', kidStart);
    const counts: Record<string, number> = {};
    let flips = 0;
    for (let i = 0; i < envelope.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const flipped =
          envelope.slice(0, i) +
          String.fromCharCode(envelope.charCodeAt(i) ^ (1 << bit)) +
          envelope.slice(i + 1);
        await inner.set('slot', { value: flipped, expiresAt });
        const code = await codeOf(store.get('slot'));
        counts[code] = (counts[code] ?? 0) + 1;
        flips++;
        // A flip inside the key id can name another well-formed id that is not configured.
        if (code === 'ERR_STORE_KEY_NOT_FOUND') expect(i >= kidStart && i < kidEnd).toBe(true);
        else expect(code).toBe('ERR_STORE_INTEGRITY');
      }
    }
    expect(flips).toBe(envelope.length * 8);
    expect((counts.ERR_STORE_INTEGRITY ?? 0) + (counts.ERR_STORE_KEY_NOT_FOUND ?? 0)).toBe(flips);
    expect(counts.ERR_STORE_INTEGRITY).toBeGreaterThan(flips - 16);
  });

  it('refuses an entry moved to another slot, another store name, or with an edited expiry', async () => {
    const inner = memoryTokenStore();
    const store = encryptedTokenStore(inner, { keys: [{ id: 'k1', key: k1 }] });
    const other = encryptedTokenStore(inner, { keys: [{ id: 'k1', key: k1 }], name: 'other' });
    await store.set('a', { value: secret, expiresAt: Date.now() + 60_000 });
    const raw = (await inner.get('a'))!;
    await inner.set('b', { value: raw.value, expiresAt: raw.expiresAt });
    expect(await codeOf(store.get('b'))).toBe('ERR_STORE_INTEGRITY');
    expect(await codeOf(other.get('a'))).toBe('ERR_STORE_INTEGRITY');
    await inner.set('a', { value: raw.value, expiresAt: raw.expiresAt + 1 });
    expect(await codeOf(store.get('a'))).toBe('ERR_STORE_INTEGRITY');
    await inner.set('a', { value: 'not an envelope', expiresAt: raw.expiresAt });
    expect(await codeOf(store.get('a'))).toBe('ERR_STORE_INTEGRITY');
  });

  it('rotates keys: old entries stay readable, writes use the newest key, unknown key id is typed', async () => {
    const inner = memoryTokenStore();
    const before = encryptedTokenStore(inner, { keys: [{ id: 'k1', key: k1 }] });
    await before.set('slot', { value: secret, expiresAt: Date.now() + 60_000 });
    const after = encryptedTokenStore(inner, {
      keys: [
        { id: 'k2', key: k2 },
        { id: 'k1', key: k1 },
      ],
    });
    expect((await after.get('slot'))?.value).toBe(secret);
    await after.set('slot', { value: 'rotated', expiresAt: Date.now() + 60_000 });
    expect(JSON.parse((await inner.get('slot'))!.value).kid).toBe('k2');
    expect(await codeOf(before.get('slot'))).toBe('ERR_STORE_KEY_NOT_FOUND');
    // Same id, wrong key material: tamper, not a missing key.
    const impostor = encryptedTokenStore(inner, { keys: [{ id: 'k2', key: k1 }] });
    expect(await codeOf(impostor.get('slot'))).toBe('ERR_STORE_INTEGRITY');
  });

  it('rejects bad construction synchronously', () => {
    expect(() => encryptedTokenStore(memoryTokenStore(), undefined as never)).toThrow(/options/);
    expect(() => encryptedTokenStore(memoryTokenStore(), { keys: [] })).toThrow(/keys/);
    expect(() => encryptedTokenStore(memoryTokenStore(), { keys: [{ id: 'a', key: k1 }], name: '' })).toThrow(
      /name/,
    );
    expect(() => encryptedTokenStore(null as never, { keys: [{ id: 'a', key: k1 }] })).toThrow(/store/);
  });
});

describe('helpers on bad input', () => {
  it('answer typed errors or undefined, never a raw TypeError', async () => {
    expect(() => encodeBase64Url('text' as never)).toThrow(
      expect.objectContaining({ code: 'ERR_STORE_INVALID_ARGUMENT' }),
    );
    expect(decodeBase64Url(42 as never)).toBeUndefined();
    const { waitUntil } = await import('../src/adapter.js');
    await expect(waitUntil(undefined as never, { waitMs: 1, now: Date.now })).rejects.toMatchObject({
      code: 'ERR_STORE_INVALID_ARGUMENT',
    });
    await expect(waitUntil(() => undefined, { waitMs: -1, now: Date.now })).rejects.toMatchObject({
      code: 'ERR_STORE_INVALID_ARGUMENT',
    });
    expect(await waitUntil(() => 'done', { waitMs: 0, now: Date.now })).toBe('done');
    expect(await waitUntil(() => undefined, { waitMs: 5, now: Date.now })).toBeUndefined();
    const ring = createKeyring([{ id: 'a', key: k1 }]);
    await expect(ring.seal(5 as never, 'aad')).rejects.toMatchObject({ code: 'ERR_STORE_INVALID_ARGUMENT' });
    await expect(ring.open(5 as never, 'aad')).rejects.toMatchObject({ code: 'ERR_STORE_INTEGRITY' });
  });
});
