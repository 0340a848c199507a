import { loadavg } from 'node:os';

// Shared settings: how long and how often each kind of benchmark runs in a full and a quick run.

/**
 * Rounds and slice lengths for a full run or a smoke run (`--quick`).
 *
 * @example
 * const { rounds, sliceMs } = plan(quick, { rounds: 5, sliceMs: 1000 });
 */
export function plan(quick, full, smoke = {}) {
  return quick ? { rounds: 1, warmup: 0, sliceMs: 40, ...smoke } : { warmup: 1, ...full };
}

/**
 * Imports a module and returns it, or a reason it could not be imported (for example a package whose
 * build is missing); the suite then reports the benchmark as failed instead of crashing silently.
 *
 * @example
 * const jwt = await tryImport('@netsuite-oauth/jwt-assertion');
 */
export async function tryImport(specifier) {
  try {
    return await import(specifier);
  } catch (error) {
    throw new Error(`cannot import ${specifier} (is it built? run pnpm build): ${error.message}`);
  }
}

/**
 * Throws unless `module` exports every name in `names`, naming the missing ones.
 *
 * @example
 * requireExports(jwt, '@netsuite-oauth/jwt-assertion', ['createAssertionSigner']);
 */
export function requireExports(module, specifier, names) {
  const missing = names.filter((name) => typeof module[name] !== 'function');
  if (missing.length) throw new Error(`${specifier} does not export ${missing.join(', ')} yet`);
  return module;
}

/**
 * The cause to state for a throughput target missed on wall-clock time: if the same code meets it per
 * CPU-second, the gap is the machine's other load, not the code.
 *
 * @example
 * shortfallCause({ goal: 0.9, cpuRatio: 0.97, otherwise: 'claim building per call' });
 */
export function shortfallCause({ goal, cpuRatio, otherwise }) {
  if (Number.isFinite(cpuRatio) && cpuRatio >= goal) {
    const load = (loadavg()[0] ?? 0).toFixed(1);
    return (
      `per CPU-second it is ${cpuRatio.toFixed(2)}×, which meets the target: the wall-clock gap comes from ` +
      `other load on the machine (load average ${load} now), not from the code`
    );
  }
  return otherwise;
}
