import { strykerConfig } from '../../tooling/stryker.mjs';

export default strykerConfig({
  mutate: [
    'src/file-store.ts',
    'src/layout.ts',
    'src/mutex.ts',
    'src/fs-safe.ts',
    'src/record.ts',
    'src/state.ts',
  ],
});
