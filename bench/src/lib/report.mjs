import { pairedRatio, summarize } from './stats.mjs';

const UNITS = {
  'ops/s': (v) => fmtCount(v),
  'req/s': (v) => fmtCount(v),
  'rows/s': (v) => fmtCount(v),
  'records/s': (v) => fmtCount(v),
  'pages/s': (v) => fmtCount(v),
  ms: (v) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)),
  MiB: (v) => v.toFixed(1),
  µs: (v) => (v >= 100 ? v.toFixed(0) : v.toFixed(1)),
  B: (v) => fmtBytes(v),
  '×': (v) => v.toFixed(2),
};

function fmtCount(v) {
  if (!Number.isFinite(v)) return 'n/a';
  if (v >= 100) return Math.round(v).toLocaleString('en-US');
  return v.toPrecision(3);
}

function fmtBytes(v) {
  if (!Number.isFinite(v)) return 'n/a';
  // kB = 1000 B, as size-limit counts.
  return v >= 1000 ? `${(v / 1000).toFixed(1)} kB` : `${Math.round(v)} B`;
}

/**
 * Formats a figure in its unit.
 *
 * @example
 * formatValue(1234.5, 'req/s'); // '1,235'
 */
export function formatValue(v, unit) {
  if (!Number.isFinite(v)) return 'n/a';
  return (UNITS[unit] ?? ((x) => x.toPrecision(3)))(v);
}

function cell(text) {
  return String(text).replaceAll('|', '\\|').replaceAll('\n', ' ');
}

/**
 * Summarises one section's rows: median, min–max and the paired ratio to the row's reference.
 *
 * @example
 * summarizeSection({ unit: 'ops/s', rows: [{ name: 'a', samples: [2], ref: 'b' }, { name: 'b', samples: [1] }] });
 */
export function summarizeSection(section) {
  const byName = new Map(section.rows.map((row) => [row.name, row]));
  return section.rows.map((row) => {
    const stats = summarize(row.samples ?? []);
    const refs = row.ref === undefined ? [] : Array.isArray(row.ref) ? row.ref : [row.ref];
    const ratios = refs.map((ref) => ({
      ref,
      ratio: pairedRatio(row.samples ?? [], byName.get(ref)?.samples ?? []),
    }));
    return { ...row, stats, ratios };
  });
}

function renderSection(section) {
  const lines = [`### ${section.title}`, ''];
  if (section.intro) lines.push(section.intro, '');
  const unit = section.unit;
  // A section of single measurements (sizes) has no spread to show.
  const single = section.rows.every((row) => (row.samples ?? []).length <= 1);
  lines.push(
    single
      ? `| ${section.label ?? 'variant'} | ${section.figure ?? unit} | ratio to reference | note |`
      : `| ${section.label ?? 'variant'} | ${section.figure ?? `median ${unit}`} | min–max | ratio to reference (median, min–max) | note |`,
    single ? '|---|---:|---|---|' : '|---|---:|---:|---|---|',
  );
  for (const row of summarizeSection(section)) {
    const { stats, ratios } = row;
    const range =
      stats.n > 1 ? `${formatValue(stats.min, unit)}–${formatValue(stats.max, unit)}` : stats.n ? '—' : 'n/a';
    const ratioText = ratios.length
      ? ratios
          .map(({ ref, ratio }, i) => {
            if (!ratio.n) return `n/a ${ref}`;
            const value = i === 0 ? `**${ratio.median.toFixed(2)}×**` : `${ratio.median.toFixed(2)}×`;
            const range = ratio.n > 1 ? ` (${ratio.min.toFixed(2)}–${ratio.max.toFixed(2)})` : '';
            return `${value} ${ref}${range}`;
          })
          .join(' · ')
      : row.isReference
        ? 'reference'
        : '—';
    const figure = formatValue(stats.median, unit);
    lines.push(
      single
        ? `| ${cell(row.name)} | ${figure} | ${cell(ratioText)} | ${cell(row.note ?? '')} |`
        : `| ${cell(row.name)} | ${figure} | ${range} | ${cell(ratioText)} | ${cell(row.note ?? '')} |`,
    );
  }
  lines.push('');
  return lines.join('\n');
}

function renderTargets(results) {
  const targets = results.flatMap((r) => (r.result?.targets ?? []).map((t) => ({ ...t, suite: r.id })));
  if (targets.length === 0) return '';
  const lines = [
    '## Targets from the package issues',
    '',
    '| issue | target | measured | met? | cause of a shortfall |',
    '|---|---|---|---|---|',
  ];
  for (const t of targets) {
    const met = t.met === true ? 'yes' : t.met === false ? '**no**' : 'n/a';
    lines.push(
      `| ${cell(t.issue)} | ${cell(t.target)} | ${cell(t.measured)} | ${met} | ${cell(t.cause ?? '')} |`,
    );
  }
  lines.push('');
  return lines.join('\n');
}

/**
 * Renders the whole Markdown report: machine facts, targets, then every suite's tables and notes.
 *
 * @example
 * const markdown = renderReport({ facts, results, quick: false, command: 'pnpm bench', seconds: 312 });
 */
export function renderReport({ facts, factsAfter, results, quick, command, seconds }) {
  const lines = [`# Benchmark report${quick ? ' (smoke run — figures are not meaningful)' : ''}`, ''];
  lines.push(
    `Command: \`${command}\` · ${facts.date} · took ${seconds.toFixed(0)} s`,
    '',
    'Every figure is the median over interleaved rounds (each round runs every variant once, in rotating order), ' +
      'with its min–max; ratios are taken per round against the reference measured in the same round, then ' +
      'summarised the same way. Servers run in their own processes; all traffic is on 127.0.0.1.',
    '',
    '## Machine',
    '',
    '| fact | value |',
    '|---|---|',
    `| CPU | ${facts.cpu} × ${facts.cores} |`,
    `| memory | ${facts.memory} |`,
    `| OS | ${facts.os} |`,
    `| Node | ${facts.node} (V8 ${facts.v8}) |`,
    `| load average (1/5/15 min) at start · end | ${facts.loadavg} · ${factsAfter?.loadavg ?? '?'} |`,
    `| commit | ${facts.commit}${facts.dirty ? ' (working tree has uncommitted changes)' : ''} |`,
    `| peers | ${Object.entries(facts.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')} |`,
    '',
  );
  const load = Number(facts.loadavg.split(' ')[0]);
  if (load > facts.cores * 0.75) {
    lines.push(
      `> **The machine was busy** (load average ${load.toFixed(1)} on ${facts.cores} cores at the start): ` +
        'absolute figures are low and spreads wide; the paired ratios are the figures to read.',
      '',
    );
  }
  const failed = results.filter((r) => r.error || r.result?.problems?.length);
  if (failed.length) {
    lines.push('## Failed benchmarks', '');
    for (const r of failed) {
      if (r.error) lines.push(`- **${r.id}**: ${cell(r.error.split('\n')[0])}`);
      for (const problem of r.result?.problems ?? []) lines.push(`- **${r.id}**: ${cell(problem)}`);
    }
    lines.push('');
  }
  lines.push(renderTargets(results));
  for (const r of results) {
    if (!r.result) continue;
    lines.push(`## ${r.result.title}`, '');
    if (r.result.intro) lines.push(r.result.intro, '');
    for (const section of r.result.sections ?? []) lines.push(renderSection(section));
    for (const note of r.result.notes ?? []) lines.push(`- ${note}`);
    if (r.result.notes?.length) lines.push('');
    lines.push(`_${r.id}: ${r.seconds.toFixed(1)} s_`, '');
  }
  return `${lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}

/**
 * The short form for a README's "Performance" section: the command, the machine, the targets and one
 * table with the figure and ratio of each of our own variants.
 *
 * @example
 * const markdown = renderSummary({ facts, results, command: 'pnpm bench' });
 */
export function renderSummary({ facts, results, command }) {
  const lines = [
    `Measured with \`${command}\` on ${facts.cpu} × ${facts.cores}, ${facts.memory}, Node ${facts.node}, ` +
      `${facts.date.slice(0, 10)} (load average ${facts.loadavg.split(' ')[0]} at the start). Medians over interleaved ` +
      'rounds; each ratio is to a reference measured in the same rounds. Full report: `bench/results/report.md`.',
    '',
    '| benchmark | ours | ratio to reference |',
    '|---|---:|---|',
  ];
  for (const r of results) {
    for (const section of r.result?.sections ?? []) {
      if (section.summary === false) continue;
      for (const row of summarizeSection(section)) {
        if (!row.headline && !/^(@netsuite-oauth|apps\/|emulator)/.test(row.name.replace(/^import /, '')))
          continue;
        if (!row.stats.n) continue;
        const ratio = row.ratios
          .filter(({ ratio }) => ratio.n)
          .map(({ ref, ratio }) => `${ratio.median.toFixed(2)}× ${ref}`)
          .join(' · ');
        lines.push(
          `| ${cell(section.short ?? section.title)}: ${cell(row.name)} | ${formatValue(row.stats.median, section.unit)}${section.unit === 'B' ? '' : ` ${section.unit}`} | ${cell(ratio || '—')} |`,
        );
      }
    }
  }
  lines.push('');
  const targets = renderTargets(results);
  if (targets)
    lines.push(targets.replace('## Targets from the package issues', '**Targets from the package issues**'));
  return `${lines.join('\n').trim()}\n`;
}
