import { channel, tracingChannel } from 'node:diagnostics_channel';

/**
 * The `node:diagnostics_channel` names a token manager publishes on. Nothing is built or published while a channel
 * has no subscriber. No event carries a token, a secret, an assertion, a code or a body: only the key, the grant
 * type and what happened. The whole list, with every field: `docs/observability.md`.
 *
 * @example
 * import { subscribe, tracingChannel } from 'node:diagnostics_channel';
 * tracingChannel(oauthFlowsChannels.token).subscribe({ asyncEnd: (e) => console.log(e.key, e.source) });
 * @see https://nodejs.org/api/diagnostics_channel.html
 */
export const oauthFlowsChannels = Object.freeze({
  /** TracingChannel around a token acquisition or refresh (a cache miss): {@link TokenEvent}. */
  token: 'netsuite-oauth:oauth-flows:token',
  /** A token served from memory: {@link TokenCacheEvent}. */
  cache: 'netsuite-oauth:oauth-flows:cache',
  /** A token NetSuite rejected, dropped: {@link TokenInvalidateEvent}. */
  invalidate: 'netsuite-oauth:oauth-flows:invalidate',
  /** A wait for the store's lock around a refresh: {@link TokenLockEvent}. */
  lock: 'netsuite-oauth:oauth-flows:lock',
  /**
   * TracingChannel around each request to the token or revocation endpoint, from a token manager or a
   * one-request flow (`requestClientCredentialsToken`, `exchangeAuthorizationCode`, `refreshAccessToken`,
   * `revokeToken`): {@link AuthorizationServerEvent}.
   */
  exchange: 'netsuite-oauth:oauth-flows:exchange',
} as const);

/**
 * The context of the `token` TracingChannel: set at `start`, completed before `asyncEnd` (or `error`, which adds the
 * thrown `OAuthFlowError` as `error`).
 *
 * @example
 * tracingChannel(oauthFlowsChannels.token).subscribe({ asyncEnd: (e: TokenEvent) => log(e.grant, e.source, e.durationMs) });
 */
export interface TokenEvent {
  readonly key: string;
  readonly grant: 'client_credentials' | 'refresh_token';
  /** True for a refresh ahead of expiry, run while callers still get the cached token. */
  readonly background: boolean;
  /** Epoch ms. */
  readonly startTime: number;
  /**
   * Where the token came from: `endpoint` (a token request to NetSuite) or `store` (another process or an
   * earlier run had already stored a usable one). Undefined on failure.
   */
  source?: 'endpoint' | 'store' | undefined;
  /** Wall time, ms. */
  durationMs?: number | undefined;
  /** Set by the channel on failure. */
  error?: unknown;
}

/**
 * A token served from memory, without a store read or a request.
 *
 * @example
 * subscribe(oauthFlowsChannels.cache, (e) => hits.add(1, { grant: (e as TokenCacheEvent).grant }));
 */
export interface TokenCacheEvent {
  readonly key: string;
  readonly grant: 'client_credentials' | 'refresh_token';
  /** True inside the refresh-ahead window (a background refresh is due). */
  readonly refreshDue: boolean;
}

/**
 * A token the resource server rejected (a 401), dropped from memory and, when it is the stored one, from the store.
 *
 * @example
 * subscribe(oauthFlowsChannels.invalidate, (e) => log('token rejected for', (e as TokenInvalidateEvent).key));
 */
export interface TokenInvalidateEvent {
  readonly key: string;
  readonly grant: 'client_credentials' | 'refresh_token';
  /** True when the stored entry held that token and was dropped (false: a newer one was already stored). */
  readonly droppedFromStore: boolean;
}

/**
 * A wait for the store's lock around a refresh (one refresh across processes).
 *
 * @example
 * subscribe(oauthFlowsChannels.lock, (e) => lockWait.record((e as TokenLockEvent).waitedMs));
 */
export interface TokenLockEvent {
  readonly key: string;
  readonly grant: 'client_credentials' | 'refresh_token';
  readonly waitedMs: number;
  /** False when the wait timed out or the store failed. */
  readonly acquired: boolean;
}

/**
 * The context of the `exchange` TracingChannel: one POST to the authorization server's token or revocation
 * endpoint. Set at `start`, completed before `asyncEnd` (or `error`, which adds the thrown `OAuthFlowError`).
 * It names the endpoint and the grant, never the form, a header or the body.
 *
 * @example
 * tracingChannel(oauthFlowsChannels.exchange).subscribe({ asyncEnd: (e: AuthorizationServerEvent) => log(e.endpoint, e.grant, e.status) });
 */
export interface AuthorizationServerEvent {
  /** `token` (RFC 6749 §3.2) or `revocation` (RFC 7009). */
  readonly endpoint: 'token' | 'revocation';
  /** The form's `grant_type` for a token request (`client_credentials`, `authorization_code`, `refresh_token`). */
  readonly grant: string | undefined;
  readonly method: 'POST';
  /** The endpoint's host, e.g. `1234567.suitetalk.api.netsuite.com`. */
  readonly host: string;
  /** The endpoint's path, e.g. `/services/rest/auth/oauth2/v1/token`. */
  readonly path: string;
  /** Epoch ms. */
  readonly startTime: number;
  /** The HTTP status, when a response arrived. */
  status?: number | undefined;
  /** Sending to body read, ms. */
  durationMs?: number | undefined;
  /** Set by the channel on failure. */
  error?: unknown;
}

export const exchangeChannel = tracingChannel<unknown, AuthorizationServerEvent>(oauthFlowsChannels.exchange);
export const tokenChannel = tracingChannel<unknown, TokenEvent>(oauthFlowsChannels.token);
export const cacheChannel = channel(oauthFlowsChannels.cache);
export const invalidateChannel = channel(oauthFlowsChannels.invalidate);
export const lockChannel = channel(oauthFlowsChannels.lock);
