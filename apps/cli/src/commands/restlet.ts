import { readJsonBody } from '../body.js';
import type { Context } from '../context.js';
import { usageError } from '../errors.js';
import { printObject } from '../output.js';
import { createClient } from '../runtime.js';

const METHODS = ['GET', 'POST', 'PUT', 'DELETE'] as const;

/**
 * `restlet <script> <deploy>`: calls a RESTlet and prints its answer.
 *
 * @example
 * await run(ctx) // exit code
 */
export async function run(ctx: Context): Promise<number> {
  const [script, deploy] = ctx.positionals as [string, string];
  const body = await readJsonBody(ctx, { required: false });
  const method = (ctx.string('method') ?? (body === undefined ? 'GET' : 'POST')).toUpperCase();
  if (!(METHODS as readonly string[]).includes(method))
    throw usageError('--method must be GET, POST, PUT or DELETE');
  const query: Record<string, string> = {};
  for (const pair of (ctx.values.query as string[] | undefined) ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw usageError(`--query "${pair}" is not k=v`);
    query[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  const client = await createClient(ctx);
  const result = await client.restlet({
    script,
    deploy,
    method: method as (typeof METHODS)[number],
    body,
    ...(Object.keys(query).length > 0 ? { query } : {}),
  });
  if (result !== null && typeof result === 'object' && !Array.isArray(result)) {
    printObject(ctx, result as Record<string, unknown>);
  } else if (ctx.format === 'json' || typeof result !== 'string') {
    ctx.out(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    ctx.out(`${result}\n`);
  }
  return 0;
}
