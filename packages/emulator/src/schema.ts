/** Field kinds the emulator understands. */
export type FieldKind = 'string' | 'boolean' | 'integer' | 'float' | 'date' | 'datetime' | 'ref' | 'enum';

export interface FieldDef {
  readonly name: string;
  readonly kind: FieldKind;
  /** SuiteQL column; defaults to the lower-cased field name. */
  readonly column?: string | undefined;
  readonly refType?: string | undefined;
  readonly readOnly?: boolean | undefined;
  /** For `enum` fields: internal id → display name (`refName`). */
  readonly options?: Readonly<Record<string, string>> | undefined;
  /** Shown as `title` in the metadata catalog; defaults to the name split into words. */
  readonly label?: string | undefined;
  /** Added through the admin API (`custentity_…`, `custbody_…`, `custitem_…`, `custrecord_…`). */
  readonly custom?: boolean | undefined;
  /** The roles that can see the field (its access list); every role when undefined. */
  readonly roles?: readonly number[] | undefined;
}

export interface RecordTypeDef {
  readonly name: string;
  /** Internal ids are shared inside a family, as in NetSuite (entities, items, transactions). */
  readonly family: 'entity' | 'item' | 'transaction' | 'custom';
  /** SuiteQL table. */
  readonly table: string;
  /** Constant columns that tell types apart inside a shared table (`transaction.type`, `item.itemtype`). */
  readonly constants: Readonly<Record<string, string>>;
  readonly fields: readonly FieldDef[];
  /** The field shown as `refName` when another record points here. */
  readonly refNameField: string;
  readonly hasLines: boolean;
  /** A custom record type (`customrecord_…`) added through the admin API; its display name. */
  readonly customName?: string | undefined;
  /** The roles that can see the record type (its permission list); every role when undefined. */
  readonly roles?: readonly number[] | undefined;
}

const common: FieldDef[] = [
  { name: 'externalId', kind: 'string' },
  { name: 'isInactive', kind: 'boolean' },
];
const entityDates: FieldDef[] = [
  { name: 'dateCreated', kind: 'datetime', readOnly: true },
  { name: 'lastModifiedDate', kind: 'datetime', readOnly: true },
];
const SALES_ORDER_STATUS = {
  A: 'Pending Approval',
  B: 'Pending Fulfillment',
  C: 'Cancelled',
  D: 'Partially Fulfilled',
  E: 'Pending Billing/Partially Fulfilled',
  F: 'Pending Billing',
  G: 'Billed',
  H: 'Closed',
};
const INVOICE_STATUS = { A: 'Open', B: 'Paid In Full' };
const txnFields = (status: Record<string, string>): FieldDef[] => [
  { name: 'externalId', kind: 'string' },
  { name: 'tranId', kind: 'string' },
  { name: 'entity', kind: 'ref', refType: 'customer' },
  { name: 'tranDate', kind: 'date' },
  { name: 'memo', kind: 'string' },
  { name: 'status', kind: 'enum', options: status },
  { name: 'total', kind: 'float', column: 'foreigntotal', readOnly: true },
  { name: 'createdDate', kind: 'datetime', readOnly: true },
  { name: 'lastModifiedDate', kind: 'datetime', readOnly: true },
];

/** The record types the emulator serves on `/services/rest/record/v1/{type}`. */
export const RECORD_TYPES: readonly RecordTypeDef[] = [
  {
    name: 'customer',
    family: 'entity',
    table: 'customer',
    constants: {},
    refNameField: 'companyName',
    hasLines: false,
    fields: [
      ...common,
      { name: 'entityId', kind: 'string' },
      { name: 'companyName', kind: 'string' },
      { name: 'firstName', kind: 'string' },
      { name: 'lastName', kind: 'string' },
      { name: 'email', kind: 'string' },
      { name: 'phone', kind: 'string' },
      { name: 'isPerson', kind: 'boolean' },
      { name: 'comments', kind: 'string' },
      { name: 'creditLimit', kind: 'float' },
      { name: 'balance', kind: 'float', readOnly: true },
      { name: 'subsidiary', kind: 'ref', refType: 'subsidiary' },
      ...entityDates,
    ],
  },
  {
    name: 'contact',
    family: 'entity',
    table: 'contact',
    constants: {},
    refNameField: 'entityId',
    hasLines: false,
    fields: [
      ...common,
      { name: 'entityId', kind: 'string' },
      { name: 'firstName', kind: 'string' },
      { name: 'lastName', kind: 'string' },
      { name: 'email', kind: 'string' },
      { name: 'phone', kind: 'string' },
      { name: 'title', kind: 'string' },
      { name: 'company', kind: 'ref', refType: 'customer' },
      ...entityDates,
    ],
  },
  {
    name: 'employee',
    family: 'entity',
    table: 'employee',
    constants: {},
    refNameField: 'entityId',
    hasLines: false,
    fields: [
      ...common,
      { name: 'entityId', kind: 'string' },
      { name: 'firstName', kind: 'string' },
      { name: 'lastName', kind: 'string' },
      { name: 'email', kind: 'string' },
      { name: 'title', kind: 'string' },
      { name: 'hireDate', kind: 'date' },
      { name: 'subsidiary', kind: 'ref', refType: 'subsidiary' },
      ...entityDates,
    ],
  },
  {
    name: 'vendor',
    family: 'entity',
    table: 'vendor',
    constants: {},
    refNameField: 'companyName',
    hasLines: false,
    fields: [
      ...common,
      { name: 'entityId', kind: 'string' },
      { name: 'companyName', kind: 'string' },
      { name: 'email', kind: 'string' },
      { name: 'phone', kind: 'string' },
      { name: 'balance', kind: 'float', readOnly: true },
      { name: 'subsidiary', kind: 'ref', refType: 'subsidiary' },
      ...entityDates,
    ],
  },
  {
    name: 'inventoryItem',
    family: 'item',
    table: 'item',
    constants: { itemtype: 'InvtPart' },
    refNameField: 'itemId',
    hasLines: false,
    fields: [
      ...common,
      { name: 'itemId', kind: 'string' },
      { name: 'displayName', kind: 'string' },
      { name: 'description', kind: 'string' },
      { name: 'cost', kind: 'float' },
      { name: 'basePrice', kind: 'float' },
      { name: 'createdDate', kind: 'datetime', readOnly: true },
      { name: 'lastModifiedDate', kind: 'datetime', readOnly: true },
    ],
  },
  {
    name: 'salesOrder',
    family: 'transaction',
    table: 'transaction',
    constants: { type: 'SalesOrd' },
    refNameField: 'tranId',
    hasLines: true,
    fields: txnFields(SALES_ORDER_STATUS),
  },
  {
    name: 'invoice',
    family: 'transaction',
    table: 'transaction',
    constants: { type: 'CustInvc' },
    refNameField: 'tranId',
    hasLines: true,
    fields: [...txnFields(INVOICE_STATUS), { name: 'createdFrom', kind: 'ref', refType: 'salesOrder' }],
  },
];

export const RECORD_TYPE_BY_NAME: ReadonlyMap<string, RecordTypeDef> = new Map(
  RECORD_TYPES.map((def) => [def.name, def]),
);

export function columnOf(field: FieldDef): string {
  return field.column ?? field.name.toLowerCase();
}

/** Transforms the emulator supports: `POST /record/v1/{from}/{id}/!transform/{to}`. */
export const TRANSFORMS: ReadonlyMap<string, readonly string[]> = new Map([
  ['salesOrder', ['invoice']],
  ['customer', ['salesOrder']],
]);
