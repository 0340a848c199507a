import { strykerConfig } from '../../tooling/stryker.mjs';

export default strykerConfig({
  mutate: ['src/signer.ts', 'src/keys.ts', 'src/algorithms.ts'],
});
