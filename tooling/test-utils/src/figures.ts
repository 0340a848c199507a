import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Reports a measured figure (one line, e.g. `G14 crash safety: 1000 SIGKILLs → 1000 complete reads`): printed by
 * the test, and appended to `.reports/figures.jsonl` of the package under test so `pnpm test:long` can list
 * every figure of the run at the end.
 *
 * @example
 * reportFigure('G15', `8 processes × 500 increments → ${count} (expected 4000), 0 torn reads`);
 */
export function reportFigure(id: string, line: string): void {
  const text = `${id} ${line}`;
  console.log(`FIGURE ${text}`);
  const dir = join(process.cwd(), '.reports');
  mkdirSync(dir, { recursive: true });
  appendFileSync(
    join(dir, 'figures.jsonl'),
    `${JSON.stringify({ id, line, at: new Date().toISOString() })}\n`,
  );
}
