import { NetSuiteError } from '@netsuite-oauth/core';

/** Codes thrown or shown by `@netsuite-oauth/server`. */
export type ServerErrorCode =
  | 'ERR_SERVER_INVALID_OPTION'
  | 'ERR_SERVER_PORT_IN_USE'
  | 'ERR_SERVER_NETSUITE_REFUSED'
  | 'ERR_SERVER_NETSUITE_ERROR'
  | 'ERR_SERVER_NETSUITE_UNREACHABLE'
  | 'ERR_SERVER_BAD_REQUEST'
  | 'ERR_SERVER_BODY_TOO_LARGE'
  | 'ERR_SERVER_CSRF'
  | 'ERR_SERVER_INVALID_STATE'
  | 'ERR_SERVER_INVALID_CALLBACK'
  | 'ERR_SERVER_CODE_REJECTED'
  | 'ERR_SERVER_STORE_UNAVAILABLE'
  | 'ERR_SERVER_BUSY'
  | 'ERR_SERVER_AUTHORIZATION_DENIED'
  | 'ERR_SERVER_NOT_CONNECTED'
  | 'ERR_SERVER_NOT_FOUND'
  | 'ERR_SERVER_METHOD_NOT_ALLOWED';

/**
 * The error of the demo server. `status` is the HTTP status the server answers with; `message` is safe to
 * show to the user (it never holds a token, code, state, session id or response body).
 *
 * @example
 * throw new ServerError('ERR_SERVER_CSRF', 'the form expired: reload the page and try again', { status: 403 });
 */
export class ServerError extends NetSuiteError {
  declare readonly code: ServerErrorCode;
  /** HTTP status of the error page. */
  readonly status: number;
  /** What the user can do about it, safe to show (e.g. the package's meaning of NetSuite's error). */
  readonly hint: string | undefined;

  constructor(
    code: ServerErrorCode,
    message: string,
    options: { status?: number; cause?: unknown; hint?: string | undefined } = {},
  ) {
    super(code, message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ServerError';
    this.status = options.status ?? 500;
    this.hint = options.hint;
  }
}

/**
 * True for a {@link ServerError} (structural, works across copies of the package).
 *
 * @example
 * if (isServerError(e)) console.log(e.code, e.status);
 */
export function isServerError(value: unknown): value is ServerError {
  return (
    value instanceof Error &&
    value.name === 'ServerError' &&
    typeof (value as { code?: unknown }).code === 'string' &&
    typeof (value as { status?: unknown }).status === 'number'
  );
}
