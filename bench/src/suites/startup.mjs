// Cold import time of each package next to the peers, and the CLI's `--help` start-up (issue 8), each
// as a ratio to `node -e 0` measured in the same rounds. One fresh process per sample.
import { spawnSync } from 'node:child_process';
import { cliEntry, moduleEntries, PEER_OF } from '../lib/modules.mjs';
import { interleave } from '../lib/rounds.mjs';
import { plan } from '../lib/setup.mjs';
import { median, pairedRatio } from '../lib/stats.mjs';

function timeProcess(args, { expectOutput = false } = {}) {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) {
    throw new Error(
      `node ${args.join(' ').slice(0, 80)} exited ${result.status}: ${(result.stderr ?? '').split('\n')[0]}`,
    );
  }
  if (expectOutput && !result.stdout.trim()) throw new Error(`node ${args[0]} printed nothing`);
  return { ms, stdout: result.stdout };
}

export async function run({ quick, log }) {
  const problems = [];
  const { rounds, warmup } = plan(quick, { rounds: 15 }, { rounds: 1 });
  const { modules, missing } = moduleEntries();
  for (const name of missing) problems.push(`${name} is not built: no import time`);
  const importOnly = new Map();
  const variants = [{ name: 'node -e 0', measure: () => timeProcess(['-e', '0']).ms }];
  for (const module of modules) {
    const code = `const t = performance.now(); await import(${JSON.stringify(module.url)}); process.stdout.write(String(performance.now() - t));`;
    variants.push({
      name: module.label,
      measure: (round) => {
        const { ms, stdout } = timeProcess(['--input-type=module', '-e', code], { expectOutput: true });
        if (round >= 0)
          importOnly.set(module.label, [...(importOnly.get(module.label) ?? []), Number(stdout)]);
        return ms;
      },
    });
  }
  const cli = cliEntry();
  if (cli)
    variants.push({
      name: 'cli --help',
      measure: () => timeProcess([cli, '--help'], { expectOutput: true }).ms,
    });
  else problems.push('apps/cli is not built: no --help start-up time');
  // A variant that fails (a package that throws on import) is reported by onError; the others still run.
  const samples = await interleave({
    rounds,
    warmup,
    onError: (v, e) => problems.push(`${v.name}: ${e.message}`),
    variants,
  });
  log('startup done');
  const base = 'node -e 0';
  const rows = [];
  for (const module of modules) {
    if (!samples.has(module.label)) continue;
    const peer = PEER_OF[module.name];
    rows.push({
      name: `import ${module.label}`,
      samples: samples.get(module.label),
      ref: [base, ...(peer && samples.has(peer) ? [`import ${peer}`] : [])],
      note: `import itself: ${median(importOnly.get(module.label) ?? []).toFixed(1)} ms`,
    });
  }
  if (samples.has('cli --help'))
    rows.push({ name: 'apps/cli `--help`', samples: samples.get('cli --help'), ref: [base] });
  rows.push({ name: base, samples: samples.get(base), isReference: true });
  const cliRatio = pairedRatio(samples.get('cli --help') ?? [], samples.get(base));

  // The `import()` alone, timed inside each fresh process: what a serverless cold start pays for the package
  // on top of Node itself. oauth4webapi is the reference (issue 17); the peer of each package is shown too.
  const REF = 'oauth4webapi';
  const importRows = [];
  for (const module of modules) {
    if (!importOnly.has(module.label)) continue;
    const peer = PEER_OF[module.name];
    importRows.push({
      name: `import ${module.label}`,
      samples: importOnly.get(module.label),
      ...(module.label === REF
        ? { isReference: true }
        : {
            ref: [
              `import ${REF}`,
              ...(peer && peer !== REF && importOnly.has(peer) ? [`import ${peer}`] : []),
            ],
          }),
    });
  }
  const targets = [];
  for (const name of ['oauth-flows', 'record-client']) {
    const label = `@netsuite-oauth/${name}`;
    const ratio = pairedRatio(importOnly.get(label) ?? [], importOnly.get(REF) ?? []);
    targets.push({
      issue: `#17 ${name}`,
      target: `cold \`import\` of ${name} (in-process, fresh process) ≤ 2× oauth4webapi's in the same rounds`,
      measured: ratio.n
        ? `${ratio.median.toFixed(2)}× (${median(importOnly.get(label)).toFixed(1)} ms vs ${median(importOnly.get(REF)).toFixed(1)} ms)`
        : 'not measured',
      met: ratio.n ? ratio.median <= 2 : null,
    });
  }
  return {
    title: 'Cold start: import time and CLI start-up (issues 8, 10, 17)',
    intro:
      'Wall time of a fresh `node` process that imports the module (built `dist/` for ours) and exits, next to ' +
      '`node -e 0` in the same rounds; the note gives the time of the `import()` alone, measured inside the process.',
    sections: [
      { title: 'Process wall time', short: 'Cold start', unit: 'ms', rows },
      {
        title: 'The `import()` alone, timed inside each fresh process',
        short: 'Cold import (in-process)',
        unit: 'ms',
        rows: importRows,
      },
    ],
    targets: [
      ...targets,
      {
        issue: '#8 cli',
        target: '`--help` start-up as a ratio to `node -e 0` (report it)',
        measured: cliRatio.n
          ? `${cliRatio.median.toFixed(2)}× (${median(samples.get('cli --help')).toFixed(0)} ms)`
          : 'not measured',
        met: null,
      },
    ],
    notes: [],
    problems,
    failed: problems.length > 0,
  };
}
