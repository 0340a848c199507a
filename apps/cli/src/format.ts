/** How a command prints results: a table for people, JSON or CSV for programs. */
export type OutputFormat = 'table' | 'json' | 'csv';

// C0 controls (ESC starts ANSI/OSC sequences: window title, screen clear, hyperlinks), DEL, C1 controls (CSI and
// OSC have one-byte forms), line/paragraph separators and the bidi overrides that reorder what is shown.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * Makes text from NetSuite safe to print on a terminal: every control character becomes a visible escape
 * (`\x1b`, `\u202e`), so record data can never move the cursor, clear the screen or set the window title.
 * Characters in `keep` (e.g. `'\n'` inside a quoted CSV field) pass through.
 *
 * @example
 * neutralizeControls('a\u001b]0;pwned\u0007b') // 'a\\x1b]0;pwned\\x07b'
 */
export function neutralizeControls(text: string, keep = ''): string {
  return text.replace(CONTROLS, (c) => {
    if (keep.includes(c)) return c;
    const code = c.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * Text for one cell: objects as compact JSON, null/undefined as empty.
 *
 * @example
 * cellText({ id: '1' }) // '{"id":"1"}'
 */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  return JSON.stringify(value) ?? '';
}

/**
 * The columns of a set of rows, in first-seen order.
 *
 * @example
 * columnsOf([{ a: 1 }, { b: 2 }]) // ['a', 'b']
 */
export function columnsOf(rows: readonly Record<string, unknown>[]): string[] {
  const seen = new Set<string>();
  for (const row of rows) for (const key of Object.keys(row)) seen.add(key);
  return [...seen];
}

function clip(text: string, width: number): string {
  const flat = neutralizeControls(text.replace(/[\r\n\t]+/g, ' '));
  return flat.length > width ? `${flat.slice(0, Math.max(1, width - 1))}…` : flat;
}

/**
 * Renders rows as an aligned text table (cells clipped to `maxWidth`, newlines flattened).
 *
 * @example
 * formatTable([{ id: 1, name: 'Acme' }]) // 'id  name\n--  ----\n1   Acme\n'
 */
export function formatTable(
  rows: readonly Record<string, unknown>[],
  options: { columns?: readonly string[]; maxWidth?: number } = {},
): string {
  const columns = options.columns ?? columnsOf(rows);
  if (columns.length === 0) return '';
  const maxWidth = options.maxWidth ?? 60;
  const cells = rows.map((row) => columns.map((c) => clip(cellText(row[c]), maxWidth)));
  const headers = columns.map((c) => clip(c, maxWidth));
  const widths = headers.map((c, i) =>
    Math.min(maxWidth, Math.max(c.length, ...cells.map((r) => (r[i] ?? '').length))),
  );
  const line = (parts: readonly string[]) =>
    parts
      .map((p, i) => p.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return `${[line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n')}\n`;
}

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote or line break. A text cell starting with
 * `=`, `+`, `-`, `@`, tab or CR gets a leading `'` so spreadsheets do not run it as a formula. Control
 * characters other than tab, CR and LF are neutralised ({@link neutralizeControls}): CSV often goes to a terminal.
 *
 * @example
 * csvField('a,b') // '"a,b"'
 * csvField('=1+1') // "'=1+1"
 */
export function csvField(value: unknown): string {
  let text = cellText(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text) && !/^[+-]?\d+(\.\d+)?$/.test(text)) {
    text = `'${text}`;
  }
  text = neutralizeControls(text, '\t\r\n');
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * One CSV line with CRLF ending.
 *
 * @example
 * csvLine(['a', 'b,c']) // 'a,"b,c"\r\n'
 */
export function csvLine(values: readonly unknown[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

/**
 * Rows as a CSV document with a header line.
 *
 * @example
 * formatCsv([{ id: 1 }]) // 'id\r\n1\r\n'
 */
export function formatCsv(rows: readonly Record<string, unknown>[], columns?: readonly string[]): string {
  const cols = columns ?? columnsOf(rows);
  return csvLine(cols) + rows.map((row) => csvLine(cols.map((c) => row[c]))).join('');
}

/** A sink for streamed rows. */
export interface RowWriter {
  write(row: Record<string, unknown>): void;
  /** Flush and finish; returns the number of rows written. */
  end(): number;
  /** Table cells longer than `maxWidth` that were shortened with `…` (always 0 for JSON and CSV). */
  readonly clipped: number;
}

/**
 * Writes rows as they arrive: a JSON array streamed element by element, CSV line by line, or a table whose
 * column widths start from the first `sample` rows and grow when a later value is wider, so no value is ever cut
 * to fit a column. Only a text cell longer than `maxWidth` is shortened (counted in `clipped`, so the command can
 * say so); numbers and ids are never shortened.
 *
 * @example
 * const w = createRowWriter('csv', (s) => process.stdout.write(s)); w.write({ id: 1 }); w.end();
 */
export function createRowWriter(
  format: OutputFormat,
  write: (text: string) => void,
  options: { sample?: number; maxWidth?: number } = {},
): RowWriter {
  let count = 0;
  let clipped = 0;
  let columns: string[] | undefined;
  const sample = options.sample ?? 50;
  const maxWidth = options.maxWidth ?? 60;
  const buffered: Record<string, unknown>[] = [];
  let widths: number[] | undefined;

  const cell = (value: unknown): string => {
    const text = cellText(value);
    const flat = neutralizeControls(text.replace(/[\r\n\t]+/g, ' '));
    if (flat.length <= maxWidth || typeof value === 'number' || /^[+-]?\d+(\.\d+)?$/.test(text)) return flat;
    clipped += 1;
    return clip(text, maxWidth);
  };
  const tableLine = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths?.[i] ?? 0))
      .join('  ')
      .trimEnd();
  const flushTable = () => {
    columns ??= columnsOf(buffered);
    const cols = columns;
    const cells = buffered.map((row) => cols.map((c) => cell(row[c])));
    const headers = cols.map((c) => clip(c, maxWidth));
    widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
    if (cols.length > 0) {
      write(`${tableLine(headers)}\n${tableLine(widths.map((w) => '-'.repeat(w)))}\n`);
      for (const r of cells) write(`${tableLine(r)}\n`);
    }
    buffered.length = 0;
  };

  return {
    get clipped() {
      return clipped;
    },
    write(row) {
      count += 1;
      if (format === 'json') {
        write(`${count === 1 ? '[\n' : ',\n'}  ${JSON.stringify(row)}`);
      } else if (format === 'csv') {
        if (!columns) {
          columns = Object.keys(row);
          write(csvLine(columns));
        }
        const cols = columns;
        write(csvLine(cols.map((c) => row[c])));
      } else if (widths) {
        const cols = columns ?? [];
        const cells = cols.map((c) => cell(row[c]));
        // A wider value widens its column from here on: the earlier rows are already printed, but nothing is cut.
        const w = widths;
        cells.forEach((c, i) => {
          if (c.length > (w[i] ?? 0)) w[i] = c.length;
        });
        write(`${tableLine(cells)}\n`);
      } else {
        buffered.push(row);
        if (buffered.length >= sample) flushTable();
      }
    },
    end() {
      if (format === 'json') write(count === 0 ? '[]\n' : '\n]\n');
      else if (format === 'table' && !widths && buffered.length > 0) flushTable();
      return count;
    },
  };
}

/**
 * The note a command prints after a table in which long text cells were shortened.
 *
 * @example
 * clippedNote(2) // '2 text cells longer than 60 characters are shortened with …; --json or --csv prints every value whole'
 */
export function clippedNote(count: number, maxWidth = 60): string {
  return `${count} text cell${count === 1 ? '' : 's'} longer than ${maxWidth} characters ${count === 1 ? 'is' : 'are'} shortened with …; --json or --csv prints every value whole`;
}
