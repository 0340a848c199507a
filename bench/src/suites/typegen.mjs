// issue 16: generating record types from the metadata catalog. The catalog is slow on a real account, so what
// matters is keeping the account's C concurrency slots busy: the request rate while the schemas are fetched, as a
// fraction of the ideal C/L, with the emulator's catalog answering after L ms and refusing (429) past C in flight.
import { cpus, loadavg } from 'node:os';
import { handWrittenTokenClient, startEmulatorProcess } from '../lib/emulator.mjs';
import { interleave } from '../lib/rounds.mjs';
import { plan, requireExports, tryImport } from '../lib/setup.mjs';
import { pairedRatio } from '../lib/stats.mjs';

const LIMIT = 5;
const BUILT_IN = 7;

export async function run({ quick, log }) {
  const problems = [];
  const types = quick ? 10 : 50;
  const latencyMs = quick ? 20 : 200;
  const { rounds, warmup } = plan(quick, { rounds: 3 });
  const ideal = (LIMIT * 1000) / latencyMs;
  const emu = await startEmulatorProcess({ keyTypes: ['ec-p256'], concurrencyLimit: 10_000, seed: false });
  try {
    const info = emu.info;
    // 7 built-in types and custom record types with a few custom fields each, up to `types`.
    for (let i = 0; i < types - BUILT_IN; i++) {
      await emu.call('admin', 'addCustomRecordType', {
        scriptId: `customrecord_bench${i}`,
        name: `Bench ${i}`,
        fields: [
          { scriptId: `custrecord_b${i}_amount`, type: 'float' },
          { scriptId: `custrecord_b${i}_owner`, type: 'ref', refType: 'employee' },
          { scriptId: `custrecord_b${i}_state`, type: 'enum', options: { 1: 'Open', 2: 'Done' } },
        ],
      });
    }
    const token = await (await handWrittenTokenClient(info))();
    await emu.call('admin', 'setConcurrencyLimit', LIMIT);
    await emu.call('admin', 'setLatency', { route: 'metadata', ms: latencyMs });
    const record = requireExports(
      await tryImport('@netsuite-oauth/record-client'),
      '@netsuite-oauth/record-client',
      ['createNetSuiteClient'],
    );
    const typegen = requireExports(await tryImport('@netsuite-oauth/typegen'), '@netsuite-oauth/typegen', [
      'generateRecordTypes',
    ]);
    const names = [
      'customer',
      'contact',
      'employee',
      'vendor',
      'inventoryItem',
      'salesOrder',
      'invoice',
      ...Array.from({ length: types - BUILT_IN }, (_, i) => `customrecord_bench${i}`),
    ];
    const failures = new Map();
    const rejected = new Map();
    const totals = new Map();
    const counted = async (name, body) => {
      const before = await emu.call('admin', 'counters');
      const out = await body();
      const after = await emu.call('admin', 'counters');
      rejected.set(
        name,
        (rejected.get(name) ?? 0) + (after.concurrencyRejected - before.concurrencyRejected),
      );
      const requests = after.metadata - before.metadata;
      if (requests !== types) problems.push(`${name}: ${requests} catalog requests for ${types} types`);
      return out;
    };
    const variants = [
      {
        name: 'ours',
        measure: () =>
          counted('ours', async () => {
            // A fresh client and no cache: every round fetches every schema.
            const client = record.createNetSuiteClient({
              accountId: info.accountId,
              origin: info.url,
              allowInsecureLoopback: true,
              token: async () => token,
              concurrency: LIMIT,
              metadata: { cache: false },
            });
            const started = performance.now();
            let fetchedAt = started;
            try {
              const { source } = await typegen.generateRecordTypes({
                metadata: client.metadata,
                types: names,
                onProgress: (done) => {
                  if (done === types) fetchedAt = performance.now();
                },
              });
              if (!source.includes('export interface NetSuiteRecords')) throw new Error('no record map');
            } catch (error) {
              failures.set('ours', (failures.get('ours') ?? 0) + 1);
              problems.push(`ours: ${error.message}`);
            }
            const ended = performance.now();
            totals.set('ours', [...(totals.get('ours') ?? []), ended - started]);
            return (types * 1000) / (fetchedAt - started);
          }),
      },
      {
        // The reference: global fetch behind a C-permit semaphore, the least a client needs to stay within C.
        name: 'fetch-sem',
        measure: () =>
          counted('fetch-sem', async () => {
            let free = LIMIT;
            const waiting = [];
            const acquire = () => {
              if (free === 0) return new Promise((resolve) => waiting.push(resolve));
              free--;
              return Promise.resolve();
            };
            const release = () => {
              const next = waiting.shift();
              if (next) next();
              else free++;
            };
            const started = performance.now();
            await Promise.all(
              names.map(async (name) => {
                await acquire();
                try {
                  const response = await fetch(
                    `${info.url}/services/rest/record/v1/metadata-catalog/${name}`,
                    {
                      headers: { authorization: `Bearer ${token}`, accept: 'application/schema+json' },
                    },
                  );
                  await response.json();
                  if (response.status !== 200) throw new Error(`status ${response.status}`);
                } finally {
                  release();
                }
              }),
            );
            return (types * 1000) / (performance.now() - started);
          }),
      },
    ];
    const samples = await interleave({ rounds, warmup, variants });
    log('typegen done');
    const idealName = `ideal C/L = ${LIMIT} / ${latencyMs} ms`;
    const idealSamples = (samples.get('ours') ?? []).map(() => ideal);
    const fraction = pairedRatio(samples.get('ours') ?? [], idealSamples);
    const semFraction = pairedRatio(samples.get('fetch-sem') ?? [], idealSamples);
    const perRound = (map, name) => Math.round((map.get(name) ?? 0) / (rounds + warmup));
    const totalMs = totals.get('ours') ?? [];
    const medianTotal = [...totalMs].sort((a, b) => a - b)[Math.floor(totalMs.length / 2)];
    return {
      title: 'Generating record types from the metadata catalog (issue 16)',
      intro:
        `@netsuite-oauth/typegen fetches ${types} record types' JSON Schemas through record-client's \`client.metadata\` ` +
        `(concurrency ${LIMIT}, no cache) and renders one TypeScript file. The emulator answers each catalog request ` +
        `after L = ${latencyMs} ms and refuses (429) past C = ${LIMIT} in flight. The figure is catalog requests per ` +
        'second from the first request to the last schema; its ratio to C/L is the fraction of the ideal.',
      sections: [
        {
          title: `Catalog requests/s for ${types} record types, C = ${LIMIT}, L = ${latencyMs} ms`,
          short: `Type generation (${types} types, C=${LIMIT}, L=${latencyMs} ms)`,
          unit: 'req/s',
          rows: [
            {
              name: `@netsuite-oauth/typegen generateRecordTypes (record-client concurrency: ${LIMIT})`,
              samples: samples.get('ours') ?? [],
              ref: [idealName],
              note:
                `per round: ${perRound(failures, 'ours')} failed runs, ${perRound(rejected, 'ours')} 429s sent; ` +
                `whole run with rendering (json-schema-to-typescript + prettier) median ${Math.round(medianTotal ?? 0)} ms`,
            },
            {
              name: `global fetch behind a ${LIMIT}-permit semaphore (schemas only)`,
              samples: samples.get('fetch-sem') ?? [],
              ref: [idealName],
              note: `per round: ${perRound(rejected, 'fetch-sem')} 429s sent`,
            },
            { name: idealName, samples: idealSamples, isReference: true },
          ],
        },
      ],
      targets: [
        {
          issue: '#16 typegen',
          target: `generating types for ${types} record types at C=${LIMIT}, catalog latency L=${latencyMs} ms ≥ 0.9 of ideal C/L`,
          measured: fraction.n ? `${fraction.median.toFixed(3)} of ideal` : 'not measured',
          met: fraction.n ? fraction.median >= 0.9 && (failures.get('ours') ?? 0) === 0 : null,
          cause:
            fraction.n && fraction.median < 0.9
              ? `fetch behind a semaphore reached ${semFraction.median.toFixed(3)} in the same rounds (load average ` +
                `${loadavg()[0].toFixed(1)} on ${cpus().length} cores)`
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
