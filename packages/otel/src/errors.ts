import { createErrorGuard, NetSuiteError } from '@netsuite-oauth/core';

/**
 * Codes thrown by `@netsuite-oauth/otel`.
 *
 * @example
 * if (error.code === ('ERR_OTEL_INVALID_OPTION' satisfies OtelBridgeErrorCode)) fixConfig()
 */
export type OtelBridgeErrorCode = 'ERR_OTEL_INVALID_OPTION';

/**
 * The error of `@netsuite-oauth/otel`.
 *
 * @example
 * try { instrumentNetSuite(options) } catch (e) { if (isOtelBridgeError(e)) console.log(e.code) }
 */
export class OtelBridgeError extends NetSuiteError {
  declare readonly code: OtelBridgeErrorCode;

  constructor(code: OtelBridgeErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'OtelBridgeError';
  }
}

/**
 * True for an error thrown by `@netsuite-oauth/otel`, from any installed copy of the package.
 *
 * @example
 * if (isOtelBridgeError(e)) console.log(e.code)
 */
export const isOtelBridgeError = createErrorGuard<OtelBridgeError>('ERR_OTEL_');
