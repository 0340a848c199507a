// issue 3: the emulator's record GET throughput (cached token) at concurrency 16, as a ratio to a raw
// node:http hello-world — both servers in their own process, loaded by the same undici Pool client.
import { Pool } from 'undici';
import { startServer } from '../lib/child.mjs';
import { handWrittenTokenClient, startEmulatorProcess } from '../lib/emulator.mjs';
import { closedLoop, interleave } from '../lib/rounds.mjs';
import { plan } from '../lib/setup.mjs';
import { median, pairedRatio } from '../lib/stats.mjs';
import { firstCustomerId } from './record-get.mjs';

const CONCURRENCY = 16;

export async function run({ quick, log }) {
  const { rounds, warmup, sliceMs } = plan(quick, { rounds: 7, sliceMs: 500 }, { sliceMs: 100 });
  const hello = await startServer(new URL('../servers/hello.mjs', import.meta.url));
  const emu = await startEmulatorProcess({ keyTypes: ['ec-p256'], concurrencyLimit: 10_000 });
  try {
    const token = await (await handWrittenTokenClient(emu.info))();
    const id = await firstCustomerId(emu.info.url, token);
    const helloPool = new Pool(hello.info.url, { connections: CONCURRENCY });
    const emuPool = new Pool(emu.info.url, { connections: CONCURRENCY });
    const load = (pool, path, headers) => async () => {
      const result = await closedLoop({
        concurrency: CONCURRENCY,
        durationMs: sliceMs,
        op: async () => {
          const response = await pool.request({ path, method: 'GET', headers });
          await response.body.dump();
          if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}`);
        },
      });
      if (result.errors) throw new Error(`${result.errors} failed requests: ${result.firstError?.message}`);
      return result.opsPerSecond;
    };
    const samples = await interleave({
      rounds,
      warmup,
      variants: [
        { name: 'hello', measure: load(helloPool, '/', {}) },
        {
          name: 'emulator',
          measure: load(emuPool, `/services/rest/record/v1/customer/${id}`, {
            authorization: `Bearer ${token}`,
          }),
        },
      ],
    });
    await Promise.all([helloPool.close(), emuPool.close()]);
    log('emulator done');
    const ratio = pairedRatio(samples.get('emulator'), samples.get('hello'));
    const ref = 'raw node:http hello-world';
    return {
      title: 'Emulator speed (issue 3)',
      intro: `undici Pool with ${CONCURRENCY} connections, ${CONCURRENCY} callers, each server in its own process.`,
      sections: [
        {
          title: `Requests/s at concurrency ${CONCURRENCY}`,
          short: `Emulator, concurrency ${CONCURRENCY}`,
          unit: 'req/s',
          rows: [
            { name: 'emulator: record GET with a valid Bearer token', samples: samples.get('emulator'), ref },
            { name: ref, samples: samples.get('hello'), isReference: true },
          ],
        },
      ],
      targets: [
        {
          issue: '#3 emulator',
          target: `record GET req/s at concurrency ${CONCURRENCY} vs raw node:http hello-world (report; never the bottleneck)`,
          measured: `${ratio.median.toFixed(2)}× (server time per request ≤ ${(1e6 / median(samples.get('emulator'))).toFixed(0)} µs: one server thread, so 1 / rate bounds it)`,
          met: null,
        },
      ],
      notes: [],
      problems: [],
    };
  } finally {
    await Promise.allSettled([hello.stop(), emu.stop()]);
  }
}
