import { fileURLToPath } from 'node:url';

// The one Stryker configuration every mutation-tested package reuses (`pnpm test:mutation`, see docs/testing.md).
// Mutants are switched in place (`inPlace`): the tests import workspace sources through the vitest aliases of
// tooling/vitest.ts, which a sandbox copy of one package would not see. Stryker restores every file when it ends;
// after a hard kill, `git checkout -- packages/<name>/src` does.

/**
 * @param {{ mutate: string[], concurrency?: number }} options files to mutate, relative to the package
 * @returns {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export function strykerConfig({ mutate, concurrency = 2 }) {
  return {
    // The plugins are root devDependencies: a package's own node_modules does not list them.
    plugins: [
      fileURLToPath(import.meta.resolve('@stryker-mutator/vitest-runner')),
      fileURLToPath(import.meta.resolve('@stryker-mutator/typescript-checker')),
    ],
    testRunner: 'vitest',
    vitest: { configFile: 'vitest.config.ts', related: false },
    checkers: ['typescript'],
    tsconfigFile: 'tsconfig.json',
    typescriptChecker: { prioritizePerformanceOverAccuracy: true },
    coverageAnalysis: 'perTest',
    inPlace: true,
    mutate,
    concurrency,
    timeoutMS: 30_000,
    timeoutFactor: 3,
    reporters: ['clear-text', 'json', 'progress-append-only'],
    jsonReporter: { fileName: '.reports/mutation.json' },
    clearTextReporter: { allowColor: false, logTests: false, reportMutants: true, reportScoreTable: true },
    thresholds: { high: 85, low: 70, break: null },
    cleanTempDir: 'always',
    ignoreStatic: true,
  };
}
