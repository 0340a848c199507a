// issue 7: streaming SuiteQL rows past the 100,000-row cap (keyset paging), rows/s and the client's
// peak heap growth — ours vs a hand-written fetch pager that drops each page (and one that keeps every
// row, as clients that return arrays do).
import { handWrittenTokenClient, startEmulatorProcess } from '../lib/emulator.mjs';
import { interleave } from '../lib/rounds.mjs';
import { plan, requireExports, tryImport } from '../lib/setup.mjs';
import { pairedRatio, summarize } from '../lib/stats.mjs';

const QUERY = 'SELECT id, companyname, email FROM customer WHERE id > ? ORDER BY id ASC';
const MiB = 2 ** 20;

// Two heap figures: the peak heapUsed (garbage included, so it mostly shows the GC's cadence) and the
// retained growth — heapUsed right after a forced GC at ten checkpoints — which is what "constant
// memory" means: it stays flat for a stream and grows with the row count for a client that keeps rows.
export function heapTracker() {
  globalThis.gc?.();
  const base = process.memoryUsage().heapUsed;
  let peak = base;
  let retained = base;
  return {
    sample() {
      const used = process.memoryUsage().heapUsed;
      if (used > peak) peak = used;
    },
    checkpoint() {
      this.sample();
      globalThis.gc?.();
      const used = process.memoryUsage().heapUsed;
      if (used > retained) retained = used;
    },
    peakMiB: () => (peak - base) / MiB,
    retainedMiB: () => (retained - base) / MiB,
  };
}

async function* handWrittenRows({ suiteqlUrl, token }) {
  let last = '-9007199254740991';
  for (;;) {
    const response = await fetch(`${suiteqlUrl}?limit=1000&offset=0`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        prefer: 'transient',
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body: JSON.stringify({ q: QUERY, params: [last] }),
    });
    if (response.status !== 200) throw new Error(`suiteql: status ${response.status}`);
    const page = await response.json();
    for (const row of page.items) yield row;
    if (!page.items.length || !page.hasMore) {
      if (page.items.length < 1000) return;
    }
    last = String(page.items[page.items.length - 1].id);
  }
}

export async function run({ quick, log }) {
  const problems = [];
  const rowsWanted = quick ? 3000 : 150_000;
  const { rounds, warmup } = plan(quick, { rounds: 3 }, { rounds: 1 });
  const started = performance.now();
  const emu = await startEmulatorProcess({
    keyTypes: ['ec-p256'],
    concurrencyLimit: 10_000,
    seed: { customers: rowsWanted },
  });
  log(
    `emulator seeded with ${rowsWanted} customers in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  try {
    const info = emu.info;
    const token = await (await handWrittenTokenClient(info))();
    const suiteqlUrl = `${info.url}/services/rest/query/v1/suiteql`;
    const heap = new Map();
    const peakHeap = new Map();
    const stream = (name, rows, { keep = false } = {}) => ({
      name,
      measure: async () => {
        const tracker = heapTracker();
        const kept = [];
        let count = 0;
        const every = rowsWanted / 10;
        const start = performance.now();
        for await (const row of rows()) {
          count++;
          if (keep) kept.push(row);
          if (count % every === 0) tracker.checkpoint();
          else if (count % 1000 === 0) tracker.sample();
        }
        const seconds = (performance.now() - start) / 1000;
        tracker.checkpoint();
        if (count < rowsWanted) {
          throw new Error(`${name} streamed ${count} rows, expected at least ${rowsWanted}`);
        }
        heap.set(name, [...(heap.get(name) ?? []), tracker.retainedMiB()]);
        peakHeap.set(name, [...(peakHeap.get(name) ?? []), tracker.peakMiB()]);
        kept.length = 0;
        return count / seconds;
      },
    });
    const variants = [];
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
        concurrency: 5,
      });
      variants.push(stream('ours', () => client.suiteqlByKey(QUERY, { key: 'id', pageSize: 1000 })));
    } catch (error) {
      problems.push(error.message);
    }
    variants.push(stream('hand', () => handWrittenRows({ suiteqlUrl, token })));
    variants.push(stream('keep', () => handWrittenRows({ suiteqlUrl, token }), { keep: true }));
    const samples = await interleave({
      rounds,
      warmup,
      variants,
      onError: (variant, error) => problems.push(`${variant.name}: ${error.message}`),
    });
    log('suiteql done');
    for (const map of [heap, peakHeap])
      for (const [name, values] of map) map.set(name, values.slice(-rounds));
    const peakNote = (name) =>
      `peak heapUsed growth, garbage included: ${summarize(peakHeap.get(name) ?? []).median.toFixed(1)} MiB`;
    const ours = '@netsuite-oauth/record-client `suiteqlByKey`';
    const hand = 'hand-written fetch keyset pager';
    const keep = 'hand-written pager keeping every row';
    const oursHeap = summarize(heap.get('ours') ?? []);
    const handHeap = summarize(heap.get('hand') ?? []);
    const ratio = pairedRatio(samples.get('ours') ?? [], samples.get('hand') ?? []);
    return {
      title: `SuiteQL streaming of ${rowsWanted.toLocaleString('en-US')} rows (issue 7)`,
      intro:
        `\`${QUERY}\`, 1000 rows per request, paging by key past NetSuite's 100,000-row cap, against the emulator ` +
        'in its own process. Heap figures are the benchmark process\u2019s `heapUsed` over its level before the stream.',
      sections: [
        {
          title: 'Rows per second',
          short: `SuiteQL streaming ${rowsWanted.toLocaleString('en-US')} rows`,
          unit: 'rows/s',
          rows: [
            { name: ours, samples: samples.get('ours') ?? [], ref: [hand] },
            { name: keep, samples: samples.get('keep') ?? [], ref: [hand] },
            { name: hand, samples: samples.get('hand') ?? [], isReference: true },
          ],
        },
        {
          title:
            'Retained heap growth while streaming (heapUsed after a forced GC, highest of 10 checkpoints)',
          short: 'SuiteQL streaming, retained heap',
          unit: 'MiB',
          rows: [
            { name: ours, samples: heap.get('ours') ?? [], ref: [hand], note: peakNote('ours') },
            { name: keep, samples: heap.get('keep') ?? [], ref: [hand], note: peakNote('keep') },
            { name: hand, samples: heap.get('hand') ?? [], isReference: true, note: peakNote('hand') },
          ],
        },
      ],
      targets: [
        {
          issue: '#7 record-client',
          target: `stream ${rowsWanted.toLocaleString('en-US')} SuiteQL rows with bounded heap growth (measured)`,
          measured: oursHeap.n
            ? `${oursHeap.median.toFixed(1)} MiB retained (hand-written streaming pager ${handHeap.median.toFixed(1)} MiB, keeping every row ${summarize(heap.get('keep') ?? []).median.toFixed(1)} MiB); ${Math.round(summarize(samples.get('ours') ?? []).median).toLocaleString('en-US')} rows/s = ${ratio.median.toFixed(2)}× hand-written`
            : 'not measured',
          met: oursHeap.n ? oursHeap.median < handHeap.median + 8 : null,
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
