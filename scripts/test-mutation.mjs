// `pnpm test:mutation [package…]`: Stryker over the packages whose correctness is the product (the token manager and
// its store protocol, the three stores, both limiters, the transport and its retries, jwt-assertion), one package at
// a time, then one score table. Not part of `pnpm test`: a full run takes tens of minutes on two cores.
// Each package's `stryker.config.mjs` says which files are mutated; reports land in `<package>/.reports/mutation.json`.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ALL = [
  'token-store',
  'token-store-file',
  'token-store-redis',
  'oauth-flows',
  'record-client',
  'governance-redis',
  'jwt-assertion',
];
const wanted = process.argv.slice(2);
for (const name of wanted) {
  if (!ALL.includes(name)) {
    console.error(`unknown package "${name}"; one of: ${ALL.join(', ')}`);
    process.exit(2);
  }
}
const stryker = join(root, 'node_modules', '@stryker-mutator', 'core', 'bin', 'stryker.js');
const rows = [];
let failed = false;
for (const name of wanted.length ? wanted : ALL) {
  const dir = join(root, 'packages', name);
  console.log(`\n::: mutation testing ${name}`);
  // The TypeScript checker reads the workspace dependencies' built declarations.
  const build = spawnSync('pnpm', ['turbo', 'run', 'build', `--filter=@netsuite-oauth/${name}^...`], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
  });
  if (build.status !== 0) {
    failed = true;
    rows.push({ name, score: 'dependencies did not build' });
    continue;
  }
  const run = spawnSync(process.execPath, [stryker, 'run', 'stryker.config.mjs'], {
    cwd: dir,
    stdio: 'inherit',
  });
  const report = join(dir, '.reports', 'mutation.json');
  if (run.status !== 0 || !existsSync(report)) {
    failed = true;
    rows.push({ name, score: 'did not run' });
    continue;
  }
  const files = JSON.parse(readFileSync(report, 'utf8')).files;
  const count = { killed: 0, survived: 0, timeout: 0, noCoverage: 0, compileError: 0 };
  for (const file of Object.values(files)) {
    for (const m of file.mutants) {
      if (m.status === 'Killed') count.killed++;
      else if (m.status === 'Timeout') count.timeout++;
      else if (m.status === 'Survived') count.survived++;
      else if (m.status === 'NoCoverage') count.noCoverage++;
      else if (m.status === 'CompileError') count.compileError++;
    }
  }
  const detected = count.killed + count.timeout;
  const valid = detected + count.survived + count.noCoverage;
  rows.push({ name, score: valid ? `${((100 * detected) / valid).toFixed(1)} %` : 'n/a', ...count });
}
console.log(
  '\n::: mutation score (Stryker: (killed + timeout) / (killed + timeout + survived + no coverage))',
);
console.table(rows);
process.exit(failed ? 1 : 0);
