import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * A new opaque identifier: 32 bytes from the CSPRNG, base64url (43 characters, 256 bits).
 *
 * @example
 * randomId() // 'pQ3…' (43 characters)
 */
export function randomId(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * SHA-256 of a secret, base64url. Store keys are derived from it, so the store never holds a live
 * session id or state value that could be replayed from a copy of the store.
 *
 * @example
 * digest('abc') // 'ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0'
 */
export function digest(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('base64url');
}

/**
 * Compares two strings in constant time (for equal lengths).
 *
 * @example
 * safeEqual('a', 'a') // true
 */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * A token derived from a secret for one purpose: HMAC-SHA-256(secret, purpose), base64url. Shown in a page, it
 * proves knowledge of the secret (held in an HttpOnly cookie) without revealing it.
 *
 * @example
 * derivedToken(loginId, 'nsdemo csrf') // 43 characters
 */
export function derivedToken(secret: string, purpose: string): string {
  return createHmac('sha256', secret).update(purpose, 'utf8').digest('base64url');
}
