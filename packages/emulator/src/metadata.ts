import type { Call } from './call.js';
import { roleView } from './customization.js';
import { HttpReply, JSON_TYPE, nsError, safeDecode } from './http.js';
import type { FieldDef, RecordTypeDef } from './schema.js';

const PREFIX = '/services/rest/record/v1';
const CATALOG = `${PREFIX}/metadata-catalog`;
const SWAGGER = 'application/swagger+json';
const SCHEMA = 'application/schema+json';

type Json = Record<string, unknown>;

/** `companyName` → `Company Name`: a field's title when it has no label. */
function words(name: string): string {
  const spaced = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2');
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

function typeTitle(def: RecordTypeDef): string {
  return def.customName ?? words(def.name);
}

const NS_LINKS: Json = {
  title: 'Links',
  type: 'array',
  readOnly: true,
  items: {
    type: 'object',
    properties: { rel: { type: 'string' }, href: { type: 'string', format: 'uri' } },
  },
};

/** A reference to a record type the emulator does not serve (`subsidiary`): NetSuite's generic resource shape. */
function nsResource(title: string): Json {
  return {
    title,
    type: 'object',
    properties: {
      id: { title: 'Internal identifier', type: 'string' },
      refName: { title: 'Reference Name', type: 'string', readOnly: true },
      externalId: { title: 'External identifier', type: 'string' },
      links: NS_LINKS,
    },
  };
}

/**
 * One field in JSON Schema form, as NetSuite writes it (section_1545129726): scalars carry `format` and
 * `nullable`, custom fields `x-ns-custom-field`, filterable ones `x-ns-filterable`. A reference points at the
 * referenced record type's catalog entry with `$ref` (UNCONFIRMED beyond the shape Oracle's examples show).
 */
function fieldSchema(call: Call, field: FieldDef, refStyle: 'catalog' | 'openapi'): Json {
  const title = field.label ?? words(field.name);
  const extra: Json = { 'x-ns-filterable': true };
  if (field.readOnly) extra.readOnly = true;
  if (field.custom) extra['x-ns-custom-field'] = true;
  switch (field.kind) {
    case 'string':
      return { title, type: 'string', nullable: true, ...extra };
    case 'boolean':
      return { title, type: 'boolean', ...extra };
    case 'integer':
      return { title, type: 'integer', format: 'int64', nullable: true, ...extra };
    case 'float':
      return { title, type: 'number', format: 'double', nullable: true, ...extra };
    case 'date':
      return { title, type: 'string', format: 'date', nullable: true, ...extra };
    case 'datetime':
      return { title, type: 'string', format: 'date-time', nullable: true, ...extra };
    case 'enum':
      return {
        title,
        type: 'object',
        properties: {
          id: { title: 'Internal identifier', type: 'string', enum: Object.keys(field.options ?? {}) },
          refName: { title: 'Reference Name', type: 'string', readOnly: true },
        },
        ...extra,
      };
    case 'ref': {
      const refType = field.refType ?? '';
      if (
        !visibleDef(call, refType) ||
        (refStyle === 'catalog' && call.state.options.metadataReferences === 'inline')
      )
        return { ...nsResource(title), ...extra };
      const $ref =
        refStyle === 'openapi' ? '#/components/schemas/nsResource' : `${call.origin}${CATALOG}/${refType}`;
      return { title, type: 'object', $ref, 'x-ns-referenced-type': refType, ...extra };
    }
  }
}

function lineSchema(call: Call, def: RecordTypeDef, refStyle: 'catalog' | 'openapi'): Json {
  const itemField: FieldDef = { name: 'item', kind: 'ref', refType: 'inventoryItem', label: 'Item' };
  return {
    title: `${typeTitle(def)} Item`,
    type: 'object',
    properties: {
      links: NS_LINKS,
      line: { title: 'Line', type: 'integer', format: 'int64', readOnly: true },
      item: fieldSchema(call, itemField, refStyle),
      quantity: { title: 'Quantity', type: 'number', format: 'double', nullable: true },
      rate: { title: 'Rate', type: 'number', format: 'double', nullable: true },
      amount: { title: 'Amount', type: 'number', format: 'double', nullable: true, readOnly: true },
      description: { title: 'Description', type: 'string', nullable: true },
    },
  };
}

/** The JSON Schema of one record type (`Accept: application/schema+json`, section_1545129726). */
export function recordSchema(
  call: Call,
  def: RecordTypeDef,
  refStyle: 'catalog' | 'openapi' = 'catalog',
): Json {
  const properties: Json = {
    links: NS_LINKS,
    id: { title: 'Internal ID', type: 'string', readOnly: true, 'x-ns-filterable': true },
  };
  for (const field of def.fields) properties[field.name] = fieldSchema(call, field, refStyle);
  if (def.hasLines) {
    // A sublist: a collection object whose `items` are the lines (section_1545295601).
    properties.item = {
      title: 'Items',
      type: 'object',
      properties: {
        links: NS_LINKS,
        items: { title: 'Items', type: 'array', items: lineSchema(call, def, refStyle) },
        totalResults: { type: 'integer', readOnly: true },
        count: { type: 'integer', readOnly: true },
        hasMore: { type: 'boolean', readOnly: true },
        offset: { type: 'integer', readOnly: true },
      },
    };
  }
  return { type: 'object', title: typeTitle(def), properties };
}

/** Record type `name` as the caller's role sees it; undefined when it does not exist or the role cannot see it. */
function visibleDef(call: Call, name: string): RecordTypeDef | undefined {
  const def = call.state.store.typeDef(name);
  return def && roleView(def, call.roleId);
}

/**
 * The record types of the request, personalised by the token's role as NetSuite personalises the catalog
 * (section_1540810174): a type the role cannot use is not in it and a field it cannot see is left out. That such a
 * type answers as an unknown one (404 alone, `select=` as metadataUnknownSelect says) is UNCONFIRMED.
 */
function selectedTypes(call: Call, only?: string): RecordTypeDef[] {
  const all = call.state.store
    .typeDefs()
    .map((d) => roleView(d, call.roleId))
    .filter((d): d is RecordTypeDef => d !== undefined);
  if (only !== undefined) {
    const def = visibleDef(call, only);
    if (!def)
      throw nsError(404, 'INVALID_RECORD_TYPE', `Record type '${only}' does not exist.`, {
        'o:errorUrl': call.url.pathname,
      });
    return [def];
  }
  const select = call.url.searchParams.get('select');
  if (select === null) return all;
  // Oracle's example selects `customer,salesorder`: names match without regard to case (section_1545126526).
  const byLower = new Map(all.map((d) => [d.name.toLowerCase(), d]));
  const out: RecordTypeDef[] = [];
  for (const raw of select.split(',')) {
    const name = raw.trim();
    if (name === '') continue;
    const def = byLower.get(name.toLowerCase());
    // What NetSuite answers for an unknown name in `select` is UNCONFIRMED (the option metadataUnknownSelect).
    if (!def && call.state.options.metadataUnknownSelect === 'ignore') continue;
    if (!def)
      throw nsError(400, 'INVALID_PARAMETER', `Record type '${name.slice(0, 100)}' does not exist.`, {
        'o:errorQueryParam': 'select',
      });
    if (!out.includes(def)) out.push(def);
  }
  return out;
}

function catalogList(call: Call, defs: RecordTypeDef[]): Json {
  return {
    items: defs.map((def) => {
      const href = `${call.origin}${CATALOG}/${def.name}`;
      return {
        name: def.name,
        links: [
          { rel: 'canonical', href, mediaType: 'application/json' },
          { rel: 'alternate', href, mediaType: SWAGGER },
          { rel: 'describes', href: `${call.origin}${PREFIX}/${def.name}` },
          { rel: 'alternate', href, mediaType: SCHEMA },
        ],
      };
    }),
    links: [{ rel: 'self', href: `${call.origin}${CATALOG}` }],
  };
}

function jsonContent(ref: string): Json {
  return { 'application/vnd.oracle.resource+json; type=singular': { schema: { $ref: ref } } };
}

/** The OpenAPI 3.0 document of some record types (`Accept: application/swagger+json`, section_1545126526). */
export function openApiDocument(call: Call, defs: RecordTypeDef[]): Json {
  const paths: Json = {};
  const schemas: Json = { nsResource: nsResource('Resource'), nsLink: NS_LINKS.items };
  const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
  for (const def of defs) {
    const ref = `#/components/schemas/${def.name}`;
    schemas[def.name] = recordSchema(call, def, 'openapi');
    const noContent = { '204': { description: 'Done; the Location header names the record.' } };
    paths[`/${def.name}`] = {
      get: {
        tags: [def.name],
        summary: 'Get list of records',
        parameters: [
          {
            name: 'q',
            in: 'query',
            description: 'Search query used to filter results',
            schema: { type: 'string' },
          },
          { name: 'limit', in: 'query', schema: { type: 'integer', default: 1000 } },
          { name: 'offset', in: 'query', schema: { type: 'integer', default: 0 } },
        ],
        responses: { '200': { description: 'Get list of records' } },
      },
      post: {
        tags: [def.name],
        summary: 'Insert record',
        requestBody: { content: { 'application/json': { schema: { $ref: ref } } } },
        responses: noContent,
      },
    };
    paths[`/${def.name}/{id}`] = {
      get: {
        tags: [def.name],
        summary: 'Get record',
        parameters: [idParam],
        responses: { '200': { description: 'Get record', content: jsonContent(ref) } },
      },
      patch: {
        tags: [def.name],
        summary: 'Update record',
        parameters: [idParam],
        requestBody: { content: { 'application/json': { schema: { $ref: ref } } } },
        responses: noContent,
      },
      delete: { tags: [def.name], summary: 'Remove record', parameters: [idParam], responses: noContent },
    };
  }
  return {
    openapi: '3.0.1',
    info: { title: 'NetSuite REST Record API', version: 'v1' },
    servers: [{ url: `${call.origin}${PREFIX}` }],
    tags: defs.map((d) => ({ name: d.name })),
    paths,
    components: { schemas },
  };
}

function accepts(call: Call, type: string): boolean {
  const raw = String(call.req.headers.accept ?? '').toLowerCase();
  return raw.split(',').some((part) => part.split(';')[0]?.trim() === type);
}

function reply(body: Json, contentType: string): HttpReply {
  return new HttpReply(200, JSON.stringify(body), { 'content-type': contentType });
}

/**
 * `GET /services/rest/record/v1/metadata-catalog[/{type}]` (section_1540810174): the list of record types,
 * or with `Accept: application/swagger+json` an OpenAPI 3.0 document, with `application/schema+json` one
 * type's JSON Schema. `select=` narrows the types (section_1545126526). Without either `Accept`, a single type
 * answers with its JSON Schema (UNCONFIRMED: NetSuite's plain `application/json` form of one type).
 */
export async function handleMetadata(call: Call): Promise<HttpReply> {
  if (call.method !== 'GET')
    throw nsError(
      405,
      'INVALID_REQUEST',
      `The method ${call.method} is not allowed on the metadata catalog.`,
    );
  const rest = call.url.pathname.slice(CATALOG.length).replace(/^\//, '');
  if (rest.includes('/'))
    throw nsError(404, 'INVALID_REQUEST', 'The requested resource does not exist.', {
      'o:errorUrl': call.url.pathname,
    });
  const one = rest === '' ? undefined : safeDecode(rest);
  const defs = selectedTypes(call, one);
  if (accepts(call, SWAGGER)) return reply(openApiDocument(call, defs), `${SWAGGER}; charset=UTF-8`);
  if (one !== undefined)
    return reply(recordSchema(call, defs[0] as RecordTypeDef), `${SCHEMA}; charset=UTF-8`);
  // The JSON Schema of the whole catalog is not described by Oracle: the list answers (UNCONFIRMED).
  return reply(catalogList(call, defs), JSON_TYPE);
}
