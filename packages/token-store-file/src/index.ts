// Public API of @netsuite-oauth/token-store-file: named exports only.
export {
  type FileTokenStore,
  type FileTokenStoreCommonOptions,
  type FileTokenStoreOptions,
  fileTokenStore,
} from './file-store.js';
