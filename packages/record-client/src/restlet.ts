import { RecordClientError } from './errors.js';
import type { Transport } from './transport.js';
import { checkSignal, checkTimeout } from './validate.js';

/**
 * A RESTlet call.
 *
 * @example
 * await client.restlet({ script: 'customscript_x', deploy: 'customdeploy_x', method: 'POST', body: { a: 1 } })
 */
export interface RestletRequest {
  /** Script id: numeric or `customscript_…`. */
  readonly script: string | number;
  /** Deployment id: numeric or `customdeploy_…`. */
  readonly deploy: string | number;
  /** @default 'GET' */
  readonly method?: 'GET' | 'POST' | 'PUT' | 'DELETE' | undefined;
  /** JSON body, for POST and PUT only (NetSuite answers 400 to a GET with a body). */
  readonly body?: unknown;
  /** URL parameters (how GET and DELETE take input). */
  readonly query?: Readonly<Record<string, string | number | boolean>> | undefined;
  /**
   * Makes a POST, PUT or DELETE retryable: sent as `X-NetSuite-Idempotency-Key`; your script must deduplicate
   * on it. Only GET is retried without one: a RESTlet's PUT and DELETE run arbitrary script code (often a
   * create), so a timed-out attempt that reached NetSuite must not run twice.
   */
  readonly idempotencyKey?: string | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly timeoutMs?: number | undefined;
}

const SCRIPT = /^(?:\d{1,12}|customscript[a-z0-9_]{0,90})$/i;
const DEPLOY = /^(?:\d{1,12}|customdeploy[a-z0-9_]{0,90})$/i;
const METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE']);

function bad(message: string): RecordClientError {
  return new RecordClientError('ERR_RECORD_INVALID_ARGUMENT', message);
}

/** Builds `client.restlet`. */
export function createRestlet(transport: Transport, restletUrl: string) {
  return async function restlet<T = unknown>(request: RestletRequest): Promise<T> {
    if (request === null || typeof request !== 'object') throw bad('restlet request must be an object');
    const script = String(request.script);
    const deploy = String(request.deploy);
    if (!SCRIPT.test(script)) throw bad('script must be a numeric id or customscript_…');
    if (!DEPLOY.test(deploy)) throw bad('deploy must be a numeric id or customdeploy_…');
    const method = request.method ?? 'GET';
    if (!METHODS.has(method)) throw bad('method must be GET, POST, PUT or DELETE');
    if (request.body !== undefined && (method === 'GET' || method === 'DELETE')) {
      throw bad(`a restlet ${method} takes its input in query, not body`);
    }
    const query: Record<string, string> = {};
    if (request.query !== undefined) {
      if (request.query === null || typeof request.query !== 'object') throw bad('query must be an object');
      for (const [k, v] of Object.entries(request.query)) {
        if (k === 'script' || k === 'deploy') throw bad('query must not set script or deploy');
        if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
          throw bad(`query.${k} must be a string, number or boolean`);
        }
        query[k] = String(v);
      }
    }
    if (
      request.idempotencyKey !== undefined &&
      (typeof request.idempotencyKey !== 'string' || !/^[A-Za-z0-9_-]{1,128}$/.test(request.idempotencyKey))
    ) {
      throw bad('idempotencyKey must be 1-128 letters, digits, _ or -');
    }
    const signal = checkSignal(request.signal);
    const timeoutMs = checkTimeout(request.timeoutMs);
    const response = await transport.send({
      method,
      url: restletUrl,
      query: { script, deploy, ...query },
      // The response format follows the request's Content-Type; without one a RESTlet answers text.
      headers: { 'content-type': 'application/json' },
      json: request.body,
      idempotencyKey: request.idempotencyKey,
      // Only GET follows `retry.methods`; PUT/DELETE/POST are replayed only with an idempotency key.
      idempotent: method === 'GET' ? undefined : false,
      signal,
      timeoutMs,
    });
    return response.body as T;
  };
}
