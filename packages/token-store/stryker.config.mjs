import { strykerConfig } from '../../tooling/stryker.mjs';

export default strykerConfig({
  mutate: ['src/memory.ts', 'src/encrypted.ts', 'src/keyring.ts', 'src/with-lock.ts', 'src/validate.ts'],
});
