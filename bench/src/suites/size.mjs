// Minified + gzipped size of each package next to the peers (esbuild bundle, gzip -9), and the size
// budgets in bench/.size-limit.json checked with size-limit (a failing budget fails the run, in CI too).
import { execFileSync } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { moduleEntries, PEER_OF } from '../lib/modules.mjs';

const benchDir = fileURLToPath(new URL('../../', import.meta.url));

async function bundledSize(path, { external = false } = {}) {
  const result = await build({
    stdin: { contents: `export * from ${JSON.stringify(path)};`, resolveDir: dirname(path), loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    write: false,
    logLevel: 'silent',
    ...(external ? { packages: 'external' } : {}),
  });
  const code = result.outputFiles[0].contents;
  return { min: code.length, gzip: gzipSync(code, { level: 9 }).length };
}

function sizeLimit() {
  const bin = fileURLToPath(new URL('bin.js', import.meta.resolve('size-limit')));
  let out;
  try {
    out = execFileSync(process.execPath, [bin, '--json'], {
      cwd: benchDir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    // size-limit exits 1 when a budget is exceeded (and when it cannot build an entry) and still prints JSON.
    out = error.stdout;
  }
  let parsed;
  try {
    parsed = JSON.parse(out);
  } catch {
    return { entries: [], error: 'size-limit printed no JSON' };
  }
  if (Array.isArray(parsed)) return { entries: parsed };
  return { entries: [], error: String(parsed?.error ?? 'unexpected output').split('\n')[0] };
}

export async function run({ log }) {
  const problems = [];
  const { modules, missing } = moduleEntries();
  for (const name of missing) problems.push(`${name} is not built: no size`);
  const sizes = new Map();
  for (const module of modules) {
    try {
      const full = await bundledSize(module.path);
      const own = module.ours ? await bundledSize(module.path, { external: true }) : undefined;
      sizes.set(module.name, { ...module, full, own });
    } catch (error) {
      problems.push(`${module.label}: esbuild could not bundle it: ${error.message.split('\n')[0]}`);
    }
  }
  log('sizes done');
  const label = (name) => `${sizes.get(name)?.label ?? name}`;
  const rows = [...sizes.values()].map((entry) => {
    const peer = PEER_OF[entry.name];
    return {
      name: entry.label,
      samples: [entry.full.gzip],
      ...(peer && sizes.has(peer) ? { ref: [label(peer)] } : {}),
      note: `minified ${(entry.full.min / 1000).toFixed(1)} kB${entry.own ? `; own code without dependencies ${(entry.own.gzip / 1000).toFixed(1)} kB gzipped` : ''}`,
    };
  });
  const budget = sizeLimit();
  if (budget.error) problems.push(`size-limit did not run: ${budget.error}`);
  // size-limit reports a missing file as a negative size with no budget rather than as an error.
  for (const entry of budget.entries.filter((e) => !(e.size > 0) || !Number.isFinite(e.sizeLimit))) {
    problems.push(`size-limit could not measure ${entry.name} (is it built?)`);
  }
  const over = budget.entries.filter((entry) => !entry.passed || !(entry.size > 0));
  for (const entry of over)
    problems.push(`size budget exceeded: ${entry.name} is ${entry.size} B, budget ${entry.sizeLimit} B`);
  const budgetRows = budget.entries.map((entry) => ({
    name: entry.name,
    samples: [entry.size],
    note: `budget ${(entry.sizeLimit / 1000).toFixed(1)} kB: ${entry.passed ? 'within' : '**exceeded**'}`,
  }));
  return {
    title: 'Bundle size',
    intro:
      'Each entry bundled with esbuild (ESM, platform node, minified, every export kept), then gzip -9: what a user ' +
      'who bundles the package pays, dependencies included. Ratios compare a package of ours with the library it stands in for.',
    sections: [
      {
        title: 'Minified + gzipped size',
        short: 'Size (min + gzip)',
        unit: 'B',
        label: 'package',
        figure: 'min + gzip',
        rows,
      },
      {
        title:
          'Size budgets (bench/.size-limit.json, checked by size-limit: its esbuild bundle for browsers, Node built-ins left out, gzip)',
        unit: 'B',
        label: 'entry',
        summary: false,
        figure: 'size-limit size',
        rows: budgetRows,
      },
    ],
    targets: [
      {
        issue: '#10 bench',
        target: 'size budgets (size-limit) hold',
        measured: budget.entries.length
          ? `${budget.entries.length - over.length} of ${budget.entries.length} within budget`
          : 'not measured',
        met: budget.entries.length ? over.length === 0 : null,
      },
    ],
    notes: [],
    problems,
    failed: problems.length > 0,
  };
}
