import { createErrorGuard, NetSuiteError } from '@netsuite-oauth/core';

/** Codes thrown by `@netsuite-oauth/emulator`. */
export type EmulatorErrorCode =
  | 'ERR_EMULATOR_INVALID_OPTION'
  | 'ERR_EMULATOR_INVALID_CERTIFICATE'
  | 'ERR_EMULATOR_CERTIFICATE_LIMIT'
  | 'ERR_EMULATOR_DUPLICATE_CERTIFICATE'
  | 'ERR_EMULATOR_UNKNOWN_CLIENT'
  | 'ERR_EMULATOR_UNKNOWN_CERTIFICATE'
  | 'ERR_EMULATOR_UNKNOWN_RECORD_TYPE'
  | 'ERR_EMULATOR_INVALID_RECORD'
  | 'ERR_EMULATOR_DUPLICATE_FIELD'
  | 'ERR_EMULATOR_DUPLICATE_USER'
  | 'ERR_EMULATOR_UNKNOWN_ACCOUNT'
  | 'ERR_EMULATOR_START_FAILED';

/**
 * An error raised by the emulator's own API (bad options, bad admin input). Errors a client sees on the wire
 * are NetSuite-shaped HTTP responses, not this class.
 *
 * @example
 * try { await emu.admin.addCertificate({ clientId, certificatePem: 'nope' }) }
 * catch (e) { if (isEmulatorError(e)) console.log(e.code) } // 'ERR_EMULATOR_INVALID_CERTIFICATE'
 */
export class EmulatorError extends NetSuiteError {
  declare readonly code: EmulatorErrorCode;

  constructor(code: EmulatorErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'EmulatorError';
  }
}

/**
 * True for an {@link EmulatorError}, from any installed copy of the package.
 * Pass `code` to test for one code.
 *
 * @example
 * if (isEmulatorError(e) && e.code === 'ERR_EMULATOR_UNKNOWN_CLIENT') { ... }
 */
export const isEmulatorError = createErrorGuard<EmulatorError>('ERR_EMULATOR_');
