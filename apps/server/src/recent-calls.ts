import { subscribe, tracingChannel, unsubscribe } from 'node:diagnostics_channel';
import { type RequestEvent, type RetryEvent, recordClientChannels } from '@netsuite-oauth/record-client';

/** One NetSuite call as the recent-calls page shows it: no id, token or body, only the route template. */
export interface RecentCall {
  readonly at: number;
  readonly method: string;
  readonly route: string;
  /** The HTTP status, or the error code when there was no response to report. */
  readonly outcome: string;
  readonly ms: number;
  readonly attempts: number;
  /** Each retry's reason and status, e.g. `concurrency 429`. */
  readonly retries: readonly string[];
}

/** The last calls of this server to NetSuite, newest first, from record-client's diagnostics events. */
export interface RecentCalls {
  list(): readonly RecentCall[];
  /** Stops listening. */
  close(): void;
}

/**
 * Keeps the last `size` NetSuite calls of this process (every user's: the page shows routes, never ids).
 *
 * @example
 * const calls = recordRecentCalls(50); … calls.list(); calls.close();
 */
export function recordRecentCalls(size = 50, now: () => number = Date.now): RecentCalls {
  const calls: RecentCall[] = [];
  const retries = new Map<number, string[]>();
  const request = tracingChannel<unknown, RequestEvent>(recordClientChannels.request);
  const onRetry = (message: unknown) => {
    const e = message as RetryEvent;
    // Bounded: a call's retries are dropped when it ends.
    if (retries.size < 10_000 || retries.has(e.callId)) {
      retries.set(e.callId, [
        ...(retries.get(e.callId) ?? []),
        `${e.reason}${e.status ? ` ${e.status}` : ''}`,
      ]);
    }
  };
  const handlers = {
    start() {},
    end() {},
    asyncStart() {},
    asyncEnd(e: RequestEvent) {
      const code = (e.error as { code?: unknown } | undefined)?.code;
      calls.unshift({
        at: now(),
        method: e.method,
        route: e.route,
        outcome: e.status !== undefined ? String(e.status) : typeof code === 'string' ? code : 'error',
        ms: Math.round(e.durationMs ?? 0),
        attempts: e.attempts ?? 1,
        retries: retries.get(e.callId) ?? [],
      });
      retries.delete(e.callId);
      if (calls.length > size) calls.length = size;
    },
    error() {},
  };
  request.subscribe(handlers);
  subscribe(recordClientChannels.retry, onRetry);
  return {
    list: () => calls.slice(),
    close() {
      request.unsubscribe(handlers);
      unsubscribe(recordClientChannels.retry, onRetry);
    },
  };
}
