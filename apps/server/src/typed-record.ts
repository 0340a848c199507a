import type { TypedField } from './pages.js';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The TypeScript type a catalog property becomes in the generated file (as @netsuite-oauth/typegen writes it). */
export function tsTypeOf(prop: unknown): string {
  if (!isObject(prop)) return 'unknown';
  const props = isObject(prop.properties) ? prop.properties : undefined;
  const id = props && isObject(props.id) ? props.id : undefined;
  if (id && Array.isArray(id.enum)) return `NsEnum<${id.enum.map((v) => JSON.stringify(v)).join(' | ')}>`;
  const target = prop['x-ns-referenced-type'];
  if (typeof target === 'string') return `NsRef (${target})`;
  if (typeof prop.$ref === 'string' || (props && isObject(props.refName))) return 'NsRef';
  if (props && isObject(props.items)) return '{ items: Line[] }';
  if (prop.type === 'integer' || prop.type === 'number') return 'number';
  if (prop.type === 'string' || prop.type === 'boolean') return prop.type;
  if (prop.type === 'array') return `${tsTypeOf(prop.items)}[]`;
  return 'unknown';
}

/** Every field the schema describes, in its order, with the record's value (links left out). */
export function typedFields(schema: Record<string, unknown>, record: Record<string, unknown>): TypedField[] {
  const properties = isObject(schema.properties) ? schema.properties : {};
  return Object.entries(properties)
    .filter(([name]) => name !== 'links')
    .map(([name, prop]) => ({
      name,
      tsType: tsTypeOf(prop),
      value: record[name],
      custom: isObject(prop) && prop['x-ns-custom-field'] === true,
      readOnly: isObject(prop) && prop.readOnly === true,
    }));
}
