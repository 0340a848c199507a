import { concurrencyReply, HttpReply, JSON_TYPE, nsError } from './http.js';
import { restletError } from './restlets.js';
import type { RouteName } from './routes.js';

/** A fault armed by {@link EmulatorAdmin.injectFault}, consumed by the next `remaining` requests of its route. */
export interface Fault {
  readonly route: RouteName | '*';
  remaining: number;
  readonly status?: number | undefined;
  readonly body?: unknown;
  readonly latencyMs?: number | undefined;
  readonly malformed?: boolean | undefined;
  readonly drop?: boolean | undefined;
}

/** The response an injected `status` fault sends: the error body that route sends in NetSuite, or `body` as given. */
export function faultReply(route: RouteName, status: number, body: unknown): HttpReply {
  if (body !== undefined) {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    return new HttpReply(status, text, {
      'content-type': typeof body === 'string' ? 'text/plain; charset=UTF-8' : JSON_TYPE,
    });
  }
  if (route === 'token' || route === 'revoke') {
    const error =
      status === 503 ? 'temporarily_unavailable' : status >= 500 ? 'server_error' : 'invalid_request';
    return new HttpReply(status, JSON.stringify({ error }), { 'content-type': JSON_TYPE });
  }
  if (route === 'restlet') {
    if (status === 400)
      return restletError(400, 'SSS_REQUEST_LIMIT_EXCEEDED', 'Too many concurrent requests.');
    return restletError(status, status >= 500 ? 'UNEXPECTED_ERROR' : 'INVALID_REQUEST', 'Injected fault.');
  }
  if (status === 429) return concurrencyReply();
  if (status === 401) return nsError(401, 'INVALID_LOGIN', 'Invalid login attempt.');
  return nsError(
    status,
    status >= 500 ? 'UNEXPECTED_ERROR' : 'INVALID_REQUEST',
    status >= 500 ? 'An unexpected error occurred.' : 'Injected fault.',
  );
}
