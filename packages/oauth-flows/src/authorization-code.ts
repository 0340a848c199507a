import { isLoopbackUrl } from '@netsuite-oauth/core';
import { constantTimeEqual, randomToken, s256, sha256Hex } from './crypto-helpers.js';
import {
  AuthorizationResponseError,
  OAuthFlowError,
  sanitizeDescription,
  sanitizeErrorCode,
} from './errors.js';
import { checkFunction, postForm } from './http.js';
import {
  type AccountOptions,
  applyClientAuth,
  checkClient,
  checkString,
  checkTransport,
  type OAuthClient,
  requireObject,
  resolveEndpoints,
  type TransportOptions,
} from './options.js';
import { checkLifetime, defaultRefreshLifetime } from './refresh-lifetime.js';
import { parseTokenResponse } from './response.js';
import type { TokenSet } from './token-set.js';

/**
 * `prompt` values NetSuite accepts.
 *
 * @example
 * const prompt: AuthorizationPrompt = 'login consent';
 * @see https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_158081944642.html
 */
export type AuthorizationPrompt = 'none' | 'login' | 'consent' | 'login consent' | 'consent login';

/**
 * Options of {@link createAuthorizationRequest}.
 *
 * @example
 * const options: AuthorizationRequestOptions = { accountId, clientId, redirectUri, scopes: ['rest_webservices'] };
 */
export interface AuthorizationRequestOptions extends AccountOptions {
  readonly clientId: string;
  /** The exact registered redirect URI (https, a custom scheme, or http on loopback). Never built from request headers. */
  readonly redirectUri: string;
  /** Scopes, e.g. `['rest_webservices', 'restlets']`; `mcp` must be alone. */
  readonly scopes: readonly string[];
  readonly prompt?: AuthorizationPrompt | undefined;
  /** Extra query parameters for non-NetSuite servers (e.g. `nonce`); may not override the protocol ones. */
  readonly extraParams?: Readonly<Record<string, string>> | undefined;
}

/**
 * What {@link createAuthorizationRequest} returns. Keep `state` and `codeVerifier` server-side, bound to the user's session.
 *
 * @example
 * const { url, state, codeVerifier, issuer }: AuthorizationRequest = await createAuthorizationRequest(options);
 */
export interface AuthorizationRequest {
  /** Send the user's browser here. */
  readonly url: string;
  /** 256 random bits, base64url (43 characters, inside NetSuite's 22–1024 window). */
  readonly state: string;
  /** The PKCE verifier, 256 random bits (43 characters). Never put it in a URL or a cookie. */
  readonly codeVerifier: string;
  /**
   * The authorization server's issuer as this request knows it: the origin of the authorize endpoint. Keep it
   * with the state and pass it to {@link parseAuthorizationCallback} as `expectedIssuer`: NetSuite sends no
   * `iss` today, and a callback that carries a different one is refused (RFC 9207 §2.4).
   */
  readonly issuer: string;
}

const PROMPTS: ReadonlySet<string> = new Set(['none', 'login', 'consent', 'login consent', 'consent login']);
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]{1,128}$/;
const RESERVED = new Set([
  'response_type',
  'client_id',
  'redirect_uri',
  'scope',
  'state',
  'code_challenge',
  'code_challenge_method',
  'prompt',
  // A different response mode or a request object could move the code out of the query we parse.
  'response_mode',
  'request',
  'request_uri',
]);

function checkRedirectUri(value: unknown): string {
  const uri = checkString(value, 'redirectUri', 2048);
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new OAuthFlowError('ERR_OAUTH_INVALID_OPTION', 'redirectUri must be an absolute uri');
  }
  if (url.hash) throw new OAuthFlowError('ERR_OAUTH_INVALID_OPTION', 'redirectUri must not have a fragment');
  if (url.protocol === 'http:' && !isLoopbackUrl(url)) {
    throw new OAuthFlowError(
      'ERR_OAUTH_INVALID_OPTION',
      'redirectUri must use https (http only on loopback)',
    );
  }
  if (/^(?:javascript|data|file|vbscript):$/i.test(url.protocol)) {
    throw new OAuthFlowError('ERR_OAUTH_INVALID_OPTION', 'redirectUri uses a forbidden scheme');
  }
  return uri;
}

function checkScopes(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > 20) {
    throw new OAuthFlowError('ERR_OAUTH_INVALID_OPTION', 'scopes must be a non-empty array of scope names');
  }
  for (const scope of value) {
    if (typeof scope !== 'string' || !SCOPE_TOKEN.test(scope)) {
      throw new OAuthFlowError(
        'ERR_OAUTH_INVALID_OPTION',
        'scopes must contain only scope tokens (no spaces)',
      );
    }
  }
  if (value.includes('mcp') && value.length > 1) {
    throw new OAuthFlowError('ERR_OAUTH_INVALID_OPTION', 'the mcp scope must be requested alone');
  }
  return [...new Set(value as string[])];
}

/**
 * Builds the authorize URL of the Authorization Code grant, always with PKCE S256 and a fresh 256-bit state.
 *
 * @example
 * const { url, state, codeVerifier } = await createAuthorizationRequest({ accountId: '1234567_SB1',
 *   clientId, redirectUri: 'https://app.example.com/callback', scopes: ['rest_webservices'] });
 * session.oauth = { state, codeVerifier }; res.redirect(url);
 * @throws {OAuthFlowError} `ERR_OAUTH_INVALID_OPTION` for a bad client id, redirect uri, scope or prompt.
 * @see https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_158081944642.html
 */
export async function createAuthorizationRequest(
  options: AuthorizationRequestOptions,
): Promise<AuthorizationRequest> {
  requireObject(options, 'options');
  const endpoints = resolveEndpoints(options);
  const { clientId } = checkClient({ clientId: options.clientId });
  const redirectUri = checkRedirectUri(options.redirectUri);
  const scopes = checkScopes(options.scopes);
  if (options.prompt !== undefined && !PROMPTS.has(options.prompt)) {
    throw new OAuthFlowError('ERR_OAUTH_INVALID_OPTION', 'prompt must be none, login, consent or both');
  }
  if (options.prompt === 'none' && scopes.includes('mcp')) {
    throw new OAuthFlowError('ERR_OAUTH_INVALID_OPTION', 'prompt none is not allowed with the mcp scope');
  }
  const state = randomToken(32);
  const codeVerifier = randomToken(32);
  const url = new URL(endpoints.authorizeUrl);
  const params = url.searchParams;
  params.set('response_type', 'code');
  params.set('client_id', clientId);
  params.set('redirect_uri', redirectUri);
  params.set('scope', scopes.join(' '));
  params.set('state', state);
  params.set('code_challenge', s256(codeVerifier));
  params.set('code_challenge_method', 'S256');
  if (options.prompt !== undefined) params.set('prompt', options.prompt);
  if (options.extraParams !== undefined) {
    requireObject(options.extraParams, 'extraParams');
    for (const [name, value] of Object.entries(options.extraParams)) {
      if (RESERVED.has(name) || typeof value !== 'string') {
        throw new OAuthFlowError(
          'ERR_OAUTH_INVALID_OPTION',
          'extraParams may not override protocol parameters',
        );
      }
      params.set(name, value);
    }
  }
  return { url: url.toString(), state, codeVerifier, issuer: url.origin };
}

/**
 * Options of {@link parseAuthorizationCallback}.
 *
 * @example
 * const options: AuthorizationCallbackOptions = { expectedState: session.oauth.state };
 */
export interface AuthorizationCallbackOptions {
  /** The `state` from {@link createAuthorizationRequest}, read from the user's session. */
  readonly expectedState: string;
  /**
   * The authorization server's issuer (the request's `issuer`). When set, an `iss` parameter must equal it
   * (RFC 9207 §2.4), and with `requireIssuer` it must be present. NetSuite sends no `iss`.
   */
  readonly expectedIssuer?: string | undefined;
  /** Reject a callback without `iss` (for servers that advertise RFC 9207). @default false */
  readonly requireIssuer?: boolean | undefined;
  /** The clock, epoch ms: a spent state is remembered for 15 minutes of it. @default Date.now */
  readonly now?: (() => number) | undefined;
}

/**
 * The useful parts of a successful authorization callback.
 *
 * @example
 * const { code, role, entity, company }: AuthorizationCallback = parseAuthorizationCallback(url, options);
 */
export interface AuthorizationCallback {
  /** The one-time authorization code: exchange it at once with {@link exchangeAuthorizationCode}. */
  readonly code: string;
  /** NetSuite's role id of the user who authorized. */
  readonly role?: string | undefined;
  /** NetSuite's entity (user) id. */
  readonly entity?: string | undefined;
  /** The account id the user chose (underscore form for sandboxes). */
  readonly company?: string | undefined;
}

// States already seen by this process: a replayed callback is refused even if the app forgot to delete
// the state from its session. Bounded, and entries age out after the 15-minute state lifetime, on the caller's
// clock (`now`), like every other lifetime in this package.
const STATE_TTL_MS = 15 * 60 * 1000;
const MAX_CONSUMED = 50_000;
const consumedStates = new Map<string, number>();

function consumeState(state: string, now: number): boolean {
  const key = sha256Hex(state);
  const seen = consumedStates.get(key);
  if (seen !== undefined && seen > now) return false;
  if (consumedStates.size >= MAX_CONSUMED) {
    for (const [k, expires] of consumedStates) {
      if (expires <= now || consumedStates.size >= MAX_CONSUMED) consumedStates.delete(k);
      else break;
    }
  }
  consumedStates.set(key, now + STATE_TTL_MS);
  return true;
}

function single(params: URLSearchParams, name: string): string | undefined {
  const all = params.getAll(name);
  if (all.length > 1) {
    throw new OAuthFlowError('ERR_OAUTH_INVALID_CALLBACK', `callback has more than one ${name} parameter`);
  }
  return all[0];
}

/**
 * Checks the redirect back from the authorize page and returns the code with NetSuite's `role`, `entity`
 * and `company`. The state is compared in constant time and is usable once in this process: a second call
 * with the same expected state fails, whatever the first call's outcome.
 *
 * @example
 * const { code, company } = parseAuthorizationCallback(req.url, { expectedState: session.oauth.state });
 * @throws {AuthorizationResponseError} `ERR_OAUTH_AUTHORIZATION_ERROR` when the server sent `error=` (e.g. access_denied).
 * @throws {OAuthFlowError} `ERR_OAUTH_STATE_MISMATCH`, `ERR_OAUTH_STATE_REUSED`, `ERR_OAUTH_ISSUER_MISMATCH`,
 *   `ERR_OAUTH_INVALID_CALLBACK`, `ERR_OAUTH_INVALID_OPTION`.
 * @see https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_158081944642.html
 */
export function parseAuthorizationCallback(
  callbackUrl: string | URL,
  options: AuthorizationCallbackOptions,
): AuthorizationCallback {
  requireObject(options, 'options');
  const expectedState = options.expectedState;
  if (typeof expectedState !== 'string' || expectedState.length < 22 || expectedState.length > 1024) {
    throw new OAuthFlowError(
      'ERR_OAUTH_INVALID_OPTION',
      'expectedState must be the state string of the request',
    );
  }
  if (options.expectedIssuer !== undefined && typeof options.expectedIssuer !== 'string') {
    throw new OAuthFlowError('ERR_OAUTH_INVALID_OPTION', 'expectedIssuer must be a string');
  }
  checkFunction(options.now, 'now');
  let url: URL;
  try {
    url = new URL(String(callbackUrl), 'http://callback.invalid');
  } catch {
    throw new OAuthFlowError('ERR_OAUTH_INVALID_CALLBACK', 'callback url is not a url');
  }
  // The state is spent now, whatever happens next.
  const fresh = consumeState(expectedState, (options.now ?? Date.now)());
  const params = url.searchParams;
  const state = single(params, 'state');
  if (state === undefined) throw new OAuthFlowError('ERR_OAUTH_STATE_MISMATCH', 'callback has no state');
  if (!constantTimeEqual(state, expectedState)) {
    throw new OAuthFlowError('ERR_OAUTH_STATE_MISMATCH', 'callback state does not match the request');
  }
  if (!fresh) throw new OAuthFlowError('ERR_OAUTH_STATE_REUSED', 'callback state was already used');
  const iss = single(params, 'iss');
  if (options.expectedIssuer !== undefined) {
    if (iss === undefined ? options.requireIssuer === true : iss !== options.expectedIssuer) {
      throw new OAuthFlowError(
        'ERR_OAUTH_ISSUER_MISMATCH',
        'callback iss does not match the expected issuer',
      );
    }
  }
  const error = single(params, 'error');
  if (error !== undefined) {
    throw new AuthorizationResponseError(
      sanitizeErrorCode(error) ?? 'invalid_error',
      sanitizeDescription(single(params, 'error_description')),
    );
  }
  // Implicit and hybrid responses are never accepted (RFC 9700 §2.1.2).
  if (params.has('access_token') || params.has('id_token') || params.has('token_type')) {
    throw new OAuthFlowError(
      'ERR_OAUTH_INVALID_CALLBACK',
      'callback carries tokens; only the code flow is supported',
    );
  }
  const code = single(params, 'code');
  if (code === undefined || code.length === 0 || code.length > 4096 || !/^[\x21-\x7e]+$/.test(code)) {
    throw new OAuthFlowError('ERR_OAUTH_INVALID_CALLBACK', 'callback has no valid code');
  }
  const result: { code: string; role?: string; entity?: string; company?: string } = { code };
  for (const name of ['role', 'entity', 'company'] as const) {
    const value = single(params, name);
    if (value !== undefined) {
      if (!/^[\w.-]{1,64}$/.test(value)) {
        throw new OAuthFlowError('ERR_OAUTH_INVALID_CALLBACK', `callback ${name} is not a netsuite id`);
      }
      result[name] = value;
    }
  }
  return result;
}

/**
 * Options of {@link exchangeAuthorizationCode}.
 *
 * @example
 * const options: ExchangeCodeOptions = { accountId, client, code, redirectUri, codeVerifier };
 */
export interface ExchangeCodeOptions extends AccountOptions, TransportOptions {
  /** Confidential clients pass `clientSecret` (HTTP Basic); public clients omit it. */
  readonly client: OAuthClient;
  readonly code: string;
  /** The same redirect URI as in the authorize request. */
  readonly redirectUri: string;
  readonly codeVerifier: string;
  /**
   * Refresh-token lifetime to assume when neither the response nor the token says, ms.
   * @default 7 days for confidential clients, 48 hours for public ones (NetSuite's defaults)
   */
  readonly refreshTokenLifetimeMs?: number | undefined;
}

/**
 * Exchanges an authorization code for tokens (with the PKCE verifier). Sent exactly once: a code exchange
 * is never retried, since a code is single-use and a replay can revoke the grant (RFC 6749 §10.5).
 *
 * @example
 * const tokens = await exchangeAuthorizationCode({ accountId, client: { clientId, clientSecret },
 *   code, redirectUri, codeVerifier: session.oauth.codeVerifier });
 * await manager.setTokenSet(tokens);
 * @throws {OAuthResponseError} e.g. `invalid_grant` (code expired, reused, or verifier mismatch).
 * @throws {OAuthFlowError} `ERR_OAUTH_INVALID_OPTION`, transport and response errors.
 * @see https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_158081952044.html
 */
export async function exchangeAuthorizationCode(options: ExchangeCodeOptions): Promise<TokenSet> {
  requireObject(options, 'options');
  const endpoints = resolveEndpoints(options);
  checkTransport(options);
  const client = checkClient(options.client);
  const code = checkString(options.code, 'code', 4096);
  const redirectUri = checkRedirectUri(options.redirectUri);
  const codeVerifier = options.codeVerifier;
  if (typeof codeVerifier !== 'string' || !/^[A-Za-z0-9._~-]{43,128}$/.test(codeVerifier)) {
    throw new OAuthFlowError(
      'ERR_OAUTH_INVALID_OPTION',
      'codeVerifier must be 43-128 characters of [A-Za-z0-9._~-]',
    );
  }
  const lifetime = defaultRefreshLifetime(client, checkLifetime(options.refreshTokenLifetimeMs));
  const form = new URLSearchParams({
    grant_type: 'authorization_code',
    code,
    redirect_uri: redirectUri,
    code_verifier: codeVerifier,
  });
  const headers = applyClientAuth(client, form);
  const response = await postForm(endpoints.tokenUrl, form, headers, options);
  return parseTokenResponse(response, {
    secrets: [code, codeVerifier, client.clientSecret],
    refreshTokenLifetimeMs: lifetime,
  });
}
