// issue 14: a fleet's throughput. 20 accounts, each with its own concurrency limit Cᵢ and latency Lᵢ, served by 4
// worker processes that share each account's budget through Redis; successful requests per second as a fraction
// of the ideal Σ Cᵢ/Lᵢ, against the same workload with every process keeping its own budget of Cᵢ (what a fleet
// without a shared budget does: together they offer 4 × Cᵢ and NetSuite refuses the rest).
import { cpus, loadavg } from 'node:os';
import { startAccounts, startRedis, startWorker, tokenKey } from '../../../examples/fleet/fleet.mjs';
import { interleave } from '../lib/rounds.mjs';
import { plan } from '../lib/setup.mjs';
import { pairedRatio } from '../lib/stats.mjs';

export async function run({ quick, log }) {
  const problems = [];
  const accountCount = quick ? 4 : 20;
  const workerCount = quick ? 2 : 4;
  // Callers per account in each worker: 4 workers × 4 callers keep even a limit of 6 saturated.
  const callers = 4;
  const { rounds, warmup, sliceMs } = plan(quick, { rounds: 3, sliceMs: 4000 }, { sliceMs: 800 });
  const accounts = Array.from({ length: accountCount }, (_, i) => ({
    accountId: `${7300001 + i}`,
    concurrencyLimit: 2 + (i % 5),
    requestMs: 100 + 50 * (i % 4),
  }));
  const ideal = accounts.reduce((sum, a) => sum + (a.concurrencyLimit * 1000) / a.requestMs, 0);
  const limits = Object.fromEntries(accounts.map((a) => [a.accountId, a.concurrencyLimit]));
  const redis = await startRedis();
  const { emu, workerAccounts } = await startAccounts(accounts);
  const fleets = new Map();
  try {
    const base = {
      redisUrl: redis.url,
      tokenKey: tokenKey(),
      accounts: workerAccounts,
      mode: 'load',
      limits,
    };
    for (const budget of ['shared', 'local']) {
      const config = { ...base, budget, budgetPrefix: `bench:${budget}`, tokenPrefix: 'bench:tokens:' };
      fleets.set(budget, await Promise.all(Array.from({ length: workerCount }, () => startWorker(config))));
    }
    // The same offered load from one process with an in-process limiter per account: what this machine gives
    // when nothing is shared between processes (its CPU, not the budget, is then the limit).
    fleets.set('one', [
      await startWorker({
        ...base,
        budget: 'local',
        budgetPrefix: 'bench:one',
        tokenPrefix: 'bench:tokens:',
      }),
    ]);
    const callersOf = (name) => (name === 'one' ? callers * workerCount : callers);
    const totals = new Map([...fleets.keys()].map((k) => [k, { failed: 0, rejected: 0, failures: {} }]));
    const rejectedNow = async () => {
      let sum = 0;
      for (const account of emu.accounts) sum += (await account.admin.counters()).concurrencyRejected;
      return sum;
    };
    const variants = [...fleets].map(([name, workers]) => ({
      name,
      measure: async () => {
        const before = await rejectedNow();
        for (const worker of workers) worker.send(`run ${sliceMs} ${callersOf(name)}`);
        const results = await Promise.all(workers.map((w) => w.next('ran', sliceMs + 120_000)));
        const total = totals.get(name);
        total.rejected += (await rejectedNow()) - before;
        for (const result of results) {
          for (const [code, n] of Object.entries(result.failures)) {
            total.failed += n;
            total.failures[code] = (total.failures[code] ?? 0) + n;
          }
        }
        // The steady state: requests completed from a fifth of the slice to its end, in every worker. Callers
        // still queued at the end finish afterwards, while the accounts with the most slots per caller are
        // already done: counting that drain would measure the closed loop's tail, not the fleet.
        let windowOk = 0;
        for (const result of results) windowOk += result.windowOk;
        const seconds = Math.min(...results.map((r) => r.windowMs)) / 1000;
        return windowOk / seconds;
      },
    }));
    const samples = await interleave({ rounds, warmup, variants });
    log('fleet done');
    const idealName = `ideal Σ Cᵢ/Lᵢ = ${ideal.toFixed(1)} req/s`;
    const idealSamples = (samples.get('shared') ?? []).map(() => ideal);
    const per = (name) => {
      const t = totals.get(name);
      const codes = Object.entries(t.failures)
        .map(([code, n]) => `${n} ${code}`)
        .join(', ');
      return `over ${rounds + warmup} rounds: ${t.failed} failed requests${codes ? ` (${codes})` : ''}, ${t.rejected} 429s sent by the emulator`;
    };
    const shared = pairedRatio(samples.get('shared') ?? [], idealSamples);
    const local = pairedRatio(samples.get('local') ?? [], idealSamples);
    const sharedFailed = totals.get('shared').failed;
    const one = pairedRatio(samples.get('one') ?? [], idealSamples);
    const vsOne = pairedRatio(samples.get('shared') ?? [], samples.get('one') ?? []);
    const limitsText = `C ${Math.min(...accounts.map((a) => a.concurrencyLimit))}–${Math.max(...accounts.map((a) => a.concurrencyLimit))}`;
    const latencyText = `L ${Math.min(...accounts.map((a) => a.requestMs))}–${Math.max(...accounts.map((a) => a.requestMs))} ms`;
    return {
      title: 'A fleet: many accounts, many processes, one Redis (issue 14)',
      intro:
        `${accountCount} emulator accounts (each its own origin, ${limitsText}, ${latencyText}) and ${workerCount} ` +
        `worker processes (examples/fleet/worker.mjs), each keeping ${callers} record GETs per account in flight ` +
        'in a closed loop. "shared": every account\'s budget in Redis (governance-redis, adaptive) shared by the ' +
        'fleet; "per process": each worker limits itself to Cᵢ on its own; "one process": the same offered load ' +
        "from a single process (the machine's own ceiling, nothing shared). The figure is successful requests per " +
        'second of the whole fleet in the steady state (requests completed from a fifth of each slice to its end); ' +
        'its ratio to Σ Cᵢ/Lᵢ is the fraction of the ideal. Workers wait for permits freed by other workers through ' +
        "Redis pub/sub (the limiter's `subscriber`).",
      sections: [
        {
          title: `Successful req/s of ${workerCount} worker processes over ${accountCount} accounts`,
          short: `Fleet throughput (${accountCount} accounts × ${workerCount} processes)`,
          unit: 'req/s',
          rows: [
            {
              name: 'shared budget per account in Redis (redisAccountLimiters)',
              samples: samples.get('shared') ?? [],
              ref: [idealName],
              note: per('shared'),
            },
            {
              name: 'per process budget of Cᵢ (no shared budget)',
              samples: samples.get('local') ?? [],
              ref: [idealName],
              note: per('local'),
            },
            {
              name: `one process, ${callers * workerCount} callers per account, in-process limiter of Cᵢ`,
              samples: samples.get('one') ?? [],
              ref: [idealName],
              note: per('one'),
            },
            { name: idealName, samples: idealSamples, isReference: true },
          ],
        },
      ],
      targets: [
        {
          issue: '#14 fleet',
          target: `${accountCount} accounts × ${workerCount} processes ≥ 0.9 of ideal Σ Cᵢ/Lᵢ, 0 failed`,
          measured: shared.n
            ? `${shared.median.toFixed(3)} of ideal, ${sharedFailed} failed (per process budgets: ${local.median.toFixed(3)}, ${totals.get('local').rejected} 429s; one process: ${one.median.toFixed(3)})`
            : 'not measured',
          met: shared.n ? shared.median >= 0.9 && sharedFailed === 0 : null,
          cause:
            shared.n && shared.median < 0.9
              ? `one process with the same offered load and no sharing reached ${one.median.toFixed(3)} of ideal ` +
                `in the same rounds (the fleet ${vsOne.median.toFixed(2)}× that): ${workerCount} workers, the ` +
                `emulator and Redis share ${cpus().length} cores (load average ${loadavg()[0].toFixed(1)} now); ` +
                "the rest is the fleet's own cost (every permit is a Redis round trip, and a permit freed by " +
                'another process is announced through pub/sub, one more hop)'
              : undefined,
        },
      ],
      notes: [],
      problems,
      failed: problems.length > 0,
    };
  } finally {
    for (const workers of fleets.values()) for (const worker of workers) worker.kill('SIGKILL');
    await Promise.all([...fleets.values()].flat().map((w) => w.exited));
    await emu.close();
    await redis.stop();
  }
}
