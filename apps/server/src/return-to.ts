/** Where the server sends a user when no (acceptable) return-to value was given. */
export const DEFAULT_RETURN_TO = '/dashboard';

// The only places a return-to value may point at: the app's own pages (RFC 9700 §4.11.1).
const ALLOWED_PATHS: readonly RegExp[] = [
  /^\/dashboard$/,
  /^\/customers$/,
  /^\/customers\/[0-9]{1,12}$/,
  /^\/suiteql$/,
  /^\/m2m$/,
];
const SAFE_QUERY = /^[A-Za-z0-9_.~%+=&-]{0,512}$/;

/**
 * Turns an untrusted return-to value into a path on this server, or {@link DEFAULT_RETURN_TO}.
 *
 * The value must be a relative path on an allow-list of the app's pages (optionally with a plain query);
 * anything else — absolute URLs, `//host`, backslashes, control characters, encoded slashes, dot
 * segments — falls back to the default. The result always starts with a single `/` followed by a letter,
 * so no browser can read it as another origin.
 *
 * @example
 * safeReturnTo('/customers/42') // '/customers/42'
 * safeReturnTo('//evil.example/') // '/dashboard'
 * safeReturnTo('https://evil.example/') // '/dashboard'
 * @see RFC 9700 §4.11.1 (open redirectors)
 */
export function safeReturnTo(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 1024) return DEFAULT_RETURN_TO;
  const q = value.indexOf('?');
  const path = q === -1 ? value : value.slice(0, q);
  const query = q === -1 ? '' : value.slice(q + 1);
  if (!ALLOWED_PATHS.some((pattern) => pattern.test(path))) return DEFAULT_RETURN_TO;
  if (query === '') return path;
  if (!SAFE_QUERY.test(query)) return DEFAULT_RETURN_TO;
  return `${path}?${query}`;
}
