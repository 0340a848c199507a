// Public API of @netsuite-oauth/otel: named exports only.
export { isOtelBridgeError, OtelBridgeError, type OtelBridgeErrorCode } from './errors.js';
export {
  bridgedChannels,
  INSTRUMENTATION_SCOPE,
  type InstrumentNetSuiteOptions,
  instrumentNetSuite,
  type NetSuiteInstrumentation,
} from './instrument.js';
