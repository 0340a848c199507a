import type { IncomingMessage } from 'node:http';
import { HttpReply, JSON_TYPE } from './http.js';
import type { RequestLogEntry } from './request-log.js';
import type { EmulatorState } from './state.js';

/** One request as the route handlers see it. */
export interface Call {
  readonly state: EmulatorState;
  readonly req: IncomingMessage;
  readonly url: URL;
  readonly method: string;
  /** The emulator's origin, `http://127.0.0.1:PORT`. */
  readonly origin: string;
  readonly entry: RequestLogEntry;
  /** The role of the bearer token, once authenticated: the catalog and records are personalised by it. */
  roleId?: number | undefined;
  body(): Promise<Buffer>;
}

/** An OAuth error response (`{"error":"…"}`), recording the audit-trail reason in the request log. */
export function oauthError(call: Call, status: number, error: string, reason: string): HttpReply {
  call.entry.reason = reason;
  const headers: Record<string, string> = { 'content-type': JSON_TYPE, 'cache-control': 'no-store' };
  if (status === 401) headers['www-authenticate'] = `Basic realm="${call.state.options.accountId}"`;
  if (call.state.options.exposeReasons) headers['x-netsuite-emulator-reason'] = reason;
  return new HttpReply(status, JSON.stringify({ error }), headers);
}

export function jsonReply(status: number, value: unknown, headers: Record<string, string> = {}): HttpReply {
  return new HttpReply(status, JSON.stringify(value), { 'content-type': JSON_TYPE, ...headers });
}
