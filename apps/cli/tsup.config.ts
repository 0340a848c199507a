import { packageConfig } from '../../tooling/tsup.js';

// One small entry chunk: each command is a separate chunk loaded only when it runs, so --help starts fast.
// The client packages are bundled (their public entry points, as built), so the CLI is one self-contained
// app: what the tests run cannot change under them when another package is rebuilt. The emulator stays
// external: it loads sql.js, whose WebAssembly file is found next to its own script. So does typegen: its
// compiler (json-schema-to-typescript, prettier) is CommonJS that requires Node's modules at run time.
export default packageConfig({
  entry: ['src/main.ts'],
  dts: false,
  splitting: true,
  noExternal: [/^@netsuite-oauth\/(?!emulator$|typegen$)/],
  banner: { js: '#!/usr/bin/env node' },
});
