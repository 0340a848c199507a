import { RecordClientError } from './errors.js';

const RECORD_TYPE = /^[A-Za-z][A-Za-z0-9_]{0,99}$/;
const INTERNAL_ID = /^-?\d{1,20}$/;
const EXTERNAL_ID = /^[A-Za-z0-9_-]{1,255}$/;

function bad(message: string): RecordClientError {
  return new RecordClientError('ERR_RECORD_INVALID_ARGUMENT', message);
}

/** Checks a record type name (`customer`, `salesOrder`, `customrecord_x`). */
export function checkRecordType(value: unknown, name = 'type'): string {
  if (typeof value !== 'string' || !RECORD_TYPE.test(value)) {
    throw bad(`${name} must be a record type name such as customer or salesOrder`);
  }
  return value;
}

/** Checks a record id: an internal id (`'647'`, `647`) or `eid:<externalId>`. Returns the path segment. */
export function checkRecordId(value: unknown, name = 'id'): string {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value === 'string') {
    if (INTERNAL_ID.test(value)) return value;
    if (value.startsWith('eid:') && EXTERNAL_ID.test(value.slice(4))) return value;
  }
  throw bad(`${name} must be an internal id (digits) or eid:<external id> (letters, digits, _ and -)`);
}

/** Checks an external id (letters, digits, `_` and `-`, as NetSuite allows in `eid:` paths). */
export function checkExternalId(value: unknown): string {
  if (typeof value !== 'string' || !EXTERNAL_ID.test(value)) {
    throw bad('externalId must be 1-255 letters, digits, _ or -');
  }
  return value;
}

/** Checks a JSON object body. */
export function checkBody(value: unknown, name = 'body'): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw bad(`${name} must be a plain object`);
  }
  return value as Record<string, unknown>;
}

/** Checks an options object. */
export function checkOptions<T extends object>(value: T | undefined, name = 'options'): Partial<T> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object') throw bad(`${name} must be an object`);
  return value;
}

/** Checks an optional AbortSignal. */
export function checkSignal(value: unknown): AbortSignal | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof AbortSignal)) throw bad('signal must be an AbortSignal');
  return value;
}

/** Checks an optional list of field names. */
export function checkFieldList(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    value.some((f) => typeof f !== 'string' || !/^[A-Za-z0-9_]{1,100}$/.test(f))
  ) {
    throw bad(`${name} must be a non-empty array of field names`);
  }
  return value.join(',');
}

/** Checks an optional per-call timeout. */
export function checkTimeout(value: unknown, name = 'timeoutMs'): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    throw bad(`${name} must be a positive number`);
  return value;
}
