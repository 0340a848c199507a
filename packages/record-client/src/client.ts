import { netsuiteEndpoints } from '@netsuite-oauth/core';
import { type BatchApi, createBatchApi } from './batch.js';
import { type CircuitBreaker, type CircuitBreakerOptions, createCircuitBreaker } from './circuit-breaker.js';
import { RecordClientError } from './errors.js';
import { createExport, type ExportRowsOptions, type ExportRun } from './export.js';
import { type AccountGovernance, type GovernanceLimits, isAccountGovernance } from './governance.js';
import { checkHooks, type RequestHooks } from './hooks.js';
import {
  type ConcurrencyLimiter,
  type ConcurrencyLimiterOptions,
  createConcurrencyLimiter,
} from './limiter.js';
import { createRecordsApi, type RecordsApi } from './records.js';
import { createRestlet, type RestletRequest } from './restlet.js';
import { type RetryOptions, resolveRetryPolicy } from './retry.js';
import {
  createSuiteQL,
  createSuiteQLByKey,
  type SuiteQLByKeyOptions,
  type SuiteQLOptions,
  type SuiteQLRow,
} from './suiteql.js';
import { resolveTokenSource, type TokenSource } from './token.js';
import { createTransport, type Transport } from './transport.js';
import { checkSignal } from './validate.js';

/**
 * Options of {@link createNetSuiteClient}.
 *
 * @example
 * const options: NetSuiteClientOptions = { accountId: '1234567_SB1', token, concurrency: 5, timeoutMs: 30_000 }
 */
export interface NetSuiteClientOptions {
  /** The account id, e.g. `1234567_SB1`. */
  readonly accountId: string;
  /** Serve every NetSuite host from this origin (the emulator, a proxy). */
  readonly origin?: string | URL;
  /** Allow an `http:` loopback `origin`. @default false */
  readonly allowInsecureLoopback?: boolean;
  /** Where bearer tokens come from: a function or an object with getAccessToken()/invalidate(). */
  readonly token: TokenSource;
  /**
   * The concurrency budget: a number sizes an in-process limiter, {@link ConcurrencyLimiterOptions} make one
   * (`{ limit: 20, adaptive: true }` for an adaptive one), or pass a {@link ConcurrencyLimiter} (shared
   * in-process, or `redisConcurrencyLimiter()` across processes), or an {@link AccountGovernance} from
   * `createAccountGovernance()` (the account's shared limiter, sized from configuration or NetSuite's
   * `governanceLimits`). `false` for none.
   * @default 5 (NetSuite's limit for Standard and development accounts)
   */
  readonly concurrency?: number | ConcurrencyLimiterOptions | ConcurrencyLimiter | AccountGovernance | false;
  /** Retry settings; `false` disables retries. */
  readonly retry?: RetryOptions | false;
  /** Per-attempt timeout. @default 30000 */
  readonly timeoutMs?: number;
  /** Total deadline of one call: queueing, attempts and backoff. @default 120000 */
  readonly deadlineMs?: number;
  /** Circuit breaker settings or instance; `false` for none. @default createCircuitBreaker() */
  readonly circuitBreaker?: CircuitBreakerOptions | CircuitBreaker | false;
  /** Extra headers on every request (e.g. `X-NetSuite-PropertyNameValidation`). Not `authorization`. */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * ky `beforeRequest` / `afterResponse` hooks run around every attempt (see {@link RequestHooks}). Without hooks
   * requests go straight to `fetch` and ky is never loaded; with them, ky (loaded on the first request) runs each
   * attempt, which costs some client CPU per request (bench `record-get` suite).
   */
  readonly hooks?: RequestHooks;
  /**
   * Largest response body read, in bytes after decoding (a gzip body is counted as it inflates); a larger one
   * fails with `ERR_RECORD_RESPONSE_TOO_LARGE`. Fits a record with many sublist lines and a full SuiteQL page
   * (1000 rows); raise it for very wide rows or large RESTlet payloads. @default 33554432 (32 MiB)
   */
  readonly maxResponseBytes?: number;
  /** fetch implementation. @default globalThis.fetch */
  readonly fetch?: typeof globalThis.fetch;
  /** Clock, for `Retry-After` dates and the circuit breaker. @default Date.now */
  readonly now?: () => number;
}

/**
 * A NetSuite REST client for one account.
 *
 * @example
 * const client: NetSuiteClient = createNetSuiteClient({ accountId: '1234567', token })
 */
export interface NetSuiteClient {
  /** The account id, normalised. */
  readonly accountId: string;
  /** The REST Record API. */
  readonly records: RecordsApi;
  /**
   * Batch operations (2026.1 REST batch): create, update, upsert, delete and get any number of records in chunks
   * of up to 100, within the concurrency limit, results in input order, resumable.
   * @example for await (const r of client.batch.create('customer', rows)) if (!r.ok) console.error(r.error.detail);
   */
  readonly batch: BatchApi;
  /**
   * Exports a table's rows in key order with a parallel keyset reader over SuiteQL, every concurrency slot busy,
   * memory flat.
   * @example for await (const row of client.exportRows({ from: 'customer', columns: ['id', 'email'] })) {}
   */
  exportRows<Row extends SuiteQLRow = SuiteQLRow>(options: ExportRowsOptions): ExportRun<Row>;
  /**
   * Runs a SuiteQL query and streams its rows, page after page, with `?` parameters bound by NetSuite.
   * @example for await (const row of client.suiteql('SELECT id, email FROM customer WHERE id > ?', { params: [100] })) {}
   */
  suiteql<Row extends SuiteQLRow = SuiteQLRow>(query: string, options?: SuiteQLOptions): AsyncIterable<Row>;
  /**
   * Streams any number of rows past NetSuite's 100,000-row cap, paging by a strictly increasing key.
   * The query's last `?` takes the key: `SELECT id, email FROM customer WHERE id > ? ORDER BY id ASC`.
   * @example for await (const row of client.suiteqlByKey('SELECT id FROM transaction WHERE id > ? ORDER BY id ASC', { key: 'id' })) {}
   */
  suiteqlByKey<Row extends SuiteQLRow = SuiteQLRow>(
    query: string,
    options: SuiteQLByKeyOptions,
  ): AsyncIterable<Row>;
  /**
   * Calls a RESTlet deployment.
   * @example const out = await client.restlet({ script: 'customscript_x', deploy: 'customdeploy_x', method: 'POST', body: { a: 1 } });
   */
  restlet<T = unknown>(request: RestletRequest): Promise<T>;
  /**
   * Reads the account's concurrency limits (`GET /services/rest/system/v1/governanceLimits`, administrators only),
   * to size a limiter from the account rather than from configuration.
   * @example
   * const { integrationConcurrencyLimit } = await client.governanceLimits();
   * const shared = createConcurrencyLimiter(integrationConcurrencyLimit);
   * @see https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/article_0625010817.html
   */
  governanceLimits(options?: { signal?: AbortSignal }): Promise<GovernanceLimits>;
}

function positive(value: unknown, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new RecordClientError('ERR_RECORD_INVALID_OPTION', `${name} must be a positive number`);
  }
  return value;
}

/**
 * Creates a client for NetSuite's REST Record API, SuiteQL and RESTlets that stays within the account's
 * concurrency governance: a concurrency limiter, retries with full-jitter backoff on 429 / 502 / 503 / 504 /
 * `SSS_REQUEST_LIMIT_EXCEEDED` / network errors (idempotent requests only), `Retry-After`, a retry budget,
 * timeouts, one token refresh on 401, and a circuit breaker.
 *
 * @example
 * const client = createNetSuiteClient({ accountId: '1234567_SB1', token: tokenManager, concurrency: 5 });
 * const customer = await client.records.get('customer', '647');
 * for await (const row of client.suiteql('SELECT id FROM customer WHERE email LIKE ?', { params: ['%@acme.com'] })) {}
 * @throws {RecordClientError} `ERR_RECORD_INVALID_OPTION` for bad options; `NetSuiteConfigError` for a bad account id or origin.
 * @see https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1540391670.html
 */
export function createNetSuiteClient(options: NetSuiteClientOptions): NetSuiteClient {
  if (options === null || typeof options !== 'object') {
    throw new RecordClientError('ERR_RECORD_INVALID_OPTION', 'options must be an object');
  }
  const endpoints = netsuiteEndpoints(options.accountId, {
    ...(options.origin === undefined ? {} : { origin: options.origin }),
    allowInsecureLoopback: options.allowInsecureLoopback === true,
  });
  const token = resolveTokenSource(options.token);
  let limiter: ConcurrencyLimiter | undefined;
  // The governance call that sizes an account's limiter cannot take a permit of the limiter it sizes: the
  // governance sends it under a one-permit-wide budget of the account instead.
  let unlimitedTransport: Transport | undefined;
  const concurrency = options.concurrency ?? 5;
  if (typeof concurrency === 'number') limiter = createConcurrencyLimiter(concurrency);
  else if (isAccountGovernance(concurrency)) {
    limiter = concurrency.forAccount(endpoints.accountId, (signal) =>
      readGovernanceLimits(unlimitedTransport as Transport, endpoints.systemUrl, signal),
    );
  } else if (concurrency === false) limiter = undefined;
  else if (
    concurrency !== null &&
    typeof concurrency === 'object' &&
    typeof (concurrency as Partial<ConcurrencyLimiter>).acquire === 'function'
  ) {
    limiter = concurrency as ConcurrencyLimiter;
  } else if (concurrency !== null && typeof concurrency === 'object' && 'limit' in concurrency) {
    limiter = createConcurrencyLimiter(concurrency);
  } else {
    throw new RecordClientError(
      'ERR_RECORD_INVALID_OPTION',
      'concurrency must be a number, limiter options, a limiter or false',
    );
  }
  const now = options.now ?? Date.now;
  if (typeof now !== 'function')
    throw new RecordClientError('ERR_RECORD_INVALID_OPTION', 'now must be a function');
  if (options.fetch !== undefined && typeof options.fetch !== 'function') {
    throw new RecordClientError('ERR_RECORD_INVALID_OPTION', 'fetch must be a function');
  }
  let breaker: CircuitBreaker | undefined;
  const cb = options.circuitBreaker;
  if (cb === false) breaker = undefined;
  else if (cb !== undefined && cb !== null && typeof (cb as CircuitBreaker).enter === 'function') {
    breaker = cb as CircuitBreaker;
  } else if (cb === undefined || (cb !== null && typeof cb === 'object')) {
    breaker = createCircuitBreaker({
      now,
      name: endpoints.accountId,
      ...(cb as CircuitBreakerOptions | undefined),
    });
  } else {
    throw new RecordClientError('ERR_RECORD_INVALID_OPTION', 'circuitBreaker must be an object or false');
  }
  const headers: Record<string, string> = {};
  if (options.headers !== undefined) {
    if (options.headers === null || typeof options.headers !== 'object') {
      throw new RecordClientError('ERR_RECORD_INVALID_OPTION', 'headers must be an object of strings');
    }
    for (const [name, value] of Object.entries(options.headers)) {
      const lower = name.toLowerCase();
      if (typeof value !== 'string' || !/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name) || /[\r\n]/.test(value)) {
        throw new RecordClientError('ERR_RECORD_INVALID_OPTION', 'headers must be an object of strings');
      }
      if (lower === 'authorization' || lower === 'cookie') {
        throw new RecordClientError('ERR_RECORD_INVALID_OPTION', `headers must not set ${lower}: use token`);
      }
      headers[lower] = value;
    }
  }
  const transportConfig = {
    accountId: endpoints.accountId,
    origins: new Set([new URL(endpoints.restOrigin).origin, new URL(endpoints.restletOrigin).origin]),
    token,
    limiter,
    retry: resolveRetryPolicy(options.retry),
    breaker,
    timeoutMs: positive(options.timeoutMs, 30_000, 'timeoutMs'),
    deadlineMs: positive(options.deadlineMs, 120_000, 'deadlineMs'),
    fetch: options.fetch,
    now,
    headers,
    maxResponseBytes: positive(options.maxResponseBytes, 32 * 1024 * 1024, 'maxResponseBytes'),
    hooks: checkHooks(options.hooks),
  };
  const transport = createTransport(transportConfig);
  unlimitedTransport = limiter ? createTransport({ ...transportConfig, limiter: undefined }) : transport;
  const suiteql = createSuiteQL(transport, endpoints.suiteqlUrl);
  const suiteqlByKey = createSuiteQLByKey(transport, endpoints.suiteqlUrl);
  const restlet = createRestlet(transport, endpoints.restletUrl);
  return {
    accountId: endpoints.accountId,
    records: createRecordsApi({
      transport,
      recordUrl: endpoints.recordUrl,
      restOrigin: endpoints.restOrigin,
    }),
    batch: createBatchApi({
      transport,
      // A batch chunk sends its submission under the permit its job then holds.
      unlimited: unlimitedTransport,
      limiter,
      recordUrl: endpoints.recordUrl,
      restOrigin: endpoints.restOrigin,
    }),
    exportRows: createExport(transport, endpoints.suiteqlUrl, limiter),
    suiteql,
    suiteqlByKey,
    restlet,
    governanceLimits(callOptions) {
      return readGovernanceLimits(transport, endpoints.systemUrl, checkSignal(callOptions?.signal));
    },
  };
}

/** `GET …/system/v1/governanceLimits`, checked (article_0625010817). */
async function readGovernanceLimits(
  transport: Transport,
  systemUrl: string,
  signal: AbortSignal | undefined,
): Promise<GovernanceLimits> {
  const response = await transport.send({ method: 'GET', url: `${systemUrl}/governanceLimits`, signal });
  const body = response.body as Record<string, unknown> | undefined;
  const account = body?.accountConcurrencyLimit;
  const integration = body?.integrationConcurrencyLimit ?? account;
  if (
    typeof account !== 'number' ||
    !Number.isSafeInteger(account) ||
    account < 1 ||
    typeof integration !== 'number' ||
    !Number.isSafeInteger(integration) ||
    integration < 1
  ) {
    throw new RecordClientError(
      'ERR_RECORD_INVALID_RESPONSE',
      'netsuite sent governance limits without positive integers',
    );
  }
  const unallocated = body?.accountUnallocatedConcurrencyLimit;
  const type = body?.integrationLimitType;
  return {
    accountConcurrencyLimit: account,
    accountUnallocatedConcurrencyLimit: typeof unallocated === 'number' ? unallocated : undefined,
    integrationConcurrencyLimit: integration,
    integrationLimitType: typeof type === 'string' ? type : undefined,
  };
}
