import { type NetSuiteEndpoints, netsuiteEndpoints } from '@netsuite-oauth/core';
import { OAuthFlowError } from './errors.js';
import { checkFunction, checkTimeout, type FetchLike } from './http.js';

/**
 * Where to reach NetSuite: an account id, and for the emulator or tests an origin override.
 *
 * @example
 * const account: AccountOptions = { accountId: emu.accountId, origin: emu.url, allowInsecureLoopback: true };
 */
export interface AccountOptions {
  /** The NetSuite account id, `1234567` or `1234567_SB1`. Validated: it can never steer requests to another host. */
  readonly accountId: string;
  /** Serve every endpoint from this origin (the emulator, a proxy). Must be https, or http on loopback with `allowInsecureLoopback`. */
  readonly origin?: string | URL | undefined;
  /** Allow an `http:` origin on a loopback host. @default false */
  readonly allowInsecureLoopback?: boolean | undefined;
}

/**
 * Transport options of every call that talks to the authorization server.
 *
 * @example
 * const transport: TransportOptions = { timeoutMs: 5_000, fetch: instrumentedFetch };
 */
export interface TransportOptions {
  /** @default globalThis.fetch */
  readonly fetch?: FetchLike | typeof globalThis.fetch | undefined;
  /** Deadline for the whole call in ms. @default 10000 */
  readonly timeoutMs?: number | undefined;
  /** Cancels the call. */
  readonly signal?: AbortSignal | undefined;
  /** The local clock, epoch ms. @default Date.now */
  readonly now?: (() => number) | undefined;
}

/**
 * A confidential client has a secret (HTTP Basic); a public client has none (`client_id` in the body).
 *
 * @example
 * const client: OAuthClient = { clientId: process.env.NS_CLIENT_ID, clientSecret: process.env.NS_CLIENT_SECRET };
 */
export interface OAuthClient {
  readonly clientId: string;
  readonly clientSecret?: string | undefined;
}

export function requireObject(value: unknown, name: string): asserts value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') {
    throw new OAuthFlowError('ERR_OAUTH_INVALID_OPTION', `${name} must be an object`);
  }
}

// Endpoints already resolved, by account id, origin and loopback flag: every token request resolves them, and
// parsing the account id and origin again each time was a measurable part of a request's own CPU. Bounded: a
// process serving more accounts than this starts over rather than growing.
const resolved = new Map<string, NetSuiteEndpoints>();
const MAX_RESOLVED = 256;

export function resolveEndpoints(options: AccountOptions): NetSuiteEndpoints {
  requireObject(options, 'options');
  const { accountId, origin } = options;
  const allowInsecureLoopback = options.allowInsecureLoopback ?? false;
  if (typeof allowInsecureLoopback !== 'boolean') {
    throw new OAuthFlowError('ERR_OAUTH_INVALID_OPTION', 'allowInsecureLoopback must be a boolean');
  }
  // Only plain strings are remembered (a URL object may change after the call); anything else is checked anew.
  const key =
    typeof accountId === 'string' && (origin === undefined || typeof origin === 'string')
      ? `${accountId}\n${origin ?? ''}\n${allowInsecureLoopback}`
      : undefined;
  const known = key === undefined ? undefined : resolved.get(key);
  if (known !== undefined) return known;
  const endpoints = Object.freeze(netsuiteEndpoints(accountId, { origin, allowInsecureLoopback }));
  if (key !== undefined) {
    if (resolved.size >= MAX_RESOLVED) resolved.clear();
    resolved.set(key, endpoints);
  }
  return endpoints;
}

export function checkTransport(options: TransportOptions): void {
  checkFunction(options.fetch, 'fetch');
  checkFunction(options.now, 'now');
  checkTimeout(options.timeoutMs);
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw new OAuthFlowError('ERR_OAUTH_INVALID_OPTION', 'signal must be an AbortSignal');
  }
}

// Client ids and secrets: visible ASCII without ':' in the id (RFC 7617 forbids it in the user-id).
const CLIENT_ID = /^[\x21-\x39\x3b-\x7e]{1,256}$/;
const CLIENT_SECRET = /^[\x20-\x7e]{1,1024}$/;

export function checkClient(client: unknown): OAuthClient {
  requireObject(client, 'client');
  const { clientId, clientSecret } = client as { clientId?: unknown; clientSecret?: unknown };
  if (typeof clientId !== 'string' || !CLIENT_ID.test(clientId)) {
    throw new OAuthFlowError(
      'ERR_OAUTH_INVALID_OPTION',
      'client.clientId must be a non-empty visible-ascii string',
    );
  }
  if (clientSecret !== undefined && (typeof clientSecret !== 'string' || !CLIENT_SECRET.test(clientSecret))) {
    throw new OAuthFlowError(
      'ERR_OAUTH_INVALID_OPTION',
      'client.clientSecret must be a non-empty printable string',
    );
  }
  return clientSecret === undefined ? { clientId } : { clientId, clientSecret };
}

/**
 * Client authentication for the token and revocation endpoints (section_158081952044): HTTP Basic for a
 * confidential client, `client_id` in the body for a public one. Never both.
 */
export function applyClientAuth(client: OAuthClient, form: URLSearchParams): Record<string, string> {
  if (client.clientSecret === undefined) {
    form.set('client_id', client.clientId);
    return {};
  }
  // RFC 6749 §2.3.1: form-encode each part before Basic encoding.
  const user = encodeURIComponent(client.clientId);
  const pass = encodeURIComponent(client.clientSecret);
  return { authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` };
}

export function checkString(value: unknown, name: string, max = 64 * 1024): string {
  if (
    typeof value !== 'string' ||
    value.length === 0 ||
    value.length > max ||
    !/^[\x20-\x7e]+$/.test(value)
  ) {
    throw new OAuthFlowError('ERR_OAUTH_INVALID_OPTION', `${name} must be a non-empty printable string`);
  }
  return value;
}
