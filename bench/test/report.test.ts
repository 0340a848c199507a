import { describe, expect, it } from 'vitest';
import { formatValue, renderReport, renderSummary, summarizeSection } from '../src/lib/report.mjs';

const facts = {
  date: '2026-01-01T00:00:00.000Z',
  cpu: 'test cpu',
  cores: 2,
  memory: '1.0 GiB',
  node: 'v20.0.0',
  v8: '11',
  os: 'Linux',
  loadavg: '0.00 0.00 0.00',
  commit: 'abc1234',
  dirty: false,
  versions: { jose: '6.2.18' },
};

describe('summarizeSection', () => {
  it('gives each row its median and a paired ratio to each of its references', () => {
    const [ours, , ref] = summarizeSection({
      unit: 'req/s',
      rows: [
        { name: 'ours', samples: [90, 45, 80], ref: ['ky', 'pool'] },
        { name: 'pool', samples: [180, 90, 160] },
        { name: 'ky', samples: [100, 50, 100], isReference: true },
      ],
    });
    expect(ours.stats.median).toBe(80);
    expect(ours.ratios.map((r: { ratio: { median: number } }) => r.ratio.median)).toEqual([0.9, 0.5]);
    expect(ref.ratios).toEqual([]);
  });
});

describe('renderReport', () => {
  it('shows machine facts, failures, targets and every table with ratios', () => {
    const markdown = renderReport({
      facts,
      factsAfter: facts,
      quick: false,
      command: 'pnpm bench',
      seconds: 12,
      results: [
        { id: 'broken', error: 'Error: no emulator\n    at stack', seconds: 1 },
        {
          id: 'demo',
          seconds: 2,
          result: {
            title: 'Demo suite',
            sections: [
              {
                title: 'Table',
                unit: 'req/s',
                rows: [
                  { name: 'ours', samples: [1900, 2100, 2000], ref: 'ky' },
                  { name: 'ky', samples: [2000, 2000, 2000], isReference: true },
                ],
              },
            ],
            targets: [{ issue: '#7', target: '≥ 0.9× ky', measured: '1.00×', met: true }],
            problems: ['one variant failed'],
          },
        },
      ],
    });
    expect(markdown).toContain('| CPU | test cpu × 2 |');
    expect(markdown).toContain('- **broken**: Error: no emulator');
    expect(markdown).not.toContain('at stack');
    expect(markdown).toContain('- **demo**: one variant failed');
    expect(markdown).toContain('| #7 | ≥ 0.9× ky | 1.00× | yes |  |');
    expect(markdown).toContain('| ours | 2,000 | 1,900–2,100 | **1.00×** ky (0.95–1.05) |  |');
    expect(markdown).toContain('| ky | 2,000 | 2,000–2,000 | reference |  |');
  });

  it('says a quick run is a smoke run', () => {
    const markdown = renderReport({
      facts,
      results: [],
      quick: true,
      command: 'pnpm bench --quick',
      seconds: 1,
    });
    expect(markdown).toMatch(/^# Benchmark report \(smoke run/);
  });
});

describe('formatValue', () => {
  it('formats counts, times and sizes', () => {
    expect(formatValue(1234.4, 'req/s')).toBe('1,234');
    expect(formatValue(12.345, 'ms')).toBe('12.3');
    expect(formatValue(2048, 'B')).toBe('2.0 kB');
    expect(formatValue(Number.NaN, 'ms')).toBe('n/a');
  });
});

describe('renderSummary', () => {
  it('lists only our own variants with their ratios, and leaves out sections marked summary: false', () => {
    const markdown = renderSummary({
      facts,
      command: 'pnpm bench',
      results: [
        {
          id: 'demo',
          seconds: 1,
          result: {
            title: 'Demo',
            sections: [
              {
                title: 'Long title',
                short: 'GET',
                unit: 'req/s',
                rows: [
                  { name: '@netsuite-oauth/record-client', samples: [900], ref: 'plain ky' },
                  { name: 'plain ky', samples: [1000], isReference: true },
                ],
              },
              {
                title: 'Budgets',
                summary: false,
                unit: 'B',
                rows: [{ name: '@netsuite-oauth/core', samples: [1] }],
              },
            ],
            targets: [{ issue: '#7', target: 't', measured: 'm', met: false, cause: 'why' }],
          },
        },
      ],
    });
    expect(markdown).toContain('Measured with `pnpm bench` on test cpu × 2');
    expect(markdown).toContain('| GET: @netsuite-oauth/record-client | 900 req/s | 0.90× plain ky |');
    expect(markdown).not.toContain('| GET: plain ky');
    expect(markdown).not.toContain('Budgets');
    expect(markdown).toContain('| #7 | t | m | **no** | why |');
  });
});
