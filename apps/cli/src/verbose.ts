import { subscribe, tracingChannel, unsubscribe } from 'node:diagnostics_channel';
import { oauthFlowsChannels, type TokenEvent } from '@netsuite-oauth/oauth-flows';
import {
  type CircuitEvent,
  type RequestEvent,
  type RetryEvent,
  recordClientChannels,
} from '@netsuite-oauth/record-client';

const ms = (value: number | undefined) => `${Math.round(value ?? 0)} ms`;

/**
 * `--verbose`: one line on stderr per NetSuite call (route, status, time, attempts and every retry with its reason),
 * per token acquisition and per circuit-breaker change, from the packages' diagnostics events. Returns the
 * function that stops it. The lines carry no token or body: the events have none.
 *
 * @example
 * const stop = traceCalls((line) => ctx.note(line)); try { await run() } finally { stop() }
 */
export function traceCalls(write: (line: string) => void): () => void {
  // Retries of calls in flight, by call id, printed with the call's own line.
  const retries = new Map<number, string[]>();
  const request = tracingChannel<unknown, RequestEvent>(recordClientChannels.request);
  const token = tracingChannel<unknown, TokenEvent>(oauthFlowsChannels.token);
  const onRetry = (message: unknown) => {
    const e = message as RetryEvent;
    const why = `${e.reason}${e.status === undefined ? '' : ` ${e.status}`}, waited ${ms(e.delayMs)}`;
    retries.set(e.callId, [...(retries.get(e.callId) ?? []), why]);
  };
  const onCircuit = (message: unknown) => {
    const e = message as CircuitEvent;
    write(`netsuite circuit ${e.name ?? ''}: ${e.from} -> ${e.to}`);
  };
  const requestHandlers = {
    start() {},
    end() {},
    asyncStart() {},
    asyncEnd(e: RequestEvent) {
      const outcome =
        e.error === undefined
          ? String(e.status)
          : `${e.status ?? ''} ${String((e.error as { code?: unknown }).code ?? 'error')}`.trim();
      const attempts = e.attempts ?? 1;
      const retried = retries.get(e.callId);
      retries.delete(e.callId);
      write(
        `netsuite ${e.method} ${e.route} -> ${outcome} in ${ms(e.durationMs)}` +
          (attempts > 1 ? `, ${attempts} attempts` : '') +
          (retried ? ` (retried: ${retried.join('; ')})` : '') +
          (e.netsuiteOperationId ? ` [${e.netsuiteOperationId}]` : ''),
      );
    },
    error() {},
  };
  const tokenHandlers = {
    start() {},
    end() {},
    asyncStart() {},
    asyncEnd(e: TokenEvent) {
      const outcome =
        e.error === undefined
          ? `from ${e.source}`
          : `failed ${String((e.error as { code?: unknown }).code ?? '')}`.trim();
      write(
        `netsuite token ${e.grant}${e.background ? ' (background refresh)' : ''} -> ${outcome} in ${ms(e.durationMs)}`,
      );
    },
    error() {},
  };
  request.subscribe(requestHandlers);
  token.subscribe(tokenHandlers);
  subscribe(recordClientChannels.retry, onRetry);
  subscribe(recordClientChannels.circuit, onCircuit);
  return () => {
    request.unsubscribe(requestHandlers);
    token.unsubscribe(tokenHandlers);
    unsubscribe(recordClientChannels.retry, onRetry);
    unsubscribe(recordClientChannels.circuit, onCircuit);
  };
}
