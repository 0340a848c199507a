import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const run = promisify(execFile);
const dir = join(import.meta.dirname, '..', '.artifacts', 'readme');

it('the README quick start runs as written against the emulator (built packages, a child process)', async () => {
  const readme = await readFile(join(import.meta.dirname, '..', 'README.md'), 'utf8');
  const start = readme.indexOf('## Quick start');
  const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(start))?.[1];
  expect(block).toContain('writeRecordTypes');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  // Plain JavaScript as written: the block has no type annotations.
  await writeFile(join(dir, 'quick-start.mjs'), block as string);
  const { stdout } = await run(process.execPath, ['quick-start.mjs'], { cwd: dir, timeout: 60_000 });
  expect(stdout).toContain("[ 'customer', 'salesOrder' ]");
  expect(stdout).toContain('2/2');
  const source = await readFile(join(dir, 'src', 'netsuite-records.ts'), 'utf8');
  expect(source).toContain('custentity_tier?: NsEnum<"1" | "2">;');
});
