import { randomBytes } from 'node:crypto';
import { subscribe, tracingChannel, unsubscribe } from 'node:diagnostics_channel';
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { routeOf } from '../src/diagnostics.js';
import {
  type CircuitEvent,
  createNetSuiteClient,
  type ExchangeEvent,
  type GovernanceEvent,
  type NetSuiteClientOptions,
  type RequestEvent,
  type RetryEvent,
  recordClientChannels,
} from '../src/index.js';
import { CONCURRENCY_429, type MockNetSuite, restError, startMockNetSuite } from './helpers/mock-netsuite.js';

const TOKEN = `CANARYTOKEN${randomBytes(12).toString('hex')}`;
const BODY = `CANARYBODY${randomBytes(12).toString('hex')}`;
const COOKIE = `CANARYCOOKIE${randomBytes(12).toString('hex')}`;
let mock: MockNetSuite;

beforeAll(async () => {
  mock = await startMockNetSuite(() => ({ status: 200, body: {} }));
});
afterAll(() => mock.close());

/** Every event of every channel, in order, as `[channel, event]`. */
function record() {
  const seen: Array<[string, Record<string, unknown>]> = [];
  const plain = ['exchange', 'retry', 'circuit', 'governance'] as const;
  const listeners = plain.map((name) => {
    const listener = (event: unknown) => seen.push([name, { ...(event as Record<string, unknown>) }]);
    subscribe(recordClientChannels[name], listener);
    return [recordClientChannels[name], listener] as const;
  });
  const handlers = {
    start: (event: unknown) => seen.push(['request:start', { ...(event as Record<string, unknown>) }]),
    end: () => {},
    asyncStart: () => {},
    asyncEnd: (event: unknown) => seen.push(['request:asyncEnd', { ...(event as Record<string, unknown>) }]),
    error: (event: unknown) => seen.push(['request:error', { ...(event as Record<string, unknown>) }]),
  };
  const request = tracingChannel(recordClientChannels.request);
  request.subscribe(handlers);
  const stop = () => {
    for (const [name, listener] of listeners) unsubscribe(name, listener);
    request.unsubscribe(handlers);
  };
  cleanups.push(stop);
  return { seen, of: <T>(name: string) => seen.filter(([n]) => n === name).map(([, e]) => e as T) };
}
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function client(extra: Partial<NetSuiteClientOptions> = {}) {
  return createNetSuiteClient({
    accountId: '1234567_SB1',
    origin: mock.origin,
    allowInsecureLoopback: true,
    token: async () => TOKEN,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    ...extra,
  });
}

function answers(...list: Array<Parameters<typeof startMockNetSuite>[0]>) {
  const start = mock.requests.length;
  mock.handler = (req, index) => list[Math.min(index - start, list.length - 1)]!(req, index);
}

describe('diagnostics_channel events', () => {
  it('routes are templates: ids become {id}, types and sublists stay', () => {
    expect(routeOf('/services/rest/record/v1/customer/647')).toBe('record/v1/customer/{id}');
    expect(routeOf('/services/rest/record/v1/customer/eid%3AACME-1')).toBe('record/v1/customer/{id}');
    expect(routeOf('/services/rest/record/v1/salesOrder/12/item/3')).toBe(
      'record/v1/salesOrder/{id}/item/{id}',
    );
    expect(routeOf('/services/rest/record/v1/salesOrder/12/!transform/invoice')).toBe(
      'record/v1/salesOrder/{id}/!transform/invoice',
    );
    expect(routeOf('/services/rest/record/v1/customer')).toBe('record/v1/customer');
    expect(routeOf('/services/rest/query/v1/suiteql')).toBe('query/v1/suiteql');
    expect(routeOf('/services/rest/async/v1/job/88/task/91/result')).toBe(
      'async/v1/job/{id}/task/{id}/result',
    );
    expect(routeOf('/app/site/hosting/restlet.nl')).toBe('app/site/hosting/restlet.nl');
  });

  it('a GET publishes request start/end, one exchange and a permit acquire/release, with the operation id', async () => {
    answers(() => ({ status: 200, body: { id: '7' }, headers: { 'x-n-operationid': 'op-123' } }));
    const events = record();
    await client().records.get('customer', '7');
    const [start] = events.of<RequestEvent>('request:start');
    const [end] = events.of<RequestEvent>('request:asyncEnd');
    expect(start).toMatchObject({
      accountId: '1234567_SB1',
      method: 'GET',
      route: 'record/v1/customer/{id}',
    });
    expect(end).toMatchObject({ status: 200, attempts: 1, netsuiteOperationId: 'op-123' });
    expect(end?.durationMs).toBeGreaterThanOrEqual(0);
    expect(end && 'result' in end ? end.result : undefined).toBeUndefined();
    const exchanges = events.of<ExchangeEvent>('exchange');
    expect(exchanges).toEqual([
      expect.objectContaining({
        callId: start?.callId,
        route: 'record/v1/customer/{id}',
        attempt: 1,
        outcome: 'response',
        status: 200,
        netsuiteOperationId: 'op-123',
      }),
    ]);
    // The permit was free: no wait at all, not the few microseconds spent preparing the request.
    expect(exchanges[0]?.queuedMs).toBe(0);
    expect(events.of<GovernanceEvent>('governance').map((g) => [g.action, g.outcome, g.callId])).toEqual([
      ['acquire', undefined, start?.callId],
      ['release', 'success', start?.callId],
    ]);
  });

  it('queuedMs is the wait for a permit: 0 when one was free, the time behind the calls ahead otherwise', async () => {
    answers(() => ({ status: 200, body: { id: '1' }, delayMs: 30 }));
    const events = record();
    const oneAtATime = client({ concurrency: 1 });
    await Promise.all(Array.from({ length: 3 }, () => oneAtATime.records.get('customer', '1')));
    const waits = events
      .of<ExchangeEvent>('exchange')
      .map((e) => e.queuedMs)
      .sort((a, b) => a - b);
    expect(waits).toHaveLength(3);
    expect(waits[0]).toBe(0);
    // The second waited for one 30 ms answer, the third for two (timer resolution allowing).
    expect(waits[1]).toBeGreaterThan(20);
    expect(waits[2]).toBeGreaterThan(waits[1] ?? 0);
  });

  it('a 429 then a 200 publishes a retry with reason concurrency and two exchanges', async () => {
    answers(
      () => ({ ...CONCURRENCY_429, headers: { ...CONCURRENCY_429.headers, 'retry-after': '0' } }),
      () => ({ status: 200, body: { id: '1' } }),
    );
    const events = record();
    await client().records.get('customer', '1');
    expect(events.of<ExchangeEvent>('exchange').map((e) => [e.attempt, e.status])).toEqual([
      [1, 429],
      [2, 200],
    ]);
    expect(events.of<RetryEvent>('retry')).toEqual([
      expect.objectContaining({ attempt: 1, reason: 'concurrency', status: 429, retryAfter: true }),
    ]);
    expect(events.of<GovernanceEvent>('governance').map((g) => g.outcome)).toEqual([
      undefined,
      'rejected',
      undefined,
      'success',
    ]);
  });

  it('a 401 publishes a token-rejected retry; a failing call ends on the error channel', async () => {
    answers(
      () => restError(401, 'INVALID_LOGIN', 'x'),
      () => restError(404, 'NONEXISTENT_ID', 'gone'),
    );
    const events = record();
    await expect(client().records.get('customer', '2')).rejects.toMatchObject({ status: 404 });
    expect(events.of<RetryEvent>('retry')).toEqual([
      expect.objectContaining({ reason: 'token-rejected', status: 401, delayMs: 0 }),
    ]);
    const [failed] = events.of<RequestEvent>('request:error');
    expect(failed).toMatchObject({ status: 404, attempts: 1 });
    expect((failed?.error as { code?: string } | undefined)?.code).toBe('ERR_RECORD_API');
  });

  it('a network failure is an exchange with outcome network and a retry with reason network', async () => {
    answers(
      () => ({ status: 200, destroy: true }),
      () => ({ status: 200, body: { id: '1' } }),
    );
    const events = record();
    await client().records.get('customer', '1');
    expect(events.of<ExchangeEvent>('exchange').map((e) => e.outcome)).toEqual(['network', 'response']);
    expect(events.of<RetryEvent>('retry').map((r) => r.reason)).toEqual(['network']);
  });

  it('the circuit breaker reports closed -> open -> half-open -> closed under its account name', async () => {
    let time = 0;
    const c = client({
      retry: false,
      circuitBreaker: { failureThreshold: 2, resetTimeoutMs: 1000 },
      now: () => time,
    });
    answers(() => restError(503, 'X', 'x'));
    const events = record();
    await expect(c.records.get('customer', '1')).rejects.toMatchObject({ status: 503 });
    await expect(c.records.get('customer', '1')).rejects.toMatchObject({ status: 503 });
    await expect(c.records.get('customer', '1')).rejects.toMatchObject({ code: 'ERR_RECORD_CIRCUIT_OPEN' });
    time = 1000;
    answers(() => ({ status: 200, body: { id: '1' } }));
    await c.records.get('customer', '1');
    expect(events.of<CircuitEvent>('circuit')).toEqual([
      { name: '1234567_SB1', from: 'closed', to: 'open' },
      { name: '1234567_SB1', from: 'open', to: 'half-open' },
      { name: '1234567_SB1', from: 'half-open', to: 'closed' },
    ]);
  });

  it('no event carries the token, a cookie or a body, even when NetSuite echoes them (canary)', async () => {
    answers(
      () => restError(401, 'INVALID_LOGIN', `${TOKEN} ${BODY}`),
      () => ({ ...CONCURRENCY_429, headers: { ...CONCURRENCY_429.headers, 'set-cookie': `a=${COOKIE}` } }),
      () => ({ status: 200, body: { id: '1', secret: BODY }, headers: { 'set-cookie': `a=${COOKIE}` } }),
      () => restError(400, 'USER_ERROR', `${BODY} ${TOKEN}`),
    );
    const events = record();
    const c = client({ hooks: { beforeRequest: [() => {}] } });
    await c.records.get('customer', '1');
    await expect(c.records.create('customer', { companyName: BODY })).rejects.toMatchObject({ status: 400 });
    expect(events.seen.length).toBeGreaterThan(8);
    const rendered = events.seen
      .map(([, e]) => `${JSON.stringify(e)}\n${inspect(e, { depth: 8, showHidden: true })}`)
      .join('\n');
    for (const canary of [TOKEN, COOKIE]) expect(rendered).not.toContain(canary);
    // The error on the error channel is the caller's own error (its detail redacts the token); no event has a body.
    const withoutErrors = events.seen.map(([, e]) => JSON.stringify({ ...e, error: undefined })).join('\n');
    expect(withoutErrors).not.toContain(BODY);
  });

  it('publishes nothing once the subscribers are gone', async () => {
    answers(() => ({ status: 200, body: { id: '1' } }));
    const events = record();
    for (const cleanup of cleanups.splice(0)) cleanup();
    await client().records.get('customer', '1');
    expect(events.seen).toEqual([]);
  });
});
