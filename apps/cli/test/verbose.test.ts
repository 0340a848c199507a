import { channel, tracingChannel } from 'node:diagnostics_channel';
import { oauthFlowsChannels } from '@netsuite-oauth/oauth-flows';
import { recordClientChannels } from '@netsuite-oauth/record-client';
import { expect, it } from 'vitest';
import { traceCalls } from '../src/verbose.js';

it('prints a call with its retries on one line, a failed call with its code, a token and a circuit change', async () => {
  const lines: string[] = [];
  const stop = traceCalls((line) => lines.push(line));
  const request = tracingChannel(recordClientChannels.request);
  const retry = channel(recordClientChannels.retry);
  const call = {
    callId: 7,
    accountId: '1234567',
    method: 'GET',
    route: 'record/v1/customer/{id}',
    startTime: 0,
  };
  await request.tracePromise(async () => {
    retry.publish({
      ...call,
      attempt: 1,
      reason: 'concurrency',
      status: 429,
      delayMs: 100.4,
      retryAfter: false,
    });
    retry.publish({
      ...call,
      attempt: 2,
      reason: 'network',
      status: undefined,
      delayMs: 250,
      retryAfter: false,
    });
    Object.assign(call, { status: 200, attempts: 3, durationMs: 412.2, netsuiteOperationId: 'op-1' });
  }, call);
  const failed = {
    ...call,
    callId: 8,
    status: 404,
    attempts: 1,
    durationMs: 9,
    netsuiteOperationId: undefined,
  };
  await request
    .tracePromise(async () => {
      throw Object.assign(new Error('gone'), { code: 'ERR_RECORD_API' });
    }, failed)
    .catch(() => {});
  const token = { key: 'k', grant: 'client_credentials', background: false, startTime: 0 };
  await tracingChannel(oauthFlowsChannels.token).tracePromise(async () => {
    Object.assign(token, { source: 'store', durationMs: 3 });
  }, token);
  channel(recordClientChannels.circuit).publish({ name: '1234567', from: 'closed', to: 'open' });
  stop();
  channel(recordClientChannels.circuit).publish({ name: '1234567', from: 'open', to: 'half-open' });
  expect(lines).toEqual([
    'netsuite GET record/v1/customer/{id} -> 200 in 412 ms, 3 attempts (retried: concurrency 429, waited 100 ms; network, waited 250 ms) [op-1]',
    'netsuite GET record/v1/customer/{id} -> 404 ERR_RECORD_API in 9 ms',
    'netsuite token client_credentials -> from store in 3 ms',
    'netsuite circuit 1234567: closed -> open',
  ]);
});
