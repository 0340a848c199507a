import type { IncomingMessage, ServerResponse } from 'node:http';
import { ServerError } from './errors.js';

/** Largest form body the server reads. */
export const MAX_BODY_BYTES = 16 * 1024;

/** Options of {@link securityHeaders}. */
export interface SecurityHeaderOptions {
  /** Origins a form may be submitted (and redirected) to besides this server: NetSuite's login pages. */
  readonly formActionOrigins: readonly string[];
  /** Add `Strict-Transport-Security` (only when the server is reached over https). */
  readonly hsts: boolean;
}

/**
 * The security headers of every response (RFC 9700 §4.2.4 and §4.16, docs/security.md#demo-server): a strict CSP with
 * `frame-ancestors 'none'`, `Referrer-Policy: no-referrer` (the callback URL holds a code), `nosniff`,
 * and `Cache-Control: no-store` (every page is per-user).
 *
 * @example
 * securityHeaders({ formActionOrigins: ['https://1234567.app.netsuite.com'], hsts: true })
 */
export function securityHeaders(options: SecurityHeaderOptions): Record<string, string> {
  const formAction = ["'self'", ...options.formActionOrigins].join(' ');
  const headers: Record<string, string> = {
    'Content-Security-Policy': [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data:",
      "object-src 'none'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
      `form-action ${formAction}`,
    ].join('; '),
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=()',
    'Cache-Control': 'no-store',
    Pragma: 'no-cache',
  };
  if (options.hsts) headers['Strict-Transport-Security'] = 'max-age=31536000';
  return headers;
}

/**
 * Reads an `application/x-www-form-urlencoded` body of at most {@link MAX_BODY_BYTES}.
 *
 * @example
 * const form = await readForm(req); form.get('csrf');
 * @throws {ServerError} `ERR_SERVER_BAD_REQUEST` (415) for another content type,
 *   `ERR_SERVER_BODY_TOO_LARGE` (413) for a larger body.
 */
export async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    req.resume();
    throw new ServerError(
      'ERR_SERVER_BAD_REQUEST',
      'forms must be sent as application/x-www-form-urlencoded',
      {
        status: 415,
      },
    );
  }
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > MAX_BODY_BYTES) {
    req.resume();
    throw new ServerError('ERR_SERVER_BODY_TOO_LARGE', 'the form is too large', { status: 413 });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) {
      throw new ServerError('ERR_SERVER_BODY_TOO_LARGE', 'the form is too large', { status: 413 });
    }
    chunks.push(buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/**
 * Sends a complete response. `headers` are added to (and may override) the security headers.
 *
 * @example
 * send(res, 200, { 'Content-Type': 'text/html; charset=utf-8' }, '<p>hi</p>', base);
 */
export function send(
  res: ServerResponse,
  status: number,
  headers: Record<string, string | string[]>,
  body: string | Buffer,
  base: Record<string, string>,
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.statusCode = status;
  for (const [name, value] of Object.entries(base)) res.setHeader(name, value);
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  const buffer = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.setHeader('Content-Length', String(buffer.length));
  res.end(buffer);
}
