// issue 7: record GET requests/s at concurrency 1/16/64 — ours vs plain ky, global fetch, an undici Pool
// and the npm peer netsuite-rest, all against the same emulator process with a cached token.
import { Agent, fetch as undiciFetch } from 'undici';
import { referenceClients } from '../lib/clients.mjs';
import { handWrittenTokenClient, startEmulatorProcess } from '../lib/emulator.mjs';
import { closedLoopWithCpu, interleave } from '../lib/rounds.mjs';
import { plan, requireExports, shortfallCause, tryImport } from '../lib/setup.mjs';
import { median, pairedRatio } from '../lib/stats.mjs';

const LABELS = {
  ours: '@netsuite-oauth/record-client `records.get`',
  oursUndici: '@netsuite-oauth/record-client `records.get`, fetch from undici with a keep-alive Agent',
  oursHooks: '@netsuite-oauth/record-client `records.get` with a ky hook (every attempt run by ky)',
  ky: 'plain ky',
  fetch: 'global fetch',
  undici: 'undici Pool',
  netsuiteRest: 'netsuite-rest (got)',
};

/**
 * Finds one customer's internal id through the record list endpoint.
 *
 * @example
 * const id = await firstCustomerId(emu.info.url, token);
 */
export async function firstCustomerId(origin, token) {
  const response = await fetch(`${origin}/services/rest/record/v1/customer?limit=1`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const body = await response.json();
  const id = body?.items?.[0]?.id;
  if (response.status !== 200 || !id) throw new Error(`cannot list customers: status ${response.status}`);
  return String(id);
}

export async function run({ quick, log }) {
  const problems = [];
  const { rounds, warmup, sliceMs } = plan(quick, { rounds: 7, sliceMs: 400 }, { sliceMs: 60 });
  const emu = await startEmulatorProcess({ keyTypes: ['ec-p256'], concurrencyLimit: 10_000 });
  const sections = [];
  const targets = [];
  try {
    const info = emu.info;
    const token = await (await handWrittenTokenClient(info))();
    const id = await firstCustomerId(info.url, token);
    const path = `/services/rest/record/v1/customer/${id}`;
    let record;
    try {
      record = requireExports(
        await tryImport('@netsuite-oauth/record-client'),
        '@netsuite-oauth/record-client',
        ['createNetSuiteClient'],
      );
    } catch (error) {
      problems.push(error.message);
    }
    // --quick checks that every client runs: concurrency 16 (the targets' figure) is enough for that.
    for (const concurrency of quick ? [16] : [1, 16, 64]) {
      const refs = referenceClients({
        origin: info.url,
        path,
        token,
        connections: concurrency,
        accountId: info.accountId,
      });
      const ops = { ky: refs.ky, fetch: refs.fetch, undici: refs.undici, netsuiteRest: refs.netsuiteRest };
      // The option the record-client README documents for heavy traffic: undici's own fetch on a keep-alive Agent.
      const agent = new Agent({ connections: concurrency, keepAliveTimeout: 30_000 });
      if (record) {
        try {
          const base = {
            accountId: info.accountId,
            origin: info.url,
            allowInsecureLoopback: true,
            token: async () => token,
            concurrency,
          };
          const client = record.createNetSuiteClient(base);
          ops.ours = () => client.records.get('customer', id);
          const viaUndici = record.createNetSuiteClient({
            ...base,
            fetch: (input, init) => undiciFetch(input, { ...init, dispatcher: agent }),
          });
          ops.oursUndici = () => viaUndici.records.get('customer', id);
          // The cost of the hooks path: one no-op beforeRequest hook makes ky run every attempt.
          const hooked = record.createNetSuiteClient({ ...base, hooks: { beforeRequest: [() => {}] } });
          ops.oursHooks = () => hooked.records.get('customer', id);
        } catch (error) {
          problems.push(`createNetSuiteClient: ${error.message}`);
        }
      }
      const variants = [];
      const perCpu = new Map();
      const clientCpu = new Map();
      for (const [name, op] of Object.entries(ops)) {
        try {
          const body = await op();
          if (String(body?.id) !== id) throw new Error(`${LABELS[name]} returned another record`);
          variants.push({
            name,
            measure: async () => {
              const result = await closedLoopWithCpu({ server: emu, concurrency, durationMs: sliceMs, op });
              if (result.errors)
                throw new Error(
                  `${LABELS[name]}: ${result.errors} failed GETs: ${result.firstError?.message}`,
                );
              perCpu.set(name, [...(perCpu.get(name) ?? []), result.opsPerCpuSecond]);
              clientCpu.set(name, [
                ...(clientCpu.get(name) ?? []),
                (result.clientCpuSeconds * 1e6) / result.done,
              ]);
              return result.opsPerSecond;
            },
          });
        } catch (error) {
          problems.push(`${LABELS[name]} at concurrency ${concurrency}: ${error.message}`);
        }
      }
      const samples = await interleave({
        rounds,
        warmup,
        onError: (v, e) => problems.push(`${v.name}: ${e.message}`),
        variants,
      });
      await refs.close();
      await agent.close();
      log(`concurrency ${concurrency} done`);
      // perCpu also holds the warm-up round: keep the measured rounds only.
      for (const [name, values] of perCpu) perCpu.set(name, values.slice(-rounds));
      for (const [name, values] of clientCpu) clientCpu.set(name, values.slice(-rounds));
      const rowsOf = (figures) =>
        ['ours', 'oursHooks', 'oursUndici', 'fetch', 'netsuiteRest', 'undici', 'ky'].map((name) => ({
          name: LABELS[name],
          samples: figures.get(name) ?? [],
          ...(name === 'ky'
            ? { isReference: true }
            : { ref: [LABELS.ky, ...(name === 'undici' ? [] : [LABELS.undici])] }),
        }));
      sections.push(
        {
          title: `Record GET at concurrency ${concurrency}`,
          short: `Record GET, concurrency ${concurrency}`,
          unit: 'req/s',
          rows: rowsOf(samples),
        },
        {
          title: `Record GET at concurrency ${concurrency}: requests per CPU-second (client and emulator processes together)`,
          short: `Record GET, concurrency ${concurrency}, per CPU-second`,
          unit: 'req/s',
          figure: 'median req per CPU-s',
          rows: rowsOf(perCpu),
        },
        {
          title: `Record GET at concurrency ${concurrency}: client CPU time per request (all threads of the client process)`,
          short: `Record GET, concurrency ${concurrency}, client CPU per request`,
          unit: 'µs',
          // The README summary keeps the figure issue 17 targets (concurrency 16); the report has all three.
          summary: concurrency === 16,
          rows: rowsOf(clientCpu),
        },
      );
      if (concurrency === 16) {
        const vsKy = pairedRatio(samples.get('ours') ?? [], samples.get('ky') ?? []);
        const vsUndici = pairedRatio(samples.get('ours') ?? [], samples.get('undici') ?? []);
        const cpuVsKy = pairedRatio(perCpu.get('ours') ?? [], perCpu.get('ky') ?? []);
        targets.push(
          {
            issue: '#7 record-client',
            target: 'record GET req/s at concurrency 16 ≥ 0.9× plain ky',
            measured: vsKy.n
              ? `${vsKy.median.toFixed(3)}× (per CPU-second: ${cpuVsKy.median.toFixed(2)}×)`
              : 'not measured',
            met: vsKy.n ? vsKy.median >= 0.9 : null,
            cause:
              vsKy.n && vsKy.median < 0.9
                ? shortfallCause({
                    goal: 0.9,
                    cpuRatio: cpuVsKy.median,
                    otherwise:
                      'not profiled here; likely the per-call layers on top of ky (concurrency limiter, retry and ' +
                      'circuit breaker, token source, NetSuite error mapping)',
                  })
                : undefined,
          },
          {
            issue: '#7 record-client',
            target: 'record GET req/s at concurrency 16 vs an undici Pool (report only)',
            measured: vsUndici.n ? `${vsUndici.median.toFixed(2)}×` : 'not measured',
            met: null,
          },
        );
        const cpuOurs = pairedRatio(clientCpu.get('ours') ?? [], clientCpu.get('ky') ?? []);
        const cpuFetch = pairedRatio(clientCpu.get('fetch') ?? [], clientCpu.get('ky') ?? []);
        const undiciOption = pairedRatio(clientCpu.get('oursUndici') ?? [], clientCpu.get('undici') ?? []);
        const undiciOptionVsOurs = pairedRatio(
          clientCpu.get('oursUndici') ?? [],
          clientCpu.get('ours') ?? [],
        );
        const undiciOptionReqs = pairedRatio(samples.get('oursUndici') ?? [], samples.get('undici') ?? []);
        const hooksCpu = pairedRatio(clientCpu.get('oursHooks') ?? [], clientCpu.get('ky') ?? []);
        targets.push(
          {
            issue: '#17 record-client',
            target: 'record GET at concurrency 16: client CPU per request ≤ 1.0× plain ky',
            measured: cpuOurs.n
              ? `${cpuOurs.median.toFixed(2)}× (${median(clientCpu.get('ours')).toFixed(0)} µs; global fetch alone ${cpuFetch.median.toFixed(2)}×)`
              : 'not measured',
            met: cpuOurs.n ? cpuOurs.median <= 1.0 : null,
          },
          {
            issue: '#17 record-client',
            target:
              'record GET at concurrency 16 with fetch from undici on a keep-alive Agent: client CPU per request vs undici Pool (report)',
            measured: undiciOption.n
              ? `${undiciOption.median.toFixed(2)}× undici Pool (${undiciOptionVsOurs.median.toFixed(2)}× ours on the global fetch); req/s ${undiciOptionReqs.median.toFixed(2)}× undici Pool`
              : 'not measured',
            met: null,
          },
          {
            issue: '#17 record-client',
            target:
              'record GET at concurrency 16 with a ky hook (ky runs every attempt): client CPU per request vs plain ky (report)',
            measured: hooksCpu.n ? `${hooksCpu.median.toFixed(2)}× plain ky` : 'not measured',
            met: null,
          },
        );
      }
    }
  } finally {
    await emu.stop();
  }
  return {
    title: 'Record GET (issues 7, 17)',
    intro:
      'GET one customer with a cached Bearer token, `concurrency` callers in a closed loop, against the emulator in ' +
      'its own process (its concurrency limit raised out of the way). Every client parses the JSON body. ' +
      'The undici Pool has exactly `concurrency` connections. netsuite-rest supports only OAuth 1.0 (TBA), ' +
      'which the emulator does not implement: it runs its full request path (it still computes an HMAC-SHA256 ' +
      'OAuth 1.0 signature for every request) and its `heads` option replaces the Authorization header with the Bearer token. ' +
      'Each concurrency has three tables: requests per wall-clock second, requests per CPU-second of the client and ' +
      'emulator processes together, and CPU time per request of the client process alone — the cost of a request, ' +
      'which other load on the machine moves less. The second record-client row injects `fetch` from the undici ' +
      'package with a keep-alive `Agent` as dispatcher (`connections` = concurrency), the option its README documents.',
    sections,
    targets,
    notes: [],
    problems,
    failed: problems.length > 0,
  };
}
