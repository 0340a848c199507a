// `pnpm test:long`: G11 at the figure's scale — 100,000 cases, then a 60-second time box (as undici's CI does).
import { reportFigure } from '@netsuite-oauth/test-utils';
import { describe, expect, it } from 'vitest';
import { fuzzTokenResponses } from './helpers/fuzz-token-responses.js';

describe('G11 at full scale: fuzzed token-endpoint responses', () => {
  it('G11: 100,000 cases → each a valid TokenSet or a typed error, 0 uncaught, 0 canary hits', async () => {
    const { cases, ok, ms } = await fuzzTokenResponses({ numRuns: 100_000 });
    expect(cases).toBe(100_000);
    reportFigure(
      'G11',
      `fuzzed token responses: ${cases.toLocaleString('en-US')} cases in ${(ms / 1000).toFixed(0)} s → ` +
        `${ok.toLocaleString('en-US')} valid TokenSets, ${(cases - ok).toLocaleString('en-US')} typed errors with ` +
        'a stable code, 0 uncaught, 0 canary hits (message, stack, cause chain, JSON, inspect)',
    );
  });

  it('G11: a 60 s time box → each case a valid TokenSet or a typed error, 0 canary hits', async () => {
    const { cases, ok, ms } = await fuzzTokenResponses({
      numRuns: Number.MAX_SAFE_INTEGER,
      interruptAfterTimeLimit: 60_000,
      markInterruptAsFailure: false,
    });
    expect(ms).toBeGreaterThanOrEqual(59_000);
    reportFigure(
      'G11',
      `fuzzed token responses, 60 s time box: ${cases.toLocaleString('en-US')} cases in ${(ms / 1000).toFixed(0)} s → ` +
        `${ok.toLocaleString('en-US')} valid, ${(cases - ok).toLocaleString('en-US')} typed errors, 0 uncaught, ` +
        '0 canary hits',
    );
  });
});
