import { describe, expect, it } from 'vitest';
import { median, pairedRatio, summarize } from '../src/lib/stats.mjs';

describe('median', () => {
  it('takes the middle value of an odd count and the mean of the middle two of an even count', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('is NaN for no values and does not reorder its input', () => {
    expect(median([])).toBeNaN();
    const input = [3, 1, 2];
    median(input);
    expect(input).toEqual([3, 1, 2]);
  });
});

describe('summarize', () => {
  it('ignores non-finite samples', () => {
    expect(summarize([1, Number.NaN, 3, Number.POSITIVE_INFINITY])).toEqual({
      median: 2,
      min: 1,
      max: 3,
      n: 2,
    });
  });
});

describe('pairedRatio', () => {
  it('divides round by round, so a machine slowing down between rounds cancels out', () => {
    // Round 2 ran on a machine twice as slow for both variants: the ratio stays 0.5.
    expect(pairedRatio([50, 25], [100, 50])).toEqual({ median: 0.5, min: 0.5, max: 0.5, n: 2 });
  });

  it('skips rounds whose reference is zero or missing', () => {
    expect(pairedRatio([1, 2, 3], [0, 4])).toEqual({ median: 0.5, min: 0.5, max: 0.5, n: 1 });
  });
});
