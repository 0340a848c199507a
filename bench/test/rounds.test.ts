import { describe, expect, it } from 'vitest';
import { closedLoop, interleave, timedLoop } from '../src/lib/rounds.mjs';

describe('interleave', () => {
  it('runs every variant once per round in a rotating order and discards the warm-up rounds', async () => {
    const calls: string[] = [];
    const variant = (name: string) => ({
      name,
      measure: async (round: number) => {
        calls.push(`${round}${name}`);
        return round;
      },
    });
    const samples = await interleave({
      rounds: 3,
      warmup: 1,
      variants: [variant('a'), variant('b'), variant('c')],
    });
    expect(calls).toEqual(['-1c', '-1a', '-1b', '0a', '0b', '0c', '1b', '1c', '1a', '2c', '2a', '2b']);
    expect(samples.get('a')).toEqual([0, 1, 2]);
    expect(samples.get('c')).toEqual([0, 1, 2]);
  });

  it('drops a failing variant and reports it when onError is given, and rethrows without it', async () => {
    const failing = {
      name: 'bad',
      measure: async () => {
        throw new Error('boom');
      },
    };
    const good = { name: 'good', measure: async () => 7 };
    const errors: string[] = [];
    const samples = await interleave({
      rounds: 2,
      warmup: 0,
      variants: [good, failing],
      onError: (v: { name: string }, e: Error) => errors.push(`${v.name}: ${e.message}`),
    });
    expect(errors).toEqual(['bad: boom']);
    expect(samples.get('good')).toEqual([7, 7]);
    expect(samples.has('bad')).toBe(false);
    await expect(interleave({ rounds: 1, warmup: 0, variants: [failing] })).rejects.toThrow('boom');
  });
});

describe('timedLoop', () => {
  it('counts synchronous and asynchronous operations', async () => {
    let sync = 0;
    const syncRate = await timedLoop({ durationMs: 20, op: () => sync++ });
    expect(sync).toBeGreaterThan(0);
    expect(syncRate).toBeGreaterThan(0);
    let async = 0;
    await timedLoop({ durationMs: 20, op: async () => async++, isAsync: true, batch: 4 });
    expect(async % 4).toBe(0);
    expect(async).toBeGreaterThan(0);
  });
});

describe('closedLoop', () => {
  it('keeps `concurrency` calls in flight and counts failures apart from successes', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    let n = 0;
    const result = await closedLoop({
      concurrency: 4,
      durationMs: 30,
      op: async () => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 1));
        inFlight--;
        if (++n % 3 === 0) throw new Error('every third fails');
      },
    });
    expect(maxInFlight).toBe(4);
    expect(result.errors).toBe(Math.floor(n / 3));
    expect(result.done + result.errors).toBe(n);
    expect(result.firstError).toBeInstanceOf(Error);
  });
});

describe('loopDelayWhile', () => {
  it('records a stretch the loop was blocked, and counts the ops it ran', async () => {
    const { loopDelayWhile } = await import('../src/lib/rounds.mjs');
    const block = () => {
      const end = performance.now() + 30;
      while (performance.now() < end);
    };
    const blocked = await loopDelayWhile({ durationMs: 1, op: async () => block() });
    expect(blocked.runs).toBe(1);
    // A 30 ms busy wait delays the loop by at least 30 ms, however fast or loaded the machine is.
    expect(blocked.max).toBeGreaterThanOrEqual(29);
    expect(blocked.p99).toBeGreaterThanOrEqual(29);
    expect(blocked.utilization).toBeGreaterThan(0);
  });
});
