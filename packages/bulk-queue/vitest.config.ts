import { packageVitestConfig } from '../../tooling/vitest.js';

export default packageVitestConfig('bulk-queue');
