import { packageConfig } from '../../tooling/tsup.js';

// Two entries: the library and the `netsuite-emulator` bin (its shebang comes from src/bin.ts).
export default packageConfig({ entry: ['src/index.ts', 'src/bin.ts'] });
