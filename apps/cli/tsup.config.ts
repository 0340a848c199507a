import { packageConfig } from '../../tooling/tsup.js';

// One small entry chunk: each command is a separate chunk loaded only when it runs, so --help starts fast.
export default packageConfig({
  entry: ['src/main.ts'],
  dts: false,
  splitting: true,
  banner: { js: '#!/usr/bin/env node' },
});
