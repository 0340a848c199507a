import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * A prepared response: returned by route handlers, or thrown to answer early. Not an `Error`: every request
 * makes one, and an `Error` would capture a stack trace each time (measured by the bench `emulator` suite).
 */
export class HttpReply {
  constructor(
    readonly status: number,
    readonly body: string,
    readonly headers: Record<string, string> = {},
  ) {}
}

export const JSON_TYPE = 'application/json; charset=UTF-8';
export const NS_ERROR_TYPE = 'application/vnd.oracle.resource+json; type=error; charset=UTF-8';
export const NS_SINGULAR_TYPE = 'application/vnd.oracle.resource+json; type=singular; charset=UTF-8';
export const NS_COLLECTION_TYPE = 'application/vnd.oracle.resource+json; type=collection; charset=UTF-8';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Bad Request',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export interface ErrorDetailExtra {
  readonly 'o:errorPath'?: string | undefined;
  readonly 'o:errorQueryParam'?: string | undefined;
  readonly 'o:errorHeader'?: string | undefined;
  readonly 'o:errorUrl'?: string | undefined;
}

/** NetSuite's REST error body (section_156570709583.html). */
export function nsErrorBody(
  status: number,
  errorCode: string,
  detail: string,
  extra: ErrorDetailExtra = {},
): string {
  return JSON.stringify({
    type: 'https://www.rfc-editor.org/rfc/rfc9110.html#section-15',
    title: TITLES[status] ?? 'Error',
    status,
    'o:errorDetails': [{ detail, 'o:errorCode': errorCode, ...extra }],
  });
}

/** A throwable NetSuite REST error. */
export function nsError(
  status: number,
  errorCode: string,
  detail: string,
  extra: ErrorDetailExtra = {},
  headers: Record<string, string> = {},
): HttpReply {
  return new HttpReply(status, nsErrorBody(status, errorCode, detail, extra), {
    'content-type': NS_ERROR_TYPE,
    ...headers,
  });
}

export function send(
  res: ServerResponse,
  status: number,
  body: string | Buffer,
  headers: Record<string, string | number>,
): void {
  if (res.headersSent || res.destroyed) return;
  const length = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  res.writeHead(status, { ...headers, 'content-length': length });
  res.end(body);
}

/** Reads a request body up to `max` bytes. Rejects with a 413 reply beyond it. */
export function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > max) {
      reject(nsError(413, 'INVALID_REQUEST', 'The request body is too large.'));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        reject(nsError(413, 'INVALID_REQUEST', 'The request body is too large.'));
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Parses an `application/x-www-form-urlencoded` body; duplicate parameters are reported, not merged. */
export function parseForm(body: Buffer): { params: Map<string, string>; duplicates: boolean } {
  const params = new Map<string, string>();
  let duplicates = false;
  for (const [key, value] of new URLSearchParams(body.toString('utf8'))) {
    if (params.has(key)) duplicates = true;
    params.set(key, value);
  }
  return { params, duplicates };
}

export function mediaType(req: IncomingMessage): string {
  const raw = req.headers['content-type'];
  if (typeof raw !== 'string') return '';
  return (raw.split(';')[0] ?? '').trim().toLowerCase();
}

export function htmlEscape(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

export function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw nsError(400, 'INVALID_REQUEST', 'The request URL is malformed.');
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** NetSuite's REST answer past the account's concurrency limit: 429, titled "Bad Request", `CONCURRENCY_LIMIT_EXCEEDED`. */
export function concurrencyReply(): HttpReply {
  return new HttpReply(
    429,
    JSON.stringify({
      type: 'https://www.rfc-editor.org/rfc/rfc6585.html#section-4',
      title: 'Bad Request',
      status: 429,
      'o:errorCode': 'USER_ERROR',
      'o:errorDetails': [
        {
          detail: 'Concurrent request limit exceeded. Request blocked.',
          'o:errorCode': 'CONCURRENCY_LIMIT_EXCEEDED',
        },
      ],
    }),
    { 'content-type': NS_ERROR_TYPE },
  );
}
