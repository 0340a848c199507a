import { packageVitestConfig } from '../../tooling/vitest.js';

export default packageVitestConfig('token-store-test-suite');
