import type { webcrypto } from 'node:crypto';
import { decodeBase64Url, decodeKeyText, encodeBase64Url } from './base64url.js';
import { TokenStoreError } from './errors.js';

/**
 * One AES-256 key with its id. `key` is 32 random bytes: a `Uint8Array`, the same bytes as base64 /
 * base64url text (e.g. from an environment variable or a KMS), or a WebCrypto AES-GCM `CryptoKey`.
 * Passphrases are refused: a human-chosen string hashed once can be guessed offline.
 *
 * @example
 * const key: EncryptionKey = { id: '2026-11', key: process.env.TOKEN_KEY! };
 */
export interface EncryptionKey {
  /** 1–64 characters of `A–Z a–z 0–9 . _ -`; stored in clear in every envelope to pick the key on read. */
  readonly id: string;
  readonly key: Uint8Array | string | CryptoKey;
}

/**
 * Seals and opens the versioned AES-256-GCM envelope `{"v":1,"kid","iv","tag","ct"}`. The first key
 * seals; every key opens (rotation: put the new key first, keep old ones until every entry was rewritten).
 *
 * @example
 * const ring = createKeyring([{ id: 'k2', key: newKey }, { id: 'k1', key: oldKey }]);
 * const sealed = await ring.seal('secret', 'slot-a');
 * (await ring.open(sealed, 'slot-a')).plaintext; // 'secret'
 */
export interface Keyring {
  /** Id of the key that seals. */
  readonly writeKeyId: string;
  /** Ids of every key that can open. */
  readonly keyIds: readonly string[];
  /** Encrypts `plaintext` with a fresh 96-bit random IV, bound to `aad` (e.g. the store name + slot key). */
  seal(plaintext: string, aad: string): Promise<string>;
  /**
   * Decrypts an envelope sealed with the same `aad`.
   *
   * @throws {TokenStoreError} `ERR_STORE_INTEGRITY` (malformed, tampered, moved to another slot or wrong key),
   *   `ERR_STORE_KEY_NOT_FOUND` (well-formed envelope sealed with a key id not in this keyring)
   */
  open(envelope: string, aad: string): Promise<{ plaintext: string; keyId: string }>;
}

type CryptoKey = webcrypto.CryptoKey;

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const ENVELOPE_VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * 32 fresh random bytes as base64: a key for {@link createKeyring}, `encryptedTokenStore` or the file store.
 * Generate once, keep it in a secret manager or an environment variable, never in the repository.
 *
 * @example
 * // node -e "import('@netsuite-oauth/token-store').then(m => console.log(m.generateEncryptionKey()))"
 * const key = generateEncryptionKey(); // 'q3J…=' (44 characters)
 */
export function generateEncryptionKey(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(32));
  return encodeBase64Url(bytes).replaceAll('-', '+').replaceAll('_', '/').concat('=');
}

function integrity(cause?: unknown): TokenStoreError {
  return new TokenStoreError(
    'ERR_STORE_INTEGRITY',
    'stored entry failed its integrity check (tampered, moved to another key, or wrong encryption key)',
    cause === undefined ? undefined : { cause },
  );
}

function isCryptoKey(value: unknown): value is CryptoKey {
  const ctor = (globalThis as { CryptoKey?: abstract new () => unknown }).CryptoKey;
  return ctor !== undefined && value instanceof ctor;
}

/**
 * Builds a {@link Keyring}. Validates every key synchronously.
 *
 * @throws {TokenStoreError} `ERR_STORE_INVALID_OPTION` when `keys` is empty, an id is malformed or repeated,
 *   or a key is not 32 bytes / not an AES-GCM 256-bit CryptoKey
 * @example
 * const ring = createKeyring([{ id: 'k1', key: generateEncryptionKey() }]);
 */
export function createKeyring(keys: readonly EncryptionKey[]): Keyring {
  if (!Array.isArray(keys) || keys.length === 0) {
    throw new TokenStoreError('ERR_STORE_INVALID_OPTION', 'keys must be a non-empty array of { id, key }');
  }
  const material = new Map<string, Promise<CryptoKey>>();
  keys.forEach((item: unknown, index) => {
    const { id, key } = (item ?? {}) as { id?: unknown; key?: unknown };
    if (typeof id !== 'string' || !KEY_ID.test(id)) {
      throw new TokenStoreError(
        'ERR_STORE_INVALID_OPTION',
        `keys[${index}].id must be 1-64 characters of A-Z a-z 0-9 . _ -`,
      );
    }
    if (material.has(id)) {
      throw new TokenStoreError('ERR_STORE_INVALID_OPTION', `keys[${index}].id is used twice`);
    }
    let bytes: Uint8Array | undefined;
    if (isCryptoKey(key)) {
      const algorithm = key.algorithm as webcrypto.AesKeyAlgorithm;
      if (
        algorithm.name !== 'AES-GCM' ||
        algorithm.length !== 256 ||
        !key.usages.includes('encrypt') ||
        !key.usages.includes('decrypt')
      ) {
        throw new TokenStoreError(
          'ERR_STORE_INVALID_OPTION',
          `keys[${index}].key must be an AES-GCM 256-bit CryptoKey usable to encrypt and decrypt`,
        );
      }
      material.set(id, Promise.resolve(key));
      return;
    }
    if (key instanceof Uint8Array) bytes = key;
    else if (typeof key === 'string') bytes = decodeKeyText(key);
    if (bytes?.length !== 32) {
      throw new TokenStoreError(
        'ERR_STORE_INVALID_OPTION',
        `keys[${index}].key must be 32 random bytes (Uint8Array or base64); passphrases are not accepted`,
      );
    }
    const copy = new Uint8Array(bytes);
    const imported = globalThis.crypto.subtle.importKey('raw', copy, { name: 'AES-GCM' }, false, [
      'encrypt',
      'decrypt',
    ]);
    // Avoid an unhandled rejection before first use; the error surfaces on seal/open.
    imported.catch(() => undefined);
    material.set(id, imported);
  });
  const ids = [...material.keys()];
  const writeKeyId = ids[0]!;

  const additional = (aad: string, kid: string) =>
    encoder.encode(`nsoauth.v${ENVELOPE_VERSION}\u0000${kid}\u0000${aad}`);

  return {
    writeKeyId,
    keyIds: Object.freeze(ids),
    async seal(plaintext, aad) {
      if (typeof plaintext !== 'string' || typeof aad !== 'string') {
        throw new TokenStoreError('ERR_STORE_INVALID_ARGUMENT', 'plaintext and aad must be strings');
      }
      const key = await material.get(writeKeyId)!;
      const iv = globalThis.crypto.getRandomValues(new Uint8Array(IV_BYTES));
      const sealed = new Uint8Array(
        await globalThis.crypto.subtle.encrypt(
          { name: 'AES-GCM', iv, additionalData: additional(aad, writeKeyId), tagLength: TAG_BYTES * 8 },
          key,
          encoder.encode(plaintext),
        ),
      );
      const ct = sealed.subarray(0, sealed.length - TAG_BYTES);
      const tag = sealed.subarray(sealed.length - TAG_BYTES);
      return canonical(writeKeyId, encodeBase64Url(iv), encodeBase64Url(tag), encodeBase64Url(ct));
    },
    async open(envelope, aad) {
      if (typeof envelope !== 'string' || typeof aad !== 'string') throw integrity();
      let parsed: unknown;
      try {
        parsed = JSON.parse(envelope);
      } catch (cause) {
        throw integrity(cause);
      }
      const { v, kid, iv, tag, ct } = (parsed ?? {}) as Record<string, unknown>;
      if (
        v !== ENVELOPE_VERSION ||
        typeof kid !== 'string' ||
        !KEY_ID.test(kid) ||
        typeof iv !== 'string' ||
        typeof tag !== 'string' ||
        typeof ct !== 'string' ||
        // One text per envelope: any byte that does not change a field (whitespace, key order, escapes) is refused.
        canonical(kid, iv, tag, ct) !== envelope
      ) {
        throw integrity();
      }
      const ivBytes = decodeBase64Url(iv);
      const tagBytes = decodeBase64Url(tag);
      const ctBytes = decodeBase64Url(ct);
      if (!ivBytes || ivBytes.length !== IV_BYTES || !tagBytes || tagBytes.length !== TAG_BYTES || !ctBytes) {
        throw integrity();
      }
      const pending = material.get(kid);
      if (!pending) {
        throw new TokenStoreError(
          'ERR_STORE_KEY_NOT_FOUND',
          'stored entry was encrypted with a key id that is not configured',
        );
      }
      const key = await pending;
      const joined = new Uint8Array(ctBytes.length + TAG_BYTES);
      joined.set(ctBytes);
      joined.set(tagBytes, ctBytes.length);
      let plain: ArrayBuffer;
      try {
        plain = await globalThis.crypto.subtle.decrypt(
          { name: 'AES-GCM', iv: ivBytes, additionalData: additional(aad, kid), tagLength: TAG_BYTES * 8 },
          key,
          joined,
        );
      } catch (cause) {
        throw integrity(cause);
      }
      try {
        return { plaintext: decoder.decode(plain), keyId: kid };
      } catch (cause) {
        throw integrity(cause);
      }
    },
  };
}

function canonical(kid: string, iv: string, tag: string, ct: string): string {
  return JSON.stringify({ v: ENVELOPE_VERSION, kid, iv, tag, ct });
}
