// CSPRNG tokens, PKCE S256 and constant-time comparison (RFC 7636, RFC 6749 §10.10).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** `bytes` CSPRNG bytes, base64url: 32 bytes give 43 characters and 256 bits (RFC 7636 §7.1, RFC 6749 §10.10). */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** S256 PKCE challenge of a verifier (RFC 7636 §4.2). */
export function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** Compares two strings in time independent of where they differ (hashes first, so lengths leak nothing). */
export function constantTimeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}
