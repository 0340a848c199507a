import { submitJob, type TaskOutcome } from './async-jobs.js';
import type { Call } from './call.js';
import { type HttpReply, NS_ERROR_TYPE, nsError, nsErrorBody } from './http.js';

/** Runs one single-record request inside the emulator and returns what it would have answered. */
export type RecordRequest = (
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
  segments: readonly string[],
  body?: Record<string, unknown>,
) => Promise<TaskOutcome>;

const COLLECTION =
  /^application\/vnd\.oracle\.resource\+json\s*;(?:.*;)?\s*type\s*=\s*"?collection"?\s*(?:;|$)/i;

/** The `Prefer` preferences of a request, lower-cased (`respond-async`, `batch-processing=parallel`, …). */
export function preferences(call: Call): Set<string> {
  const raw = call.req.headers.prefer;
  const text = Array.isArray(raw) ? raw.join(',') : String(raw ?? '');
  return new Set(
    text
      .split(/[,;]/)
      .map((p) =>
        p
          .trim()
          .toLowerCase()
          .replace(/\s*=\s*/, '=')
          .replace(/"/g, ''),
      )
      .filter(Boolean),
  );
}

/**
 * Whether a request on `/record/v1/{type}` is a batch (article_0127092747): a write whose body is a collection
 * (`Content-Type: application/vnd.oracle.resource+json; type=collection`), or a GET or DELETE naming `ids`.
 */
export function isBatchRequest(call: Call, segments: readonly string[]): boolean {
  if (segments.length !== 1) return false;
  const method = call.method;
  if (method === 'GET' || method === 'DELETE') return call.url.searchParams.has('ids');
  if (method !== 'POST' && method !== 'PATCH' && method !== 'PUT') return false;
  return COLLECTION.test(String(call.req.headers['content-type'] ?? ''));
}

function failure(status: number, code: string, detail: string, path?: string): TaskOutcome {
  return {
    status,
    body: nsErrorBody(status, code, detail, path === undefined ? {} : { 'o:errorPath': path }),
    headers: { 'content-type': NS_ERROR_TYPE },
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function readItems(call: Call, max: number): Promise<unknown[]> {
  const raw = (await call.body()).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw nsError(400, 'INVALID_CONTENT', 'The request body is not valid JSON.');
  }
  if (!isObject(value) || !Array.isArray(value.items) || value.items.length === 0) {
    throw nsError(
      400,
      'INVALID_CONTENT',
      'A batch request body must be {"items":[…]} with at least one record.',
      {
        'o:errorPath': 'items',
      },
    );
  }
  if (value.items.length > max) {
    throw nsError(400, 'INVALID_CONTENT', `A batch request can contain at most ${max} records.`, {
      'o:errorPath': 'items',
    });
  }
  return value.items;
}

function readIds(call: Call, max: number): string[] {
  const ids = (call.url.searchParams.get('ids') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (ids.length === 0) {
    throw nsError(400, 'INVALID_PARAMETER', 'The ids parameter must name at least one record.', {
      'o:errorQueryParam': 'ids',
    });
  }
  if (ids.length > max) {
    throw nsError(400, 'INVALID_PARAMETER', `A batch request can name at most ${max} records.`, {
      'o:errorQueryParam': 'ids',
    });
  }
  return ids;
}

/** The single-record request an item of a batch write stands for, or why it cannot be one. */
function itemRequest(
  method: 'POST' | 'PATCH' | 'PUT',
  type: string,
  item: unknown,
): { segments: string[]; body: Record<string, unknown> } | TaskOutcome {
  if (!isObject(item)) return failure(400, 'INVALID_CONTENT', 'Each item of a batch must be a JSON object.');
  if (method === 'POST') return { segments: [type], body: item };
  const externalId =
    typeof item.externalId === 'string' && item.externalId !== '' ? item.externalId : undefined;
  if (method === 'PUT') {
    if (externalId === undefined) {
      return failure(
        400,
        'INVALID_CONTENT',
        'A batch upsert (PUT) needs an externalId in each item.',
        'externalId',
      );
    }
    return { segments: [type, `eid:${encodeURIComponent(externalId)}`], body: item };
  }
  const { id, ...rest } = item;
  if (typeof id === 'string' || typeof id === 'number') {
    return { segments: [type, encodeURIComponent(String(id))], body: rest };
  }
  if (externalId !== undefined)
    return { segments: [type, `eid:${encodeURIComponent(externalId)}`], body: rest };
  return failure(
    400,
    'INVALID_CONTENT',
    'A batch update (PATCH) needs an id or an externalId in each item.',
    'id',
  );
}

/**
 * A batch request (article_0127092747): checks it, then accepts it as one async job whose tasks are the single-record
 * requests its items stand for, so each record succeeds or fails alone with the answer that request would have had.
 */
export async function handleBatch(call: Call, type: string, request: RecordRequest): Promise<HttpReply> {
  const prefer = preferences(call);
  if (!prefer.has('respond-async')) {
    throw nsError(400, 'INVALID_HEADER', 'A batch request needs the Prefer: respond-async header.', {
      'o:errorHeader': 'Prefer',
    });
  }
  const { state } = call;
  const max = state.options.maxBatchItems;
  const requested = prefer.has('batch-processing=parallel')
    ? 'parallel'
    : prefer.has('batch-processing=sequential')
      ? 'sequential'
      : undefined;
  const parallel = (requested ?? state.costModel.batchProcessing) === 'parallel';
  const preferenceApplied = `respond-async${requested ? `, batch-processing="${requested}"` : ''}`;
  let runs: Array<() => Promise<TaskOutcome> | TaskOutcome>;
  const method = call.method;
  if (method === 'GET' || method === 'DELETE') {
    const ids = readIds(call, max);
    const expand = call.url.searchParams.get('expandRecords') === 'true';
    runs = ids.map((id) => async () => {
      const outcome = await request(method, [type, id]);
      if (method === 'DELETE' || expand || outcome.status !== 200) return outcome;
      // Without expandRecords a task answers with the record's id and link only (UNCONFIRMED).
      const record = JSON.parse(outcome.body) as { links?: unknown; id?: unknown };
      return { ...outcome, body: JSON.stringify({ links: record.links ?? [], id: record.id }) };
    });
  } else {
    const write = method as 'POST' | 'PATCH' | 'PUT';
    const items = await readItems(call, max);
    runs = items.map((item) => {
      const plan = itemRequest(write, type, item);
      if ('status' in plan) return () => plan;
      return () => request(write, plan.segments, plan.body);
    });
  }
  return submitJob(call, runs, { batch: true, parallel, preferenceApplied });
}
