import { describe, expect, it } from 'vitest';
import { clearSessionCookie, parseCookies, SESSION_COOKIE, sessionCookie } from '../src/cookies.js';

describe('cookies', () => {
  it('sets the session cookie with __Host-, Secure, HttpOnly, Path=/, SameSite=Lax and a bounded Max-Age', () => {
    const value = sessionCookie('abc', 3600.7);
    expect(value).toBe(`${SESSION_COOKIE}=abc; Path=/; Max-Age=3600; Secure; HttpOnly; SameSite=Lax`);
    expect(SESSION_COOKIE.startsWith('__Host-')).toBe(true);
    expect(value).not.toMatch(/Domain=/i);
    expect(clearSessionCookie()).toContain('Max-Age=0');
  });

  it('reads only well-formed cookie values, first one wins', () => {
    const cookies = parseCookies(`${SESSION_COOKIE}=good_id-1; ${SESSION_COOKIE}=second; x=a b; y=; =z; bad`);
    expect(cookies.get(SESSION_COOKIE)).toBe('good_id-1');
    expect(cookies.has('x')).toBe(false);
    expect(cookies.has('y')).toBe(false);
    expect(parseCookies(undefined).size).toBe(0);
    expect(parseCookies(`${SESSION_COOKIE}=${'a'.repeat(200)}`).size).toBe(0);
  });
});
