#!/usr/bin/env node
// Switches a guarantee off and checks that its test notices: for each mutation below, replaces one exact piece
// of source text, runs the test that stands for the guarantee, expects it to FAIL, and restores the file byte
// for byte (also on Ctrl-C). docs/testing.md lists the same mutations with what each test shows.
//
//   node scripts/mutate-check.mjs            every mutation
//   node scripts/mutate-check.mjs G08 G18    only these ids (an id may have several mutations)
//   node scripts/mutate-check.mjs --list     what would run
//
// Exit code 0 when every selected mutation was caught; 1 when one survived or no longer applies (its source
// text moved: update the entry).
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MUTATIONS } from './mutations.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const list = args.includes('--list');
const wanted = args.filter((a) => !a.startsWith('--'));
const selected = MUTATIONS.filter((m) => wanted.length === 0 || wanted.includes(m.id));
if (selected.length === 0) {
  console.error(`no mutation matches ${wanted.join(', ')}`);
  process.exit(1);
}

const pending = new Map();
const restoreAll = () => {
  for (const [file, original] of pending) writeFileSync(file, original);
  pending.clear();
};
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    restoreAll();
    process.exit(130);
  });
}

let failed = 0;
for (const m of selected) {
  const command = [
    'exec',
    'vitest',
    'run',
    '--mode',
    m.mode,
    '--reporter=dot',
    m.test,
    ...(m.filter ? ['-t', m.filter] : []),
  ];
  if (list) {
    const files = (m.edits ?? [m]).map((e) => e.file).join(', ');
    console.log(`${m.id}  ${m.title}\n     ${files}\n     (cd ${m.pkg} && pnpm ${command.join(' ')})`);
    continue;
  }
  // Each edit: an exact piece of text that must occur once in its file (a mutation may switch off two places).
  const edits = m.edits ?? [{ file: m.file, find: m.find, replace: m.replace }];
  const stale = edits.find((e) => {
    const text = readFileSync(join(root, e.file), 'utf8');
    const at = text.indexOf(e.find);
    return at < 0 || text.indexOf(e.find, at + 1) >= 0;
  });
  if (stale) {
    console.log(`${m.id}  STALE  ${m.title}: the text to replace in ${stale.file} is gone or not unique`);
    failed += 1;
    continue;
  }
  for (const e of edits) {
    const file = join(root, e.file);
    const original = pending.get(file) ?? readFileSync(file, 'utf8');
    pending.set(file, original);
    writeFileSync(file, readFileSync(file, 'utf8').replace(e.find, e.replace));
  }
  const started = Date.now();
  const run = (args) =>
    spawnSync('pnpm', args, {
      cwd: join(root, m.pkg),
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      timeout: (m.timeoutS ?? 300) * 1000,
    });
  let result;
  try {
    // Apps' tests run the built output: build the mutant first (and build the real code again after).
    if (m.build) {
      const built = run(['run', 'build']);
      if (built.status !== 0) result = built;
    }
    result ??= run(command);
  } finally {
    restoreAll();
    if (m.build) run(['run', 'build']);
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  // Vitest ran (a summary line) and reported a failed test or a failed file (an afterAll hook, e.g. the
  // canary guard): caught. Anything else (a crash before running, a timeout of this script) is not.
  const ran = /Test Files\s+.*\d+ (passed|failed)/.test(output);
  const red = /(Tests|Test Files)\s+[^\n]*failed/.test(output);
  if (result.status !== 0 && ran && red) {
    const why = output.match(/(AssertionError|Error): [^\n]*/)?.[0] ?? 'test failed';
    console.log(`${m.id}  caught  ${m.title} (${seconds} s): ${why.slice(0, 160)}`);
  } else {
    console.log(`${m.id}  SURVIVED  ${m.title} (${seconds} s; exit ${result.status ?? result.signal})`);
    if (!ran) console.log(output.slice(-2000));
    failed += 1;
  }
}
if (!list) console.log(`${selected.length - failed} of ${selected.length} mutations caught`);
process.exit(failed === 0 ? 0 : 1);
