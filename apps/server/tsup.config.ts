import { packageConfig } from '../../tooling/tsup.js';

export default packageConfig({ entry: ['src/main.ts'], dts: false });
