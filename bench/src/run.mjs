// `pnpm bench` (full report) and `pnpm bench --quick` (smoke run for CI): runs each suite in its own
// process, one after another, and writes a Markdown report to bench/results/.
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineFacts } from './lib/machine.mjs';
import { renderReport, renderSummary } from './lib/report.mjs';

const SUITES = [
  'signing',
  'token',
  'token-keys',
  'record-get',
  'observability',
  'governance',
  'typegen',
  'fleet',
  'suiteql',
  'bulk',
  'emulator',
  'server',
  'startup',
  'size',
];

function parseArgs(argv) {
  const options = { quick: false, only: undefined, out: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') options.quick = true;
    else if (arg === '--only') options.only = argv[++i]?.split(',');
    else if (arg.startsWith('--only=')) options.only = arg.slice(7).split(',');
    else if (arg === '--out') options.out = argv[++i];
    else if (arg.startsWith('--out=')) options.out = arg.slice(6);
    else if (arg === '--help' || arg === '-h') {
      console.log(
        `usage: pnpm bench [--quick] [--only suite,suite] [--out file]\nsuites: ${SUITES.join(', ')}`,
      );
      process.exit(0);
    } else if (arg !== '--') {
      console.error(`unknown argument: ${arg}`);
      process.exit(2);
    }
  }
  if (options.only) {
    const unknown = options.only.filter((id) => !SUITES.includes(id));
    if (unknown.length) {
      console.error(`unknown suite(s): ${unknown.join(', ')}; suites: ${SUITES.join(', ')}`);
      process.exit(2);
    }
  }
  return options;
}

function runSuite(id, { quick }) {
  const timeoutMs = quick ? 120_000 : 300_000;
  const started = performance.now();
  return new Promise((resolve) => {
    const child = fork(
      fileURLToPath(new URL('./lib/suite-child.mjs', import.meta.url)),
      [id, ...(quick ? ['--quick'] : [])],
      {
        execArgv: ['--expose-gc'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    );
    let outcome;
    const timer = setTimeout(() => {
      outcome ??= { error: `timed out after ${timeoutMs / 1000} s` };
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('message', (message) => {
      if (message?.type === 'done') outcome ??= { result: message.result };
      else if (message?.type === 'failed') outcome ??= { error: message.message };
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      outcome ??= { error: `suite process exited (${code ?? signal}) without a result` };
      resolve({ id, ...outcome, seconds: (performance.now() - started) / 1000 });
    });
  });
}

const options = parseArgs(process.argv.slice(2));
const ids = options.only ?? SUITES;
const started = performance.now();
const facts = machineFacts();
console.error(`bench${options.quick ? ' --quick' : ''}: ${ids.join(', ')} on ${facts.cpu} × ${facts.cores}`);
const results = [];
for (const id of ids) {
  console.error(`▶ ${id}`);
  const outcome = await runSuite(id, options);
  console.error(
    `${outcome.error || outcome.result?.failed ? '✗' : '✓'} ${id} (${outcome.seconds.toFixed(1)} s)`,
  );
  if (outcome.error) console.error(outcome.error.split('\n').slice(0, 3).join('\n'));
  results.push(outcome);
}
const seconds = (performance.now() - started) / 1000;
const command = `pnpm bench${options.quick ? ' --quick' : ''}${options.only ? ` --only ${options.only.join(',')}` : ''}`;
const markdown = renderReport({
  facts,
  factsAfter: machineFacts(),
  results,
  quick: options.quick,
  command,
  seconds,
});
const resultsDir = new URL('../results/', import.meta.url);
mkdirSync(resultsDir, { recursive: true });
const outPath =
  options.out ?? fileURLToPath(new URL(options.quick ? 'report-quick.md' : 'report.md', resultsDir));
writeFileSync(outPath, markdown);
writeFileSync(
  new URL(options.quick ? 'summary-quick.md' : 'summary.md', resultsDir),
  renderSummary({ facts, results, command }),
);
writeFileSync(
  new URL(options.quick ? 'results-quick.json' : 'results.json', resultsDir),
  JSON.stringify({ facts, results }, null, 2),
);
console.log(markdown);
console.error(`report written to ${relative(process.cwd(), outPath)}`);
// Exit non-zero when a benchmark did not run (or a size budget was exceeded): CI checks that they run.
const failures = results.filter((r) => r.error || r.result?.failed);
if (failures.length) {
  console.error(`bench: ${failures.length} suite(s) failed: ${failures.map((r) => r.id).join(', ')}`);
  process.exit(1);
}
