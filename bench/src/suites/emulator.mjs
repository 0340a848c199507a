// issue 3: the emulator's record GET throughput (cached token) at concurrency 16, as a ratio to a raw
// node:http hello-world — both servers in their own process, loaded by the same undici Pool client.
import { Pool } from 'undici';
import { startServer } from '../lib/child.mjs';
import { handWrittenTokenClient, startEmulatorProcess } from '../lib/emulator.mjs';
import { closedLoopWithCpu, interleave } from '../lib/rounds.mjs';
import { plan } from '../lib/setup.mjs';
import { median, pairedRatio } from '../lib/stats.mjs';
import { firstCustomerId } from './record-get.mjs';

const CONCURRENCY = 16;

export async function run({ quick, log }) {
  const { rounds, warmup, sliceMs } = plan(quick, { rounds: 9, sliceMs: 400 }, { sliceMs: 100 });
  const hello = await startServer(new URL('../servers/hello.mjs', import.meta.url));
  const emu = await startEmulatorProcess({ keyTypes: ['ec-p256'], concurrencyLimit: 10_000 });
  try {
    const token = await (await handWrittenTokenClient(emu.info))();
    const TOKEN_ROW = 'emulator: client-credentials token request (ES256 assertion verified, token issued)';
    const id = await firstCustomerId(emu.info.url, token);
    const helloPool = new Pool(hello.info.url, { connections: CONCURRENCY });
    const emuPool = new Pool(emu.info.url, { connections: CONCURRENCY });
    const serverCpu = new Map();
    const getToken = await handWrittenTokenClient(emu.info);
    const load = (name, server, pool, path, headers) => async () => {
      const before = await server.call('cpu');
      const result = await closedLoopWithCpu({
        concurrency: CONCURRENCY,
        durationMs: sliceMs,
        op:
          pool === 'token'
            ? getToken
            : async () => {
                const response = await pool.request({ path, method: 'GET', headers });
                await response.body.dump();
                if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}`);
              },
      });
      if (result.errors) throw new Error(`${result.errors} failed requests: ${result.firstError?.message}`);
      // Server CPU per request (µs): what the issue's "well under a millisecond of server time" is about.
      const serverMicros = (((await server.call('cpu')) - before) * 1e6) / result.done;
      serverCpu.set(name, [...(serverCpu.get(name) ?? []), serverMicros]);
      return result.opsPerSecond;
    };
    const samples = await interleave({
      rounds,
      warmup,
      variants: [
        { name: 'hello', measure: load('hello', hello, helloPool, '/', {}) },
        {
          name: 'emulator',
          measure: load('emulator', emu, emuPool, `/services/rest/record/v1/customer/${id}`, {
            authorization: `Bearer ${token}`,
          }),
        },
        // Server CPU only: the load comes from a hand-written fetch + jose client in this process.
        { name: 'token', measure: load('token', emu, 'token') },
      ],
    });
    await Promise.all([helloPool.close(), emuPool.close()]);
    log('emulator done');
    const ratio = pairedRatio(samples.get('emulator'), samples.get('hello'));
    const micros = (name) => (serverCpu.get(name) ?? []).slice(-rounds);
    const serverMicros = median(micros('emulator'));
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
        {
          title: 'Server CPU time per request (user + system of the server process)',
          short: 'Emulator server CPU per request',
          unit: 'µs',
          rows: [
            { name: 'emulator: record GET with a valid Bearer token', samples: micros('emulator'), ref },
            { name: TOKEN_ROW, samples: micros('token'), ref },
            { name: ref, samples: micros('hello'), isReference: true },
          ],
        },
      ],
      targets: [
        {
          issue: '#3 emulator',
          target: `a cached-token record GET in well under 1 ms of server time; req/s at concurrency ${CONCURRENCY} vs raw node:http hello-world (report)`,
          measured: `${serverMicros.toFixed(0)} µs server CPU per request; ${ratio.median.toFixed(2)}× hello-world req/s`,
          met: Number.isFinite(serverMicros) ? serverMicros < 1000 : null,
        },
      ],
      notes: [],
      problems: [],
    };
  } finally {
    await Promise.allSettled([hello.stop(), emu.stop()]);
  }
}
