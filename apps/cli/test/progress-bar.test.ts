import { describe, expect, it } from 'vitest';
import { progressLine } from '../src/progress-bar.js';
import { fileFormat } from '../src/record-input.js';

describe('progressLine', () => {
  it('draws done/total, percent, rate and ETA', () => {
    expect(progressLine({ done: 4200, total: 10_000, elapsedMs: 4000, unit: 'records' })).toBe(
      '[██████████░░░░░░░░░░░░░░] 4,200/10,000 records  42%  1,050/s ETA 6s',
    );
    expect(progressLine({ done: 10, total: 10, elapsedMs: 1000, unit: 'rows', width: 4 })).toBe(
      '[████] 10/10 rows  100%  10/s ETA <1s',
    );
    expect(progressLine({ done: 0, total: 100, elapsedMs: 0, unit: 'rows', width: 4 })).toBe(
      '[░░░░] 0/100 rows  0%  0/s',
    );
  });

  it('shows a count and a rate when the total is unknown', () => {
    expect(progressLine({ done: 1500, total: undefined, elapsedMs: 3000, unit: 'rows' })).toBe(
      '1,500 rows  500/s',
    );
  });
});

describe('fileFormat', () => {
  it('reads the format from --format or the extension', () => {
    expect(fileFormat('a.csv', undefined)).toBe('csv');
    expect(fileFormat('a.CSV', undefined)).toBe('csv');
    expect(fileFormat('a.ndjson', undefined)).toBe('ndjson');
    expect(fileFormat('a.jsonl', undefined)).toBe('ndjson');
    expect(fileFormat('a.txt', 'csv')).toBe('csv');
    expect(() => fileFormat('a.txt', undefined)).toThrow(/cannot tell the format/);
    expect(() => fileFormat('a.csv', 'xml')).toThrow(/--format must be ndjson or csv/);
  });
});
