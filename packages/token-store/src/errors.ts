/**
 * Codes thrown by the token stores (`@netsuite-oauth/token-store` and its adapters).
 *
 * @example
 * if (isTokenStoreError(e) && e.code === 'ERR_STORE_INTEGRITY') { ... }
 */
export type TokenStoreErrorCode =
  | 'ERR_STORE_INVALID_OPTION'
  | 'ERR_STORE_INVALID_KEY'
  | 'ERR_STORE_INVALID_ENTRY'
  | 'ERR_STORE_INVALID_ARGUMENT'
  | 'ERR_STORE_INTEGRITY'
  | 'ERR_STORE_KEY_NOT_FOUND'
  | 'ERR_STORE_LOCK_TIMEOUT'
  | 'ERR_STORE_UNSUPPORTED'
  | 'ERR_STORE_CLOSED'
  | 'ERR_STORE_UNAVAILABLE'
  | 'ERR_STORE_CORRUPT'
  | 'ERR_STORE_INSECURE_PERMISSIONS'
  | 'ERR_STORE_IO';

/**
 * The error every token store throws: a stable `code`, a short message that never contains a token or key,
 * and the underlying `cause` when there is one.
 *
 * It carries the brand of `NetSuiteError` (so `isNetSuiteError()` from `@netsuite-oauth/core` accepts it)
 * without importing core: this package has zero dependencies.
 *
 * @example
 * try { await store.get('k') } catch (e) { if (isTokenStoreError(e)) console.error(e.code) }
 */
export class TokenStoreError extends Error {
  /** A stable machine-readable code, `ERR_STORE_<REASON>`. */
  readonly code: TokenStoreErrorCode;

  constructor(code: TokenStoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = 'TokenStoreError';
    // The brand `NetSuiteError` sets (same registered symbol), non-enumerable like there.
    Object.defineProperty(this, ERROR_BRAND, { value: true });
  }
}

// Must be the key `@netsuite-oauth/core` brands its errors with: the guards of both packages then agree.
const ERROR_BRAND = Symbol.for('netsuite-oauth.error');

/**
 * True for a {@link TokenStoreError}, from any installed copy of the package (it checks the brand, so Node's
 * own `ERR_*` errors never match).
 *
 * @example
 * if (isTokenStoreError(e, 'ERR_STORE_UNAVAILABLE')) retryLater();
 */
export function isTokenStoreError(value: unknown, code?: TokenStoreErrorCode): value is TokenStoreError {
  if (!(value instanceof Error) || (value as { [ERROR_BRAND]?: unknown })[ERROR_BRAND] !== true) return false;
  const actual: unknown = (value as { code?: unknown }).code;
  if (typeof actual !== 'string' || !actual.startsWith('ERR_STORE_')) return false;
  return code === undefined || actual === code;
}

/**
 * The codes of an entry a store holds but cannot read: tampered or not decryptable (`ERR_STORE_INTEGRITY`),
 * sealed with a key no longer configured (`ERR_STORE_KEY_NOT_FOUND`), or malformed (`ERR_STORE_CORRUPT`).
 * A caller whose entries are only a cache may drop such an entry; other failures (the backend is down,
 * closed, …) say nothing about the entry.
 *
 * @example
 * if (isTokenStoreError(e) && UNREADABLE_ENTRY_CODES.includes(e.code)) await store.delete(key);
 */
export const UNREADABLE_ENTRY_CODES: readonly TokenStoreErrorCode[] = Object.freeze([
  'ERR_STORE_INTEGRITY',
  'ERR_STORE_KEY_NOT_FOUND',
  'ERR_STORE_CORRUPT',
]);

/**
 * True for a {@link TokenStoreError} that says the entry itself cannot be read (see {@link UNREADABLE_ENTRY_CODES}).
 *
 * @example
 * try { return await store.get(key) } catch (e) { if (isUnreadableEntryError(e)) return undefined; throw e }
 */
export function isUnreadableEntryError(value: unknown): value is TokenStoreError {
  return isTokenStoreError(value) && UNREADABLE_ENTRY_CODES.includes(value.code);
}
