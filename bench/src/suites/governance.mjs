// issue 7: throughput under an account concurrency limit C with server latency L, as a fraction of the
// ideal C/L. 50 callers offer more load than the limit allows; a good client keeps all C slots busy
// without one failed request.
import { cpus, loadavg } from 'node:os';
import { Pool } from 'undici';
import { handWrittenTokenClient, startEmulatorProcess } from '../lib/emulator.mjs';
import { closedLoop, interleave } from '../lib/rounds.mjs';
import { plan, requireExports, tryImport } from '../lib/setup.mjs';
import { pairedRatio } from '../lib/stats.mjs';
import { firstCustomerId } from './record-get.mjs';

const LIMIT = 5;
const CALLERS = 50;

/** A minimal FIFO counting semaphore: the least a fetch-based client needs to stay within C. */
function semaphore(permits) {
  let free = permits;
  const waiting = [];
  return {
    acquire() {
      if (free > 0) {
        free--;
        return Promise.resolve();
      }
      return new Promise((resolve) => waiting.push(resolve));
    },
    release() {
      const next = waiting.shift();
      if (next) next();
      else free++;
    },
  };
}

export async function run({ quick, log }) {
  const problems = [];
  const latencyMs = quick ? 20 : 50;
  const { rounds, warmup, sliceMs } = plan(quick, { rounds: 5, sliceMs: 1500 }, { sliceMs: 250 });
  const ideal = (LIMIT * 1000) / latencyMs;
  const emu = await startEmulatorProcess({ keyTypes: ['ec-p256'], concurrencyLimit: 10_000 });
  try {
    const info = emu.info;
    const token = await (await handWrittenTokenClient(info))();
    const id = await firstCustomerId(info.url, token);
    await emu.call('admin', 'setConcurrencyLimit', LIMIT);
    await emu.call('admin', 'setLatency', { route: 'record', ms: latencyMs });
    const path = `/services/rest/record/v1/customer/${id}`;
    const headers = { authorization: `Bearer ${token}`, accept: 'application/json' };
    const pool = new Pool(info.url, { connections: LIMIT });
    const failures = new Map();
    // 429s the emulator sent, including those a client absorbed by retrying.
    const rejected = new Map();
    const variants = [];
    const add = (name, op, { allowErrors = false } = {}) =>
      variants.push({
        name,
        measure: async () => {
          const before = await emu.call('admin', 'counters');
          const result = await closedLoop({ concurrency: CALLERS, durationMs: sliceMs, op });
          const after = await emu.call('admin', 'counters');
          rejected.set(
            name,
            (rejected.get(name) ?? 0) + (after.concurrencyRejected - before.concurrencyRejected),
          );
          failures.set(name, (failures.get(name) ?? 0) + result.errors);
          if (result.errors && !allowErrors) {
            problems.push(`${name}: ${result.errors} failed requests (${result.firstError?.message})`);
          }
          return result.opsPerSecond;
        },
      });
    try {
      const record = requireExports(
        await tryImport('@netsuite-oauth/record-client'),
        '@netsuite-oauth/record-client',
        ['createNetSuiteClient'],
      );
      const client = record.createNetSuiteClient({
        accountId: info.accountId,
        origin: info.url,
        allowInsecureLoopback: true,
        token: async () => token,
        concurrency: LIMIT,
      });
      add('ours', () => client.records.get('customer', id));
    } catch (error) {
      problems.push(error.message);
    }
    add('undici', async () => {
      const response = await pool.request({ path, method: 'GET', headers });
      await response.body.dump();
      if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}`);
    });
    const sem = semaphore(LIMIT);
    add('fetch-sem', async () => {
      await sem.acquire();
      try {
        const response = await fetch(`${info.url}${path}`, { headers });
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`status ${response.status}`);
      } finally {
        sem.release();
      }
    });
    add(
      'fetch',
      async () => {
        const response = await fetch(`${info.url}${path}`, { headers });
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`status ${response.status}`);
      },
      { allowErrors: true },
    );
    const samples = await interleave({ rounds, warmup, variants });
    await pool.close();
    log('governance done');
    const idealName = `ideal C/L = ${LIMIT} / ${latencyMs} ms`;
    const idealSamples = samples.get('undici').map(() => ideal);
    // warm-up rounds also count failures; report per measured round
    const perRound = (name) => Math.round((failures.get(name) ?? 0) / (rounds + warmup));
    const rejectedPerRound = (name) => Math.round((rejected.get(name) ?? 0) / (rounds + warmup));
    const note = (name, extra = '') =>
      `per round: ${perRound(name)} failed requests${extra}, ${rejectedPerRound(name)} 429s sent by the emulator`;
    const section = {
      title: `Successful req/s with the emulator limited to C = ${LIMIT} concurrent requests and L = ${latencyMs} ms latency, ${CALLERS} callers`,
      short: `Under a concurrency limit (C=${LIMIT}, L=${latencyMs} ms)`,
      unit: 'req/s',
      rows: [
        {
          name: `@netsuite-oauth/record-client (concurrency: ${LIMIT})`,
          samples: samples.get('ours') ?? [],
          ref: [idealName],
          note: note('ours'),
        },
        {
          name: `undici Pool with ${LIMIT} connections (a perfect client-side limit)`,
          samples: samples.get('undici'),
          ref: [idealName],
          note: note('undici'),
        },
        {
          name: `global fetch behind a ${LIMIT}-permit semaphore (the fetch limit)`,
          samples: samples.get('fetch-sem'),
          ref: [idealName],
          note: note('fetch-sem'),
        },
        {
          name: 'global fetch, no limit',
          samples: samples.get('fetch'),
          ref: [idealName],
          note: note('fetch', ' (429 CONCURRENCY_LIMIT_EXCEEDED)'),
        },
        { name: idealName, samples: idealSamples, isReference: true },
      ],
    };
    const fraction = pairedRatio(samples.get('ours') ?? [], idealSamples);
    const poolFraction = pairedRatio(samples.get('undici') ?? [], idealSamples);
    const fetchSemFraction = pairedRatio(samples.get('fetch-sem') ?? [], idealSamples);
    return {
      title: 'Throughput under a concurrency limit (issue 7)',
      intro:
        'The emulator answers record GETs after L ms and refuses (429) any request beyond C in flight, as NetSuite ' +
        'does per account. The figure is successful requests per second; its ratio to C/L is the fraction of the ' +
        'ideal. Failed requests are counted and shown.',
      sections: [section],
      targets: [
        {
          issue: '#7 record-client',
          target: `throughput under concurrency limit C=${LIMIT}, latency L=${latencyMs} ms ≥ 0.95 of ideal C/L, 0 failed`,
          measured: fraction.n
            ? `${fraction.median.toFixed(3)} of ideal, ${failures.get('ours') ?? 0} failed`
            : 'not measured',
          met: fraction.n ? fraction.median >= 0.95 && (failures.get('ours') ?? 0) === 0 : null,
          cause:
            fraction.n && fraction.median < 0.95
              ? `an undici Pool with ${LIMIT} connections (a perfect client-side limit doing nothing else per request) ` +
                `reached ${poolFraction.median.toFixed(3)} of ideal and bare fetch behind a semaphore ` +
                `${fetchSemFraction.median.toFixed(3)} in the same rounds: the rest is lost by any client to ` +
                'sending each request and reading its answer inside the slot (and to machine load, load average ' +
                `${loadavg()[0].toFixed(1)} now on ${cpus().length} cores); record-client loses ` +
                `${Math.max(0, poolFraction.median - fraction.median).toFixed(3)} more, its own per-request work inside the ` +
                'slot (fetch + ky + its layers cost several times what the Pool does: see the record GET per-CPU-second table)' +
                ((failures.get('ours') ?? 0) > 0 ? '; and some requests failed' : '')
              : undefined,
        },
      ],
      notes: [],
      problems,
      failed: problems.length > 0,
    };
  } finally {
    await emu.stop();
  }
}
