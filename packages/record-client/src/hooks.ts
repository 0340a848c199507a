import type { AfterResponseHook, BeforeRequestHook, KyInstance } from 'ky';
import { RecordClientError } from './errors.js';

/**
 * [ky](https://github.com/sindresorhus/ky) hooks, run by ky around every attempt of every request of a client.
 * With hooks, each attempt is one ky call; without them, ky is never loaded and requests go to `fetch` directly.
 *
 * - `beforeRequest(request, options, state)`: sees the `Request` about to be sent (method, URL, headers with the
 *   bearer token, JSON body). It may change its headers, return another `Request` (on one of the client's
 *   origins: any other is refused before it is sent) or return a `Response` to answer without a request.
 * - `afterResponse(request, options, response, state)`: sees each response, its body already read and capped by
 *   the client, and may return another `Response` to use instead.
 *
 * Retries stay the client's own (with its limiter, budget and circuit breaker), so ky's `state.retryCount` is
 * always 0: `options.context.attempt` is the attempt number (1, 2, …). Returning `ky.retry()` from a hook is
 * refused like any other hook failure.
 *
 * @example
 * const client = createNetSuiteClient({ accountId, token, hooks: {
 *   beforeRequest: [(request) => { request.headers.set('x-correlation-id', crypto.randomUUID()); }],
 *   afterResponse: [(request, _options, response) => { log(request.method, request.url, response.status); }],
 * } });
 * @see https://github.com/sindresorhus/ky#hooks
 */
export interface RequestHooks {
  readonly beforeRequest?: readonly BeforeRequestHook[];
  readonly afterResponse?: readonly AfterResponseHook[];
}

const HOOK_NAMES = new Set(['beforeRequest', 'afterResponse']);

/** Checks the `hooks` option; undefined when there are no hooks at all. */
export function checkHooks(value: unknown): RequestHooks | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new RecordClientError(
      'ERR_RECORD_INVALID_OPTION',
      'hooks must be an object with beforeRequest and/or afterResponse arrays',
    );
  }
  let count = 0;
  for (const [name, list] of Object.entries(value)) {
    if (!HOOK_NAMES.has(name)) {
      throw new RecordClientError(
        'ERR_RECORD_INVALID_OPTION',
        `hooks.${name.slice(0, 40)} is not supported: only beforeRequest and afterResponse`,
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
  });
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
