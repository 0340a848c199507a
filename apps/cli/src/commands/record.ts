import { positiveInt, readJsonBody } from '../body.js';
import type { Context } from '../context.js';
import { CliError, EXIT, usageError } from '../errors.js';
import { createRowWriter } from '../format.js';
import { printObject } from '../output.js';
import { createProgress, expected, type Progress } from '../progress-bar.js';
import { readLine } from '../prompt.js';
import { createClient } from '../runtime.js';

const TYPE = /^[A-Za-z][A-Za-z0-9_]{0,99}$/;
const ID = /^(?:\d{1,20}|eid:[\w.-]{1,200})$/;

/**
 * Checks a record type argument.
 *
 * @example
 * recordType('customer') // 'customer'
 */
export function recordType(value: string | undefined): string {
  if (!value || !TYPE.test(value))
    throw usageError(`"${value ?? ''}" is not a record type`, 'e.g. customer, salesOrder, customrecord_x');
  return value;
}

function recordId(value: string | undefined): string {
  if (!value || !ID.test(value))
    throw usageError(
      `"${value ?? ''}" is not a record id`,
      'use the internal id (digits) or eid:<external id>',
    );
  return value;
}

function withoutLinks(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutLinks);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (k !== 'links') out[k] = withoutLinks(v);
    return out;
  }
  return value;
}

/**
 * `record get|list|create|update|delete`.
 *
 * @example
 * await run(ctx) // exit code
 */
export async function run(ctx: Context): Promise<number> {
  const sub = ctx.spec.name.split(' ')[1];
  const type = recordType(ctx.positionals[0]);
  if (sub === 'get') {
    const id = recordId(ctx.positionals[1]);
    const fields = ctx
      .string('fields')
      ?.split(',')
      .map((f) => f.trim())
      .filter(Boolean);
    const client = await createClient(ctx);
    const record = await client.records.get(type, id, {
      ...(fields && fields.length > 0 ? { fields } : {}),
      ...(ctx.flag('expand') ? { expandSubResources: true } : {}),
    });
    printObject(ctx, withoutLinks(record) as Record<string, unknown>);
    return 0;
  }
  if (sub === 'list') {
    const limit = positiveInt(ctx, 'limit') ?? 100;
    const q = ctx.string('q');
    const client = await createClient(ctx);
    const writer = createRowWriter(ctx.format, (text) => ctx.out(text));
    let count = 0;
    const ids = client.records.list(type, q ? { q } : {});
    let progress: Progress | undefined;
    for await (const item of ids) {
      writer.write({ id: item.id });
      count += 1;
      progress ??= createProgress(ctx, { total: expected(ids.total, limit), unit: 'ids' });
      progress.update(count);
      if (count >= limit) break;
    }
    writer.end();
    ctx.progress(undefined);
    if (ctx.format === 'table')
      ctx.note(
        `${count} ${type} id${count === 1 ? '' : 's'}${count >= limit ? ` (stopped at --limit ${limit})` : ''}`,
      );
    return 0;
  }
  if (sub === 'create') {
    const body = await readJsonBody(ctx, { required: true });
    if (!body || typeof body !== 'object' || Array.isArray(body))
      throw usageError('the body must be a JSON object');
    const client = await createClient(ctx);
    const result = await client.records.create(type, body as Record<string, unknown>);
    printObject(ctx, { created: true, type, id: result.id, location: result.location });
    return 0;
  }
  if (sub === 'update') {
    const id = recordId(ctx.positionals[1]);
    const body = await readJsonBody(ctx, { required: true });
    if (!body || typeof body !== 'object' || Array.isArray(body))
      throw usageError('the body must be a JSON object');
    const client = await createClient(ctx);
    const result = await client.records.update(type, id, body as Record<string, unknown>);
    printObject(ctx, { updated: true, type, id: result.id ?? id });
    return 0;
  }
  const id = recordId(ctx.positionals[1]);
  // On a terminal a delete is confirmed by typing the id back; scripts (no TTY) and --yes skip the question.
  if (ctx.io.stdin.isTTY === true && ctx.io.stderr.isTTY === true && !ctx.flag('yes')) {
    ctx.io.stderr.write(`Delete ${type} ${id} in NetSuite? Type the id to confirm (--yes skips this): `);
    const answer = await readLine(ctx, 120_000);
    if (answer !== id) {
      throw new CliError(
        'ERR_CLI_NOT_CONFIRMED',
        `not deleted: ${type} ${id} was not confirmed`,
        EXIT.failure,
      );
    }
  }
  const client = await createClient(ctx);
  await client.records.delete(type, id);
  printObject(ctx, { deleted: true, type, id });
  return 0;
}
