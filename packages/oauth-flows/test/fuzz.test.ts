import { describe, expect, it } from 'vitest';
import { fuzzTokenResponses } from './helpers/fuzz-token-responses.js';

describe('G11: fuzzed token responses (scaled: 100,000 cases and a 60 s time box in pnpm test:long)', () => {
  it('always yields a TokenSet or a typed error, and never leaks a canary', async () => {
    // A fixed number of cases (not a time box): the same coverage however busy the machine is.
    const { cases, ok } = await fuzzTokenResponses({ numRuns: 1_000 });
    expect(cases).toBe(1_000);
    expect(ok).toBeGreaterThan(0);
  }, 120_000);
});
