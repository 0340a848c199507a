import { createErrorGuard, NetSuiteError } from '@netsuite-oauth/core';

/**
 * Codes thrown by `@netsuite-oauth/bulk-queue`.
 *
 * @example
 * if (error.code === ('ERR_BULK_INVALID_OPTION' satisfies BulkQueueErrorCode)) fix()
 */
export type BulkQueueErrorCode = 'ERR_BULK_INVALID_OPTION' | 'ERR_BULK_INVALID_ARGUMENT' | 'ERR_BULK_TIMEOUT';

/**
 * The error of `@netsuite-oauth/bulk-queue`.
 *
 * @example
 * try { await bulk.enqueue(job) } catch (e) { if (isBulkQueueError(e)) console.log(e.code) }
 */
export class BulkQueueError extends NetSuiteError {
  declare readonly code: BulkQueueErrorCode;

  constructor(code: BulkQueueErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'BulkQueueError';
  }
}

/**
 * True for an error thrown by `@netsuite-oauth/bulk-queue`, from any installed copy of the package.
 *
 * @example
 * if (isBulkQueueError(e) && e.code === 'ERR_BULK_TIMEOUT') retryLater()
 */
export const isBulkQueueError = createErrorGuard<BulkQueueError>('ERR_BULK_');
