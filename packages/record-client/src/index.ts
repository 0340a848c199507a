// Public API of @netsuite-oauth/record-client: named exports only.
export type {
  BatchApi,
  BatchCheckpoint,
  BatchFailure,
  BatchOperation,
  BatchOptions,
  BatchResult,
  BatchRun,
  BatchSuccess,
} from './batch.js';
export {
  type CircuitBreaker,
  type CircuitBreakerOptions,
  type CircuitState,
  createCircuitBreaker,
} from './circuit-breaker.js';
export { createNetSuiteClient, type NetSuiteClient, type NetSuiteClientOptions } from './client.js';
export {
  type CircuitEvent,
  type ExchangeEvent,
  type ExchangeOutcome,
  type GovernanceEvent,
  type RequestEvent,
  type RetryEvent,
  type RetryReason,
  recordClientChannels,
} from './diagnostics.js';
export { apiErrorHint } from './error-hints.js';
export {
  BatchItemError,
  type BatchItemErrorInit,
  isRecordClientError,
  NetSuiteApiError,
  type NetSuiteApiErrorInit,
  type NetSuiteErrorDetail,
  RecordClientError,
  type RecordClientErrorCode,
} from './errors.js';
export type { ExportRowsOptions, ExportRun } from './export.js';
export {
  type AccountGovernance,
  type AccountGovernanceOptions,
  type AccountLimit,
  type AccountLimiter,
  createAccountGovernance,
  type GovernanceLimits,
  isAccountGovernance,
} from './governance.js';
export type { RequestHooks } from './hooks.js';
export {
  type AdaptiveConcurrencyLimiter,
  type ConcurrencyLimiter,
  type ConcurrencyLimiterOptions,
  type ConcurrencyPermit,
  createConcurrencyLimiter,
  isAdaptiveLimiter,
  type LocalConcurrencyLimiter,
  type PermitOutcome,
} from './limiter.js';
export type {
  CatalogEntry,
  JsonSchemaObject,
  JsonSchemasOptions,
  MetadataApi,
  MetadataCacheOptions,
  MetadataCallOptions,
  MetadataOptions,
  OpenApiDocument,
} from './metadata.js';
export type { PagedRows } from './paging.js';
export {
  RECORD_TYPE_TABLES,
  type RecordTypeTable,
  recordTypeTable,
  suggestNames,
} from './record-tables.js';
export type {
  Contact,
  Customer,
  Employee,
  InventoryItem,
  Invoice,
  ItemFulfillment,
  Link,
  NetSuiteRecord,
  RecordInput,
  RecordOf,
  RecordRead,
  RecordRef,
  RecordTypeName,
  RecordTypes,
  RecordWrite,
  RecordWriteBody,
  SalesOrder,
  Sublist,
  Transaction,
  TransactionItemLine,
  Vendor,
  VendorBill,
} from './record-types.js';
export type {
  AsyncJobOptions,
  AsyncJobResult,
  CallOptions,
  ExpandedListOptions,
  GetRecordOptions,
  ListRecordsOptions,
  RecordListItem,
  RecordsApi,
  UpdateRecordOptions,
  WriteResult,
} from './records.js';
export type { RestletRequest } from './restlet.js';
export { createRetryBudget, type RetryBudget, type RetryBudgetOptions, type RetryOptions } from './retry.js';
export type { SuiteQLByKeyOptions, SuiteQLOptions, SuiteQLParam, SuiteQLRow } from './suiteql.js';
export type { TokenProvider, TokenSource } from './token.js';
