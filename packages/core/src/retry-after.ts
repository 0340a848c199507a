// HTTP-date (RFC 9110 §5.6.7): IMF-fixdate, and the obsolete RFC 850 and asctime forms recipients must accept.
const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const LONG_DAY = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const MONTH = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const CLOCK = '\\d{2}:\\d{2}:\\d{2}';
const IMF_FIXDATE = new RegExp(`^${DAY}, \\d{2} ${MONTH} \\d{4} ${CLOCK} GMT$`, 'i');
const RFC850_DATE = new RegExp(`^${LONG_DAY}, \\d{2}-${MONTH}-\\d{2} ${CLOCK} GMT$`, 'i');
const ASCTIME_DATE = new RegExp(`^${DAY} ${MONTH} (?: \\d|\\d{2}) ${CLOCK} \\d{4}$`, 'i');

function parseHttpDate(value: string): number | undefined {
  let parsed: number;
  if (IMF_FIXDATE.test(value) || RFC850_DATE.test(value)) parsed = Date.parse(value);
  // asctime carries no zone: it is GMT, not the machine's local time.
  else if (ASCTIME_DATE.test(value)) parsed = Date.parse(`${value} GMT`);
  else return undefined;
  return Number.isFinite(parsed) ? parsed : undefined;
}

/**
 * Reads a `Retry-After` header (RFC 9110 §10.2.3) as milliseconds to wait from `now`: delay-seconds, or an
 * HTTP-date (a date already past is 0). `undefined` when absent or not one of those forms (a negative number,
 * a fraction, free text). A delay too large to count in milliseconds exactly is capped at
 * `Number.MAX_SAFE_INTEGER`, so callers compare it with their own limit.
 *
 * @example
 * parseRetryAfter('120', Date.now()) // 120000
 * parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', serverDate) // ms from serverDate to then, or 0
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Math.min(Number(trimmed) * 1000, Number.MAX_SAFE_INTEGER);
  const date = parseHttpDate(trimmed);
  return date === undefined ? undefined : Math.max(0, date - now);
}
