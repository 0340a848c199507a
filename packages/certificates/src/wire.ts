import { CertificatesError } from './errors.js';

// Oracle documents the endpoint's request (article_0209112025) but not its answers. Everything this file reads is
// UNCONFIRMED: it follows the emulator's choice (`src/certificates-api.ts` of `@netsuite-oauth/emulator`) and reads
// a few likely spellings besides, so that a correction against a real account is a change to this file only.

/**
 * One certificate of an integration as the endpoint lists it (field names UNCONFIRMED).
 *
 * @example
 * const active = (await client.list()).filter((c) => c.status === 'ACTIVE');
 */
export interface NetSuiteCertificate {
  /** The Certificate ID: the `kid` of client assertions. */
  readonly certificateId: string;
  /** `ACTIVE`, `REVOKED`, `EXPIRED`, or what NetSuite says. */
  readonly status: string;
  readonly role: string | undefined;
  readonly entity: string | undefined;
  /** The key type (`ec-p256`, `rsa-3072`, …) or algorithm, as NetSuite names it. */
  readonly algorithm: string | undefined;
  readonly validFrom: Date | undefined;
  readonly validUntil: Date | undefined;
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string' && value.length > 0 && value.length <= 1000) return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function date(value: unknown): Date | undefined {
  const s = text(value);
  if (s === undefined) return undefined;
  const d = new Date(/^\d+$/.test(s) ? Number(s) : s);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

function first(o: Record<string, unknown>, names: readonly string[]): unknown {
  for (const n of names) if (o[n] !== undefined && o[n] !== null) return o[n];
  return undefined;
}

function invalid(what: string): CertificatesError {
  return new CertificatesError(
    'ERR_CERTIFICATES_INVALID_RESPONSE',
    `the certificates endpoint answered ${what}`,
  );
}

/** Reads one certificate object (UNCONFIRMED shape). */
export function readCertificate(raw: unknown): NetSuiteCertificate {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw invalid('an item that is not an object');
  const o = raw as Record<string, unknown>;
  const certificateId = text(first(o, ['certificate_id', 'certificateId', 'id']));
  if (certificateId === undefined || !/^[\w-]{1,200}$/.test(certificateId))
    throw invalid('an item without an id');
  const status = (text(first(o, ['status', 'state'])) ?? 'ACTIVE').toUpperCase();
  return Object.freeze({
    certificateId,
    status,
    role: text(first(o, ['role', 'role_id', 'roleId'])),
    entity: text(first(o, ['entity', 'entity_id', 'entityId'])),
    algorithm: text(first(o, ['algorithm', 'key_type', 'keyType'])),
    validFrom: date(first(o, ['valid_from', 'validFrom', 'not_before'])),
    validUntil: date(first(o, ['valid_until', 'validUntil', 'expiration_date', 'not_after'])),
  });
}

/** Reads the list answer: `{ items: [...] }` or a bare array (UNCONFIRMED). */
export function readList(raw: unknown): NetSuiteCertificate[] {
  const items = Array.isArray(raw)
    ? raw
    : typeof raw === 'object' && raw !== null && Array.isArray((raw as { items?: unknown }).items)
      ? (raw as { items: unknown[] }).items
      : undefined;
  if (items === undefined) throw invalid('a list without items');
  return items.map(readCertificate);
}

/** NetSuite's error code and whether it means "5 active already" or "already mapped" (UNCONFIRMED codes). */
export function readErrorCode(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const details = (raw as { 'o:errorDetails'?: unknown })['o:errorDetails'];
  if (Array.isArray(details)) {
    const code = (details[0] as { 'o:errorCode'?: unknown } | undefined)?.['o:errorCode'];
    if (typeof code === 'string' && /^[A-Z0-9_]{1,100}$/.test(code)) return code;
  }
  const code = (raw as { error?: { code?: unknown } }).error?.code;
  return typeof code === 'string' && /^[A-Z0-9_]{1,100}$/.test(code) ? code : undefined;
}

export const LIMIT_CODES: ReadonlySet<string> = new Set(['CERTIFICATE_LIMIT_EXCEEDED']);
export const DUPLICATE_CODES: ReadonlySet<string> = new Set(['DUPLICATE_CERTIFICATE']);
