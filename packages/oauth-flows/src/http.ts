import { parseRetryAfter, readBodyCapped } from '@netsuite-oauth/core';
import { type AuthorizationServerEvent, exchangeChannel } from './diagnostics.js';
import { OAuthFlowError, OAuthResponseError, sanitizeDescription, sanitizeErrorCode } from './errors.js';

/**
 * The `fetch` this package calls; inject one for tests, proxies or instrumentation.
 *
 * @example
 * const fetch: FetchLike = (input, init) => globalThis.fetch(input, init);
 */
export type FetchLike = (input: Request, init?: RequestInit) => Promise<Response>;

/** Options every back-channel call accepts. */
export interface HttpOptions {
  /** @default globalThis.fetch */
  readonly fetch?: FetchLike | typeof globalThis.fetch | undefined;
  /** Deadline for the whole call, headers and body, in ms. @default 10000 */
  readonly timeoutMs?: number | undefined;
  /** Cancels the call. */
  readonly signal?: AbortSignal | undefined;
  /** The local clock, epoch ms. @default Date.now */
  readonly now?: (() => number) | undefined;
}

/** What a back-channel POST returns once its body is read. */
export interface FormResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  /** The server's `Date` header in epoch ms, when valid. */
  readonly serverDate: number | undefined;
  /** The local clock when the request was sent: expiry is counted from here, so latency never extends it. */
  readonly sentAt: number;
  /** The local clock when the response headers arrived. */
  readonly receivedAt: number;
  readonly wwwAuthenticate: string | undefined;
  readonly retryAfterMs: number | undefined;
}

const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded;charset=UTF-8';

/** Largest body read from a token or revocation endpoint. */
export const MAX_BODY_BYTES = 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 10_000;

export function checkTimeout(value: unknown, name = 'timeoutMs'): number {
  if (value === undefined) return DEFAULT_TIMEOUT_MS;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 600_000) {
    throw new OAuthFlowError(
      'ERR_OAUTH_INVALID_OPTION',
      `${name} must be a number of ms between 1 and 600000`,
    );
  }
  return value;
}

export function checkFunction(value: unknown, name: string): void {
  if (value !== undefined && typeof value !== 'function') {
    throw new OAuthFlowError('ERR_OAUTH_INVALID_OPTION', `${name} must be a function`);
  }
}

async function readCapped(response: Response): Promise<string> {
  const text = await readBodyCapped(response, MAX_BODY_BYTES);
  if (text === undefined) {
    throw new OAuthFlowError('ERR_OAUTH_RESPONSE_TOO_LARGE', `response body exceeds ${MAX_BODY_BYTES} bytes`);
  }
  return text;
}

// Network errors from undici carry the request in their cause chain on some versions; keep only a code.
function networkCause(error: unknown): Error {
  let current: unknown = error;
  for (let i = 0; i < 5 && current instanceof Error; i++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z0-9_]{2,40}$/.test(code)) return new Error(code);
    current = current.cause;
  }
  return new Error('fetch failed');
}

/**
 * POSTs a form to a token or revocation endpoint: no redirects followed, one deadline for headers and body,
 * a 1 MiB body cap, no retries. Transport failures become {@link OAuthFlowError}s with no request data.
 */
export function postForm(
  url: string,
  form: URLSearchParams,
  headers: Record<string, string>,
  options: HttpOptions,
): Promise<FormResponse> {
  if (!exchangeChannel.hasSubscribers) return sendForm(url, form, headers, options);
  const target = new URL(url);
  const startedAt = performance.now();
  const event: AuthorizationServerEvent = {
    endpoint: form.has('grant_type') ? 'token' : 'revocation',
    grant: form.get('grant_type') ?? undefined,
    method: 'POST',
    host: target.host,
    path: target.pathname,
    startTime: performance.timeOrigin + startedAt,
  };
  let response: FormResponse | undefined;
  // The traced function resolves to nothing: TracingChannel puts its result on the event, and the response
  // carries the tokens.
  return exchangeChannel
    .tracePromise(async () => {
      try {
        response = await sendForm(url, form, headers, options);
        event.status = response.status;
      } finally {
        event.durationMs = performance.now() - startedAt;
      }
    }, event)
    .then(() => response as FormResponse);
}

async function sendForm(
  url: string,
  form: URLSearchParams,
  headers: Record<string, string>,
  options: HttpOptions,
): Promise<FormResponse> {
  const timeoutMs = checkTimeout(options.timeoutMs);
  const now = options.now ?? Date.now;
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const outer = options.signal;
  const onAbort = () => controller.abort();
  if (outer?.aborted) controller.abort();
  else outer?.addEventListener('abort', onAbort, { once: true });
  try {
    const encoded = form.toString();
    const sentAt = now();
    let response: Response;
    try {
      // Sent with fetch directly: the form encoded once, one deadline/abort signal over headers and body, and no
      // redirect followed. ky's request pipeline (a Request built, cloned for retries and re-wrapped by fetch,
      // an AbortSignal merged) cost more client CPU than the rest of a token request (bench `token` suite), and
      // none of its policy (retries, timeout, throw on status) applies here: see the README.
      const init: RequestInit = {
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': FORM_CONTENT_TYPE, ...headers },
        body: encoded,
        redirect: 'manual',
        credentials: 'omit',
        signal: controller.signal,
      };
      const injected = options.fetch as FetchLike | undefined;
      // An injected fetch receives one complete Request, as FetchLike says.
      response = await (injected ? injected(new Request(url, init)) : globalThis.fetch(url, init));
    } catch (error) {
      throw transportError(error, timedOut, outer);
    }
    const receivedAt = now();
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel().catch(() => {});
      throw new OAuthFlowError(
        'ERR_OAUTH_REDIRECT',
        `endpoint answered with a redirect (http ${response.status}); redirects are never followed`,
      );
    }
    if (response.type === 'opaqueredirect') {
      throw new OAuthFlowError(
        'ERR_OAUTH_REDIRECT',
        'endpoint answered with a redirect; redirects are never followed',
      );
    }
    let body: string;
    try {
      body = await readCapped(response);
    } catch (error) {
      if (error instanceof OAuthFlowError) throw error;
      throw transportError(error, timedOut, outer);
    }
    const dateHeader = response.headers.get('date');
    const parsedDate = dateHeader === null ? Number.NaN : Date.parse(dateHeader);
    const serverDate = Number.isFinite(parsedDate) ? parsedDate : undefined;
    return {
      status: response.status,
      contentType: (response.headers.get('content-type') ?? '').toLowerCase(),
      body,
      serverDate,
      sentAt,
      receivedAt,
      wwwAuthenticate: response.headers.get('www-authenticate') ?? undefined,
      retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), serverDate ?? receivedAt),
    };
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onAbort);
  }
}

function transportError(error: unknown, timedOut: boolean, outer: AbortSignal | undefined): OAuthFlowError {
  if (error instanceof OAuthFlowError) return error;
  if (timedOut)
    return new OAuthFlowError('ERR_OAUTH_TIMEOUT', 'request to the authorization server timed out');
  if (outer?.aborted) return new OAuthFlowError('ERR_OAUTH_ABORTED', 'request was aborted');
  return new OAuthFlowError('ERR_OAUTH_NETWORK', 'could not reach the authorization server', {
    cause: networkCause(error),
  });
}

/** Parses a JSON object body; undefined when the body is not a JSON object. */
export function parseJsonObject(response: FormResponse): Record<string, unknown> | undefined {
  if (!/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/.test(response.contentType)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(response.body);
  } catch {
    return undefined;
  }
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** Replaces every known secret in a server-provided text. */
export function scrub(
  text: string | undefined,
  secrets: readonly (string | undefined)[],
): string | undefined {
  if (text === undefined) return undefined;
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  // Defence in depth: anything shaped like a token (a long run of token characters) goes too, so a server
  // that echoes a credential we did not send (or one from another request) cannot leak it through us.
  return out.replace(TOKEN_LIKE, '[redacted]');
}

const TOKEN_LIKE = /[A-Za-z0-9._~+/=-]{24,}/g;

/**
 * Turns a non-2xx response into the right typed error: an {@link OAuthResponseError} when the body is an
 * OAuth error object, else `ERR_OAUTH_UNEXPECTED_STATUS` with the status only.
 */
export function errorFromResponse(
  response: FormResponse,
  requestSecrets: readonly (string | undefined)[],
): OAuthFlowError {
  const json = parseJsonObject(response);
  const code = json ? sanitizeErrorCode(json.error) : undefined;
  if (json && code !== undefined) {
    // Never echo a token the server put next to its error.
    const secrets = [
      ...requestSecrets,
      ...[json.access_token, json.refresh_token, json.id_token].filter(
        (v): v is string => typeof v === 'string',
      ),
    ];
    const safeCode = scrub(code, secrets) ?? code;
    return new OAuthResponseError(
      safeCode,
      sanitizeDescription(
        scrub(typeof json.error_description === 'string' ? json.error_description : undefined, secrets),
      ),
      response.status,
      response.retryAfterMs,
    );
  }
  return new OAuthFlowError(
    'ERR_OAUTH_UNEXPECTED_STATUS',
    `authorization server answered http ${response.status}`,
    {
      status: response.status,
      retryAfterMs: response.retryAfterMs,
    },
  );
}
