#!/usr/bin/env node
// `pnpm test:long`: every reliability figure (G01–G27, see docs/testing.md) at its full scale. Runs the turbo
// task `test:long` (each package's `vitest run --mode long`, one package at a time so the figures do not share
// the two cores), then lists per figure the tests that stand for it, their result and the measured line each
// printed. Not part of `pnpm test` or CI: it takes about half an hour.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const major = process.versions.node.split('.')[0];
const dirs = ['packages', 'apps'].flatMap((group) =>
  readdirSync(join(root, group), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => join(root, group, d.name)),
);
const reports = (dir) => join(dir, '.reports');
for (const dir of dirs) {
  rmSync(join(reports(dir), 'figures.jsonl'), { force: true });
  rmSync(join(reports(dir), `long-node${major}.json`), { force: true });
}

const started = Date.now();
const turbo = spawnSync(
  'pnpm',
  ['exec', 'turbo', 'run', 'test:long', '--concurrency=1', '--continue', ...process.argv.slice(2)],
  { cwd: root, stdio: 'inherit', env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' } },
);
const minutes = ((Date.now() - started) / 60_000).toFixed(1);

const figures = new Map();
const entry = (id) => {
  if (!figures.has(id)) figures.set(id, { passed: 0, failed: 0, tests: [], lines: [] });
  return figures.get(id);
};
for (const dir of dirs) {
  const json = join(reports(dir), `long-node${major}.json`);
  if (existsSync(json)) {
    const report = JSON.parse(readFileSync(json, 'utf8'));
    for (const file of report.testResults ?? []) {
      for (const test of file.assertionResults ?? []) {
        if (test.status !== 'passed' && test.status !== 'failed') continue;
        for (const id of new Set(test.fullName.match(/\bG\d\d\b/g) ?? [])) {
          const f = entry(id);
          f[test.status] += 1;
          f.tests.push(
            `${test.status === 'passed' ? 'ok  ' : 'FAIL'} ${test.fullName} (${(test.duration / 1000).toFixed(1)} s)`,
          );
        }
      }
    }
  }
  const lines = join(reports(dir), 'figures.jsonl');
  if (existsSync(lines)) {
    for (const raw of readFileSync(lines, 'utf8').split('\n').filter(Boolean)) {
      const { id, line } = JSON.parse(raw);
      entry(id).lines.push(line);
    }
  }
}

console.log('\n## Reliability figures at full scale\n');
let missing = 0;
let failing = 0;
for (let n = 1; n <= 27; n++) {
  const id = `G${String(n).padStart(2, '0')}`;
  const f = figures.get(id);
  if (!f || f.passed + f.failed === 0) {
    missing += 1;
    console.log(`${id}  NO TEST RAN`);
    continue;
  }
  if (f.failed > 0) failing += 1;
  console.log(`${id}  ${f.failed > 0 ? 'FAILED' : 'passed'} (${f.passed} passed, ${f.failed} failed)`);
  for (const line of f.lines) console.log(`      ${line}`);
  for (const test of f.tests) console.log(`      ${test}`);
}
console.log(`\ntest:long took ${minutes} min; ${27 - missing - failing} of 27 figures passed`);
process.exit(turbo.status === 0 && missing === 0 && failing === 0 ? 0 : 1);
