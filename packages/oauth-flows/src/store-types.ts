/**
 * A lease on a store key, as `lock()` of {@link TokenStoreLike} grants it (`TokenStoreLock` in
 * `@netsuite-oauth/token-store`).
 *
 * @example
 * const lease: TokenStoreLockLike | undefined = await store.lock?.('netsuite:m2m', { ttlMs: 15_000 });
 */
export interface TokenStoreLockLike {
  readonly fencingToken: number;
  readonly expiresAt: number;
  release(): Promise<void>;
}

/**
 * The token store shape this package needs: the same as `TokenStore` in `@netsuite-oauth/token-store`,
 * written here structurally so this package never imports a store at run time. Every store from the
 * `@netsuite-oauth/token-store*` packages fits as is.
 *
 * @example
 * const store: TokenStoreLike = memoryTokenStore(); // from @netsuite-oauth/token-store
 */
export interface TokenStoreLike {
  readonly capabilities: {
    readonly lock: boolean;
    readonly compareAndSet: boolean;
    readonly crossProcess: boolean;
    readonly encrypted: boolean;
  };
  get(
    key: string,
  ): Promise<{ readonly value: string; readonly expiresAt: number; readonly version: number } | undefined>;
  set(key: string, entry: { readonly value: string; readonly expiresAt: number }): Promise<void>;
  delete(key: string): Promise<void>;
  lock?(
    key: string,
    options: { readonly ttlMs: number; readonly waitMs?: number },
  ): Promise<TokenStoreLockLike | undefined>;
  /** Resolves `{ version }` (the version written) or `false`; stores of the first contract resolve `true`. */
  compareAndSet?(
    key: string,
    entry: { readonly value: string; readonly expiresAt: number },
    condition: { readonly version: number | undefined; readonly fencingToken?: number },
  ): Promise<boolean | { readonly version: number }>;
}

/**
 * Codes of a store entry that exists but cannot be read (tampered, sealed with a key no longer configured,
 * malformed): `UNREADABLE_ENTRY_CODES` of the `TokenStore` contract, repeated here because this package never
 * imports a store at run time (a test keeps both lists equal).
 */
export const UNREADABLE_STORE_ENTRY_CODES: ReadonlySet<string> = new Set([
  'ERR_STORE_INTEGRITY',
  'ERR_STORE_KEY_NOT_FOUND',
  'ERR_STORE_CORRUPT',
]);
