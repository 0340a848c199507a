// issue 18: what the diagnostics_channel events cost. Record GET at concurrency 16 (and 1) against the emulator:
// (a) the client as built, nobody subscribed, against the same source built with the events module replaced by
//     one whose checks are constant false (the "without events" build), both bundled by esbuild the same way in
//     this run; (b) the shipped client with the OpenTelemetry bridge on (SDK tracer and meter providers) against it
//     off, in the same process, the bridge subscribed only during its own slices.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { handWrittenTokenClient, startEmulatorProcess } from '../lib/emulator.mjs';
import { closedLoopWithCpu, interleave } from '../lib/rounds.mjs';
import { plan, tryImport } from '../lib/setup.mjs';
import { median, pairedRatio } from '../lib/stats.mjs';
import { firstCustomerId } from './record-get.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const benchRoot = join(here, '..', '..');
const source = join(benchRoot, '..', 'packages', 'record-client', 'src', 'index.ts');
const outDir = join(benchRoot, 'results', 'observability-build');

// The events module with every check constant false: what the client is without events. Same exports, so the
// rest of the source is bundled unchanged.
const WITHOUT_EVENTS = `
const none = { hasSubscribers: false, publish() {} };
export const recordClientChannels = Object.freeze({});
export const requestChannel = none, exchangeChannel = none, retryChannel = none, circuitChannel = none, governanceChannel = none;
export function callObserved() { return false; }
export function nextCallId() { return 0; }
export function epochNow() { return 0; }
export function routeOf(path) { return path; }
`;

async function bundle(name, withoutEvents) {
  const outfile = join(outDir, `${name}.mjs`);
  await build({
    entryPoints: [source],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // The workspace packages and ky stay imports, as in the shipped build.
    external: ['@netsuite-oauth/*', 'ky'],
    logLevel: 'silent',
    plugins: withoutEvents
      ? [
          {
            name: 'without-events',
            setup(b) {
              b.onResolve({ filter: /\/diagnostics\.js$/ }, () => ({
                path: 'diagnostics',
                namespace: 'stub',
              }));
              b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({
                contents: WITHOUT_EVENTS,
                loader: 'js',
              }));
            },
          },
        ]
      : [],
  });
  return import(pathToFileURL(outfile).href);
}

const LABELS = {
  events: 'record-client, events compiled in, no subscriber',
  stripped: 'record-client, events module replaced by constant-false checks (the build without events)',
  shipped: 'record-client as shipped (dist), no subscriber',
  otelOn: 'record-client as shipped, @netsuite-oauth/otel bridge on (SDK tracer + meter providers)',
};

export async function run({ quick, log }) {
  const problems = [];
  const sections = [];
  const targets = [];
  const { rounds, warmup, sliceMs } = plan(quick, { rounds: 9, sliceMs: 400 }, { sliceMs: 60 });
  mkdirSync(outDir, { recursive: true });
  const [events, stripped, shipped, otel, traceSdk, metricsSdk] = await Promise.all([
    bundle('with-events', false),
    bundle('without-events', true),
    tryImport('@netsuite-oauth/record-client'),
    tryImport('@netsuite-oauth/otel'),
    tryImport('@opentelemetry/sdk-trace-base'),
    tryImport('@opentelemetry/sdk-metrics'),
  ]);
  const emu = await startEmulatorProcess({ keyTypes: ['ec-p256'], concurrencyLimit: 10_000 });
  try {
    const info = emu.info;
    const token = await (await handWrittenTokenClient(info))();
    const id = await firstCustomerId(info.url, token);
    // Spans go through a batch processor to an exporter that drops them, metrics to a reader nobody collects
    // here: the bridge's own work and the SDK's recording are measured, not an exporter's I/O.
    const tracerProvider = new traceSdk.BasicTracerProvider({
      spanProcessors: [
        new traceSdk.BatchSpanProcessor({
          export: (_spans, done) => done({ code: 0 }),
          shutdown: async () => {},
        }),
      ],
    });
    const reader = new metricsSdk.PeriodicExportingMetricReader({
      exporter: new metricsSdk.InMemoryMetricExporter(metricsSdk.AggregationTemporality.CUMULATIVE),
      exportIntervalMillis: 3_600_000,
    });
    const meterProvider = new metricsSdk.MeterProvider({ readers: [reader] });

    for (const concurrency of quick ? [16] : [1, 16]) {
      const base = {
        accountId: info.accountId,
        origin: info.url,
        allowInsecureLoopback: true,
        token: async () => token,
        concurrency,
      };
      const clients = {
        events: events.createNetSuiteClient(base),
        stripped: stripped.createNetSuiteClient(base),
        shipped: shipped.createNetSuiteClient(base),
      };
      const ops = {
        events: () => clients.events.records.get('customer', id),
        stripped: () => clients.stripped.records.get('customer', id),
        shipped: () => clients.shipped.records.get('customer', id),
        otelOn: () => clients.shipped.records.get('customer', id),
      };
      const reqs = new Map();
      const cpu = new Map();
      const variants = Object.entries(ops).map(([name, op]) => ({
        name,
        measure: async () => {
          const bridge =
            name === 'otelOn' ? otel.instrumentNetSuite({ tracerProvider, meterProvider }) : undefined;
          let result;
          try {
            result = await closedLoopWithCpu({ server: emu, concurrency, durationMs: sliceMs, op });
          } finally {
            bridge?.disable();
          }
          if (result.errors)
            throw new Error(`${LABELS[name]}: ${result.errors} failed: ${result.firstError?.message}`);
          reqs.set(name, [...(reqs.get(name) ?? []), result.opsPerSecond]);
          cpu.set(name, [...(cpu.get(name) ?? []), (result.clientCpuSeconds * 1e6) / result.done]);
          return result.opsPerSecond;
        },
      }));
      await interleave({
        rounds,
        warmup,
        onError: (v, e) => problems.push(`${v.name}: ${e.message}`),
        variants,
      });
      for (const map of [reqs, cpu]) for (const [name, values] of map) map.set(name, values.slice(-rounds));
      log(`concurrency ${concurrency} done`);
      const rowsOf = (figures, reference) =>
        Object.keys(LABELS).map((name) => ({
          name: LABELS[name],
          samples: figures.get(name) ?? [],
          ...(name === reference ? { isReference: true } : { ref: [LABELS[reference]] }),
        }));
      sections.push(
        {
          title: `Record GET at concurrency ${concurrency}: requests per second`,
          short: `Observability, record GET c=${concurrency}`,
          unit: 'req/s',
          rows: rowsOf(reqs, 'stripped'),
        },
        {
          title: `Record GET at concurrency ${concurrency}: client CPU per request`,
          short: `Observability, record GET c=${concurrency}, client CPU`,
          unit: 'µs',
          summary: concurrency === 16,
          rows: rowsOf(cpu, 'shipped'),
        },
      );
      const label = `concurrency ${concurrency}`;
      const throughput = pairedRatio(reqs.get('events') ?? [], reqs.get('stripped') ?? []);
      const cpuEvents = pairedRatio(cpu.get('events') ?? [], cpu.get('stripped') ?? []);
      const otelCpu = pairedRatio(cpu.get('otelOn') ?? [], cpu.get('shipped') ?? []);
      targets.push(
        {
          issue: '#18 observability',
          target: `record GET req/s at ${label}, no subscriber, ≥ 0.98× the build without events`,
          measured: throughput.n
            ? `${throughput.median.toFixed(3)}× (client CPU per request ${cpuEvents.median.toFixed(3)}×)`
            : 'not measured',
          met: throughput.n ? throughput.median >= 0.98 : null,
        },
        {
          issue: '#18 observability',
          target: `record GET at ${label}: client CPU per request with the OpenTelemetry bridge on ≤ 1.10× off`,
          measured: otelCpu.n
            ? `${otelCpu.median.toFixed(3)}× (${median(cpu.get('otelOn')).toFixed(0)} µs vs ${median(cpu.get('shipped')).toFixed(0)} µs)`
            : 'not measured',
          met: otelCpu.n ? otelCpu.median <= 1.1 : null,
        },
      );
    }
    await meterProvider.shutdown();
    await tracerProvider.shutdown();
  } finally {
    await emu.stop();
  }
  return {
    title: 'Observability: the cost of diagnostics events and of the OpenTelemetry bridge (issue 18)',
    intro:
      'GET one customer with a cached token, `concurrency` callers in a closed loop, against the emulator in its own ' +
      'process. "Without events" is the same record-client source bundled by esbuild in this run with its events ' +
      'module replaced by one whose checks are constant false; "events compiled in" is the same source bundled the ' +
      'same way with the real module. The bridge variant subscribes only during its own slices (rounds interleave ' +
      'the variants), with SDK 2.12 providers: a batch span processor to an exporter that drops spans, a metric reader.',
    sections,
    targets,
    notes: [],
    problems,
    failed: problems.length > 0,
  };
}
