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
 * It is a `NetSuiteError` structurally (`code` starting with `ERR_`, so `isNetSuiteError()` from
 * `@netsuite-oauth/core` accepts it) without importing core: this package has zero dependencies.
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
  }
}

/**
 * True for a {@link TokenStoreError} (structural, so it works across duplicated copies of the package).
 *
 * @example
 * if (isTokenStoreError(e, 'ERR_STORE_UNAVAILABLE')) retryLater();
 */
export function isTokenStoreError(value: unknown, code?: TokenStoreErrorCode): value is TokenStoreError {
  if (!(value instanceof Error)) return false;
  const actual: unknown = (value as { code?: unknown }).code;
  if (typeof actual !== 'string' || !actual.startsWith('ERR_STORE_')) return false;
  return code === undefined || actual === code;
}
