// Sums every vitest JSON report under <workspace>/*/.reports/ and prints one plain line:
// `N passed, N failed`. A package run whose report says it did not succeed but counts no failed test
// (a file that failed to load, an unhandled error) counts as one failure, so nothing is hidden.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const roots = ['packages', 'apps', 'tooling', 'examples'];
let passed = 0;
let failed = 0;
const rows = [];
const dirs = [];
for (const root of roots) {
  if (!existsSync(root)) continue;
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (entry.isDirectory()) dirs.push(join(root, entry.name));
  }
}
if (existsSync('bench')) dirs.push('bench');
for (const dir of dirs) {
  const reports = join(dir, '.reports');
  if (!existsSync(reports)) continue;
  for (const file of readdirSync(reports)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    let report;
    try {
      report = JSON.parse(readFileSync(join(reports, file), 'utf8'));
    } catch {
      rows.push(`${dir}/${file}: unreadable report`);
      failed += 1;
      continue;
    }
    const p = report.numPassedTests ?? 0;
    let f = report.numFailedTests ?? 0;
    if (report.success === false && f === 0) f = 1;
    passed += p;
    failed += f;
    rows.push(
      `${dir.padEnd(34)} ${file.padEnd(20)} ${String(p).padStart(5)} passed ${String(f).padStart(4)} failed`,
    );
  }
}
if (process.argv.includes('--table')) for (const row of rows) console.log(row);
console.log(`${passed} passed, ${failed} failed`);
