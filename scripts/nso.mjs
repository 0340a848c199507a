// `pnpm nso <command>` (and `pnpm demo`): runs the demo CLI from a fresh clone. Builds what it needs quietly
// (only when the built CLI is missing or older than a source; build output is shown only when the build fails), then
// runs the CLI in the directory `pnpm` was started from, so relative paths (`--file customers.ndjson`) mean what
// they say.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const main = join(root, 'apps', 'cli', 'dist', 'main.js');

/** Newest modification time of the sources the CLI is built from (its own and every package's). */
function newestSource() {
  let newest = 0;
  const visit = (dir) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const path = join(dir, e.name);
      if (e.isDirectory()) visit(path);
      else newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const base of ['apps/cli', ...readdirSync(join(root, 'packages')).map((p) => `packages/${p}`)]) {
    visit(join(root, base, 'src'));
    for (const file of ['package.json', 'tsup.config.ts']) {
      try {
        newest = Math.max(newest, statSync(join(root, base, file)).mtimeMs);
      } catch {}
    }
  }
  return newest;
}

// Build only when the CLI is missing or older than a source: never rewrite a build another process is running.
const built = existsSync(main) ? statSync(main).mtimeMs : 0;
if (built === 0 || newestSource() > built) {
  const build = spawnSync(
    process.execPath,
    [
      join(root, 'node_modules', 'turbo', 'bin', 'turbo'),
      'run',
      'build',
      '--filter=@netsuite-oauth/cli...',
      '--output-logs=errors-only',
      '--log-prefix=none',
    ],
    {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', TURBO_NO_UPDATE_NOTIFIER: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  if (build.status !== 0) {
    process.stderr.write(`${build.stdout ?? ''}${build.stderr ?? ''}`);
    process.stderr.write('error: building the CLI failed (output above)\nhint: run "pnpm install" first\n');
    process.exit(build.status ?? 1);
  }
}
// pnpm runs scripts in the workspace root and says where it was started in INIT_CWD.
// biome-ignore lint/suspicious/noUndeclaredEnvVars: set by pnpm for this script, not an input of a turbo task.
if (process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);
await import(pathToFileURL(main).href);
