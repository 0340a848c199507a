import { compile, type JSONSchema } from 'json-schema-to-typescript';
import { TypegenError } from './errors.js';

/** A JSON Schema object as NetSuite's metadata catalog sends it (section_1545129726). */
export type CatalogSchema = { readonly [keyword: string]: unknown };

/**
 * Options of {@link renderRecordTypes}.
 *
 * @example
 * await renderRecordTypes(schemas, { mapName: 'AcmeRecords', header: 'account 1234567' })
 */
export interface RenderOptions {
  /** Name of the record type → interface map. @default 'NetSuiteRecords' */
  readonly mapName?: string;
  /** A line for the file's banner (the account, the date): printable text, no comment terminator. */
  readonly header?: string;
  /** Format the output with prettier (json-schema-to-typescript's formatter); `false` is faster. @default true */
  readonly format?: boolean;
}

const RECORD_TYPE = /^[A-Za-z][A-Za-z0-9_]{0,99}$/;
const IDENTIFIER = /^[A-Z][A-Za-z0-9_]{0,99}$/;
const RESERVED = new Set(['NsRef', 'NsLink', 'NsEnum']);

const PRELUDE = `/** A HATEOAS link of a record or reference. */
export interface NsLink {
  rel: string;
  href: string;
}

/**
 * A reference to another record: NetSuite returns \`{ id, refName }\` and accepts \`{ id }\`
 * (section_1545129726).
 */
export interface NsRef {
  id: string;
  refName?: string;
  externalId?: string;
  links?: NsLink[];
}

/** A select (enum) field: NetSuite returns \`{ id, refName }\` and accepts \`{ id }\`. */
export interface NsEnum<Id extends string> {
  id: Id;
  refName?: string;
}
`;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `customrecord_project` → `CustomrecordProject`, `salesOrder` → `SalesOrder`. */
export function interfaceName(type: string): string {
  return type
    .split('_')
    .filter(Boolean)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** Text for a doc comment: one line, no comment terminator, no control characters, bounded. */
function commentText(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value
    .replace(/<[^>]*>/g, ' ')
    .replace(/\p{Cc}|\u2028|\u2029/gu, ' ')
    .replace(/\*\//g, '* /')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300);
  return text === '' ? undefined : text;
}

function isReference(node: Record<string, unknown>): boolean {
  if (typeof node.$ref === 'string') return true;
  if (typeof node['x-ns-referenced-type'] === 'string') return true;
  const props = node.properties;
  return isObject(props) && isObject(props.id) && isObject(props.refName) && !Array.isArray(props.id.enum);
}

function enumIds(node: Record<string, unknown>): string[] | undefined {
  const props = node.properties;
  if (!isObject(props) || !isObject(props.id) || !Array.isArray(props.id.enum)) return undefined;
  return props.id.enum.filter((v): v is string => typeof v === 'string');
}

interface Context {
  readonly type: string;
  readonly names: Set<string>;
  readonly definitions: Record<string, JSONSchema>;
}

function uniqueName(context: Context, wanted: string): string {
  let name = wanted;
  for (let i = 2; context.names.has(name) || RESERVED.has(name); i++) name = `${wanted}${i}`;
  context.names.add(name);
  return name;
}

/**
 * One property of a record, rewritten for the compiler: references become `NsRef`, selects `NsEnum<…>`, a
 * sublist's lines a named interface; titles become doc comments; NetSuite's own keywords are dropped; any `$ref`
 * left is never followed (the generator makes no request).
 */
function property(node: unknown, context: Context, path: string[]): JSONSchema {
  if (!isObject(node)) return { tsType: 'unknown' };
  const title = commentText(node.title);
  const notes = [title ? `${title}.` : undefined, node.readOnly === true ? 'Read-only.' : undefined];
  if (node['x-ns-custom-field'] === true) notes.push('Custom field.');
  const description = notes.filter(Boolean).join(' ') || undefined;
  const base: JSONSchema = description ? { description } : {};
  const ids = enumIds(node);
  if (ids) {
    const union = ids.length > 0 ? ids.map((id) => JSON.stringify(id)).join(' | ') : 'string';
    return { ...base, tsType: `NsEnum<${union}>` };
  }
  if (isReference(node)) return { ...base, tsType: 'NsRef' };
  const type = node.type;
  if (type === 'array') {
    return { ...base, type: 'array', items: property(node.items, context, [...path, 'line']) };
  }
  if (type === 'object' || isObject(node.properties)) {
    const props = isObject(node.properties) ? node.properties : {};
    const out: Record<string, JSONSchema> = {};
    for (const [key, value] of Object.entries(props)) {
      out[key] = key === 'links' ? { tsType: 'NsLink[]' } : property(value, context, [...path, key]);
    }
    const object: JSONSchema = { type: 'object', properties: out, additionalProperties: false };
    // A sublist line (an object inside an array) gets a name of its own: SalesOrderItemLine.
    if (path.at(-1) === 'line') {
      const where = path.filter((p) => p !== 'items' && p !== 'line').join('_');
      const name = uniqueName(context, interfaceName(`${context.type}_${where}_line`));
      context.definitions[name] = { ...object, title: name };
      return { ...base, tsType: name };
    }
    return { ...base, ...object };
  }
  switch (type) {
    case 'string':
      return { ...base, type: 'string' };
    case 'boolean':
      return { ...base, type: 'boolean' };
    case 'integer':
    case 'number':
      return { ...base, type: 'number' };
    default:
      return { ...base, tsType: 'unknown' };
  }
}

/**
 * Renders one TypeScript source from record types' JSON Schemas (as `client.metadata.jsonSchemas()` returns
 * them): an interface per record type (custom fields included, references as `NsRef`, selects as `NsEnum`,
 * sublist lines as interfaces of their own) and a map of record type name → interface for
 * `createNetSuiteClient<NetSuiteRecords>()`. Built on json-schema-to-typescript; no `$ref` is ever fetched.
 *
 * @example
 * const source = await renderRecordTypes({ customer: await client.metadata.jsonSchema('customer') });
 * @throws {TypegenError} `ERR_TYPEGEN_INVALID_ARGUMENT` (bad type name or option), `ERR_TYPEGEN_INVALID_SCHEMA`
 * (a schema that is not an object with properties), `ERR_TYPEGEN_COMPILE` (the compiler failed).
 */
export async function renderRecordTypes(
  schemas: Readonly<Record<string, CatalogSchema>>,
  options: RenderOptions = {},
): Promise<string> {
  if (!isObject(schemas) || Object.keys(schemas).length === 0)
    throw new TypegenError(
      'ERR_TYPEGEN_INVALID_ARGUMENT',
      'schemas must map at least one record type to its schema',
    );
  if (!isObject(options)) throw new TypegenError('ERR_TYPEGEN_INVALID_ARGUMENT', 'options must be an object');
  const mapName = options.mapName ?? 'NetSuiteRecords';
  if (typeof mapName !== 'string' || !IDENTIFIER.test(mapName) || RESERVED.has(mapName))
    throw new TypegenError('ERR_TYPEGEN_INVALID_ARGUMENT', 'mapName must be a PascalCase identifier');
  const header = options.header === undefined ? undefined : commentText(options.header);
  const format = options.format ?? true;
  if (typeof format !== 'boolean')
    throw new TypegenError('ERR_TYPEGEN_INVALID_ARGUMENT', 'format must be a boolean');
  const names = new Set<string>([mapName]);
  const definitions: Record<string, JSONSchema> = {};
  const mapProperties: Record<string, JSONSchema> = {};
  for (const [type, schema] of Object.entries(schemas)) {
    if (!RECORD_TYPE.test(type))
      throw new TypegenError('ERR_TYPEGEN_INVALID_ARGUMENT', 'record type names are letters, digits and _');
    if (!isObject(schema) || !isObject(schema.properties))
      throw new TypegenError(
        'ERR_TYPEGEN_INVALID_SCHEMA',
        `the schema of ${type} is not an object with properties`,
      );
    const context: Context = { type, names, definitions };
    const name = uniqueName(context, interfaceName(type));
    const rendered = property({ ...schema, title: undefined }, context, []);
    definitions[name] = {
      ...rendered,
      title: name,
      description: [commentText(schema.title) ?? type, `(record type \`${type}\`)`].join(' '),
    };
    mapProperties[type] = { tsType: name };
  }
  const root: JSONSchema = {
    title: mapName,
    description:
      'Record type name → record interface, for createNetSuiteClient<…>() of @netsuite-oauth/record-client.',
    type: 'object',
    properties: mapProperties,
    required: Object.keys(mapProperties),
    additionalProperties: false,
  };
  let body: string;
  try {
    const parts = await Promise.all([
      compile(root, mapName, compileOptions(format)),
      ...Object.entries(definitions).map(([name, schema]) => compile(schema, name, compileOptions(format))),
    ]);
    body = parts.join('\n');
  } catch (cause) {
    throw new TypegenError('ERR_TYPEGEN_COMPILE', 'json-schema-to-typescript could not compile the schemas', {
      cause,
    });
  }
  const banner = [
    '/* eslint-disable */',
    '// Generated by @netsuite-oauth/typegen from the NetSuite REST metadata catalog. Do not edit: regenerate.',
    ...(header ? [`// ${header}`] : []),
    '',
  ].join('\n');
  return `${banner}\n${PRELUDE}\n${body}\nexport type ${mapName}Type = keyof ${mapName};\n`;
}

function compileOptions(format: boolean) {
  return {
    bannerComment: '',
    additionalProperties: false,
    declareExternallyReferenced: true,
    format,
    strictIndexSignatures: true,
    unknownAny: true,
    // Never follow a reference outside the schema (the catalog's refs are URLs): no file or network access.
    $refOptions: { resolve: { external: false, file: false, http: false } },
  } as const;
}
