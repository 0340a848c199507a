export { type AccountId, parseAccountId } from './account.js';
export { readBodyCapped } from './body.js';
export {
  checkOrigin,
  type EndpointOptions,
  isLoopbackHost,
  isLoopbackOrTls,
  isLoopbackUrl,
  type NetSuiteEndpoints,
  netsuiteEndpoints,
} from './endpoints.js';
export {
  type CoreErrorCode,
  createErrorGuard,
  isNetSuiteError,
  NetSuiteConfigError,
  NetSuiteError,
} from './errors.js';
export { parseRetryAfter } from './retry-after.js';
