/** Name of the session cookie. `__Host-` makes the browser require Secure, Path=/ and no Domain. */
export const SESSION_COOKIE = '__Host-nsdemo-sid';

const COOKIE_VALUE = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * Reads the cookies of a `Cookie` request header. Only values made of base64url characters are kept
 * (the server never sets anything else), so a crafted cookie can never reach the store as a key.
 *
 * @example
 * parseCookies('__Host-nsdemo-sid=abc; theme=dark') // Map { '__Host-nsdemo-sid' => 'abc', 'theme' => 'dark' }
 */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (!header) return cookies;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    // First one wins, as in browsers' ordering (longest path first, then oldest).
    if (COOKIE_VALUE.test(value) && !cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}

/**
 * A `Set-Cookie` value for the session cookie: `__Host-` prefix, Secure, HttpOnly, Path=/, SameSite=Lax and a
 * bounded Max-Age (docs/security.md#demo-server). Lax, not Strict: the browser must send the cookie on the
 * top-level redirect back from NetSuite's consent page.
 *
 * @example
 * sessionCookie('abc', 3600) // '__Host-nsdemo-sid=abc; Path=/; Max-Age=3600; Secure; HttpOnly; SameSite=Lax'
 */
export function sessionCookie(value: string, maxAgeSeconds: number): string {
  return cookie(SESSION_COOKIE, value, maxAgeSeconds);
}

/**
 * A `Set-Cookie` value that removes the session cookie.
 *
 * @example
 * clearSessionCookie() // '__Host-nsdemo-sid=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Lax'
 */
export function clearSessionCookie(): string {
  return cookie(SESSION_COOKIE, '', 0);
}

/**
 * Name of the sign-in cookie: an opaque random id a browser gets before it signs in. It binds a sign-in (state
 * and PKCE verifier, kept server-side for 10 minutes) to the browser that started it, and the anonymous pages'
 * CSRF token is derived from it. No server state is kept for it until "Connect" is clicked.
 */
export const LOGIN_COOKIE = '__Host-nsdemo-login';
/** Name of the one-time notice cookie (a code from a fixed list, e.g. `expired`), read and cleared by the home page. */
export const FLASH_COOKIE = '__Host-nsdemo-flash';

/**
 * A `Set-Cookie` value with the same attributes as the session cookie (`__Host-`, Secure, HttpOnly, Path=/,
 * SameSite=Lax, bounded Max-Age).
 *
 * @example
 * cookie(LOGIN_COOKIE, 'abc', 600) // '__Host-nsdemo-login=abc; Path=/; Max-Age=600; Secure; HttpOnly; SameSite=Lax'
 */
export function cookie(name: string, value: string, maxAgeSeconds: number): string {
  return `${name}=${value}; Path=/; Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}; Secure; HttpOnly; SameSite=Lax`;
}
