import { strykerConfig } from '../../tooling/stryker.mjs';

export default strykerConfig({
  mutate: ['src/transport.ts', 'src/retry.ts', 'src/limiter.ts', 'src/circuit-breaker.ts'],
});
