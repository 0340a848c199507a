import { describe, expect, it } from 'vitest';
import {
  cellText,
  clippedNote,
  createRowWriter,
  csvField,
  formatCsv,
  formatTable,
  neutralizeControls,
} from '../src/format.js';

describe('formatTable', () => {
  it('aligns columns and flattens newlines', () => {
    const out = formatTable([
      { id: 1, name: 'Acme' },
      { id: 22, name: 'B\nC' },
    ]);
    expect(out).toBe('id  name\n--  ----\n1   Acme\n22  B C\n');
  });

  it('clips long cells to maxWidth with an ellipsis', () => {
    const out = formatTable([{ v: 'x'.repeat(100) }], { maxWidth: 10 });
    expect(out.split('\n')[2]).toBe(`${'x'.repeat(9)}…`);
  });

  it('prints nothing for no columns', () => {
    expect(formatTable([])).toBe('');
  });
});

describe('csv', () => {
  it('quotes commas, quotes and line breaks (RFC 4180)', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('a\nb')).toBe('"a\nb"');
    expect(csvField(null)).toBe('');
  });

  it('defuses spreadsheet formulas but keeps numbers', () => {
    expect(csvField('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('-12.5')).toBe('-12.5');
    expect(csvField(-3)).toBe('-3');
  });

  it('writes a header and CRLF lines', () => {
    expect(formatCsv([{ id: 1, n: 'a' }])).toBe('id,n\r\n1,a\r\n');
  });

  it('renders objects as JSON', () => {
    expect(cellText({ id: '1' })).toBe('{"id":"1"}');
  });
});

describe('createRowWriter', () => {
  const collect = (format: 'json' | 'csv' | 'table', rows: Record<string, unknown>[], sample?: number) => {
    let text = '';
    const w = createRowWriter(format, (t) => (text += t), sample === undefined ? {} : { sample });
    for (const r of rows) w.write(r);
    const n = w.end();
    return { text, n };
  };

  it('streams a valid JSON array', () => {
    const { text, n } = collect('json', [{ a: 1 }, { a: 2 }]);
    expect(n).toBe(2);
    expect(JSON.parse(text)).toEqual([{ a: 1 }, { a: 2 }]);
    expect(JSON.parse(collect('json', []).text)).toEqual([]);
  });

  it("streams CSV with the first row's columns", () => {
    expect(
      collect('csv', [
        { a: 1, b: 'x' },
        { a: 2, b: 'y,z' },
      ]).text,
    ).toBe('a,b\r\n1,x\r\n2,"y,z"\r\n');
  });

  it('streams a table that never cuts a value: a wider later value widens its column', () => {
    const { text } = collect(
      'table',
      [
        { id: 1, n: 'a' },
        { id: 2, n: 'b' },
        { id: 333, n: 'c' },
        { id: 4, n: 'd' },
      ],
      2,
    );
    expect(text.split('\n')).toEqual(['id  n', '--  -', '1   a', '2   b', '333  c', '4    d', '']);
  });

  it('keeps every id of 20,000 rows whole (the first 50 rows are 1..50)', () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => ({ id: String(i + 1), name: `Customer ${i + 1}` }));
    const { text } = collect('table', rows);
    const ids = text
      .trimEnd()
      .split('\n')
      .slice(2)
      .map((line) => line.split(/\s+/)[0]);
    expect(ids).toEqual(rows.map((r) => r.id));
    expect(text).not.toContain('…');
  });

  it('shortens only text longer than maxWidth, and counts it; numbers never', () => {
    let text = '';
    const w = createRowWriter('table', (t) => (text += t), { sample: 1, maxWidth: 5 });
    w.write({ v: 'abc', n: 1234567 });
    w.write({ v: 'abcdefgh', n: 12345678901 });
    w.end();
    expect(w.clipped).toBe(1);
    expect(text).toContain('abcd…');
    expect(text).toContain('12345678901');
    expect(clippedNote(1, 5)).toContain('--json or --csv');
  });
});

describe('control characters', () => {
  const hostile = 'a\u001b]0;title\u0007b\u001b[2Jc\u009bd\u202ee\u0000f\u007f';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the test looks for raw control characters.
  const raw = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e]/;

  it('become visible escapes, keeping what the caller allows', () => {
    expect(neutralizeControls(hostile)).toBe('a\\x1b]0;title\\x07b\\x1b[2Jc\\x9bd\\u202ee\\x00f\\x7f');
    expect(neutralizeControls('a\nb\tc', '\n')).toBe('a\nb\\x09c');
    expect(neutralizeControls('plain ünïcode ✓')).toBe('plain ünïcode ✓');
  });

  it('never reach a table, a streamed table or CSV (cells and headers)', () => {
    const column = 'col\u001b[31m';
    const rows = [{ [column]: hostile }];
    const outputs = [formatTable(rows), formatCsv(rows)];
    for (const format of ['table', 'csv'] as const) {
      let text = '';
      const writer = createRowWriter(format, (t) => (text += t), { sample: 1 });
      writer.write(rows[0]!);
      writer.write({ [column]: `${hostile}2` });
      writer.end();
      outputs.push(text);
    }
    for (const out of outputs) {
      expect(raw.test(out)).toBe(false);
      expect(out).toContain('\\x1b]0;title');
    }
    expect(csvField('line1\r\nline2\tx')).toBe('"line1\r\nline2\tx"');
  });

  it('stay exact in JSON', () => {
    let text = '';
    const writer = createRowWriter('json', (t) => (text += t));
    writer.write({ v: hostile });
    writer.end();
    expect((JSON.parse(text) as Array<{ v: string }>)[0]?.v).toBe(hostile);
  });
});
