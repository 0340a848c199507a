import { packageConfig } from '../../tooling/tsup.js';

// Two entries share modules (the errors above all): split them into shared chunks, so there is one
// `TokenStoreError` class whichever entry threw it.
export default packageConfig({ entry: ['src/index.ts', 'src/adapter.ts'], splitting: true });
