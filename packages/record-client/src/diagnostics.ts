import { channel, tracingChannel } from 'node:diagnostics_channel';

/**
 * The `node:diagnostics_channel` names the client publishes on. Subscribe with `diagnostics_channel.subscribe(name,
 * listener)` (or `tracingChannel(name).subscribe(handlers)` for {@link recordClientChannels}`.request`). Nothing is
 * built or published while a channel has no subscriber. No event carries a token, a header value other than
 * NetSuite's operation id, a query string or a body. The whole list, with every field: `docs/observability.md`.
 *
 * @example
 * import { subscribe } from 'node:diagnostics_channel';
 * subscribe(recordClientChannels.exchange, (event) => console.log(event.method, event.route, event.status));
 * @see https://nodejs.org/api/diagnostics_channel.html
 */
export const recordClientChannels = Object.freeze({
  /** TracingChannel around one call (every attempt, wait and backoff): {@link RequestEvent}. */
  request: 'netsuite-oauth:record-client:request',
  /** One HTTP exchange (an attempt) as it settles: {@link ExchangeEvent}. */
  exchange: 'netsuite-oauth:record-client:exchange',
  /** A call about to be sent again, and why: {@link RetryEvent}. */
  retry: 'netsuite-oauth:record-client:retry',
  /** A circuit breaker changing state: {@link CircuitEvent}. */
  circuit: 'netsuite-oauth:record-client:circuit',
  /** A concurrency permit (governance slot) taken or given back: {@link GovernanceEvent}. */
  governance: 'netsuite-oauth:record-client:governance',
} as const);

/**
 * The context of the `request` TracingChannel: set at `start`, completed before `asyncEnd` (or `error`, which
 * adds the thrown `RecordClientError` as `error`).
 *
 * @example
 * tracingChannel(recordClientChannels.request).subscribe({ asyncEnd: (e: RequestEvent) => log(e.route, e.status) });
 */
export interface RequestEvent {
  /** Same number on every event of this call. */
  readonly callId: number;
  readonly accountId: string;
  readonly method: string;
  /** The path as a template, ids replaced: `record/v1/customer/{id}`, `query/v1/suiteql`. */
  readonly route: string;
  /** Epoch ms. */
  readonly startTime: number;
  /** Final HTTP status, when a response settled the call. */
  status?: number | undefined;
  /** Attempts sent (a replay after a rejected token is not counted). */
  attempts?: number | undefined;
  /** Wall time of the whole call, ms. */
  durationMs?: number | undefined;
  /** NetSuite's operation id (`X-N-OperationId`) of the last response, when it sent one. */
  netsuiteOperationId?: string | undefined;
  /** Set by the channel on failure. */
  error?: unknown;
}

/**
 * How one attempt ended: a `response` (any status), or no response (`network`, `timeout`, `too-large`, `hook`,
 * `limiter` failing to hand out a permit, `stopped` by the caller's signal or the call's deadline).
 *
 * @example
 * const failedToConnect = (e: ExchangeEvent) => e.outcome === ('network' satisfies ExchangeOutcome);
 */
export type ExchangeOutcome =
  | 'response'
  | 'network'
  | 'timeout'
  | 'too-large'
  | 'hook'
  | 'limiter'
  | 'stopped';

/**
 * One HTTP exchange (one attempt of a call).
 *
 * @example
 * subscribe(recordClientChannels.exchange, (e) => { const x = e as ExchangeEvent; log(x.route, x.status, x.durationMs) });
 */
export interface ExchangeEvent {
  readonly callId: number;
  readonly accountId: string;
  readonly method: string;
  readonly route: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  readonly outcome: ExchangeOutcome;
  /** The response status, when there was one. */
  readonly status: number | undefined;
  /** Time spent waiting for a concurrency permit (governance slot) before sending, ms; 0 when one was free at once. */
  readonly queuedMs: number;
  /** Time from sending to the body read (or the failure), ms; the queue wait not included. */
  readonly durationMs: number;
  /** Epoch ms when the attempt began waiting for its permit. */
  readonly startTime: number;
  /** NetSuite's operation id (`X-N-OperationId`), when the response carried one. */
  readonly netsuiteOperationId: string | undefined;
}

/**
 * Why a call is sent again: `status` (a retryable status such as 502), `concurrency` (429 or
 * `SSS_REQUEST_LIMIT_EXCEEDED`), `timeout`, `network`, or `token-rejected` (a 401: the token was refreshed once).
 *
 * @example
 * const is429 = (e: RetryEvent) => e.reason === ('concurrency' satisfies RetryReason);
 */
export type RetryReason = 'status' | 'concurrency' | 'timeout' | 'network' | 'token-rejected';

/**
 * A call about to be sent again.
 *
 * @example
 * subscribe(recordClientChannels.retry, (e) => { const r = e as RetryEvent; log(r.route, r.reason, r.delayMs) });
 */
export interface RetryEvent {
  readonly callId: number;
  readonly accountId: string;
  readonly method: string;
  readonly route: string;
  /** The attempt that failed. */
  readonly attempt: number;
  readonly reason: RetryReason;
  readonly status: number | undefined;
  /** The wait before the next attempt, ms (0 for `token-rejected`). */
  readonly delayMs: number;
  /** True when the wait is NetSuite's `Retry-After`. */
  readonly retryAfter: boolean;
}

/**
 * A circuit breaker changing state.
 *
 * @example
 * subscribe(recordClientChannels.circuit, (e) => { const c = e as CircuitEvent; alert(`${c.name}: ${c.from} -> ${c.to}`) });
 */
export interface CircuitEvent {
  /** The breaker's `name` option (a client names its own breaker after its account id). */
  readonly name: string | undefined;
  readonly from: 'closed' | 'open' | 'half-open';
  readonly to: 'closed' | 'open' | 'half-open';
}

/**
 * A concurrency permit taken (`acquire`, with how long the call queued for it) or given back (`release`, with
 * how long it was held and what the exchange told the limiter).
 *
 * @example
 * subscribe(recordClientChannels.governance, (e) => { const g = e as GovernanceEvent; if (g.action === 'acquire') hist(g.queuedMs) });
 */
export interface GovernanceEvent {
  readonly callId: number;
  readonly accountId: string;
  readonly action: 'acquire' | 'release';
  /** `acquire`: the wait, ms (0 when a permit was free). */
  readonly queuedMs: number;
  /** `release`: how long the permit was held, ms. */
  readonly heldMs: number;
  /** `release`: `success`, `rejected` (a concurrency rejection) or `neutral`; undefined on `acquire`. */
  readonly outcome: 'success' | 'rejected' | 'neutral' | undefined;
}

export const requestChannel = tracingChannel<unknown, RequestEvent>(recordClientChannels.request);
export const exchangeChannel = channel(recordClientChannels.exchange);
export const retryChannel = channel(recordClientChannels.retry);
export const circuitChannel = channel(recordClientChannels.circuit);
export const governanceChannel = channel(recordClientChannels.governance);

/** True when anyone listens to any per-call channel: only then are ids and routes worked out. */
export function callObserved(): boolean {
  return (
    requestChannel.hasSubscribers ||
    exchangeChannel.hasSubscribers ||
    retryChannel.hasSubscribers ||
    governanceChannel.hasSubscribers
  );
}

let lastCallId = 0;

/** A process-wide call number for the events of one call. */
export function nextCallId(): number {
  lastCallId = lastCallId >= Number.MAX_SAFE_INTEGER ? 1 : lastCallId + 1;
  return lastCallId;
}

/** Epoch ms on the monotonic clock (an injected `now` may be a test's fake clock). */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

const ID_AFTER = new Set(['job', 'task']);

/**
 * The route template of a request path: record ids, sub-record lines and job ids become `{id}`, record types and
 * sublist names stay. `/services/rest/record/v1/customer/647` → `record/v1/customer/{id}`.
 */
export function routeOf(path: string): string {
  const rest = path.startsWith('/services/rest/') ? path.slice('/services/rest/'.length) : path.slice(1);
  const parts = rest.split('/');
  const record = parts[0] === 'record' && parts[2] !== 'metadata-catalog';
  for (let i = 1; i < parts.length; i++) {
    const part = parts[i] as string;
    if (part === '') continue;
    const templated = record
      ? i === 3 || (i === 5 && parts[4] !== '!transform')
      : ID_AFTER.has(parts[i - 1] as string) || /^\d+$/.test(part);
    if (templated) parts[i] = '{id}';
  }
  return parts.join('/');
}
