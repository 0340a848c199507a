import { circuitChannel } from './diagnostics.js';
import { RecordClientError } from './errors.js';

/**
 * Options of {@link createCircuitBreaker}.
 *
 * @example
 * createNetSuiteClient({ ..., circuitBreaker: { failureThreshold: 5, resetTimeoutMs: 30_000 } })
 */
export interface CircuitBreakerOptions {
  /** Consecutive failures (network errors, timeouts, 5xx) that open the circuit. @default 5 */
  readonly failureThreshold?: number | undefined;
  /** How long the circuit stays open before one probe is let through. @default 30000 */
  readonly resetTimeoutMs?: number | undefined;
  /** Clock. @default Date.now */
  readonly now?: (() => number) | undefined;
  /**
   * Named in its state-change diagnostics events (`netsuite-oauth:record-client:circuit`).
   * @default the client's account id when the client makes the breaker; undefined otherwise
   */
  readonly name?: string | undefined;
}

/**
 * The state of a {@link CircuitBreaker}.
 *
 * @example
 * if (breaker.state === 'open') console.warn('netsuite is failing')
 */
export type CircuitState = 'closed' | 'open' | 'half-open';

/**
 * A per-host circuit breaker: after `failureThreshold` consecutive failures it fails calls fast (no socket)
 * for `resetTimeoutMs`, then lets exactly one probe through; the probe's outcome closes or re-opens it.
 *
 * @example
 * const breaker = createCircuitBreaker({ failureThreshold: 5, resetTimeoutMs: 30_000 });
 * const client = createNetSuiteClient({ ..., circuitBreaker: breaker });
 */
export interface CircuitBreaker {
  readonly state: CircuitState;
  /** Asks to send a request. Throws `ERR_RECORD_CIRCUIT_OPEN` while open or while the probe is out. */
  enter(): { probe: boolean };
  recordSuccess(probe: boolean): void;
  recordFailure(probe: boolean): void;
  /** The probe ended without a verdict (aborted by the caller): let another probe through. */
  recordNeutral(probe: boolean): void;
}

/**
 * Creates a {@link CircuitBreaker}.
 *
 * @example
 * const breaker = createCircuitBreaker();
 * @throws {RecordClientError} `ERR_RECORD_INVALID_OPTION` for a bad threshold or timeout.
 */
export function createCircuitBreaker(options: CircuitBreakerOptions = {}): CircuitBreaker {
  const threshold = options.failureThreshold ?? 5;
  const resetTimeoutMs = options.resetTimeoutMs ?? 30_000;
  const now = options.now ?? Date.now;
  if (!Number.isSafeInteger(threshold) || threshold < 1) {
    throw new RecordClientError(
      'ERR_RECORD_INVALID_OPTION',
      'circuitBreaker.failureThreshold must be a positive integer',
    );
  }
  if (typeof resetTimeoutMs !== 'number' || !Number.isFinite(resetTimeoutMs) || resetTimeoutMs < 0) {
    throw new RecordClientError(
      'ERR_RECORD_INVALID_OPTION',
      'circuitBreaker.resetTimeoutMs must be a non-negative number',
    );
  }
  if (typeof now !== 'function') {
    throw new RecordClientError('ERR_RECORD_INVALID_OPTION', 'circuitBreaker.now must be a function');
  }
  const name = options.name;
  if (name !== undefined && typeof name !== 'string') {
    throw new RecordClientError('ERR_RECORD_INVALID_OPTION', 'circuitBreaker.name must be a string');
  }
  let failures = 0;
  let openedAt: number | undefined;
  let probeOut = false;
  // The state last reported: 'half-open' is reported when a probe goes out, since the state turns half-open by time.
  let reported: CircuitState = 'closed';
  const moveTo = (to: CircuitState) => {
    if (to === reported) return;
    const from = reported;
    reported = to;
    if (circuitChannel.hasSubscribers) circuitChannel.publish({ name, from, to });
  };

  const state = (): CircuitState => {
    if (openedAt === undefined) return 'closed';
    return now() - openedAt >= resetTimeoutMs ? 'half-open' : 'open';
  };

  return {
    get state() {
      return state();
    },
    enter() {
      const current = state();
      if (current === 'closed') return { probe: false };
      if (current === 'half-open' && !probeOut) {
        probeOut = true;
        moveTo('half-open');
        return { probe: true };
      }
      throw new RecordClientError(
        'ERR_RECORD_CIRCUIT_OPEN',
        'circuit open: netsuite failed repeatedly, failing fast',
      );
    },
    recordSuccess(probe) {
      if (probe) probeOut = false;
      failures = 0;
      openedAt = undefined;
      moveTo('closed');
    },
    recordFailure(probe) {
      if (probe) {
        probeOut = false;
        openedAt = now();
        moveTo('open');
        return;
      }
      if (openedAt !== undefined) return;
      failures++;
      if (failures >= threshold) {
        openedAt = now();
        moveTo('open');
      }
    },
    recordNeutral(probe) {
      if (probe) probeOut = false;
    },
  };
}
