import { positiveInt } from '../body.js';
import type { Context } from '../context.js';
import { usageError } from '../errors.js';
import { clippedNote, createRowWriter } from '../format.js';
import { elapsed } from '../output.js';
import { createProgress, expected, type Progress } from '../progress-bar.js';
import { createClient } from '../runtime.js';

/**
 * `suiteql "<query>"`: streams rows as a table, a JSON array or CSV; row count on stderr while it runs.
 *
 * @example
 * await run(ctx) // exit code
 */
export async function run(ctx: Context): Promise<number> {
  const query = (ctx.positionals[0] ?? '').trim();
  if (query === '')
    throw usageError('the query is empty', 'usage: pnpm nso suiteql "SELECT id FROM customer"');
  const limit = positiveInt(ctx, 'limit');
  const pageSize = positiveInt(ctx, 'page-size', 1000);
  if (pageSize !== undefined && pageSize < 5)
    throw usageError('--page-size must be a whole number from 5 to 1000');
  const started = ctx.now();
  const client = await createClient(ctx);
  const writer = createRowWriter(ctx.format, (text) => ctx.out(text));
  let count = 0;
  const rows = client.suiteql(query, pageSize ? { pageSize } : {});
  let progress: Progress | undefined;
  for await (const row of rows) {
    // NetSuite adds a "links" array to every row; it is noise here.
    const { links: _links, ...rest } = row as Record<string, unknown>;
    writer.write(rest);
    count += 1;
    // NetSuite's totalResults (known from the first row) gives the bar its total and an ETA.
    progress ??= createProgress(ctx, { total: expected(rows.total, limit), unit: 'rows' });
    progress.update(count);
    if (limit !== undefined && count >= limit) break;
  }
  writer.end();
  ctx.progress(undefined);
  if (ctx.format === 'table') {
    if (writer.clipped > 0) ctx.note(clippedNote(writer.clipped));
    ctx.note(
      ctx.color.dim(
        `${count} row${count === 1 ? '' : 's'} in ${elapsed(ctx.now() - started)}${limit !== undefined && count >= limit ? ` (stopped at --limit ${limit})` : ''}`,
      ),
    );
  }
  return 0;
}
