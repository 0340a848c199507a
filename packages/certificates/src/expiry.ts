/**
 * How close a certificate is to expiry, against NetSuite's mail marks (60, 30 and 14 days,
 * section_162686838198.html).
 *
 * @example
 * const { level, daysLeft } = certificateExpiry(cert.validUntil, Date.now());
 */
export interface CertificateExpiry {
  /** Whole days left (negative once expired); `undefined` without a date. */
  readonly daysLeft: number | undefined;
  /** `ok`, `warn` (within a mark), `expired`, or `unknown` (no date). */
  readonly level: 'ok' | 'warn' | 'expired' | 'unknown';
  /** The smallest mark crossed (60, 30 or 14), when `level` is `warn`. */
  readonly mark: number | undefined;
}

const DAY_MS = 86_400_000;

/**
 * Classifies a certificate's expiry date: the same marks `createMultiCertificateSigner`'s warnings and the CLI's
 * `doctor` use.
 *
 * @example
 * certificateExpiry(new Date(Date.now() + 20 * 86_400_000), Date.now()); // { daysLeft: 20, level: 'warn', mark: 30 }
 */
export function certificateExpiry(
  notAfter: Date | number | undefined,
  now: number,
  marks: readonly number[] = [60, 30, 14],
): CertificateExpiry {
  const at = notAfter instanceof Date ? notAfter.getTime() : notAfter;
  if (at === undefined || !Number.isFinite(at))
    return { daysLeft: undefined, level: 'unknown', mark: undefined };
  const left = at - now;
  const daysLeft = Math.floor(left / DAY_MS);
  if (left <= 0) return { daysLeft, level: 'expired', mark: undefined };
  const mark = [...marks].sort((a, b) => a - b).find((d) => left <= d * DAY_MS);
  return { daysLeft, level: mark === undefined ? 'ok' : 'warn', mark };
}
