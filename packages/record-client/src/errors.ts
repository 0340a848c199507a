import { createErrorGuard, NetSuiteError } from '@netsuite-oauth/core';

/**
 * Codes thrown by `@netsuite-oauth/record-client`.
 *
 * @example
 * if (error.code === ('ERR_RECORD_TIMEOUT' satisfies RecordClientErrorCode)) retryLater()
 */
export type RecordClientErrorCode =
  | 'ERR_RECORD_INVALID_OPTION'
  | 'ERR_RECORD_INVALID_ARGUMENT'
  | 'ERR_RECORD_API'
  | 'ERR_RECORD_TIMEOUT'
  | 'ERR_RECORD_ABORTED'
  | 'ERR_RECORD_NETWORK'
  | 'ERR_RECORD_CIRCUIT_OPEN'
  | 'ERR_RECORD_INVALID_RESPONSE'
  | 'ERR_RECORD_RESPONSE_TOO_LARGE'
  | 'ERR_RECORD_TOKEN'
  | 'ERR_RECORD_RESULT_CAP'
  | 'ERR_RECORD_ASYNC_JOB_FAILED'
  | 'ERR_RECORD_LIMITER'
  | 'ERR_RECORD_HOOK'
  | 'ERR_RECORD_BATCH_ITEM'
  | 'ERR_RECORD_METADATA_CACHE';

/**
 * Base class of every error thrown by `@netsuite-oauth/record-client`.
 *
 * Messages are short and never contain the access token, a request body or a full response body.
 *
 * @example
 * try { await client.records.get('customer', '1') } catch (e) { if (isRecordClientError(e)) console.log(e.code) }
 */
export class RecordClientError extends NetSuiteError {
  declare readonly code: RecordClientErrorCode;

  constructor(code: RecordClientErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'RecordClientError';
  }
}

/**
 * One entry of NetSuite's `o:errorDetails`.
 *
 * @example
 * for (const d of error.details) console.log(d.errorCode, d.errorPath)
 */
export interface NetSuiteErrorDetail {
  readonly detail?: string | undefined;
  readonly errorCode?: string | undefined;
  readonly errorPath?: string | undefined;
  readonly errorHeader?: string | undefined;
  readonly errorQueryParam?: string | undefined;
  readonly urlPath?: string | undefined;
}

/**
 * Fields of a {@link NetSuiteApiError}.
 *
 * @example
 * new NetSuiteApiError({ status: 404, method: 'GET', path: '/services/rest/record/v1/customer/1', errorCode: 'NONEXISTENT_ID' })
 */
export interface NetSuiteApiErrorInit {
  readonly status: number;
  readonly method: string;
  readonly path: string;
  readonly title?: string | undefined;
  readonly errorCode?: string | undefined;
  readonly errorPath?: string | undefined;
  readonly detail?: string | undefined;
  readonly details?: readonly NetSuiteErrorDetail[] | undefined;
  readonly retryAfterMs?: number | undefined;
  readonly attempts?: number | undefined;
  readonly location?: string | undefined;
}

/**
 * NetSuite answered with an error status (REST web services error body, RESTlet error, or anything else).
 *
 * `errorCode` is read from `o:errorDetails[0]` first and the top level second (NetSuite uses both);
 * RESTlet errors (`{"error":{"code","message"}}`, XML or text) fill `errorCode` and `detail` too.
 *
 * @example
 * try { await client.records.get('customer', '999') }
 * catch (e) { if (e instanceof NetSuiteApiError && e.errorCode === 'NONEXISTENT_ID') console.log('gone') }
 * @see https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_156570709583.html
 */
export class NetSuiteApiError extends RecordClientError {
  /** HTTP status. */
  readonly status: number;
  /** HTTP method of the failed request. */
  readonly method: string;
  /** Path of the failed request, without its query string. */
  readonly path: string;
  /** `title` of the error body. */
  readonly title: string | undefined;
  /** `o:errorCode` (details first, then top level) or the RESTlet error code. */
  readonly errorCode: string | undefined;
  /** `o:errorPath`: the JSON path of the offending field, when NetSuite names one. */
  readonly errorPath: string | undefined;
  /** `detail` (details first, then top level) or the RESTlet error message. */
  readonly detail: string | undefined;
  /** Every entry of `o:errorDetails`. */
  readonly details: readonly NetSuiteErrorDetail[];
  /** The `Retry-After` NetSuite sent, in ms, when it sent one. */
  readonly retryAfterMs: number | undefined;
  /** How many attempts were made before giving up. */
  readonly attempts: number;
  /** The `Location` header, when NetSuite sent one (a duplicate idempotency key points at the earlier job). */
  readonly location: string | undefined;

  constructor(init: NetSuiteApiErrorInit) {
    super(
      'ERR_RECORD_API',
      `netsuite answered ${init.status}${init.errorCode ? ` ${init.errorCode}` : ''} to ${init.method} ${init.path}`,
    );
    this.name = 'NetSuiteApiError';
    this.status = init.status;
    this.method = init.method;
    this.path = init.path;
    this.title = init.title;
    this.errorCode = init.errorCode;
    this.errorPath = init.errorPath;
    this.detail = init.detail;
    this.details = init.details ?? [];
    this.retryAfterMs = init.retryAfterMs;
    this.attempts = init.attempts ?? 1;
    this.location = init.location;
  }
}

/**
 * True for an error thrown by `@netsuite-oauth/record-client`, from any installed copy of the package.
 * Pass `code` to test for one code.
 *
 * @example
 * if (isRecordClientError(e) && e.code === 'ERR_RECORD_TIMEOUT') retryLater()
 */
export const isRecordClientError = createErrorGuard<RecordClientError>('ERR_RECORD_');

/**
 * Fields of a {@link BatchItemError}.
 *
 * @example
 * new BatchItemError({ index: 7, status: 400, errorCode: 'USER_ERROR', errorPath: 'companyName' })
 */
export interface BatchItemErrorInit {
  readonly index: number;
  readonly status?: number | undefined;
  readonly errorCode?: string | undefined;
  readonly detail?: string | undefined;
  readonly errorPath?: string | undefined;
  readonly details?: readonly NetSuiteErrorDetail[] | undefined;
  readonly cause?: unknown;
}

/**
 * One record of a batch failed; the others are unaffected. Carries where the record sat in the input (`index`,
 * from 0) and what NetSuite answered for it (`status`, `o:errorCode`, `detail`, `o:errorPath`) — never the
 * record's body. `status` is undefined when the client refused the item before sending it (it was not an
 * object, or had no valid id / external id); `detail` then says why.
 *
 * @example
 * for await (const r of client.batch.create('customer', rows)) {
 *   if (!r.ok) console.error(`row ${r.error.index}: ${r.error.errorCode} at ${r.error.errorPath}: ${r.error.detail}`);
 * }
 * @see https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/article_0127092747.html
 */
export class BatchItemError extends RecordClientError {
  /** Position of the record in the input, from 0. */
  readonly index: number;
  /** HTTP status of the record's task; undefined when the client refused the item before sending it. */
  readonly status: number | undefined;
  /** NetSuite's `o:errorCode` for the record. */
  readonly errorCode: string | undefined;
  /** NetSuite's `detail`, or why the client refused the item. */
  readonly detail: string | undefined;
  /** NetSuite's `o:errorPath`: the field of the record at fault. */
  readonly errorPath: string | undefined;
  /** Every entry of `o:errorDetails`. */
  readonly details: readonly NetSuiteErrorDetail[];

  constructor(init: BatchItemErrorInit) {
    const what =
      init.status === undefined
        ? 'was not sent'
        : `failed: netsuite answered ${init.status}${init.errorCode ? ` ${init.errorCode}` : ''}`;
    super(
      'ERR_RECORD_BATCH_ITEM',
      `record ${init.index} of the batch ${what}`,
      init.cause === undefined ? undefined : { cause: init.cause },
    );
    this.name = 'BatchItemError';
    this.index = init.index;
    this.status = init.status;
    this.errorCode = init.errorCode;
    this.detail = init.detail;
    this.errorPath = init.errorPath;
    this.details = init.details ?? [];
  }
}
