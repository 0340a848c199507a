import type { IncomingMessage } from 'node:http';
import { submitJob, type TaskOutcome } from './async-jobs.js';
import { handleBatch, isBatchRequest, preferences, type RecordRequest } from './batch.js';
import type { Call } from './call.js';
import { hiddenFields, roleView } from './customization.js';
import { HttpReply, mediaType, NS_COLLECTION_TYPE, NS_SINGULAR_TYPE, nsError, safeDecode } from './http.js';
import { FilterError, matches, parseFilter } from './query-filter.js';
import { type RecordTypeDef, TRANSFORMS } from './schema.js';
import { type NameValidation, RecordValidationError, type StoredRecord } from './store.js';

const PREFIX = '/services/rest/record/v1';
const MAX_LIMIT = 1000;
const MAX_PAGES = 1000;
// Without SuiteAnalytics Connect a collection returns at most 100,000 results (facts §6.2, §11.15).
const MAX_RESULTS = 100_000;

function link(rel: string, href: string): { rel: string; href: string } {
  return { rel, href };
}

/**
 * The record type as the caller's role sees it (fields it cannot see left out). A type the role may not use is
 * refused with INSUFFICIENT_PERMISSION (UNCONFIRMED: NetSuite's exact status and wording here).
 */
function typeOf(call: Call, name: string): RecordTypeDef {
  const def = call.state.store.typeDef(name);
  if (!def)
    throw nsError(404, 'INVALID_RECORD_TYPE', `Record type '${name}' does not exist.`, {
      'o:errorUrl': call.url.pathname,
    });
  const view = roleView(def, call.roleId);
  if (!view)
    throw nsError(
      403,
      'INSUFFICIENT_PERMISSION',
      `Permission Violation: your role has no access to ${def.name}.`,
      {
        'o:errorUrl': call.url.pathname,
      },
    );
  return view;
}

/** Write options of the caller: its name validation, and the fields its role cannot see. */
function writeOptions(
  call: Call,
  def: RecordTypeDef,
): { nameValidation: NameValidation; hidden: Set<string> } {
  const full = call.state.store.typeDef(def.name);
  return { nameValidation: nameValidation(call), hidden: full ? hiddenFields(full, call.roleId) : new Set() };
}

function toReply(error: unknown): HttpReply {
  if (error instanceof HttpReply) return error;
  if (error instanceof RecordValidationError) {
    const status =
      error.errorCode === 'NONEXISTENT_ID' || error.errorCode === 'INVALID_RECORD_TYPE' ? 404 : 400;
    return nsError(status, error.errorCode, error.detail, error.path ? { 'o:errorPath': error.path } : {});
  }
  throw error;
}

function resolveId(call: Call, def: RecordTypeDef, raw: string): StoredRecord | undefined {
  const store = call.state.store;
  const text = safeDecode(raw);
  if (text.startsWith('eid:')) return store.findByExternalId(def.name, text.slice(4));
  if (!/^\d{1,15}$/.test(text)) {
    throw nsError(400, 'INVALID_ID', `The record instance ID '${text}' is not valid.`, {
      'o:errorUrl': call.url.pathname,
    });
  }
  return store.get(def.name, Number(text));
}

function notFound(call: Call): HttpReply {
  return nsError(404, 'NONEXISTENT_ID', 'Record does not exist.', { 'o:errorUrl': call.url.pathname });
}

function renderValue(call: Call, def: RecordTypeDef, name: string, value: unknown): unknown {
  const field = def.fields.find((f) => f.name === name);
  if (field?.kind === 'enum' && typeof value === 'string') {
    if (call.url.searchParams.get('simpleEnumFormat') === 'true') return value;
    return { id: value, refName: field.options?.[value] ?? value };
  }
  if (field?.kind === 'ref' && typeof value === 'number') {
    const refType = field.refType ?? '';
    const out: Record<string, unknown> = {
      links: call.state.store.typeDef(refType)
        ? [link('self', `${call.origin}${PREFIX}/${refType}/${value}`)]
        : [],
      id: String(value),
    };
    const refName = call.state.store.refName(refType, value);
    if (refName !== undefined) out.refName = refName;
    return out;
  }
  return value;
}

export function renderRecord(
  call: Call,
  def: RecordTypeDef,
  rec: StoredRecord,
  options: { fields?: Set<string> | undefined; expand?: boolean } = {},
): Record<string, unknown> {
  const self = `${call.origin}${PREFIX}/${def.name}/${rec.id}`;
  const out: Record<string, unknown> = { links: [link('self', self)], id: String(rec.id) };
  for (const f of def.fields) {
    if (options.fields && !options.fields.has(f.name.toLowerCase())) continue;
    const v = rec.fields[f.name];
    if (v !== undefined && v !== null) out[f.name] = renderValue(call, def, f.name, v);
  }
  if (def.hasLines && !options.fields) {
    out.item = options.expand ? renderLines(call, def, rec) : { links: [link('self', `${self}/item`)] };
  }
  return out;
}

function renderLines(call: Call, def: RecordTypeDef, rec: StoredRecord): Record<string, unknown> {
  const self = `${call.origin}${PREFIX}/${def.name}/${rec.id}/item`;
  const items = rec.lines.map((l) => ({
    links: [link('self', `${self}/${l.line}`)],
    line: l.line,
    item: renderValue(
      call,
      { ...def, fields: [{ name: 'item', kind: 'ref', refType: 'inventoryItem' }] },
      'item',
      l.item,
    ),
    quantity: l.quantity,
    rate: l.rate,
    amount: l.amount,
    ...(l.description === undefined ? {} : { description: l.description }),
  }));
  return {
    links: [link('self', self)],
    items,
    totalResults: items.length,
    count: items.length,
    hasMore: false,
    offset: 0,
  };
}

async function readJson(call: Call): Promise<Record<string, unknown>> {
  const type = mediaType(call.req);
  if (type !== 'application/json' && type !== 'application/vnd.oracle.resource+json' && type !== '') {
    throw nsError(415, 'INVALID_HEADER', 'The Content-Type header must be application/json.', {
      'o:errorHeader': 'Content-Type',
    });
  }
  const raw = (await call.body()).toString('utf8');
  if (raw.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw nsError(400, 'INVALID_CONTENT', 'The request body is not valid JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw nsError(400, 'INVALID_CONTENT', 'The request body must be a JSON object.');
  }
  return value as Record<string, unknown>;
}

function nameValidation(call: Call): NameValidation {
  const raw = call.req.headers['x-netsuite-propertynamevalidation'];
  const v = typeof raw === 'string' ? raw.toLowerCase() : 'warning';
  if (v === 'ignore' || v === 'warning' || v === 'error') return v;
  throw nsError(
    400,
    'INVALID_HEADER',
    'X-NetSuite-PropertyNameValidation must be ignore, warning or error.',
    {
      'o:errorHeader': 'X-NetSuite-PropertyNameValidation',
    },
  );
}

function written(call: Call, type: string, id: number, warnings: string[]): HttpReply {
  const headers: Record<string, string> = { location: `${call.origin}${PREFIX}/${type}/${id}` };
  if (warnings.length > 0)
    headers['x-netsuite-warning'] = warnings
      .join(' ')
      .replace(/[^\x20-\x7e]/g, '?')
      .slice(0, 2000);
  return new HttpReply(204, '', headers);
}

function intParam(call: Call, name: string, fallback: number): number {
  const raw = call.url.searchParams.get(name);
  if (raw === null) return fallback;
  if (!/^\d{1,9}$/.test(raw)) {
    throw nsError(400, 'INVALID_PARAMETER', `The value of the query parameter '${name}' is not valid.`, {
      'o:errorQueryParam': name,
    });
  }
  return Number(raw);
}

/** Validates `limit`/`offset` as NetSuite does (section_156414087576.html). */
export function paging(call: Call, maxLimit = MAX_LIMIT): { limit: number; offset: number } {
  const limit = intParam(call, 'limit', maxLimit);
  const offset = intParam(call, 'offset', 0);
  if (limit < 1 || limit > maxLimit) {
    throw nsError(400, 'INVALID_PARAMETER', `The limit must be between 1 and ${maxLimit}.`, {
      'o:errorQueryParam': 'limit',
    });
  }
  if (offset % limit !== 0) {
    throw nsError(400, 'INVALID_PARAMETER', 'The offset must be a multiple of the limit.', {
      'o:errorQueryParam': 'offset',
    });
  }
  return { limit, offset };
}

export function pageLinks(
  base: string,
  extra: URLSearchParams,
  limit: number,
  offset: number,
  reachable: number,
  hasMore: boolean,
) {
  const href = (o: number): string => {
    const p = new URLSearchParams(extra);
    p.set('limit', String(limit));
    p.set('offset', String(o));
    return `${base}?${p.toString()}`;
  };
  const last = reachable === 0 ? 0 : Math.floor((reachable - 1) / limit) * limit;
  const links = [link('first', href(0))];
  if (offset > 0) links.push(link('prev', href(Math.max(0, offset - limit))));
  if (hasMore) links.push(link('next', href(offset + limit)));
  links.push(link('last', href(last)), link('self', href(offset)));
  return links;
}

export function offsetOutOfBounds(): HttpReply {
  return new HttpReply(
    404,
    JSON.stringify({
      type: 'https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.5',
      title: 'Specified offset is out of bounds.',
      status: 404,
      'o:errorCode': 'NONEXISTENT_OFFSET',
    }),
    { 'content-type': 'application/vnd.oracle.resource+json; type=error; charset=UTF-8' },
  );
}

function list(call: Call, def: RecordTypeDef): HttpReply {
  const { store } = call.state;
  const { limit, offset } = paging(call);
  const q = call.url.searchParams.get('q');
  let ids = store.ids(def.name);
  if (q !== null) {
    let tree: ReturnType<typeof parseFilter>;
    try {
      tree = parseFilter(q, def);
    } catch (error) {
      if (error instanceof FilterError) {
        throw nsError(400, 'INVALID_PARAMETER', `Invalid search query: ${error.message}`.slice(0, 500), {
          'o:errorQueryParam': 'q',
        });
      }
      throw error;
    }
    ids = ids.filter((id) => {
      const rec = store.get(def.name, id);
      return rec !== undefined && matches(tree, rec);
    });
  }
  const total = ids.length;
  const reachable = Math.min(total, limit * MAX_PAGES, MAX_RESULTS);
  if (offset > 0 && offset >= reachable) return offsetOutOfBounds();
  const page = ids.slice(offset, Math.min(offset + limit, reachable));
  const hasMore = offset + page.length < reachable;
  const extra = new URLSearchParams();
  if (q !== null) extra.set('q', q);
  const base = `${call.origin}${PREFIX}/${def.name}`;
  const body = {
    links: pageLinks(base, extra, limit, offset, reachable, hasMore),
    count: page.length,
    hasMore,
    items: page.map((id) => ({ links: [link('self', `${base}/${id}`)], id: String(id) })),
    offset,
    totalResults: total,
  };
  return new HttpReply(200, JSON.stringify(body), { 'content-type': NS_COLLECTION_TYPE });
}

function fieldsParam(call: Call, def: RecordTypeDef): Set<string> | undefined {
  const raw = call.url.searchParams.get('fields');
  if (raw === null) return undefined;
  const names = raw
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const known = new Set(def.fields.map((f) => f.name.toLowerCase()));
  for (const n of names) {
    if (!known.has(n)) {
      throw nsError(400, 'NONEXISTENT_FIELD', `Field '${n}' does not exist on ${def.name}.`, {
        'o:errorQueryParam': 'fields',
      });
    }
  }
  return new Set(names);
}

async function dispatch(call: Call, segments: string[]): Promise<HttpReply> {
  const { store } = call.state;
  const [typeName, idPart, third, fourth, ...rest] = segments;
  if (!typeName)
    throw nsError(404, 'INVALID_REQUEST', 'Specify a record type.', { 'o:errorUrl': call.url.pathname });
  const def = typeOf(call, safeDecode(typeName));
  const method = call.method;
  if (idPart === undefined) {
    if (method === 'GET') return list(call, def);
    if (method === 'POST') {
      const body = await readJson(call);
      const { id, warnings } = store.create(def.name, body, writeOptions(call, def));
      return written(call, def.name, id, warnings);
    }
    throw nsError(405, 'INVALID_REQUEST', `The method ${method} is not allowed on a record collection.`);
  }
  if (third === undefined) {
    if (method === 'PUT') {
      const text = safeDecode(idPart);
      if (!text.startsWith('eid:') || text.length === 4) {
        throw nsError(
          400,
          'INVALID_REQUEST',
          'PUT (upsert) needs an external ID in the URL: /{type}/eid:{externalId}.',
        );
      }
      const externalId = text.slice(4);
      const body = await readJson(call);
      const existing = store.findByExternalId(def.name, externalId);
      const opts = writeOptions(call, def);
      if (existing) {
        const { warnings } = store.update(def.name, existing.id, { ...body, externalId }, opts);
        return written(call, def.name, existing.id, warnings);
      }
      const { id, warnings } = store.create(def.name, { ...body, externalId }, opts);
      return written(call, def.name, id, warnings);
    }
    const rec = resolveId(call, def, idPart);
    if (method === 'GET') {
      if (!rec) return notFound(call);
      const expand = call.url.searchParams.get('expandSubResources') === 'true';
      const body = renderRecord(call, def, rec, { fields: fieldsParam(call, def), expand });
      return new HttpReply(200, JSON.stringify(body), { 'content-type': NS_SINGULAR_TYPE });
    }
    if (method === 'PATCH') {
      if (!rec) return notFound(call);
      const body = await readJson(call);
      const replace = new Set((call.url.searchParams.get('replace') ?? '').split(',').filter(Boolean));
      const { warnings } = store.update(def.name, rec.id, body, { ...writeOptions(call, def), replace });
      return written(call, def.name, rec.id, warnings);
    }
    if (method === 'DELETE') {
      if (!rec) return notFound(call);
      store.delete(def.name, rec.id);
      return new HttpReply(204, '', {});
    }
    throw nsError(405, 'INVALID_REQUEST', `The method ${method} is not allowed on a record.`);
  }
  const rec = resolveId(call, def, idPart);
  if (third === '!transform' && fourth !== undefined && rest.length === 0) {
    if (method !== 'POST') throw nsError(405, 'INVALID_REQUEST', 'Transform needs POST.');
    if (!rec) return notFound(call);
    const target = typeOf(call, safeDecode(fourth));
    if (!(TRANSFORMS.get(def.name) ?? []).includes(target.name)) {
      throw nsError(400, 'INVALID_REQUEST', `A ${def.name} cannot be transformed into a ${target.name}.`);
    }
    const overrides = await readJson(call);
    const base: Record<string, unknown> =
      def.name === 'customer'
        ? { entity: { id: String(rec.id) } }
        : {
            entity: { id: String(rec.fields.entity) },
            ...(typeof rec.fields.memo === 'string' ? { memo: rec.fields.memo } : {}),
            item: {
              items: rec.lines.map((l) => ({
                item: { id: String(l.item) },
                quantity: l.quantity,
                rate: l.rate,
              })),
            },
            ...(target.fields.some((f) => f.name === 'createdFrom')
              ? { createdFrom: { id: String(rec.id) } }
              : {}),
          };
    const { id, warnings } = store.create(target.name, { ...base, ...overrides }, writeOptions(call, target));
    return written(call, target.name, id, warnings);
  }
  if (third === 'item' && def.hasLines && method === 'GET') {
    if (!rec) return notFound(call);
    const lines = renderLines(call, def, rec);
    if (fourth === undefined)
      return new HttpReply(200, JSON.stringify(lines), { 'content-type': NS_COLLECTION_TYPE });
    const line = (lines.items as Array<{ line: number }>).find((l) => String(l.line) === fourth);
    if (!line || rest.length > 0) return notFound(call);
    return new HttpReply(200, JSON.stringify(line), { 'content-type': NS_SINGULAR_TYPE });
  }
  throw nsError(404, 'INVALID_REQUEST', 'The requested resource does not exist.', {
    'o:errorUrl': call.url.pathname,
  });
}

/** The response of one single-record request, as an async task keeps it. */
function outcomeOf(reply: HttpReply): TaskOutcome {
  return { status: reply.status, body: reply.body, headers: reply.headers };
}

async function run(call: Call, segments: string[]): Promise<TaskOutcome> {
  try {
    return outcomeOf(await dispatch(call, segments));
  } catch (error) {
    return outcomeOf(toReply(error));
  }
}

/** One record request of a batch, run as if it had been sent on its own with a JSON body. */
function recordRequest(call: Call): RecordRequest {
  return (method, segments, body) => {
    const sub: Call = {
      ...call,
      method,
      url: new URL(`${PREFIX}/${segments.join('/')}`, call.origin),
      req: { headers: { ...call.req.headers, 'content-type': 'application/json' } } as IncomingMessage,
      body: () => Promise.resolve(Buffer.from(body === undefined ? '' : JSON.stringify(body))),
    };
    return run(sub, [...segments]);
  };
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * `/services/rest/record/v1/…`: single requests, `Prefer: respond-async` jobs for any of them, and batches
 * (section 6.5 of the facts; article_0127092747).
 */
export async function handleRecord(call: Call): Promise<HttpReply> {
  const segments = call.url.pathname.slice(PREFIX.length + 1).split('/');
  if (segments.length > 6) throw nsError(404, 'INVALID_REQUEST', 'The requested resource does not exist.');
  if (isBatchRequest(call, segments)) {
    const def = typeOf(call, safeDecode(segments[0] ?? ''));
    return handleBatch(call, def.name, recordRequest(call));
  }
  const single = segments.length > 1 || call.method !== 'GET';
  if (!preferences(call).has('respond-async')) {
    // A record read or written costs recordMs on top of the request (the cost model); a list does not.
    const { recordMs } = call.state.costModel;
    if (single && recordMs > 0) await pause(recordMs);
    try {
      return await dispatch(call, segments);
    } catch (error) {
      return toReply(error);
    }
  }
  // The job runs later: read the body now, while the request is open.
  await call.body();
  return submitJob(call, [() => run(call, segments)], { batch: false, parallel: false });
}
