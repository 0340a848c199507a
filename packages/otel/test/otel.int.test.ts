import { randomBytes } from 'node:crypto';
import { tracingChannel } from 'node:diagnostics_channel';
import { type Emulator, generateTestCertificate, startEmulator } from '@netsuite-oauth/emulator';
import { governanceRedisChannels } from '@netsuite-oauth/governance-redis';
import { createAssertionSigner } from '@netsuite-oauth/jwt-assertion';
import {
  createTokenManager,
  oauthFlowsChannels,
  refreshAccessToken,
  requestClientCredentialsToken,
  revokeToken,
} from '@netsuite-oauth/oauth-flows';
import { createNetSuiteClient, recordClientChannels } from '@netsuite-oauth/record-client';
import { memoryTokenStore } from '@netsuite-oauth/token-store';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  AggregationTemporality,
  type DataPoint,
  type Histogram,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bridgedChannels, instrumentNetSuite, type NetSuiteInstrumentation } from '../src/index.js';

let emu: Emulator;
let spans: InMemorySpanExporter;
let tracerProvider: BasicTracerProvider;
let reader: PeriodicExportingMetricReader;
let meterProvider: MeterProvider;
let instrumentation: NetSuiteInstrumentation;
let account: { accountId: string; origin: string; allowInsecureLoopback: true };
let token: ReturnType<typeof createTokenManager>;
let customerId: string;
let signer: Awaited<ReturnType<typeof createAssertionSigner>>;
const contextManager = new AsyncLocalStorageContextManager();

beforeAll(async () => {
  // One slot and 40 ms per request: parallel calls without a client limiter meet 429s, as on a busy account.
  emu = await startEmulator({
    port: 0,
    concurrencyLimit: 1,
    costModel: { requestMs: 40 },
    seed: { customers: 3 },
  });
  const { clientId } = await emu.admin.createIntegration({ grants: ['client_credentials'] });
  const cert = await generateTestCertificate();
  const { certificateId } = await emu.admin.addCertificate({ clientId, certificatePem: cert.certificatePem });
  signer = await createAssertionSigner({
    key: cert.privateKeyPem,
    certificateId,
    clientId,
    audience: emu.endpoints.tokenUrl,
  });
  account = { accountId: emu.accountId, origin: emu.url, allowInsecureLoopback: true };
  token = createTokenManager({
    store: memoryTokenStore(),
    key: 'otel-test',
    grant: { type: 'client_credentials', signer, ...account },
  });
  context.setGlobalContextManager(contextManager.enable());
  spans = new InMemorySpanExporter();
  tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  reader = new PeriodicExportingMetricReader({
    exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
    exportIntervalMillis: 3_600_000,
  });
  meterProvider = new MeterProvider({ readers: [reader] });
  instrumentation = instrumentNetSuite({ tracerProvider, meterProvider });
  const first = createNetSuiteClient({ ...account, token });
  for await (const item of first.records.list('customer', { pageSize: 1 })) {
    customerId = String(item.id);
    break;
  }
});
afterAll(async () => {
  instrumentation?.disable();
  await meterProvider?.shutdown();
  await tracerProvider?.shutdown();
  context.disable();
  await emu?.close();
});
beforeEach(() => spans.reset());

async function metric(name: string) {
  const { resourceMetrics } = await reader.collect();
  const found = resourceMetrics.scopeMetrics
    .filter((s) => s.scope.name === '@netsuite-oauth/otel')
    .flatMap((s) => s.metrics)
    .find((m) => m.descriptor.name === name);
  return (found?.dataPoints ?? []) as DataPoint<unknown>[];
}

const callSpans = () => spans.getFinishedSpans().filter((s) => s.name.startsWith('GET '));

describe('@netsuite-oauth/otel against the emulator', () => {
  it('listens on exactly the channels the packages export', () => {
    const exported = new Set<string>([
      ...Object.values(recordClientChannels),
      ...Object.values(oauthFlowsChannels),
      ...Object.values(governanceRedisChannels),
    ]);
    expect(bridgedChannels.filter((name) => !exported.has(name))).toEqual([]);
  });

  it('a token acquisition is a span and counts in netsuite.token.acquisitions', async () => {
    const points = await metric('netsuite.token.acquisitions');
    expect(points).toContainEqual(
      expect.objectContaining({
        attributes: {
          'netsuite.token.grant': 'client_credentials',
          'netsuite.token.source': 'endpoint',
          'netsuite.token.outcome': 'success',
          'netsuite.token.background': false,
        },
        value: 1,
      }),
    );
  });

  it('a GET is a CLIENT span under the caller span, with its route template and status', async () => {
    const client = createNetSuiteClient({ ...account, token });
    const tracer = tracerProvider.getTracer('test');
    await tracer.startActiveSpan('nightly-sync', async (parent) => {
      await client.records.get('customer', customerId);
      parent.end();
    });
    const [span] = callSpans();
    const parent = spans.getFinishedSpans().find((s) => s.name === 'nightly-sync') as ReadableSpan;
    expect(span?.name).toBe('GET record/v1/customer/{id}');
    expect(span?.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(span?.spanContext().traceId).toBe(parent.spanContext().traceId);
    expect(span?.attributes).toMatchObject({
      'http.request.method': 'GET',
      'url.template': 'record/v1/customer/{id}',
      'netsuite.account_id': emu.accountId,
      'http.response.status_code': 200,
      'netsuite.attempts': 1,
    });
    // Answered by its first attempt: no attempt event, the wait for a permit is an attribute.
    expect(span?.events).toEqual([]);
    // Its permit was free: no wait.
    expect(span?.attributes['netsuite.queued_ms']).toBe(0);
  });

  it('429s become attempt and retry events, the throttled counter and duration per route; in flight returns to 0', async () => {
    const client = createNetSuiteClient({
      ...account,
      token,
      concurrency: false,
      // four callers on one 40 ms slot: room for a caller that loses the race many times on a busy machine
      retry: { baseDelayMs: 5, maxDelayMs: 100, limit: 40 },
    });
    await Promise.all(Array.from({ length: 4 }, () => client.records.get('customer', customerId)));
    const retried = callSpans().flatMap((s) => s.events.filter((e) => e.name === 'retry'));
    expect(retried.length).toBeGreaterThan(0);
    const attempts = callSpans().flatMap((s) => s.events.filter((e) => e.name === 'attempt'));
    expect(attempts.filter((e) => e.attributes?.['http.response.status_code'] === 429)).toHaveLength(
      retried.length,
    );
    expect(retried[0]?.attributes).toMatchObject({
      'netsuite.retry.reason': 'concurrency',
      'http.response.status_code': 429,
    });
    const throttled = await metric('netsuite.client.throttled');
    expect(throttled).toEqual([
      expect.objectContaining({
        attributes: { 'netsuite.account_id': emu.accountId },
        value: retried.length,
      }),
    ]);
    const durations = (await metric('netsuite.client.request.duration')).filter(
      (p) => p.attributes['url.template'] === 'record/v1/customer/{id}',
    );
    expect(durations.reduce((n, p) => n + (p.value as Histogram).count, 0)).toBeGreaterThanOrEqual(5);
    expect(await metric('netsuite.client.active_requests')).toEqual([
      expect.objectContaining({ attributes: { 'netsuite.account_id': emu.accountId }, value: 0 }),
    ]);
  });

  it('the wait for a permit lands in netsuite.governance.queue.duration', async () => {
    const before = await metric('netsuite.governance.queue.duration');
    const count = (points: DataPoint<unknown>[]) =>
      points.reduce((n, p) => n + (p.value as Histogram).count, 0);
    const max = (points: DataPoint<unknown>[]) =>
      Math.max(0, ...points.map((p) => (p.value as Histogram).max ?? 0));
    const client = createNetSuiteClient({ ...account, token, concurrency: 1 });
    // A call that finds its permit free waited for nothing: it adds no point (the sum is unchanged either way).
    await client.records.get('customer', customerId);
    expect(count(await metric('netsuite.governance.queue.duration'))).toBe(count(before));
    await Promise.all(Array.from({ length: 3 }, () => client.records.get('customer', customerId)));
    const after = await metric('netsuite.governance.queue.duration');
    // The first of the three took the free permit; the two behind it waited.
    expect(count(after) - count(before)).toBe(2);
    // The third caller waited for two 40 ms requests ahead of it.
    expect(max(after)).toBeGreaterThan(0.04);
  });

  it('a failed call is an ERROR span with the error code only (no message, no token)', async () => {
    const secret = `CANARY${randomBytes(8).toString('hex')}`;
    const client = createNetSuiteClient({ ...account, token: async () => secret, retry: false });
    await expect(client.records.get('customer', customerId)).rejects.toMatchObject({ status: 401 });
    const [span] = callSpans();
    expect(span?.status).toEqual({ code: 2, message: 'ERR_RECORD_API' });
    expect(span?.attributes['error.type']).toBe('ERR_RECORD_API');
    expect(
      JSON.stringify(spans.getFinishedSpans().map((s) => [s.attributes, s.events, s.status])),
    ).not.toContain(secret);
  });

  it('one-request flows make a CLIENT span per token or revocation request, and netsuite.oauth.request.duration', async () => {
    const canary = `CANARY${randomBytes(8).toString('hex')}`;
    const tokens = await requestClientCredentialsToken({ ...account, signer });
    const client = { clientId: `client-${canary}`, clientSecret: `secret-${canary}` };
    await expect(
      refreshAccessToken({ ...account, client, refreshToken: `refresh-${canary}` }),
    ).rejects.toMatchObject({
      code: 'ERR_OAUTH_RESPONSE',
    });
    await revokeToken({ ...account, client, token: `revoke-${canary}` }).catch(() => {});
    const byName = spans.getFinishedSpans().filter((s) => s.name.startsWith('POST '));
    expect(byName.map((s) => [s.name, s.kind, s.attributes['netsuite.oauth.grant']])).toEqual([
      ['POST token', 2, 'client_credentials'],
      ['POST token', 2, 'refresh_token'],
      ['POST revocation', 2, undefined],
    ]);
    const [ok, refused, revoked] = byName;
    expect(ok?.attributes).toMatchObject({
      'http.request.method': 'POST',
      'url.template': '/services/rest/auth/oauth2/v1/token',
      'server.address': new URL(emu.url).host,
      'http.response.status_code': 200,
    });
    expect(ok?.status.code).toBe(0);
    expect(refused?.status.code).toBe(2);
    expect(refused?.attributes['http.response.status_code']).toBeGreaterThanOrEqual(400);
    expect(revoked?.attributes['url.template']).toBe('/services/rest/auth/oauth2/v1/revoke');
    const points = await metric('netsuite.oauth.request.duration');
    expect(points.map((p) => p.attributes['netsuite.oauth.grant'])).toEqual(
      expect.arrayContaining(['client_credentials', 'refresh_token']),
    );
    const shown = JSON.stringify(
      spans.getFinishedSpans().map((s) => [s.name, s.attributes, s.events, s.status]),
    );
    for (const secret of [canary, tokens.accessToken]) expect(shown).not.toContain(secret);
  });

  it('listens to start and asyncEnd of the traced channels only, and to nothing once disabled', () => {
    const traced = [recordClientChannels.request, oauthFlowsChannels.token, oauthFlowsChannels.exchange];
    const listening = () =>
      traced.map((name) => {
        const ch = tracingChannel(name);
        return [ch.start, ch.end, ch.asyncStart, ch.asyncEnd, ch.error].map((c) => c.hasSubscribers);
      });
    // The instrumentation of this file is the only subscriber here.
    expect(listening()).toEqual(traced.map(() => [true, false, false, true, false]));
    instrumentation.disable();
    expect(listening()).toEqual(traced.map(() => [false, false, false, false, false]));
    instrumentation = instrumentNetSuite({ tracerProvider, meterProvider });
  });

  it('disable() stops the spans', async () => {
    const other = instrumentNetSuite({ tracerProvider, meterProvider, metrics: false });
    other.disable();
    other.disable();
    instrumentation.disable();
    await createNetSuiteClient({ ...account, token }).records.get('customer', customerId);
    expect(callSpans()).toEqual([]);
    instrumentation = instrumentNetSuite({ tracerProvider, meterProvider });
  });

  it('refuses bad options with ERR_OTEL_INVALID_OPTION', () => {
    for (const options of [null, { tracerProvider: {} }, { meterProvider: { getMeter: 1 } }]) {
      expect(() => instrumentNetSuite(options as never)).toThrow(
        expect.objectContaining({ code: 'ERR_OTEL_INVALID_OPTION' }),
      );
    }
  });
});
