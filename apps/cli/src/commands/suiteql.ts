import { positiveInt } from '../body.js';
import type { Context } from '../context.js';
import { usageError } from '../errors.js';
import { clippedNote, createRowWriter } from '../format.js';
import { elapsed } from '../output.js';
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
  for await (const row of client.suiteql(query, pageSize ? { pageSize } : {})) {
    // NetSuite adds a "links" array to every row; it is noise here.
    const { links: _links, ...rest } = row as Record<string, unknown>;
    writer.write(rest);
    count += 1;
    if (count % 100 === 0 || count < 100) ctx.progress(`${count} rows…`);
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
