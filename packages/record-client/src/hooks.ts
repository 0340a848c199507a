import type { AfterResponseHook, BeforeRequestHook, BeforeRetryHook, KyInstance } from 'ky';
import { RecordClientError } from './errors.js';

/**
 * [ky](https://github.com/sindresorhus/ky) hooks. With `beforeRequest` or `afterResponse` hooks, each attempt of
 * every request of the client is one ky call; without any hook, ky is never loaded and requests go to `fetch`
 * directly.
 *
 * - `beforeRequest(request, options, state)`: sees the `Request` about to be sent (method, URL, headers with the
 *   bearer token, JSON body). It may change its headers, return another `Request` (on one of the client's
 *   origins: any other is refused before it is sent) or return a `Response` to answer without a request.
 * - `afterResponse(request, options, response, state)`: sees each response, its body already read and capped by
 *   the client, and may return another `Response` to use instead.
 *
 * - `beforeRetry({ request, options, error, retryCount })`: runs before each retry, after its wait, as in ky.
 *   `request` is the failed attempt's request without the `Authorization` header, `error` the `RecordClientError`
 *   (a `NetSuiteApiError` with `status` for a response), `retryCount` 1 for the first retry. Headers it sets are sent
 *   on every later attempt (not `authorization`: the token source owns it); returning `ky.stop` ends the retries and
 *   the call fails with `error`. Not run for the one replay after a 401 (that is a token refresh, not a retry).
 *
 * Retries stay the client's own (with its limiter, budget and circuit breaker), so ky's `state.retryCount` in
 * `beforeRequest` is always 0: `options.context.attempt` is the attempt number (1, 2, …). Returning `ky.retry()`
 * from a hook, or a `Request`/`Response` from `beforeRetry`, is refused like any other hook failure.
 *
 * @example
 * const client = createNetSuiteClient({ accountId, token, hooks: {
 *   beforeRequest: [(request) => { request.headers.set('x-correlation-id', crypto.randomUUID()); }],
 *   afterResponse: [(request, _options, response) => { log(request.method, request.url, response.status); }],
 * } });
 * @see https://github.com/sindresorhus/ky#hooks
 */
export interface RequestHooks {
  readonly beforeRequest?: readonly BeforeRequestHook[] | undefined;
  readonly afterResponse?: readonly AfterResponseHook[] | undefined;
  readonly beforeRetry?: readonly BeforeRetryHook[] | undefined;
}

const HOOK_NAMES = new Set(['beforeRequest', 'afterResponse', 'beforeRetry']);

/** Checks the `hooks` option; undefined when there are no hooks at all. */
export function checkHooks(value: unknown): RequestHooks | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new RecordClientError(
      'ERR_RECORD_INVALID_OPTION',
      'hooks must be an object with beforeRequest, afterResponse and/or beforeRetry arrays',
    );
  }
  let count = 0;
  for (const [name, list] of Object.entries(value)) {
    if (!HOOK_NAMES.has(name)) {
      throw new RecordClientError(
        'ERR_RECORD_INVALID_OPTION',
        `hooks.${name.slice(0, 40)} is not supported: only beforeRequest, afterResponse and beforeRetry`,
      );
    }
    if (list === undefined) continue;
    if (!Array.isArray(list) || !list.every((hook) => typeof hook === 'function')) {
      throw new RecordClientError('ERR_RECORD_INVALID_OPTION', `hooks.${name} must be an array of functions`);
    }
    count += list.length;
  }
  if (count === 0) return undefined;
  const hooks = value as RequestHooks;
  return Object.freeze({
    beforeRequest: Object.freeze([...(hooks.beforeRequest ?? [])]),
    afterResponse: Object.freeze([...(hooks.afterResponse ?? [])]),
    beforeRetry: Object.freeze([...(hooks.beforeRetry ?? [])]),
  });
}

/** True when ky must run each attempt (beforeRetry alone runs outside the attempt). */
export function hasAttemptHooks(hooks: RequestHooks | undefined): boolean {
  return (hooks?.beforeRequest?.length ?? 0) + (hooks?.afterResponse?.length ?? 0) > 0;
}

let loading: Promise<KyInstance> | undefined;

/**
 * ky, loaded on first use (only clients with hooks need it) and set up as a request runner: no retry, no
 * timeout, no throw on status and no redirect followed (the client's own policy covers all four).
 */
export function loadKy(): Promise<KyInstance> {
  loading ??= import('ky').then(
    (module) =>
      module.default.create({ retry: 0, timeout: false, throwHttpErrors: false, redirect: 'manual' }),
    (cause: unknown) => {
      loading = undefined;
      throw cause;
    },
  );
  return loading;
}
