import { parseRetryAfter, readBodyCapped } from '@netsuite-oauth/core';
import type { CircuitBreaker } from './circuit-breaker.js';
import {
  callObserved,
  type ExchangeOutcome,
  epochNow,
  exchangeChannel,
  governanceChannel,
  nextCallId,
  type RequestEvent,
  type RetryReason,
  requestChannel,
  retryChannel,
  routeOf,
} from './diagnostics.js';
import { parseErrorBody } from './error-body.js';
import { NetSuiteApiError, RecordClientError } from './errors.js';
import { hasAttemptHooks, loadKy, type RequestHooks } from './hooks.js';
import {
  type ConcurrencyLimiter,
  type ConcurrencyPermit,
  localTryAcquire,
  type PermitOutcome,
} from './limiter.js';
import { backoffDelay, type RetryPolicy } from './retry.js';
import type { ResolvedTokenSource } from './token.js';

/** One HTTP exchange as the client sees it. */
export interface RequestSpec {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Absolute URL on one of the client's origins. */
  readonly url: string;
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>> | undefined;
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** A JSON body (serialised once, so a retry resends the same bytes). */
  readonly json?: unknown;
  /** When set, the request is retried even for POST/PATCH (NetSuite deduplicates on the key). */
  readonly idempotencyKey?: string | undefined;
  /**
   * Whether the request is safe to replay, overriding `retry.methods`: true for SuiteQL (reads with POST), false
   * for a RESTlet PUT/DELETE (arbitrary script code). An `idempotencyKey` makes any request replayable.
   */
  readonly idempotent?: boolean | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Per-attempt timeout override. */
  readonly timeoutMs?: number | undefined;
  /** Total deadline override (all attempts, waits and queueing). */
  readonly deadlineMs?: number | undefined;
}

/** A settled, successful response with its body read. */
export interface RawResponse {
  readonly status: number;
  readonly headers: Headers;
  /** Parsed JSON when the body is JSON, the text otherwise, undefined when empty. */
  readonly body: unknown;
  readonly attempts: number;
}

/** Everything the transport needs. */
export interface TransportConfig {
  /** The account id, normalised: named in diagnostics events. */
  readonly accountId: string;
  readonly origins: ReadonlySet<string>;
  readonly token: ResolvedTokenSource;
  readonly limiter: ConcurrencyLimiter | undefined;
  readonly retry: RetryPolicy;
  readonly breaker: CircuitBreaker | undefined;
  readonly timeoutMs: number;
  readonly deadlineMs: number;
  readonly fetch: typeof globalThis.fetch | undefined;
  readonly now: () => number;
  readonly headers: Readonly<Record<string, string>>;
  /** Largest response body read, in bytes after decoding (`Content-Encoding` inflated). */
  readonly maxResponseBytes: number;
  /** ky hooks: with beforeRequest/afterResponse hooks every attempt is run by ky (loaded on first use). */
  readonly hooks?: RequestHooks | undefined;
}

/** The request executor shared by records, SuiteQL and RESTlets. */
export interface Transport {
  send(spec: RequestSpec): Promise<RawResponse>;
  /** Checks a URL from a response header before any token is sent to it. */
  checkUrl(url: string): URL;
}

type AttemptOutcome =
  | { kind: 'response'; status: number; headers: Headers; text: string }
  | { kind: 'network'; cause: unknown }
  | { kind: 'attempt-timeout'; cause: unknown }
  | { kind: 'limiter'; cause: unknown }
  | { kind: 'too-large' }
  | { kind: 'hook'; cause: unknown }
  | { kind: 'stopped' };

const BREAKER_FAILURE_STATUS = new Set([500, 502, 503, 504]);
const CONCURRENCY_CODES = new Set(['CONCURRENCY_LIMIT_EXCEEDED', 'SSS_REQUEST_LIMIT_EXCEEDED']);
const MAX_TIMER_MS = 2_147_483_647;

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Why a call stopped, and who to tell. A call waits on one thing at a time (the token, a permit, an attempt, a
 * backoff), so one listener slot is enough: cheaper than an AbortController and a listener set per call.
 */
class CallStop {
  reason: 'caller' | 'deadline' | undefined;
  #handler: (() => void) | undefined;

  stop(reason: 'caller' | 'deadline'): void {
    if (this.reason !== undefined) return;
    this.reason = reason;
    const handler = this.#handler;
    this.#handler = undefined;
    handler?.();
  }

  /** Calls `handler` on stop (now, if already stopped) until {@link off}; replaces any earlier handler. */
  on(handler: () => void): void {
    if (this.reason !== undefined) handler();
    else this.#handler = handler;
  }

  off(): void {
    this.#handler = undefined;
  }
}

function sleep(ms: number, stop: CallStop): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      stop.off();
      resolve();
    }, ms);
    stop.on(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

const STOPPED: unique symbol = Symbol('stopped');

/** Settles with `promise`, or rejects with {@link STOPPED} as soon as the call stops. */
function guard<T>(promise: Promise<T>, stop: CallStop): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    stop.on(() => {
      promise.catch(() => {});
      reject(STOPPED);
    });
    promise.then(
      (value) => {
        stop.off();
        resolve(value);
      },
      (error: unknown) => {
        stop.off();
        reject(error);
      },
    );
  });
}

/** Releases a permit; returns a promise only when the limiter's release is asynchronous. */
function releasePermit(permit: ConcurrencyPermit, outcome?: PermitOutcome): Promise<void> | undefined {
  let result: void | Promise<void>;
  try {
    result = outcome === undefined ? permit.release() : permit.release(outcome);
  } catch {
    // A limiter that cannot record a release lets the lease expire instead; the request itself settled.
    return undefined;
  }
  if (result !== undefined && typeof (result as Promise<void>).then === 'function') {
    return Promise.resolve(result).catch(() => {});
  }
  return undefined;
}

/** What the exchange tells an adaptive limiter: a concurrency rejection, a success or neither. */
function permitOutcome(status: number, text: string): PermitOutcome {
  if (status >= 200 && status < 300) return 'success';
  if (status === 429) return 'rejected';
  // RESTlets answer 400 with the code in the body; a substring test spares parsing every error body here.
  for (const code of CONCURRENCY_CODES) if (text.includes(code)) return 'rejected';
  return 'neutral';
}

/** Thrown by {@link readCapped} when a body passes the cap. */
const TOO_LARGE: unique symbol = Symbol('too-large');

/** Reads a body as text, at most `max` bytes after decoding (see core's `readBodyCapped`). */
async function readCapped(response: Response, max: number): Promise<string> {
  const text = await readBodyCapped(response, max);
  if (text === undefined) throw TOO_LARGE;
  return text;
}

/** Rejects the send when the attempt already settled without sending (stopped, no permit). */
const ABANDONED: unique symbol = Symbol('abandoned');

/** A failure of the HTTP exchange inside ky's `fetch` (network error, unreadable body): retried like any other. */
class NetworkFailure {
  constructor(readonly cause: unknown) {}
}

/** A failure of a hook (or a request a hook sent elsewhere): never retried. */
class HookFailure {
  constructor(readonly cause: unknown) {}
}

/** Marks a request a hook sent to another origin (the cause of that HookFailure). */
const FOREIGN_ORIGIN: unique symbol = Symbol('foreign-origin');

/** Statuses whose response has no body (a `Response` cannot be made with one). */
const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

/** The parts of a request the transport sends. */
interface RequestParts {
  readonly method: string;
  readonly headers: Headers | Record<string, string>;
  readonly body: string | ArrayBuffer | undefined;
}

/** What every diagnostics event of one call shares; only made when someone subscribes. */
type CallEvent = { -readonly [K in keyof RequestEvent]: RequestEvent[K] };

const OPERATION_ID = 'x-n-operationid';

const EXCHANGE_OUTCOME: Record<AttemptOutcome['kind'], ExchangeOutcome> = {
  response: 'response',
  network: 'network',
  'attempt-timeout': 'timeout',
  limiter: 'limiter',
  'too-large': 'too-large',
  hook: 'hook',
  stopped: 'stopped',
};

/** Creates the transport. */
export function createTransport(config: TransportConfig): Transport {
  const originPrefixes = [...config.origins].map((origin) => `${origin}/`);
  const isOnOrigins = (target: string): boolean => originPrefixes.some((prefix) => target.startsWith(prefix));
  const defaultHeaders: Readonly<Record<string, string>> = { accept: 'application/json', ...config.headers };
  const tryAcquire = config.limiter ? localTryAcquire(config.limiter) : undefined;
  const attemptHooks = hasAttemptHooks(config.hooks) ? config.hooks : undefined;
  const retryHooks = config.hooks?.beforeRetry?.length ? config.hooks.beforeRetry : undefined;

  const checkUrl = (raw: string): URL => {
    let url: URL;
    try {
      url = new URL(raw);
    } catch (cause) {
      throw new RecordClientError('ERR_RECORD_INVALID_RESPONSE', 'netsuite sent a url that does not parse', {
        cause,
      });
    }
    if (!config.origins.has(url.origin)) {
      throw new RecordClientError(
        'ERR_RECORD_INVALID_RESPONSE',
        'netsuite sent a url on a foreign origin; the token is only sent to the configured origin',
      );
    }
    return url;
  };

  const sendCall = async (spec: RequestSpec, call: CallEvent | undefined): Promise<RawResponse> => {
    // URLs reach here built from the configured endpoints, or checked by checkUrl when they come from a
    // response; a cheap prefix test (rather than a parse per request) keeps the token on the configured origins.
    const target = spec.url;
    if (!isOnOrigins(target) || /[?#]/.test(target)) {
      throw new RecordClientError(
        'ERR_RECORD_INVALID_RESPONSE',
        'refusing a url outside the configured origins',
      );
    }
    let url = target;
    if (spec.query) {
      let search: URLSearchParams | undefined;
      for (const key in spec.query) {
        const value = spec.query[key];
        if (value === undefined) continue;
        search ??= new URLSearchParams();
        search.set(key, String(value));
      }
      if (search) url = `${target}?${search.toString()}`;
    }
    const path = target.slice(target.indexOf('/', target.indexOf('//') + 2));
    const method = spec.method;
    const body = spec.json === undefined ? undefined : JSON.stringify(spec.json);
    let baseHeaders = defaultHeaders;
    if (spec.headers !== undefined || body !== undefined || spec.idempotencyKey !== undefined) {
      const merged: Record<string, string> = { ...defaultHeaders, ...spec.headers };
      // A batch sends its own JSON media type (`application/vnd.oracle.resource+json; type=collection`).
      if (body !== undefined && spec.headers?.['content-type'] === undefined)
        merged['content-type'] = 'application/json';
      if (spec.idempotencyKey !== undefined) merged['x-netsuite-idempotency-key'] = spec.idempotencyKey;
      baseHeaders = merged;
    }
    // An explicit `idempotent` (true or false) wins over `retry.methods`; an idempotency key always allows replay.
    const idempotent =
      spec.idempotencyKey !== undefined || (spec.idempotent ?? config.retry.methods.has(method));
    const attemptTimeoutMs = Math.min(spec.timeoutMs ?? config.timeoutMs, MAX_TIMER_MS);
    const deadlineMs = spec.deadlineMs ?? config.deadlineMs;

    if (spec.signal?.aborted) {
      throw new RecordClientError('ERR_RECORD_ABORTED', 'request aborted by the caller', {
        cause: spec.signal.reason,
      });
    }
    // The caller's signal or the total deadline stop everything: the token, queueing, the attempt, the backoff.
    const stop = new CallStop();
    const onCallerAbort = spec.signal ? () => stop.stop('caller') : undefined;
    if (onCallerAbort) spec.signal?.addEventListener('abort', onCallerAbort, { once: true });
    // Elapsed time of the call, on the monotonic clock: the deadline below is a timer, which a jump of the wall
    // clock (or a moved injected `now`) does not shift, so the retry check must not be shifted either.
    const startedAt = performance.now();
    const deadlineTimer = setTimeout(() => stop.stop('deadline'), Math.min(deadlineMs, MAX_TIMER_MS));

    const stoppedError = (cause?: unknown): RecordClientError =>
      stop.reason === 'caller'
        ? new RecordClientError('ERR_RECORD_ABORTED', `${method} ${path} aborted by the caller`, {
            cause: spec.signal?.reason ?? cause,
          })
        : new RecordClientError(
            'ERR_RECORD_TIMEOUT',
            `${method} ${path} did not settle within ${deadlineMs} ms`,
          );

    let token: string | undefined;
    const redact = (s: string): string =>
      token && token.length >= 8 ? s.replace(new RegExp(escapeRegExp(token), 'g'), '[redacted]') : s;

    // One attempt: wait for the permit, start the attempt's timeout and send, so the permit covers only the exchange
    // itself, which keeps the account's concurrency budget busy with requests rather than with client work.
    // The attempt settles on the response, a network error, its own timeout, a failing limiter or a stop of the
    // call, whichever comes first, so a fetch or limiter that ignores its signal cannot outlive the timeout or the
    // deadline. The permit is released as the attempt settles; `released` is set when that release is async.
    let released: Promise<void> | undefined;
    const attempt = (accessToken: string, attemptNumber: number): Promise<AttemptOutcome> =>
      new Promise<AttemptOutcome>((resolve) => {
        let settled = false;
        let timer: ReturnType<typeof setTimeout> | undefined;
        let permit: ConcurrencyPermit | undefined;
        let text = '';
        // Only for diagnostics: when the attempt began, when it was sent, when its permit was taken.
        const begunAt = call === undefined ? 0 : performance.now();
        let sentAt = 0;
        let acquiredAt = 0;
        // Whether the attempt had to wait for its permit: one taken at once (or no limiter) is a wait of 0.
        let waited = false;
        // One controller per attempt: the limiter's wait and the fetch; a stop of the call or the timeout aborts it.
        const controller = new AbortController();
        const publishExchange = (event: CallEvent, outcome: AttemptOutcome) => {
          const end = performance.now();
          const response = outcome.kind === 'response' ? outcome : undefined;
          exchangeChannel.publish({
            callId: event.callId,
            accountId: event.accountId,
            method: event.method,
            route: event.route,
            attempt: attemptNumber,
            outcome: EXCHANGE_OUTCOME[outcome.kind],
            status: response?.status,
            queuedMs: waited ? (acquiredAt || end) - begunAt : 0,
            durationMs: sentAt === 0 ? 0 : end - sentAt,
            startTime: performance.timeOrigin + begunAt,
            netsuiteOperationId: response?.headers.get(OPERATION_ID) ?? undefined,
          });
        };
        const dropPermit = (outcome?: PermitOutcome) => {
          if (permit === undefined) return;
          released = releasePermit(permit, outcome);
          permit = undefined;
          if (call !== undefined && governanceChannel.hasSubscribers) {
            governanceChannel.publish({
              callId: call.callId,
              accountId: call.accountId,
              action: 'release',
              queuedMs: 0,
              heldMs: performance.now() - acquiredAt,
              outcome: outcome ?? 'neutral',
            });
          }
        };
        const finish = (outcome: AttemptOutcome) => {
          if (settled) return;
          settled = true;
          if (timer !== undefined) clearTimeout(timer);
          stop.off();
          dropPermit();
          if (call !== undefined && exchangeChannel.hasSubscribers) publishExchange(call, outcome);
          resolve(outcome);
        };
        stop.on(() => {
          controller.abort();
          finish({ kind: 'stopped' });
        });
        if (settled) return;

        const headers: Record<string, string> = { ...baseHeaders, authorization: `Bearer ${accessToken}` };
        const sendNow = (target: string, parts: RequestParts): Promise<Response> => {
          if (call !== undefined) sentAt = performance.now();
          timer = setTimeout(() => {
            controller.abort();
            finish({ kind: 'attempt-timeout', cause: undefined });
          }, attemptTimeoutMs);
          const init: RequestInit = {
            method: parts.method,
            headers: parts.headers,
            redirect: 'manual',
            signal: controller.signal,
          };
          if (parts.body !== undefined) init.body = parts.body;
          // Resolved per call, so a fetch patched after the client was made (test tools do this) is used. An
          // injected fetch is called as fetch(url, init), the form every implementation takes (undici's own
          // fetch does not recognise another copy's Request object).
          const injected = config.fetch;
          const sending = injected ? Promise.resolve(injected(target, init)) : globalThis.fetch(target, init);
          return sending.then(async (response) => {
            // Read here, so the permit is released as soon as the exchange is over.
            text = await readCapped(response, config.maxResponseBytes);
            if (!settled) dropPermit(permitOutcome(response.status, text));
            return response;
          });
        };
        const acquired = () => {
          if (call === undefined) return;
          acquiredAt = performance.now();
          if (governanceChannel.hasSubscribers) {
            governanceChannel.publish({
              callId: call.callId,
              accountId: call.accountId,
              action: 'acquire',
              queuedMs: acquiredAt - begunAt,
              heldMs: 0,
              outcome: undefined,
            });
          }
        };
        const acquireThenSend = async (target: string, parts: RequestParts): Promise<Response> => {
          if (!config.limiter) return sendNow(target, parts);
          const free = tryAcquire?.();
          if (free !== undefined) {
            permit = free;
            acquired();
            return sendNow(target, parts);
          }
          let granted: ConcurrencyPermit;
          waited = true;
          try {
            granted = await config.limiter.acquire({ signal: controller.signal });
          } catch (cause) {
            finish(stop.reason !== undefined ? { kind: 'stopped' } : { kind: 'limiter', cause });
            throw ABANDONED;
          }
          if (settled) {
            // A limiter that hands out the permit after all gets it straight back.
            releasePermit(granted);
            throw ABANDONED;
          }
          permit = granted;
          acquired();
          return sendNow(target, parts);
        };

        // With hooks, ky runs the attempt: it builds the Request and runs beforeRequest, its `fetch` (below) takes
        // the permit and sends, and it runs afterResponse on a copy of the response whose body was read here.
        // Failures of the exchange itself come out of ky wrapped in NetworkFailure; anything else is a hook's.
        const withHooks = async (hooks: RequestHooks): Promise<Response> => {
          const ky = await loadKy();
          if (settled) throw ABANDONED;
          let delivered: Response | undefined;
          let final: Response;
          try {
            final = await ky(url, {
              method,
              headers,
              ...(body === undefined ? {} : { body }),
              hooks: {
                beforeRequest: [...(hooks.beforeRequest ?? [])],
                afterResponse: [...(hooks.afterResponse ?? [])],
              },
              context: { attempt: attemptNumber },
              fetch: async (input) => {
                const request = input as Request;
                // A hook may have swapped the request: the token still goes only to the configured origins.
                if (!isOnOrigins(request.url)) throw new HookFailure(FOREIGN_ORIGIN);
                const payload = request.body === null ? undefined : await request.arrayBuffer();
                let response: Response;
                try {
                  response = await acquireThenSend(request.url, {
                    method: request.method,
                    headers: request.headers,
                    body: payload,
                  });
                } catch (cause) {
                  throw cause === TOO_LARGE || cause === ABANDONED ? cause : new NetworkFailure(cause);
                }
                delivered = new Response(NULL_BODY_STATUS.has(response.status) ? null : text, {
                  status: response.status,
                  statusText: response.statusText,
                  headers: response.headers,
                });
                return delivered;
              },
            });
          } catch (cause) {
            if (cause === TOO_LARGE || cause === ABANDONED || cause instanceof NetworkFailure) throw cause;
            throw cause instanceof HookFailure ? cause : new HookFailure(cause);
          }
          if (final !== delivered) {
            // An afterResponse hook replaced the response, or a beforeRequest hook answered without a request.
            try {
              text = await readCapped(final, config.maxResponseBytes);
            } catch (cause) {
              throw cause === TOO_LARGE ? cause : new HookFailure(cause);
            }
            if (!settled) dropPermit(permitOutcome(final.status, text));
          }
          return final;
        };

        (attemptHooks ? withHooks(attemptHooks) : acquireThenSend(url, { method, headers, body })).then(
          (response) =>
            finish({ kind: 'response', status: response.status, headers: response.headers, text }),
          (cause: unknown) =>
            finish(
              stop.reason !== undefined
                ? { kind: 'stopped' }
                : cause === TOO_LARGE
                  ? { kind: 'too-large' }
                  : cause instanceof HookFailure
                    ? { kind: 'hook', cause: cause.cause }
                    : { kind: 'network', cause: cause instanceof NetworkFailure ? cause.cause : cause },
            ),
        );
      });

    try {
      let attempts = 0;
      let retries = 0;
      let refreshedOnce = false;
      for (;;) {
        attempts++;
        const gate = config.breaker ? config.breaker.enter() : { probe: false };
        // The token first, outside the permit: a slow token endpoint must not hold NetSuite concurrency.
        try {
          token = await guard(config.token.get(), stop);
        } catch (error) {
          config.breaker?.recordNeutral(gate.probe);
          if (error === STOPPED) throw stoppedError();
          throw error;
        }
        const outcome = await attempt(token, attempts);
        if (released !== undefined) {
          await released;
          released = undefined;
        }

        if (call !== undefined) {
          call.attempts = attempts;
          if (outcome.kind === 'response') {
            call.status = outcome.status;
            const operationId = outcome.headers.get(OPERATION_ID);
            if (operationId !== null) call.netsuiteOperationId = operationId;
          }
        }
        if (outcome.kind === 'stopped') {
          config.breaker?.recordNeutral(gate.probe);
          throw stoppedError();
        }
        if (outcome.kind === 'limiter') {
          config.breaker?.recordNeutral(gate.probe);
          throw new RecordClientError(
            'ERR_RECORD_LIMITER',
            'the concurrency limiter failed to hand out a permit',
            { cause: outcome.cause },
          );
        }

        if (outcome.kind === 'hook') {
          // A hook's failure is the caller's own code: not a breaker failure, and not replayed.
          config.breaker?.recordNeutral(gate.probe);
          throw outcome.cause === FOREIGN_ORIGIN
            ? new RecordClientError(
                'ERR_RECORD_HOOK',
                `${method} ${path}: a hook sent the request to another origin; the token is only sent to the configured origins`,
              )
            : new RecordClientError('ERR_RECORD_HOOK', `${method} ${path}: a request hook failed`, {
                cause: outcome.cause,
              });
        }

        if (outcome.kind === 'too-large') {
          // The exchange completed: not a breaker failure, and replaying would fetch the same body again.
          config.breaker?.recordNeutral(gate.probe);
          throw new RecordClientError(
            'ERR_RECORD_RESPONSE_TOO_LARGE',
            `${method} ${path} response body exceeds ${config.maxResponseBytes} bytes`,
          );
        }

        let error: RecordClientError;
        let retryable = false;
        let retryAfterMs: number | undefined;
        let budgetKind: 'retry' | 'timeout' = 'retry';
        let concurrencyRejection = false;
        if (outcome.kind === 'response') {
          const { status, headers, text } = outcome;
          if (status >= 200 && status < 300) {
            config.breaker?.recordSuccess(gate.probe);
            config.retry.budget?.recordSuccess();
            return { status, headers, body: parseBody(headers, text, method, path), attempts };
          }
          if (BREAKER_FAILURE_STATUS.has(status)) config.breaker?.recordFailure(gate.probe);
          else config.breaker?.recordSuccess(gate.probe);
          const parsed = parseErrorBody(text, redact);
          retryAfterMs = parseRetryAfter(headers.get('retry-after'), config.now());
          const apiError = new NetSuiteApiError({
            status,
            method,
            path,
            title: parsed.title,
            errorCode: parsed.errorCode,
            errorPath: parsed.errorPath,
            detail: parsed.detail,
            details: parsed.details,
            retryAfterMs,
            attempts,
            location: headers.get('location') ?? undefined,
          });
          if (status === 401 && !refreshedOnce && token !== undefined) {
            // One forced refresh and one replay: the bearer was rejected, nothing ran on the server.
            refreshedOnce = true;
            if (call !== undefined) retried(call, attempts, 'token-rejected', status, 0, false);
            try {
              await guard(config.token.invalidate(token), stop);
            } catch (error) {
              if (error === STOPPED) throw stoppedError();
              throw error;
            }
            attempts--;
            continue;
          }
          error = apiError;
          const concurrency = status === 429 || CONCURRENCY_CODES.has(parsed.errorCode ?? '');
          concurrencyRejection = concurrency;
          const statusRetryable =
            config.retry.statusCodes.has(status) || CONCURRENCY_CODES.has(parsed.errorCode ?? '');
          retryable = statusRetryable && (idempotent || (concurrency && config.retry.retryRejectedWrites));
        } else if (outcome.kind === 'attempt-timeout') {
          config.breaker?.recordFailure(gate.probe);
          error = new RecordClientError(
            'ERR_RECORD_TIMEOUT',
            `${method} ${path} timed out after ${attemptTimeoutMs} ms`,
          );
          retryable = idempotent;
          budgetKind = 'timeout';
        } else {
          config.breaker?.recordFailure(gate.probe);
          error = new RecordClientError('ERR_RECORD_NETWORK', `${method} ${path} failed: network error`, {
            cause: outcome.cause,
          });
          retryable = idempotent;
        }

        if (!retryable || retries >= config.retry.limit) throw error;
        let delay: number;
        if (retryAfterMs !== undefined) {
          if (retryAfterMs > config.retry.maxRetryAfterMs) throw error;
          delay = retryAfterMs;
        } else {
          delay = backoffDelay(config.retry, retries);
        }
        if (performance.now() - startedAt + delay >= deadlineMs) throw error;
        if (config.retry.budget && !config.retry.budget.tryAcquire(budgetKind)) throw error;
        if (call !== undefined) {
          retried(
            call,
            attempts,
            outcome.kind === 'attempt-timeout'
              ? 'timeout'
              : outcome.kind !== 'response'
                ? 'network'
                : concurrencyRejection
                  ? 'concurrency'
                  : 'status',
            outcome.kind === 'response' ? outcome.status : undefined,
            delay,
            retryAfterMs !== undefined,
          );
        }
        retries++;
        await sleep(delay, stop);
        if (stop.reason !== undefined) throw stoppedError();
        if (retryHooks !== undefined) {
          let verdict: Record<string, string> | 'stop';
          try {
            verdict = await guard(
              runBeforeRetry(retryHooks, url, method, body, baseHeaders, error, retries),
              stop,
            );
          } catch (cause) {
            if (cause === STOPPED) throw stoppedError();
            throw new RecordClientError('ERR_RECORD_HOOK', `${method} ${path}: a beforeRetry hook failed`, {
              cause: cause instanceof HookFailure ? cause.cause : cause,
            });
          }
          if (verdict === 'stop') throw error;
          baseHeaders = verdict;
        }
      }
    } finally {
      clearTimeout(deadlineTimer);
      if (onCallerAbort) spec.signal?.removeEventListener('abort', onCallerAbort);
    }
  };

  // Runs beforeRetry hooks on the failed attempt's request; answers the headers for the attempts after it.
  const runBeforeRetry = async (
    hooks: NonNullable<RequestHooks['beforeRetry']>,
    url: string,
    method: string,
    body: string | undefined,
    headers: Readonly<Record<string, string>>,
    error: RecordClientError,
    retryCount: number,
  ): Promise<Record<string, string> | 'stop'> => {
    const ky = await loadKy();
    const request = new Request(url, { method, headers, ...(body === undefined ? {} : { body }) });
    const options = { method, headers: request.headers, context: { attempt: retryCount + 1 } };
    for (const hook of hooks) {
      const answer = await hook({ request, options, error, retryCount } as never);
      if (answer === ky.stop) return 'stop';
      if (answer !== undefined) {
        throw new HookFailure(
          new TypeError('beforeRetry may change headers or return ky.stop, nothing else'),
        );
      }
    }
    const kept: Record<string, string> = {};
    for (const [name, value] of request.headers)
      if (name !== 'authorization' && name !== 'cookie') kept[name] = value;
    return kept;
  };

  const send = (spec: RequestSpec): Promise<RawResponse> => {
    if (!callObserved()) return sendCall(spec, undefined);
    const target = spec.url;
    const call: CallEvent = {
      callId: nextCallId(),
      accountId: config.accountId,
      method: spec.method,
      route: routeOf(target.slice(target.indexOf('/', target.indexOf('//') + 2))),
      startTime: epochNow(),
    };
    if (!requestChannel.hasSubscribers) return sendCall(spec, call);
    const startedAt = performance.now();
    let raw: RawResponse | undefined;
    // The traced function resolves to nothing: the channel puts its result on the event, and a body has no place there.
    return requestChannel
      .tracePromise(async () => {
        try {
          raw = await sendCall(spec, call);
        } finally {
          call.durationMs = performance.now() - startedAt;
        }
      }, call)
      .then(() => raw as RawResponse);
  };

  return { send, checkUrl };
}

function retried(
  call: CallEvent,
  attempt: number,
  reason: RetryReason,
  status: number | undefined,
  delayMs: number,
  retryAfter: boolean,
): void {
  if (!retryChannel.hasSubscribers) return;
  retryChannel.publish({
    callId: call.callId,
    accountId: call.accountId,
    method: call.method,
    route: call.route,
    attempt,
    reason,
    status,
    delayMs,
    retryAfter,
  });
}

function parseBody(headers: Headers, text: string, method: string, path: string): unknown {
  if (text.length === 0) return undefined;
  const type = headers.get('content-type') ?? '';
  if (/json/i.test(type) || (type === '' && /^\s*[[{]/.test(text))) {
    try {
      return JSON.parse(text);
    } catch {
      // No cause: the parser's message quotes the body.
      throw new RecordClientError(
        'ERR_RECORD_INVALID_RESPONSE',
        `netsuite sent malformed json to ${method} ${path}`,
      );
    }
  }
  return text;
}
