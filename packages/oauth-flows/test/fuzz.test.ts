import { describe, expect, it } from 'vitest';
import { fuzzTokenResponses } from './helpers/fuzz-token-responses.js';

describe('G11: fuzzed token responses (scaled: 100,000 cases and a 60 s time box in pnpm test:long)', () => {
  it('always yields a TokenSet or a typed error, and never leaks a canary', async () => {
    const { cases, ok } = await fuzzTokenResponses({
      numRuns: 100_000,
      interruptAfterTimeLimit: 4_000,
      markInterruptAsFailure: false,
    });
    // A time box on a shared machine: at least a few hundred cases, whatever the load.
    expect(cases).toBeGreaterThan(200);
    expect(ok).toBeGreaterThan(0);
  });
});
