import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../src/index.js';

const NOW = Date.UTC(2015, 9, 21, 7, 28, 0);

describe('parseRetryAfter', () => {
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('0', NOW)).toBe(0);
    expect(parseRetryAfter('120', NOW)).toBe(120_000);
    expect(parseRetryAfter(' 7 ', NOW)).toBe(7_000);
  });

  it('reads the three HTTP-date forms as the time left from now (GMT, whatever the local zone)', () => {
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:29:30 GMT', NOW)).toBe(90_000);
    expect(parseRetryAfter('Wednesday, 21-Oct-15 07:29:30 GMT', NOW)).toBe(90_000);
    expect(parseRetryAfter('Wed Oct 21 07:29:30 2015', NOW)).toBe(90_000);
    expect(parseRetryAfter('Thu Oct  1 00:00:00 2015', Date.UTC(2015, 8, 30))).toBe(86_400_000);
  });

  it('answers 0 for a date already past', () => {
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:00:00 GMT', NOW)).toBe(0);
  });

  it('refuses garbage, negative and fractional values', () => {
    for (const value of [
      '',
      'soon',
      '-5',
      '1.5',
      '0x10',
      '1e3',
      'tomorrow 2030',
      'Wed, 21 Oct 2015 07:29:30',
      'Wed, 32 Foo 2015 07:29:30 GMT',
      null,
      undefined,
    ]) {
      expect(parseRetryAfter(value, NOW)).toBeUndefined();
    }
  });

  it('caps a huge delay at the largest exact integer instead of losing precision or overflowing', () => {
    expect(parseRetryAfter('9007199254740', NOW)).toBe(9_007_199_254_740_000);
    expect(parseRetryAfter('99999999999999999999999', NOW)).toBe(Number.MAX_SAFE_INTEGER);
    expect(parseRetryAfter('9'.repeat(400), NOW)).toBe(Number.MAX_SAFE_INTEGER);
  });
});
