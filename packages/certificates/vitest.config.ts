import { packageVitestConfig } from '../../tooling/vitest.js';

export default packageVitestConfig('certificates');
