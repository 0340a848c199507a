// Public API of @netsuite-oauth/token-store: named exports only.
export { decodeBase64Url, encodeBase64Url } from './base64url.js';
export { type EncryptedTokenStoreOptions, encryptedTokenStore } from './encrypted.js';
export {
  isTokenStoreError,
  isUnreadableEntryError,
  TokenStoreError,
  type TokenStoreErrorCode,
  UNREADABLE_ENTRY_CODES,
} from './errors.js';
export { createKeyring, type EncryptionKey, generateEncryptionKey, type Keyring } from './keyring.js';
export { type MemoryTokenStoreOptions, memoryTokenStore } from './memory.js';
export { assertStore, prefixedTokenStore } from './prefixed.js';
export type {
  CompareAndSetCondition,
  CompareAndSetResult,
  LockOptions,
  StoreCapabilities,
  StoredTokenEntry,
  TokenEntry,
  TokenStore,
  TokenStoreLock,
} from './types.js';
export {
  assertCondition,
  assertEntry,
  assertKey,
  MAX_KEY_LENGTH,
  MAX_LOCK_TTL_MS,
  MAX_LOCK_WAIT_MS,
  normalizeLockOptions,
} from './validate.js';
export { waitUntil } from './wait.js';
export { withTokenStoreLock } from './with-lock.js';
