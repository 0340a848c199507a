// Interleaved rounds: every variant runs once per round, in an order that rotates each round, so slow
// drift of a shared machine (other tenants, thermal state, GC of earlier work) hits every variant alike.
import { monitorEventLoopDelay } from 'node:perf_hooks';

/**
 * Runs `variants` for `rounds` interleaved rounds after `warmup` discarded rounds.
 * Each variant's `measure()` returns one figure (for example ops/s) for one round.
 *
 * @example
 * const samples = await interleave({ rounds: 5, variants: [{ name: 'a', measure: async () => 1 }] });
 * samples.get('a'); // [1, 1, 1, 1, 1]
 */
export async function interleave({ rounds, warmup = 1, variants, onRound, onError }) {
  const samples = new Map(variants.map((v) => [v.name, []]));
  let live = [...variants];
  for (let r = -warmup; r < rounds && live.length; r++) {
    const k = ((r % live.length) + live.length) % live.length;
    const order = [...live.slice(k), ...live.slice(0, k)];
    for (const variant of order) {
      if (typeof globalThis.gc === 'function') globalThis.gc();
      let figure;
      try {
        figure = await variant.measure(r);
      } catch (error) {
        // With onError, a failing variant is dropped (and reported) and the others go on.
        if (!onError) throw error;
        onError(variant, error);
        samples.delete(variant.name);
        live = live.filter((v) => v !== variant);
        continue;
      }
      if (r >= 0) samples.get(variant.name).push(figure);
    }
    if (r >= 0 && onRound) onRound(r);
  }
  return samples;
}

/**
 * Calls the synchronous or asynchronous `op` back to back for `durationMs` and returns operations per second.
 * The clock is read once per batch so that reading it costs nothing next to fast operations.
 *
 * @example
 * const opsPerSecond = await timedLoop({ durationMs: 200, op: () => JSON.stringify({ a: 1 }) });
 */
export async function timedLoop({ durationMs, op, batch = 1, isAsync = false, onCpu }) {
  let count = 0;
  const cpuBefore = onCpu ? process.cpuUsage() : undefined;
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(durationMs * 1e6));
  let now = start;
  if (isAsync) {
    while (now < end) {
      for (let i = 0; i < batch; i++) await op();
      count += batch;
      now = process.hrtime.bigint();
    }
  } else {
    while (now < end) {
      for (let i = 0; i < batch; i++) op();
      count += batch;
      now = process.hrtime.bigint();
    }
  }
  if (onCpu) {
    // Operations per CPU-second of this process (all threads, so WebCrypto's worker threads count too).
    const used = process.cpuUsage(cpuBefore);
    onCpu(count / ((used.user + used.system) / 1e6));
  }
  return count / (Number(now - start) / 1e9);
}

/**
 * A closed-loop load generator: `concurrency` workers each call `op()` again as soon as the previous
 * call settles, for `durationMs`. Returns completed operations per second (time until the last call
 * settles) and the number of failed calls; the first error is kept for the report.
 *
 * @example
 * const { opsPerSecond, errors } = await closedLoop({ concurrency: 16, durationMs: 1000, op: () => fetch(url) });
 */
export async function closedLoop({ concurrency, durationMs, op }) {
  let done = 0;
  let errors = 0;
  let firstError;
  const start = performance.now();
  const end = start + durationMs;
  const worker = async () => {
    while (performance.now() < end) {
      try {
        await op();
        done++;
      } catch (error) {
        errors++;
        firstError ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - start) / 1000;
  return { opsPerSecond: done / elapsed, done, errors, firstError };
}

/**
 * Runs `closedLoop` and also counts the CPU time it cost: this process's and the server's (asked over
 * IPC). Requests per CPU-second hardly move when other tenants load the machine, unlike requests per
 * wall-clock second, so the report gives both.
 *
 * @example
 * const { opsPerSecond, opsPerCpuSecond } = await closedLoopWithCpu({ server, concurrency: 16, durationMs: 400, op });
 */
export async function closedLoopWithCpu({ server, ...options }) {
  const serverBefore = server ? await server.call('cpu') : 0;
  const before = process.cpuUsage();
  const result = await closedLoop(options);
  const used = process.cpuUsage(before);
  const serverUsed = server ? (await server.call('cpu')) - serverBefore : 0;
  const clientCpuSeconds = (used.user + used.system) / 1e6;
  const cpu = clientCpuSeconds + serverUsed;
  return {
    ...result,
    cpuSeconds: cpu,
    clientCpuSeconds,
    serverCpuSeconds: serverUsed,
    opsPerCpuSecond: cpu > 0 ? result.done / cpu : Number.NaN,
  };
}

/**
 * Runs `op` again and again for `durationMs` while `perf_hooks.monitorEventLoopDelay` samples the loop every
 * `resolution` ms, and returns the loop's delay (p99 and max, ms) and its utilization (the share of the time
 * it was busy running JavaScript or native code on the main thread). The loop runs its timers before the first
 * `op` and after every one, so that every stretch the loop was blocked is recorded.
 *
 * @example
 * const { p99, max } = await loopDelayWhile({ durationMs: 300, op: () => Promise.all(jobs.map((j) => j())) });
 */
export async function loopDelayWhile({ durationMs, op, resolution = 1 }) {
  const histogram = monitorEventLoopDelay({ resolution });
  const utilizationBefore = performance.eventLoopUtilization();
  const timerTurn = () => new Promise((resolve) => setTimeout(resolve, resolution));
  histogram.enable();
  // The histogram records the time between two of its timer's runs: let it run once before the first op.
  await timerTurn();
  await timerTurn();
  const end = performance.now() + durationMs;
  let runs = 0;
  while (performance.now() < end) {
    await op();
    runs++;
    await timerTurn();
  }
  histogram.disable();
  const { utilization } = performance.eventLoopUtilization(utilizationBefore);
  return {
    p99: histogram.count ? histogram.percentile(99) / 1e6 : Number.NaN,
    max: histogram.count ? histogram.max / 1e6 : Number.NaN,
    utilization,
    runs,
  };
}
