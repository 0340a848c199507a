import { TokenStoreError } from './errors.js';

/**
 * Polls `attempt` until it answers something or `waitMs` has passed, with a short growing backoff.
 *
 * The wait is bounded by the injected clock *and* by real elapsed time, so a frozen test clock cannot
 * make a caller wait forever. Used by stores whose lock cannot notify waiters (file, Redis, memory).
 *
 * @throws {TokenStoreError} `ERR_STORE_INVALID_ARGUMENT` for a missing function or a bad wait
 * @example
 * const lock = await waitUntil(() => tryAcquire(), { waitMs: 5000, now: Date.now });
 */
export async function waitUntil<T>(
  attempt: () => T | undefined | Promise<T | undefined>,
  options: { waitMs: number; now: () => number; minDelayMs?: number; maxDelayMs?: number },
): Promise<T | undefined> {
  const { waitMs, now, minDelayMs = 2, maxDelayMs = 50 } = options ?? ({} as typeof options);
  if (typeof attempt !== 'function' || typeof now !== 'function') {
    throw new TokenStoreError('ERR_STORE_INVALID_ARGUMENT', 'attempt and options.now must be functions');
  }
  if (typeof waitMs !== 'number' || !(waitMs >= 0) || !(minDelayMs > 0) || !(maxDelayMs >= minDelayMs)) {
    throw new TokenStoreError(
      'ERR_STORE_INVALID_ARGUMENT',
      'waitMs must be ≥ 0 and 0 < minDelayMs ≤ maxDelayMs',
    );
  }
  const startClock = now();
  const startReal = performance.now();
  let delay = minDelayMs;
  for (;;) {
    const result = await attempt();
    if (result !== undefined) return result;
    const waitedClock = now() - startClock;
    const waitedReal = performance.now() - startReal;
    const left = waitMs - Math.max(waitedClock, waitedReal);
    if (left <= 0) return undefined;
    // Jitter spreads waiters out so they do not retry in lockstep.
    const pause = Math.min(left, delay * (0.5 + jitter()));
    await new Promise((resolve) => setTimeout(resolve, pause));
    delay = Math.min(maxDelayMs, delay * 2);
  }
}

const jitterBuffer = new Uint32Array(1);
function jitter(): number {
  globalThis.crypto.getRandomValues(jitterBuffer);
  return (jitterBuffer[0] ?? 0) / 2 ** 32;
}
