import { packageVitestConfig } from '../../../tooling/vitest.js';

// Benchmarks: every figure is a ratio to a reference measured in the same run. Run with `pnpm bench:local`.
export default packageVitestConfig('record-client-bench', {
  include: ['bench/**/*.bench.test.ts'],
  exclude: ['**/node_modules/**'],
  testTimeout: 300_000,
  fileParallelism: false,
});
