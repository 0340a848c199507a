import { channel, type TracingChannel, tracingChannel } from 'node:diagnostics_channel';
import {
  type Attributes,
  type Counter,
  type Histogram,
  type MeterProvider,
  metrics,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import { OtelBridgeError } from './errors.js';

/** The channel names of record-client, oauth-flows and governance-redis (`docs/observability.md`). */
const CHANNELS = {
  request: 'netsuite-oauth:record-client:request',
  exchange: 'netsuite-oauth:record-client:exchange',
  retry: 'netsuite-oauth:record-client:retry',
  circuit: 'netsuite-oauth:record-client:circuit',
  token: 'netsuite-oauth:oauth-flows:token',
  authorization: 'netsuite-oauth:oauth-flows:exchange',
  lease: 'netsuite-oauth:governance-redis:lease',
} as const;

/** The instrumentation scope name of every span and metric. */
export const INSTRUMENTATION_SCOPE = '@netsuite-oauth/otel';

/**
 * Options of {@link instrumentNetSuite}.
 *
 * @example
 * instrumentNetSuite({ tracerProvider: provider, meterProvider, spans: true, metrics: true })
 */
export interface InstrumentNetSuiteOptions {
  /** Where spans go. @default the global tracer provider (`trace.getTracerProvider()`) */
  readonly tracerProvider?: TracerProvider | undefined;
  /** Where metrics go. @default the global meter provider (`metrics.getMeterProvider()`) */
  readonly meterProvider?: MeterProvider | undefined;
  /** Make spans. @default true */
  readonly spans?: boolean | undefined;
  /** Record metrics. @default true */
  readonly metrics?: boolean | undefined;
}

/**
 * A running bridge; {@link NetSuiteInstrumentation.disable} unsubscribes it.
 *
 * @example
 * const instrumentation = instrumentNetSuite(); process.on('SIGTERM', () => instrumentation.disable());
 */
export interface NetSuiteInstrumentation {
  /** Stops listening; spans already started end with their calls. Idempotent. */
  disable(): void;
}

/** What the bridge reads from record-client's request event (a structural copy of its `RequestEvent`). */
interface RequestLike {
  readonly callId: number;
  readonly accountId: string;
  readonly method: string;
  readonly route: string;
  readonly startTime: number;
  readonly status?: number | undefined;
  readonly attempts?: number | undefined;
  readonly durationMs?: number | undefined;
  readonly netsuiteOperationId?: string | undefined;
  readonly error?: unknown;
}

interface ExchangeLike {
  readonly callId: number;
  readonly accountId: string;
  readonly method: string;
  readonly route: string;
  readonly attempt: number;
  readonly outcome: string;
  readonly status: number | undefined;
  readonly queuedMs: number;
  readonly durationMs: number;
  readonly netsuiteOperationId: string | undefined;
}

interface RetryLike {
  readonly callId: number;
  readonly attempt: number;
  readonly reason: string;
  readonly status: number | undefined;
  readonly delayMs: number;
}

interface CircuitLike {
  readonly name: string | undefined;
  readonly from: string;
  readonly to: string;
}

interface TokenLike {
  readonly key: string;
  readonly grant: string;
  readonly background: boolean;
  readonly startTime: number;
  readonly source?: string | undefined;
  readonly durationMs?: number | undefined;
  readonly error?: unknown;
}

interface AuthorizationLike {
  readonly endpoint: string;
  readonly grant: string | undefined;
  readonly method: string;
  readonly host: string;
  readonly path: string;
  readonly startTime: number;
  readonly status?: number | undefined;
  readonly durationMs?: number | undefined;
  readonly error?: unknown;
}

interface LeaseLike {
  readonly key: string;
  readonly action: string;
}

/** What the bridge listens to on a TracingChannel. */
interface TracedHandlers {
  start(message: unknown): void;
  asyncEnd(message: unknown): void;
}

const codeOf = (error: unknown): string =>
  typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : 'unknown';

/**
 * Turns the diagnostics events of record-client, oauth-flows and governance-redis into OpenTelemetry spans and
 * metrics. Spans: one CLIENT span per record-client call (`GET record/v1/customer/{id}`, with an `attempt` event per
 * HTTP exchange and a `retry` event per retry), one span per token acquisition and one CLIENT span per request to
 * the token or revocation endpoint (`POST token`, also from one-request flows). Metrics: request duration
 * per route, token and revocation endpoint duration, requests in flight per account, 429 responses, governance queue time, token refreshes, circuit
 * breaker transitions and lost Redis leases. No attribute carries a token, a secret or a body.
 *
 * @example
 * import { instrumentNetSuite } from '@netsuite-oauth/otel';
 * const instrumentation = instrumentNetSuite(); // after the OpenTelemetry SDK is started
 * @throws {OtelBridgeError} `ERR_OTEL_INVALID_OPTION` for options that are not an object or providers without
 * `getTracer` / `getMeter`.
 * @see https://opentelemetry.io/docs/specs/semconv/http/http-spans/
 */
export function instrumentNetSuite(options: InstrumentNetSuiteOptions = {}): NetSuiteInstrumentation {
  if (options === null || typeof options !== 'object') {
    throw new OtelBridgeError('ERR_OTEL_INVALID_OPTION', 'options must be an object');
  }
  const tracerProvider = options.tracerProvider ?? trace.getTracerProvider();
  const meterProvider = options.meterProvider ?? metrics.getMeterProvider();
  if (typeof tracerProvider?.getTracer !== 'function') {
    throw new OtelBridgeError('ERR_OTEL_INVALID_OPTION', 'tracerProvider must have getTracer()');
  }
  if (typeof meterProvider?.getMeter !== 'function') {
    throw new OtelBridgeError('ERR_OTEL_INVALID_OPTION', 'meterProvider must have getMeter()');
  }
  const withSpans = options.spans ?? true;
  const withMetrics = options.metrics ?? true;
  const tracer = tracerProvider.getTracer(INSTRUMENTATION_SCOPE);
  const meter = meterProvider.getMeter(INSTRUMENTATION_SCOPE);

  let duration: Histogram | undefined;
  // Calls in flight per account: plain counts, reported when metrics are collected (no SDK call per request).
  const inFlight = new Map<string, number>();
  let throttled: Counter | undefined;
  let queued: Histogram | undefined;
  let tokens: Counter | undefined;
  let authorization: Histogram | undefined;
  let circuits: Counter | undefined;
  let leasesLost: Counter | undefined;
  if (withMetrics) {
    duration = meter.createHistogram('netsuite.client.request.duration', {
      description: 'Duration of NetSuite calls (every attempt, permit wait and backoff)',
      unit: 's',
    });
    const active = meter.createObservableUpDownCounter('netsuite.client.active_requests', {
      description: 'NetSuite calls in flight, per account',
      unit: '{request}',
    });
    active.addCallback((result) => {
      for (const [accountId, count] of inFlight) result.observe(count, accountOf(accountId));
    });
    throttled = meter.createCounter('netsuite.client.throttled', {
      description: 'NetSuite responses with HTTP 429 (concurrency limit exceeded)',
      unit: '{response}',
    });
    queued = meter.createHistogram('netsuite.governance.queue.duration', {
      description:
        'Time an attempt waited for a concurrency permit (governance slot), for attempts that had to wait',
      unit: 's',
    });
    tokens = meter.createCounter('netsuite.token.acquisitions', {
      description: 'Token acquisitions and refreshes (cache misses), by grant, source and outcome',
      unit: '{acquisition}',
    });
    authorization = meter.createHistogram('netsuite.oauth.request.duration', {
      description:
        'Duration of requests to the token and revocation endpoints, by endpoint, grant and status',
      unit: 's',
    });
    circuits = meter.createCounter('netsuite.circuit.transitions', {
      description: 'Circuit breaker state changes',
      unit: '{transition}',
    });
    leasesLost = meter.createCounter('netsuite.governance.leases_lost', {
      description: 'Redis concurrency leases that expired while their request still ran',
      unit: '{lease}',
    });
  }

  // Spans of calls in flight, by call id (the exchange and retry events name the call by id).
  const calls = new Map<number, Span>();
  const tokenSpans = new WeakMap<object, Span>();
  const accountAttrs = new Map<string, Attributes>();
  const accountOf = (accountId: string): Attributes => {
    let attrs = accountAttrs.get(accountId);
    if (attrs === undefined) {
      attrs = { 'netsuite.account_id': accountId };
      if (accountAttrs.size < 1000) accountAttrs.set(accountId, attrs);
    }
    return attrs;
  };

  const request = tracingChannel(CHANNELS.request);
  const requestHandlers: TracedHandlers = {
    start(message: unknown) {
      const event = message as RequestLike;
      if (withMetrics) inFlight.set(event.accountId, (inFlight.get(event.accountId) ?? 0) + 1);
      if (!withSpans) return;
      calls.set(
        event.callId,
        tracer.startSpan(`${event.method} ${event.route}`, {
          kind: SpanKind.CLIENT,
          startTime: event.startTime,
          attributes: {
            'http.request.method': event.method,
            'url.template': event.route,
            'netsuite.account_id': event.accountId,
          },
        }),
      );
    },
    asyncEnd(message: unknown) {
      const event = message as RequestLike;
      const failed = event.error !== undefined;
      if (withMetrics) inFlight.set(event.accountId, (inFlight.get(event.accountId) ?? 1) - 1);
      if (duration !== undefined) {
        const attrs: Attributes = {
          'netsuite.account_id': event.accountId,
          'http.request.method': event.method,
          'url.template': event.route,
        };
        if (event.status !== undefined) attrs['http.response.status_code'] = event.status;
        if (failed) attrs['error.type'] = codeOf(event.error);
        duration.record((event.durationMs ?? 0) / 1000, attrs);
      }
      const span = calls.get(event.callId);
      if (span === undefined) return;
      calls.delete(event.callId);
      const attrs: Attributes = { 'netsuite.attempts': event.attempts ?? 0 };
      if (event.status !== undefined) attrs['http.response.status_code'] = event.status;
      if (event.netsuiteOperationId !== undefined) attrs['netsuite.operation_id'] = event.netsuiteOperationId;
      span.setAttributes(attrs);
      if (failed) {
        // The error's code only: its message may quote NetSuite's error detail.
        span.setAttribute('error.type', codeOf(event.error));
        span.setStatus({ code: SpanStatusCode.ERROR, message: codeOf(event.error) });
      }
      span.end(event.startTime + (event.durationMs ?? 0));
    },
  };

  const onExchange = (message: unknown) => {
    const event = message as ExchangeLike;
    if (event.status === 429) throttled?.add(1, accountOf(event.accountId));
    // The permit wait, from the exchange itself: no subscription to the permit events, so the client builds none.
    // Only attempts that waited make a point (queuedMs is exactly 0 when a permit was free): the sum is still the
    // whole wait, the count says how many waited, and a call that never queues costs no histogram point (each
    // point is an attribute hash and a lookup in the SDK: the larger part of the bridge's cost per call).
    if (event.queuedMs > 0) queued?.record(event.queuedMs / 1000, accountOf(event.accountId));
    const span = calls.get(event.callId);
    if (span === undefined) return;
    // A call answered by its first attempt says all in its own attributes; an event marks each attempt of the rest.
    if (event.attempt === 1 && event.outcome === 'response' && (event.status ?? 0) < 300) {
      span.setAttribute('netsuite.queued_ms', event.queuedMs);
      return;
    }
    const attrs: Attributes = {
      'netsuite.attempt': event.attempt,
      'netsuite.outcome': event.outcome,
      'netsuite.queued_ms': event.queuedMs,
      'netsuite.duration_ms': event.durationMs,
    };
    if (event.status !== undefined) attrs['http.response.status_code'] = event.status;
    if (event.netsuiteOperationId !== undefined) attrs['netsuite.operation_id'] = event.netsuiteOperationId;
    span.addEvent('attempt', attrs);
  };
  const onRetry = (message: unknown) => {
    const event = message as RetryLike;
    const span = calls.get(event.callId);
    if (span === undefined) return;
    const attrs: Attributes = {
      'netsuite.attempt': event.attempt,
      'netsuite.retry.reason': event.reason,
      'netsuite.retry.delay_ms': event.delayMs,
    };
    if (event.status !== undefined) attrs['http.response.status_code'] = event.status;
    span.addEvent('retry', attrs);
  };
  const onCircuit = (message: unknown) => {
    const event = message as CircuitLike;
    circuits?.add(1, { 'netsuite.circuit.name': event.name ?? '', 'netsuite.circuit.state': event.to });
  };
  const onLease = (message: unknown) => {
    const event = message as LeaseLike;
    if (event.action === 'lost') leasesLost?.add(1, { 'netsuite.governance.key': event.key });
  };

  const token = tracingChannel(CHANNELS.token);
  const tokenHandlers: TracedHandlers = {
    start(message: unknown) {
      if (!withSpans) return;
      const event = message as TokenLike;
      tokenSpans.set(
        event,
        tracer.startSpan(`netsuite.token ${event.grant}`, {
          kind: SpanKind.INTERNAL,
          startTime: event.startTime,
          attributes: {
            'netsuite.token.grant': event.grant,
            'netsuite.token.key': event.key,
            'netsuite.token.background': event.background,
          },
        }),
      );
    },
    asyncEnd(message: unknown) {
      const event = message as TokenLike;
      const failed = event.error !== undefined;
      tokens?.add(1, {
        'netsuite.token.grant': event.grant,
        'netsuite.token.source': event.source ?? 'none',
        'netsuite.token.outcome': failed ? 'failure' : 'success',
        'netsuite.token.background': event.background,
      });
      const span = tokenSpans.get(event);
      if (span === undefined) return;
      tokenSpans.delete(event);
      if (event.source !== undefined) span.setAttribute('netsuite.token.source', event.source);
      if (failed) {
        span.setAttribute('error.type', codeOf(event.error));
        span.setStatus({ code: SpanStatusCode.ERROR, message: codeOf(event.error) });
      }
      span.end(event.startTime + (event.durationMs ?? 0));
    },
  };

  // One CLIENT span per request to the token or revocation endpoint: from a token manager (inside its token span's
  // time) or from a one-request flow such as exchangeAuthorizationCode().
  const authorizationSpans = new WeakMap<object, Span>();
  const authorizationChannel = tracingChannel(CHANNELS.authorization);
  const authorizationHandlers: TracedHandlers = {
    start(message: unknown) {
      if (!withSpans) return;
      const event = message as AuthorizationLike;
      const attributes: Attributes = {
        'http.request.method': event.method,
        'server.address': event.host,
        'url.template': event.path,
        'netsuite.oauth.endpoint': event.endpoint,
      };
      if (event.grant !== undefined) attributes['netsuite.oauth.grant'] = event.grant;
      authorizationSpans.set(
        event,
        tracer.startSpan(`${event.method} ${event.endpoint}`, {
          kind: SpanKind.CLIENT,
          startTime: event.startTime,
          attributes,
        }),
      );
    },
    asyncEnd(message: unknown) {
      const event = message as AuthorizationLike;
      const failed = event.error !== undefined;
      if (authorization !== undefined) {
        const attrs: Attributes = { 'netsuite.oauth.endpoint': event.endpoint };
        if (event.grant !== undefined) attrs['netsuite.oauth.grant'] = event.grant;
        if (event.status !== undefined) attrs['http.response.status_code'] = event.status;
        if (failed) attrs['error.type'] = codeOf(event.error);
        authorization.record((event.durationMs ?? 0) / 1000, attrs);
      }
      const span = authorizationSpans.get(event);
      if (span === undefined) return;
      authorizationSpans.delete(event);
      if (event.status !== undefined) span.setAttribute('http.response.status_code', event.status);
      // An OAuth error response (4xx) resolves: the status says it. A transport failure rejects with a code.
      if (failed || (event.status ?? 0) >= 400) {
        const type = failed ? codeOf(event.error) : String(event.status);
        span.setAttribute('error.type', type);
        span.setStatus({ code: SpanStatusCode.ERROR, message: type });
      }
      span.end(event.startTime + (event.durationMs ?? 0));
    },
  };

  const plain: Array<[string, (message: unknown) => void]> = [
    [CHANNELS.exchange, onExchange],
    [CHANNELS.retry, onRetry],
    [CHANNELS.circuit, onCircuit],
    [CHANNELS.lease, onLease],
  ];
  // Only `start` and `asyncEnd` are listened to: a TracingChannel event nobody listens to costs its publisher
  // nothing, so the three the bridge does not read (end, asyncStart, error) get no empty listener.
  const traced: Array<[TracingChannel<string, object>, TracedHandlers]> = [
    [request, requestHandlers],
    [token, tokenHandlers],
    [authorizationChannel, authorizationHandlers],
  ];
  for (const [traceChannel, handlers] of traced) {
    traceChannel.start.subscribe(handlers.start);
    traceChannel.asyncEnd.subscribe(handlers.asyncEnd);
  }
  for (const [name, listener] of plain) channel(name).subscribe(listener);

  let enabled = true;
  return {
    disable() {
      if (!enabled) return;
      enabled = false;
      for (const [traceChannel, handlers] of traced) {
        traceChannel.start.unsubscribe(handlers.start);
        traceChannel.asyncEnd.unsubscribe(handlers.asyncEnd);
      }
      for (const [name, listener] of plain) channel(name).unsubscribe(listener);
    },
  };
}

/** The channel names the bridge listens on (for tests and documentation). */
export const bridgedChannels: readonly string[] = Object.freeze(Object.values(CHANNELS));
