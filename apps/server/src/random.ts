import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

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
