import ky, { type KyInstance } from 'ky';
import type { CircuitBreaker } from './circuit-breaker.js';
import { parseErrorBody } from './error-body.js';
import { NetSuiteApiError, RecordClientError } from './errors.js';
import type { ConcurrencyLimiter, ConcurrencyPermit } from './limiter.js';
import { backoffDelay, parseRetryAfter, type RetryPolicy } from './retry.js';
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
  /** Marks a request safe to replay whatever its method (SuiteQL reads with POST). */
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
  | { kind: 'stopped' };

const BREAKER_FAILURE_STATUS = new Set([500, 502, 503, 504]);
const CONCURRENCY_CODES = new Set(['CONCURRENCY_LIMIT_EXCEEDED', 'SSS_REQUEST_LIMIT_EXCEEDED']);
const MAX_TIMER_MS = 2_147_483_647;

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Why a call stopped, and who to tell: cheaper than an AbortController per call. */
class CallStop {
  reason: 'caller' | 'deadline' | undefined;
  readonly #handlers = new Set<() => void>();

  stop(reason: 'caller' | 'deadline'): void {
    if (this.reason !== undefined) return;
    this.reason = reason;
    for (const handler of this.#handlers) handler();
    this.#handlers.clear();
  }

  /** Calls `handler` on stop (now, if already stopped); returns a function that forgets it. */
  on(handler: () => void): () => void {
    if (this.reason !== undefined) {
      handler();
      return () => {};
    }
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }
}

function sleep(ms: number, stop: CallStop): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      off();
      resolve();
    }, ms);
    const off = stop.on(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

const STOPPED: unique symbol = Symbol('stopped');

/** Settles with `promise`, or rejects with {@link STOPPED} as soon as the call stops. */
function guard<T>(promise: Promise<T>, stop: CallStop): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const off = stop.on(() => {
      promise.catch(() => {});
      reject(STOPPED);
    });
    promise.then(
      (value) => {
        off();
        resolve(value);
      },
      (error: unknown) => {
        off();
        reject(error);
      },
    );
  });
}

async function releasePermit(permit: ConcurrencyPermit): Promise<void> {
  try {
    await permit.release();
  } catch {
    // A shared limiter that cannot record a release lets the lease expire instead; the request itself settled.
  }
}

/** Creates the transport. */
export function createTransport(config: TransportConfig): Transport {
  const http: KyInstance = ky.create({
    retry: 0,
    timeout: false,
    throwHttpErrors: false,
    redirect: 'manual',
  });

  const originPrefixes = [...config.origins].map((origin) => `${origin}/`);

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

  const send = async (spec: RequestSpec): Promise<RawResponse> => {
    // URLs reach here built from the configured endpoints, or checked by checkUrl when they come from a
    // response; a cheap prefix test (rather than a parse per request) keeps the token on the configured origins.
    const target = spec.url;
    if (!originPrefixes.some((prefix) => target.startsWith(prefix)) || /[?#]/.test(target)) {
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
    const baseHeaders: Record<string, string> = {
      accept: 'application/json',
      ...config.headers,
      ...spec.headers,
    };
    if (body !== undefined) baseHeaders['content-type'] = 'application/json';
    if (spec.idempotencyKey !== undefined) baseHeaders['x-netsuite-idempotency-key'] = spec.idempotencyKey;
    const idempotent =
      spec.idempotent === true || config.retry.methods.has(method) || spec.idempotencyKey !== undefined;
    const attemptTimeoutMs = spec.timeoutMs ?? config.timeoutMs;
    const deadlineMs = spec.deadlineMs ?? config.deadlineMs;

    if (spec.signal?.aborted) {
      throw new RecordClientError('ERR_RECORD_ABORTED', 'request aborted by the caller', {
        cause: spec.signal.reason,
      });
    }
    // The caller's signal or the total deadline stop everything: queueing, the token, the attempt, the backoff.
    // Plain callbacks rather than another AbortController keep the per-request cost low.
    const stop = new CallStop();
    const onCallerAbort = () => stop.stop('caller');
    spec.signal?.addEventListener('abort', onCallerAbort, { once: true });
    const startedAt = Date.now();
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

    // Settles on the response, a network error, its own timeout or a stop of the call, whichever comes first, so
    // an injected fetch that ignores its signal still cannot outlive the timeout or the deadline.
    const attempt = (accessToken: string, controller: AbortController): Promise<AttemptOutcome> =>
      new Promise<AttemptOutcome>((resolve) => {
        let settled = false;
        const finish = (outcome: AttemptOutcome) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          offStop();
          resolve(outcome);
        };
        const timer = setTimeout(
          () => {
            controller.abort();
            finish({ kind: 'attempt-timeout', cause: undefined });
          },
          Math.min(attemptTimeoutMs, MAX_TIMER_MS),
        );
        const offStop = stop.on(() => finish({ kind: 'stopped' }));
        http(url, {
          method,
          headers: { ...baseHeaders, authorization: `Bearer ${accessToken}` },
          ...(body === undefined ? {} : { body }),
          // The signal goes to fetch itself rather than through ky, which would combine it with its own
          // (AbortSignal.any) on every request.
          // Resolved per call, so a fetch patched after the client was made (test tools do this) is used.
          fetch: (input, init) =>
            (config.fetch ?? globalThis.fetch)(input, { ...init, signal: controller.signal }),
        })
          .then(async (response) => {
            const text = await response.text();
            finish({ kind: 'response', status: response.status, headers: response.headers, text });
          })
          .catch((cause: unknown) =>
            finish(stop.reason !== undefined ? { kind: 'stopped' } : { kind: 'network', cause }),
          );
      });

    try {
      let attempts = 0;
      let retries = 0;
      let refreshedOnce = false;
      for (;;) {
        attempts++;
        const gate = config.breaker ? config.breaker.enter() : { probe: false };
        let outcome: AttemptOutcome;
        let permit: ConcurrencyPermit | undefined;
        // One controller per attempt: the limiter's wait and the fetch; a stop of the call aborts it.
        const controller = new AbortController();
        const offStop = stop.on(() => controller.abort());
        try {
          // The token first, outside the permit: a slow token endpoint must not hold NetSuite concurrency.
          try {
            token = await guard(config.token.get(), stop);
          } catch (error) {
            if (error === STOPPED) throw stoppedError();
            throw error;
          }
          if (config.limiter) {
            const acquiring = config.limiter.acquire({ signal: controller.signal });
            try {
              permit = await guard(acquiring, stop);
            } catch (cause) {
              if (stop.reason !== undefined) {
                // A limiter that hands out the permit after all gets it straight back.
                acquiring.then(releasePermit, () => {});
                throw stoppedError(cause === STOPPED ? undefined : cause);
              }
              throw new RecordClientError(
                'ERR_RECORD_LIMITER',
                'the concurrency limiter failed to hand out a permit',
                {
                  cause,
                },
              );
            }
          }
          outcome = await attempt(token, controller);
        } catch (error) {
          config.breaker?.recordNeutral(gate.probe);
          throw error;
        } finally {
          offStop();
          if (permit) await releasePermit(permit);
        }

        if (outcome.kind === 'stopped') {
          config.breaker?.recordNeutral(gate.probe);
          throw stoppedError();
        }

        let error: RecordClientError;
        let retryable = false;
        let retryAfterMs: number | undefined;
        let budgetKind: 'retry' | 'timeout' = 'retry';
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
        if (Date.now() - startedAt + delay >= deadlineMs) throw error;
        if (config.retry.budget && !config.retry.budget.tryAcquire(budgetKind)) throw error;
        retries++;
        await sleep(delay, stop);
        if (stop.reason !== undefined) throw stoppedError();
      }
    } finally {
      clearTimeout(deadlineTimer);
      spec.signal?.removeEventListener('abort', onCallerAbort);
    }
  };

  return { send, checkUrl };
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
