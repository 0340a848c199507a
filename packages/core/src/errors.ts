/**
 * Base class of every error thrown by a `@netsuite-oauth/*` package.
 *
 * Each package extends it once with its own literal `name` and `ERR_<AREA>_<REASON>` codes. Messages are
 * short and lowercase; they name the offending option and never contain a token, secret, key,
 * assertion, authorization code or response body.
 *
 * @example
 * try { parseAccountId('bad host.evil') } catch (e) { if (isNetSuiteError(e)) console.log(e.code) }
 */
export class NetSuiteError extends Error {
  /** A stable machine-readable code, `ERR_<AREA>_<REASON>`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = 'NetSuiteError';
    brand(this);
  }
}

// The brand every error of the project carries. A registered symbol, so errors from another copy of a package
// (two versions installed side by side) are recognised too. `TokenStoreError` sets the same key without
// importing this package (token-store has no dependencies).
const ERROR_BRAND = Symbol.for('netsuite-oauth.error');

// Non-enumerable: the brand never shows in `JSON.stringify`, `util.inspect` or a spread.
function brand(error: Error): void {
  Object.defineProperty(error, ERROR_BRAND, { value: true });
}

/**
 * A guard for a package's errors: true for a branded error of this project whose `code` starts with
 * `codePrefix` (and equals `code` when given). Node's own `ERR_*` errors carry no brand and never match.
 *
 * @example
 * export const isOAuthFlowError = createErrorGuard<OAuthFlowError>('ERR_OAUTH_');
 * if (isOAuthFlowError(e, 'ERR_OAUTH_TIMEOUT')) retryLater();
 * @throws {NetSuiteConfigError} `ERR_CORE_INVALID_ARGUMENT` when `codePrefix` does not start with `ERR_`.
 */
export function createErrorGuard<E extends NetSuiteError>(
  codePrefix: string,
): (value: unknown, code?: E['code']) => value is E {
  if (typeof codePrefix !== 'string' || !/^ERR_[A-Z0-9_]*$/.test(codePrefix)) {
    throw new NetSuiteConfigError(
      'ERR_CORE_INVALID_ARGUMENT',
      'codePrefix must be ERR_ followed by capitals, digits or _',
    );
  }
  return (value: unknown, code?: E['code']): value is E => {
    if (!(value instanceof Error) || (value as { [ERROR_BRAND]?: unknown })[ERROR_BRAND] !== true)
      return false;
    const actual: unknown = (value as { code?: unknown }).code;
    return (
      typeof actual === 'string' && actual.startsWith(codePrefix) && (code === undefined || actual === code)
    );
  };
}

/**
 * True for any error thrown by a `@netsuite-oauth/*` package, from any installed copy of it: a branded error
 * (`NetSuiteError` or `TokenStoreError`), never another library's or Node's own `ERR_*` error. With `code`,
 * only for that code.
 *
 * @example
 * try { parseAccountId('bad host.evil') } catch (e) { if (isNetSuiteError(e)) console.log(e.code) }
 */
export const isNetSuiteError = createErrorGuard<NetSuiteError>('ERR_');

/** Codes thrown by `@netsuite-oauth/core`. */
export type CoreErrorCode =
  | 'ERR_CORE_INVALID_ACCOUNT_ID'
  | 'ERR_CORE_INVALID_ORIGIN'
  | 'ERR_CORE_INSECURE_ORIGIN'
  | 'ERR_CORE_INVALID_ARGUMENT';

/** A configuration error raised by `@netsuite-oauth/core` (bad account id or origin). */
export class NetSuiteConfigError extends NetSuiteError {
  declare readonly code: CoreErrorCode;

  constructor(code: CoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'NetSuiteConfigError';
  }
}
