import { EmulatorError } from './errors.js';
import { columnOf, type FieldDef, type FieldKind, type RecordTypeDef } from './schema.js';
import type { RecordStore } from './store.js';

const KINDS: readonly FieldKind[] = [
  'string',
  'boolean',
  'integer',
  'float',
  'date',
  'datetime',
  'ref',
  'enum',
];

/** The script id prefix of a custom field on each family (NetSuite's custom field types: entity, body, item, record). */
const FIELD_PREFIX: Record<RecordTypeDef['family'], string> = {
  entity: 'custentity',
  transaction: 'custbody',
  item: 'custitem',
  custom: 'custrecord',
};

// Script ids are lower case letters, digits and underscores, at most 40 characters (custom field ids in
// NetSuite; the exact limit is UNCONFIRMED).
const SCRIPT_ID = /^[a-z][a-z0-9_]{0,39}$/;

/**
 * A custom field to add with {@link EmulatorAdmin.addCustomField} (`POST /_emulator/custom-fields`).
 *
 * @example
 * await emu.admin.addCustomField({ recordType: 'customer', scriptId: 'custentity_tier', type: 'enum', options: { '1': 'Gold' } });
 */
export interface CustomFieldOptions {
  /** The record type it belongs to (`customer`, `salesOrder`, a `customrecord_…`). */
  readonly recordType: string;
  /** `custentity_…` on entities, `custbody_…` on transactions, `custitem_…` on items, `custrecord_…` on custom records. */
  readonly scriptId: string;
  readonly type: FieldKind;
  /** Shown as `title` in the metadata catalog. @default the script id */
  readonly label?: string | undefined;
  /** For `ref`: the record type it points at. */
  readonly refType?: string | undefined;
  /** For `enum`: internal id → display name. */
  readonly options?: Readonly<Record<string, string>> | undefined;
  /**
   * Role ids that can see the field (NetSuite's per-role access on the custom field's Access subtab, with the
   * default access level None): other roles do not find it in the metadata catalog, in records read, or as a
   * writable field. @default every role
   */
  readonly roles?: readonly number[] | undefined;
}

/** A custom record type to add with {@link EmulatorAdmin.addCustomRecordType} (`POST /_emulator/custom-record-types`). */
export interface CustomRecordTypeOptions {
  /** `customrecord_…`: the record type's name in the Record API and its table in SuiteQL. */
  readonly scriptId: string;
  /** Display name. @default the script id */
  readonly name?: string | undefined;
  /** Custom fields (`custrecord_…`) to add at once; `recordType` is implied. */
  readonly fields?: ReadonlyArray<Omit<CustomFieldOptions, 'recordType'>> | undefined;
  /**
   * Role ids that may use the record type ("Require custom record entries permission" with a permission per
   * role): other roles do not find it in the metadata catalog and are refused its records. @default every role
   */
  readonly roles?: readonly number[] | undefined;
}

/** What the account has been customised with, from {@link EmulatorAdmin.customizations}. */
export interface Customizations {
  readonly customFields: Array<{
    recordType: string;
    scriptId: string;
    type: FieldKind;
    label: string;
    /** Present when the field is restricted to some roles. */
    roles?: number[];
  }>;
  readonly customRecordTypes: Array<{ scriptId: string; name: string; roles?: number[] }>;
}

function invalid(message: string): EmulatorError {
  return new EmulatorError('ERR_EMULATOR_INVALID_OPTION', message);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkLabel(value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (
    typeof value !== 'string' ||
    value.length === 0 ||
    value.length > 200 ||
    [...value].some((c) => c.charCodeAt(0) < 0x20)
  )
    throw invalid('label must be 1–200 printable characters');
  return value;
}

function checkRoles(value: unknown): number[] | undefined {
  if (value === undefined) return undefined;
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    value.length > 100 ||
    value.some((r) => !Number.isInteger(r) || r < -1_000_000 || r > 1_000_000_000)
  )
    throw invalid('roles must be an array of 1–100 role ids (integers)');
  return [...new Set(value as number[])];
}

/** Checks a custom field's options and adds it to the store. */
export function addCustomField(store: RecordStore, options: unknown): FieldDef {
  if (!isObject(options)) throw invalid('options must be an object');
  const { recordType, scriptId, type } = options;
  const def = typeof recordType === 'string' ? store.typeDef(recordType) : undefined;
  if (!def)
    throw new EmulatorError(
      'ERR_EMULATOR_UNKNOWN_RECORD_TYPE',
      'recordType is not a record type the emulator serves',
    );
  const prefix = FIELD_PREFIX[def.family];
  if (typeof scriptId !== 'string' || !SCRIPT_ID.test(scriptId) || !scriptId.startsWith(`${prefix}_`))
    throw invalid(
      `scriptId must be ${prefix}_<lower-case letters, digits, _> (at most 40 characters) on a ${def.name}`,
    );
  if (def.fields.some((f) => f.name.toLowerCase() === scriptId))
    throw new EmulatorError('ERR_EMULATOR_DUPLICATE_FIELD', `${def.name} already has a field ${scriptId}`);
  if (typeof type !== 'string' || !KINDS.includes(type as FieldKind))
    throw invalid(`type must be one of ${KINDS.join(', ')}`);
  const field: { -readonly [K in keyof FieldDef]: FieldDef[K] } = {
    name: scriptId,
    kind: type as FieldKind,
    label: checkLabel(options.label, scriptId),
    custom: true,
  };
  const roles = checkRoles(options.roles);
  if (roles) field.roles = roles;
  if (type === 'ref') {
    const refType = options.refType;
    if (typeof refType !== 'string' || !store.typeDef(refType))
      throw invalid('refType must name a record type the emulator serves');
    field.refType = refType;
  } else if (options.refType !== undefined) throw invalid('refType is only for type ref');
  if (type === 'enum') {
    const values = options.options;
    if (
      !isObject(values) ||
      Object.keys(values).length === 0 ||
      Object.keys(values).length > 1000 ||
      Object.entries(values).some(([k, v]) => !/^[A-Za-z0-9_]{1,40}$/.test(k) || typeof v !== 'string')
    )
      throw invalid('options must map 1–1000 ids (letters, digits, _) to display names');
    field.options = { ...(values as Record<string, string>) };
  } else if (options.options !== undefined) throw invalid('options is only for type enum');
  store.addField(def.name, field);
  return field;
}

/** Checks a custom record type's options and adds it (and its fields) to the store. */
export function addCustomRecordType(store: RecordStore, options: unknown): RecordTypeDef {
  if (!isObject(options)) throw invalid('options must be an object');
  const { scriptId, fields } = options;
  if (typeof scriptId !== 'string' || !SCRIPT_ID.test(scriptId) || !scriptId.startsWith('customrecord_'))
    throw invalid('scriptId must be customrecord_<lower-case letters, digits, _> (at most 40 characters)');
  if (store.typeDef(scriptId))
    throw new EmulatorError('ERR_EMULATOR_DUPLICATE_FIELD', `the record type ${scriptId} exists already`);
  if (
    fields !== undefined &&
    (!Array.isArray(fields) || fields.length > 200 || fields.some((f) => !isObject(f)))
  )
    throw invalid('fields must be an array of at most 200 custom field options');
  const name = checkLabel(options.name, scriptId);
  const roles = checkRoles(options.roles);
  // The standard fields of a custom record in REST (UNCONFIRMED beyond name, externalId and isInactive).
  store.addType({
    name: scriptId,
    family: 'custom',
    table: scriptId,
    constants: {},
    refNameField: 'name',
    hasLines: false,
    customName: name,
    ...(roles ? { roles } : {}),
    fields: [
      { name: 'externalId', kind: 'string' },
      { name: 'isInactive', kind: 'boolean' },
      { name: 'name', kind: 'string' },
      { name: 'created', kind: 'datetime', readOnly: true },
      { name: 'lastModified', kind: 'datetime', readOnly: true },
    ],
  });
  for (const field of (fields ?? []) as Array<Record<string, unknown>>)
    addCustomField(store, { ...field, recordType: scriptId });
  return store.typeDef(scriptId) as RecordTypeDef;
}

/** Lists the custom fields and custom record types added so far. */
export function listCustomizations(store: RecordStore): Customizations {
  const out: Customizations = { customFields: [], customRecordTypes: [] };
  for (const def of store.typeDefs()) {
    if (def.customName !== undefined)
      out.customRecordTypes.push({
        scriptId: def.name,
        name: def.customName,
        ...(def.roles ? { roles: [...def.roles] } : {}),
      });
    for (const f of def.fields) {
      if (f.custom)
        out.customFields.push({
          recordType: def.name,
          scriptId: f.name,
          type: f.kind,
          label: f.label ?? f.name,
          ...(f.roles ? { roles: [...f.roles] } : {}),
        });
    }
  }
  return out;
}

/**
 * Record type `def` as role `roleId` sees it: undefined when the role may not use the type, otherwise the type
 * without the fields the role cannot see. NetSuite personalises the metadata catalog and records by role
 * (section_1540810174); that a hidden field reads and writes as an unknown one is UNCONFIRMED.
 */
export function roleView(def: RecordTypeDef, roleId: number | undefined): RecordTypeDef | undefined {
  if (roleId === undefined) return def;
  if (def.roles && !def.roles.includes(roleId)) return undefined;
  if (!def.fields.some((f) => f.roles && !f.roles.includes(roleId))) return def;
  return { ...def, fields: def.fields.filter((f) => !f.roles || f.roles.includes(roleId)) };
}

/** The fields of `def` role `roleId` cannot see (empty for most). */
export function hiddenFields(def: RecordTypeDef, roleId: number | undefined): Set<string> {
  const out = new Set<string>();
  if (roleId === undefined) return out;
  for (const f of def.fields) if (f.roles && !f.roles.includes(roleId)) out.add(f.name);
  return out;
}

/**
 * The SuiteQL names role `roleId` cannot see: the tables of record types it may not use and the columns of custom
 * fields hidden from it (UNCONFIRMED: that SuiteQL follows the same per-role view as the catalog).
 */
export function hiddenSuiteqlNames(
  defs: readonly RecordTypeDef[],
  roleId: number | undefined,
): { tables: Set<string>; columns: Set<string> } {
  const out = { tables: new Set<string>(), columns: new Set<string>() };
  if (roleId === undefined) return out;
  for (const def of defs) {
    if (def.roles && !def.roles.includes(roleId)) out.tables.add(def.table.toLowerCase());
    for (const f of def.fields) if (f.roles && !f.roles.includes(roleId)) out.columns.add(columnOf(f));
  }
  return out;
}
