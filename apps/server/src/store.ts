import type { TokenStore } from '@netsuite-oauth/token-store';

/**
 * Where the server keeps sessions, login transactions and tokens: any `TokenStore` from
 * `@netsuite-oauth/token-store` (memory for tests, the encrypted file store by default, Redis when configured).
 */
export type KeyValueStore = TokenStore;
