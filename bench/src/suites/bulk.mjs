// issue 13: bulk data under the account's concurrency ceiling. Import: records/s of client.batch against the
// emulator with its cost model on, as a fraction of the model's ideal batch throughput (derived from the model's
// parameters read back in the same run) and against the same client creating one record per request. Export:
// pages/s of client.exportRows over 150,000 rows as a fraction of the ideal C/L pages/s, and its heap.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { handWrittenTokenClient, startEmulatorProcess } from '../lib/emulator.mjs';
import { interleave } from '../lib/rounds.mjs';
import { plan, requireExports, tryImport } from '../lib/setup.mjs';
import { pairedRatio, summarize } from '../lib/stats.mjs';
import { heapTracker } from './suiteql.mjs';

const LIMIT = 5;
const CHUNK = 100;

/**
 * The cost model's best case for batches: per chunk of n records, a submit (R), its job (n·r) and one read of the
 * task list with results inline, which says both that the job is done and what each record got (R).
 */
function idealBatch(model, limit, chunk) {
  return (limit * chunk * 1000) / (2 * model.requestMs + chunk * model.recordMs);
}

/** The cost model's best case for one record per request. */
function idealSingle(model, limit) {
  return (limit * 1000) / (model.requestMs + model.recordMs);
}

function clientFor(record, info, token, concurrency) {
  return record.createNetSuiteClient({
    accountId: info.accountId,
    origin: info.url,
    allowInsecureLoopback: true,
    token: async () => token,
    concurrency,
  });
}

async function importPart({ emu, token, quick, log, record, problems }) {
  const requestMs = quick ? 20 : 100;
  const recordMs = 1;
  const total = quick ? 300 : 10_000;
  const singles = quick ? 10 : 250;
  const { rounds, warmup } = plan(quick, { rounds: 3, warmup: 0 }, { rounds: 1 });
  const info = emu.info;
  await emu.call('admin', 'setConcurrencyLimit', LIMIT);
  const model = await emu.call('admin', 'setCostModel', { requestMs, recordMs, jobHoldsSlot: true });
  const client = clientFor(record, info, token, LIMIT);
  let run = 0;
  const failures = new Map();
  const loopDelay = [];
  const rows = (n) => {
    const prefix = `B${run++}`;
    return Array.from({ length: n }, (_, i) => ({
      companyName: `Bulk ${prefix} ${i}`,
      externalId: `${prefix}-${i}`,
      subsidiary: { id: '1' },
    }));
  };
  const fail = (name, count) => failures.set(name, (failures.get(name) ?? 0) + count);
  const batchVariant = (name, batchClient, n) => ({
    name,
    measure: async () => {
      const input = rows(n);
      const histogram = monitorEventLoopDelay({ resolution: 5 });
      histogram.enable();
      const start = performance.now();
      let bad = 0;
      for await (const result of batchClient.batch.create('customer', input)) if (!result.ok) bad++;
      const seconds = (performance.now() - start) / 1000;
      histogram.disable();
      loopDelay.push(histogram.percentile(99) / 1e6);
      fail(name, bad);
      return n / seconds;
    },
  });
  const single = {
    name: 'single',
    measure: async () => {
      const input = rows(singles);
      let next = 0;
      let bad = 0;
      const start = performance.now();
      await Promise.all(
        Array.from({ length: LIMIT }, async () => {
          while (next < input.length) {
            const body = input[next++];
            await client.records.create('customer', body).catch(() => bad++);
          }
        }),
      );
      fail('single', bad);
      return singles / ((performance.now() - start) / 1000);
    },
  };
  const before = await emu.call('admin', 'counters');
  const samples = await interleave({
    rounds,
    warmup,
    variants: [batchVariant('batch', client, total), single],
    onError: (variant, error) => problems.push(`${variant.name}: ${error.message}`),
  });
  const after = await emu.call('admin', 'counters');
  // One run at a higher limit (16), against its own ideal.
  let wide;
  if (!quick) {
    await emu.call('admin', 'setConcurrencyLimit', 16);
    try {
      const figure = await batchVariant('batch-16', clientFor(record, info, token, 16), total).measure();
      wide = { figure, ideal: idealBatch(model, 16, CHUNK) };
    } catch (error) {
      problems.push(`batch at C=16: ${error.message}`);
    }
    await emu.call('admin', 'setConcurrencyLimit', LIMIT);
  }
  log('bulk import done');
  const ideal = idealBatch(model, LIMIT, CHUNK);
  const oneByOne = idealSingle(model, LIMIT);
  const batchSamples = samples.get('batch') ?? [];
  const singleSamples = samples.get('single') ?? [];
  const idealName = `model's ideal batch throughput C·n/(2R + n·r), C=${LIMIT}`;
  const singleIdealName = `model's ideal one record per request C/(R + r), C=${LIMIT}`;
  const oursName = `record-client \`batch.create\` (C=${LIMIT}, chunks of ${CHUNK})`;
  const singleName = `record-client \`records.create\`, ${LIMIT} in flight`;
  const rejected = after.concurrencyRejected - before.concurrencyRejected;
  const toIdeal = pairedRatio(
    batchSamples,
    batchSamples.map(() => ideal),
  );
  const toSingle = pairedRatio(batchSamples, singleSamples);
  const failed = (failures.get('batch') ?? 0) + (failures.get('batch-16') ?? 0);
  return {
    sections: [
      {
        title:
          `Import ${total.toLocaleString('en-US')} customers: records/s with the emulator limited to C = ${LIMIT} ` +
          `and its cost model at R = ${model.requestMs} ms a request, r = ${model.recordMs} ms a record, jobs holding a slot`,
        short: `Bulk import (C=${LIMIT}, R=${model.requestMs} ms)`,
        unit: 'records/s',
        rows: [
          {
            name: oursName,
            samples: batchSamples,
            ref: [idealName, singleName],
            note:
              `${failed} failed records, ${rejected} 429s sent by the emulator over all rounds; ` +
              `event-loop delay p99 ${summarize(loopDelay).median.toFixed(1)} ms`,
          },
          { name: singleName, samples: singleSamples, ref: [singleIdealName] },
          { name: idealName, samples: batchSamples.map(() => ideal), isReference: true },
          { name: singleIdealName, samples: singleSamples.map(() => oneByOne), isReference: true },
          ...(wide
            ? [
                {
                  name: 'record-client `batch.create` at C=16 (one run)',
                  samples: [wide.figure],
                  note: `${(wide.figure / wide.ideal).toFixed(3)} of its ideal ${Math.round(wide.ideal).toLocaleString('en-US')} records/s`,
                },
              ]
            : []),
        ],
      },
    ],
    targets: [
      {
        issue: '#13 record-client',
        target:
          `import ${total.toLocaleString('en-US')} customers at C=${LIMIT}, ${model.requestMs} ms latency, ` +
          "cost model on: ≥ 0.9 of the model's ideal batch throughput",
        measured: toIdeal.n ? `${toIdeal.median.toFixed(3)} of ideal, ${failed} failed` : 'not measured',
        met: toIdeal.n ? toIdeal.median >= 0.9 && failed === 0 : null,
      },
      {
        issue: '#13 record-client',
        target: 'the same import ≥ 20× the same client creating one record per request',
        measured: toSingle.n ? `${toSingle.median.toFixed(1)}×` : 'not measured',
        met: toSingle.n ? toSingle.median >= 20 : null,
      },
    ],
  };
}

async function exportPart({ emu, token, quick, log, record, problems, rowsWanted }) {
  const pageSize = quick ? 500 : 1000;
  // A SuiteQL page of 1000 rows takes NetSuite far longer; 250 ms keeps the emulator's own work per page (a
  // query and 1000 rows of JSON, on both sides) small next to the modelled latency, as NetSuite's is.
  const requestMs = quick ? 20 : 250;
  const { rounds, warmup } = plan(quick, { rounds: 3, warmup: 0 }, { rounds: 1 });
  const info = emu.info;
  const model = await emu.call('admin', 'setCostModel', { requestMs, recordMs: 0 });
  const heap = new Map();
  const variant = (name, concurrency, wanted) => ({
    name,
    measure: async () => {
      await emu.call('admin', 'setConcurrencyLimit', concurrency);
      const client = clientFor(record, info, token, concurrency);
      const tracker = heapTracker();
      const rows = client.exportRows({
        from: 'customer',
        columns: ['id', 'companyname', 'email'],
        where: 'id <= ?',
        params: [String(wanted)],
        pageSize,
        concurrency,
      });
      let count = 0;
      const every = Math.max(1, Math.floor(wanted / 10));
      const start = performance.now();
      for await (const _row of rows) {
        count++;
        if (count % every === 0) tracker.checkpoint();
        else if (count % 1000 === 0) tracker.sample();
      }
      const seconds = (performance.now() - start) / 1000;
      tracker.checkpoint();
      if (count < wanted * 0.99) throw new Error(`${name} exported ${count} rows, expected about ${wanted}`);
      heap.set(name, [...(heap.get(name) ?? []), tracker.retainedMiB()]);
      return count / pageSize / seconds;
    },
  });
  const samples = await interleave({
    rounds,
    warmup,
    variants: [variant('c5', LIMIT, rowsWanted)],
    onError: (v, error) => problems.push(`${v.name}: ${error.message}`),
  });
  // One run each at one slot (a tenth of the rows: it is slow) and at 16.
  if (!quick) {
    for (const [name, c, wanted] of [
      ['c1', 1, rowsWanted / 10],
      ['c16', 16, rowsWanted],
    ]) {
      try {
        samples.set(name, [await variant(name, c, wanted).measure()]);
      } catch (error) {
        problems.push(`export ${name}: ${error.message}`);
      }
    }
  }
  log('bulk export done');
  const ideal = (c) => (c * 1000) / model.requestMs;
  const idealName = `ideal C/L = ${LIMIT} / ${model.requestMs} ms`;
  const c5 = samples.get('c5') ?? [];
  const fraction = pairedRatio(
    c5,
    c5.map(() => ideal(LIMIT)),
  );
  const retained = summarize(heap.get('c5') ?? []);
  const row = (name, key, c) => {
    const values = samples.get(key) ?? [];
    const share = pairedRatio(
      values,
      values.map(() => ideal(c)),
    ).median;
    return {
      name,
      samples: values,
      note: `${share.toFixed(3)} of its ideal ${c}/L; retained heap ${summarize(heap.get(key) ?? []).median.toFixed(1)} MiB`,
    };
  };
  return {
    sections: [
      {
        title:
          `Export ${rowsWanted.toLocaleString('en-US')} customers with \`exportRows\` (${pageSize} rows a page): ` +
          `pages/s with the emulator at L = ${model.requestMs} ms a request`,
        short: `Bulk export ${rowsWanted.toLocaleString('en-US')} rows`,
        unit: 'pages/s',
        rows: [
          { ...row(`record-client \`exportRows\`, C=${LIMIT}`, 'c5', LIMIT), ref: [idealName] },
          ...(quick
            ? []
            : [
                row(
                  `record-client \`exportRows\`, C=1 (${(rowsWanted / 10).toLocaleString('en-US')} rows, one run)`,
                  'c1',
                  1,
                ),
                row('record-client `exportRows`, C=16 (one run)', 'c16', 16),
              ]),
          { name: idealName, samples: c5.map(() => ideal(LIMIT)), isReference: true },
        ],
      },
    ],
    targets: [
      {
        issue: '#13 record-client',
        target:
          `export ${rowsWanted.toLocaleString('en-US')} rows with the parallel keyset reader: ` +
          `≥ 0.9 of ideal pages/s for C=${LIMIT}; heap flat`,
        measured: fraction.n
          ? `${fraction.median.toFixed(3)} of ideal; ${retained.median.toFixed(1)} MiB retained heap growth`
          : 'not measured',
        met: fraction.n ? fraction.median >= 0.9 && retained.median < 16 : null,
      },
    ],
  };
}

export async function run({ quick, log }) {
  const problems = [];
  const record = requireExports(
    await tryImport('@netsuite-oauth/record-client'),
    '@netsuite-oauth/record-client',
    ['createNetSuiteClient'],
  );
  const rowsWanted = quick ? 3000 : 150_000;
  const started = performance.now();
  // One emulator for both parts, seeded for the export, which runs first (before the imports add customers).
  const emu = await startEmulatorProcess({
    keyTypes: ['ec-p256'],
    concurrencyLimit: 16,
    seed: { customers: rowsWanted },
  });
  log(
    `emulator seeded with ${rowsWanted} customers in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  const parts = [];
  try {
    const token = await (await handWrittenTokenClient(emu.info))();
    for (const part of [exportPart, importPart]) {
      try {
        parts.push(await part({ emu, token, quick, log, record, problems, rowsWanted }));
      } catch (error) {
        problems.push(error.message);
      }
    }
  } finally {
    await emu.stop();
  }
  return {
    title: 'Bulk data under the concurrency ceiling (issue 13)',
    intro:
      'The emulator runs in its own process with its cost model on: every request holds its concurrency slot for R ms, ' +
      'every record processed costs r ms (inside an async job for a batch), and a running batch job holds a slot. ' +
      'The ideal figures are computed from the model parameters read back from the emulator in the same run: a batch ' +
      'of n records needs at least a submit and one read of its task list with the results inline (2R of slot time) ' +
      'plus its job (n·r), so C slots move at most C·n/(2R + n·r) records/s; one record per request at most ' +
      'C/(R + r); an export at most C/L pages/s.',
    sections: parts.flatMap((p) => p.sections),
    targets: parts.flatMap((p) => p.targets),
    notes: [],
    problems,
    failed: problems.length > 0,
  };
}
