// Public API of @netsuite-oauth/bulk-queue: named exports only.
export {
  type BulkChunkData,
  type BulkChunkResult,
  type BulkClient,
  type BulkImport,
  type BulkImportStatus,
  type BulkOperation,
  type BulkQueue,
  type BulkQueueOptions,
  type BulkWorkerOptions,
  createBulkQueue,
  startBulkWorker,
} from './bulk.js';
export { BulkQueueError, type BulkQueueErrorCode, isBulkQueueError } from './errors.js';
