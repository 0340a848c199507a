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
  }
}

/** True for any error thrown by a `@netsuite-oauth/*` package (structural: works across copies). */
export function isNetSuiteError(value: unknown): value is NetSuiteError {
  if (!(value instanceof Error)) return false;
  const code: unknown = (value as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('ERR_');
}

/** Codes thrown by `@netsuite-oauth/core`. */
export type CoreErrorCode =
  | 'ERR_CORE_INVALID_ACCOUNT_ID'
  | 'ERR_CORE_INVALID_ORIGIN'
  | 'ERR_CORE_INSECURE_ORIGIN';

/** A configuration error raised by `@netsuite-oauth/core` (bad account id or origin). */
export class NetSuiteConfigError extends NetSuiteError {
  declare readonly code: CoreErrorCode;

  constructor(code: CoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'NetSuiteConfigError';
  }
}
