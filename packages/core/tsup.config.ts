import { packageConfig } from '../../tooling/tsup.js';

export default packageConfig({ entry: ['src/index.ts', 'src/der.ts'] });
