import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type ViteUserConfig } from 'vitest/config';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

// Tests import workspace packages from their sources, so a test run never waits for (or races with)
// another package's build. Published builds are checked by each package's build (publint, attw)
// and by the apps, whose tests run the built output.
// A subpath export (`@netsuite-oauth/core/der`) maps to the source file of the same name.
const workspaceAliases = readdirSync(join(root, 'packages'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .flatMap((entry) => [
    {
      find: new RegExp(`^@netsuite-oauth/${entry.name}$`),
      replacement: join(root, 'packages', entry.name, 'src', 'index.ts'),
    },
    {
      find: new RegExp(`^@netsuite-oauth/${entry.name}/([a-z-]+)$`),
      replacement: join(root, 'packages', entry.name, 'src', '$1.ts'),
    },
  ]);

type TestOptions = NonNullable<ViteUserConfig['test']>;

/**
 * The per-package vitest configuration.
 *
 * `vitest run --mode unit` runs `test/**\/*.test.ts` except integration tests, `--mode int` runs
 * `test/**\/*.int.test.ts` (real servers: emulator, redis-server, Chromium), a plain run runs both.
 * `--mode long` (`pnpm test:long`, never part of `pnpm test` or CI) runs every test named after a reliability
 * figure (`G01`…`G27`) at the figure's scale: the `test/**\/*.long.test.ts` files (minutes each; every other mode
 * leaves them out) and the default tests that already run at full scale, but not their scaled-down versions
 * (named "scaled").
 * Every run writes a JSON report to `.reports/<mode>-node<major>.json`; `.ci/run` sums them.
 */
export function packageVitestConfig(name: string, extra: TestOptions = {}): ReturnType<typeof defineConfig> {
  return defineConfig(({ mode }) => {
    const major = process.versions.node.split('.')[0];
    const long = mode === 'long';
    const include = mode === 'int' ? ['test/**/*.int.test.ts'] : ['test/**/*.test.ts'];
    const exclude = ['**/node_modules/**', ...(long ? [] : ['test/**/*.long.test.ts'])];
    if (mode === 'unit') exclude.push('test/**/*.int.test.ts');
    return {
      resolve: { alias: workspaceAliases },
      test: {
        name,
        include,
        exclude,
        passWithNoTests: true,
        // Every file of the suite: no canary secret may reach its output (see canary-guard.ts).
        setupFiles: [join(root, 'tooling', 'canary-guard.ts')],
        testTimeout: long ? 3_600_000 : 30_000,
        hookTimeout: long ? 300_000 : 60_000,
        // Long runs measure: one file at a time, so two figures do not share the two cores.
        ...(long ? { fileParallelism: false, testNamePattern: /^(?!.*\bscaled\b).*\bG\d\d\b/ } : {}),
        reporters: ['default', 'json'],
        outputFile: { json: `.reports/${mode}-node${major}.json` },
        ...extra,
      },
    };
  });
}
