import { strykerConfig } from '../../tooling/stryker.mjs';

export default strykerConfig({
  mutate: [
    'src/token-manager.ts',
    'src/token-managers.ts',
    'src/token-slot.ts',
    'src/store-protocol.ts',
    'src/refresh-schedule.ts',
    'src/token-entry.ts',
    'src/slot-cache.ts',
  ],
});
