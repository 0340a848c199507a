// Public API of @netsuite-oauth/token-store: named exports only. What adapters are built from (argument checks,
// waiting for a lease, base64url) is the subpath `@netsuite-oauth/token-store/adapter`.
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
export { prefixedTokenStore } from './prefixed.js';
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
export { withTokenStoreLock } from './with-lock.js';
