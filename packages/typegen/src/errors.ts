import { createErrorGuard, NetSuiteError } from '@netsuite-oauth/core';

/**
 * Codes thrown by `@netsuite-oauth/typegen`.
 *
 * @example
 * if (error.code === ('ERR_TYPEGEN_INVALID_SCHEMA' satisfies TypegenErrorCode)) refetch()
 */
export type TypegenErrorCode =
  | 'ERR_TYPEGEN_INVALID_ARGUMENT'
  | 'ERR_TYPEGEN_INVALID_SCHEMA'
  | 'ERR_TYPEGEN_COMPILE'
  | 'ERR_TYPEGEN_METADATA'
  | 'ERR_TYPEGEN_WRITE';

/**
 * An error of the type generator. Messages name the record type or option at fault, never a token.
 *
 * @example
 * try { await generateRecordTypes({ metadata: client.metadata, types: [] }) }
 * catch (e) { if (isTypegenError(e)) console.log(e.code) } // 'ERR_TYPEGEN_INVALID_ARGUMENT'
 */
export class TypegenError extends NetSuiteError {
  declare readonly code: TypegenErrorCode;

  constructor(code: TypegenErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'TypegenError';
  }
}

/**
 * True for a {@link TypegenError}, from any installed copy of the package. Pass `code` to test for one code.
 *
 * @example
 * if (isTypegenError(e, 'ERR_TYPEGEN_WRITE')) console.error('cannot write the types file');
 */
export const isTypegenError = createErrorGuard<TypegenError>('ERR_TYPEGEN_');
