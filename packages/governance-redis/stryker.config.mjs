import { strykerConfig } from '../../tooling/stryker.mjs';

export default strykerConfig({
  mutate: ['src/limiter.ts', 'src/accounts.ts'],
});
