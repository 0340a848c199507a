/**
 * A reference to another record, as NetSuite returns it (`{ id, refName }`) and accepts it (`{ id }` or `{ refName }`).
 *
 * @example
 * await client.records.update('customer', '1', { subsidiary: { id: '2' } satisfies RecordRef })
 */
export interface RecordRef {
  readonly id?: string | undefined;
  readonly refName?: string | undefined;
  readonly links?: readonly Link[] | undefined;
}

/**
 * A HATEOAS link.
 *
 * @example
 * const next = page.links.find((l: Link) => l.rel === 'next')
 */
export interface Link {
  readonly rel: string;
  readonly href: string;
}

/**
 * Any record: fields are open, `id` is always a string.
 *
 * @example
 * const r: NetSuiteRecord = await client.records.get('customrecord_x', '1')
 */
export interface NetSuiteRecord {
  readonly id?: string | undefined;
  readonly links?: readonly Link[] | undefined;
  readonly [field: string]: unknown;
}

/**
 * A sublist as NetSuite returns it with `expandSubResources=true`.
 *
 * @example
 * const lines = (await client.records.get('salesOrder', '12', { expandSubResources: true })).item
 */
export interface Sublist<Line> {
  readonly items: readonly Line[];
  readonly links?: readonly Link[] | undefined;
  readonly totalResults?: number | undefined;
}

/**
 * Fields of a customer (a common subset; every other field is still allowed).
 *
 * @example
 * const c: Customer = await client.records.get('customer', '647')
 */
export interface Customer extends NetSuiteRecord {
  entityId?: string | undefined;
  companyName?: string | undefined;
  firstName?: string | undefined;
  lastName?: string | undefined;
  isPerson?: boolean | undefined;
  email?: string | undefined;
  phone?: string | undefined;
  externalId?: string | undefined;
  subsidiary?: RecordRef | undefined;
  currency?: RecordRef | undefined;
  entityStatus?: RecordRef | undefined;
  isInactive?: boolean | undefined;
  dateCreated?: string | undefined;
  lastModifiedDate?: string | undefined;
}

/**
 * Fields of a contact.
 *
 * @example
 * const c: Contact = await client.records.get('contact', '12')
 */
export interface Contact extends NetSuiteRecord {
  entityId?: string | undefined;
  firstName?: string | undefined;
  lastName?: string | undefined;
  email?: string | undefined;
  phone?: string | undefined;
  company?: RecordRef | undefined;
  subsidiary?: RecordRef | undefined;
  externalId?: string | undefined;
}

/**
 * Fields of a vendor.
 *
 * @example
 * const v: Vendor = await client.records.get('vendor', '8')
 */
export interface Vendor extends NetSuiteRecord {
  entityId?: string | undefined;
  companyName?: string | undefined;
  email?: string | undefined;
  subsidiary?: RecordRef | undefined;
  currency?: RecordRef | undefined;
  externalId?: string | undefined;
  isInactive?: boolean | undefined;
}

/**
 * Fields of an employee.
 *
 * @example
 * const e: Employee = await client.records.get('employee', '3')
 */
export interface Employee extends NetSuiteRecord {
  entityId?: string | undefined;
  firstName?: string | undefined;
  lastName?: string | undefined;
  email?: string | undefined;
  subsidiary?: RecordRef | undefined;
  department?: RecordRef | undefined;
  isInactive?: boolean | undefined;
}

/**
 * A line of a transaction's item sublist.
 *
 * @example
 * await client.records.create('salesOrder', { entity: { id: '1' }, item: { items: [{ item: { id: '7' }, quantity: 2 }] } })
 */
export interface TransactionItemLine {
  item?: RecordRef | undefined;
  quantity?: number | undefined;
  rate?: number | undefined;
  amount?: number | undefined;
  description?: string | undefined;
  line?: number | undefined;
  readonly [field: string]: unknown;
}

/**
 * Fields shared by transactions.
 *
 * @example
 * const t: Transaction = await client.records.get('salesOrder', '12')
 */
export interface Transaction extends NetSuiteRecord {
  tranId?: string | undefined;
  tranDate?: string | undefined;
  entity?: RecordRef | undefined;
  subsidiary?: RecordRef | undefined;
  currency?: RecordRef | undefined;
  memo?: string | undefined;
  status?: RecordRef | undefined;
  total?: number | undefined;
  externalId?: string | undefined;
  item?: Sublist<TransactionItemLine> | { items: readonly TransactionItemLine[] } | undefined;
}

/**
 * Fields of a sales order.
 *
 * @example
 * const so: SalesOrder = await client.records.get('salesOrder', '12', { expandSubResources: true })
 */
export interface SalesOrder extends Transaction {
  orderStatus?: RecordRef | undefined;
  shipDate?: string | undefined;
}

/**
 * Fields of an invoice.
 *
 * @example
 * const inv: Invoice = await client.records.get('invoice', '99')
 */
export interface Invoice extends Transaction {
  dueDate?: string | undefined;
  amountRemaining?: number | undefined;
  createdFrom?: RecordRef | undefined;
}

/**
 * Fields of an item fulfillment.
 *
 * @example
 * const f: ItemFulfillment = await client.records.get('itemFulfillment', '5')
 */
export interface ItemFulfillment extends Transaction {
  createdFrom?: RecordRef | undefined;
  shipStatus?: RecordRef | undefined;
}

/**
 * Fields of a vendor bill.
 *
 * @example
 * const b: VendorBill = await client.records.get('vendorBill', '31')
 */
export interface VendorBill extends Transaction {
  dueDate?: string | undefined;
}

/**
 * Fields of an inventory item.
 *
 * @example
 * const item: InventoryItem = await client.records.get('inventoryItem', '55')
 */
export interface InventoryItem extends NetSuiteRecord {
  itemId?: string | undefined;
  displayName?: string | undefined;
  description?: string | undefined;
  basePrice?: number | undefined;
  subsidiary?: RecordRef | undefined;
  isInactive?: boolean | undefined;
  externalId?: string | undefined;
}

/**
 * Record types the client knows the shape of. Extend it by module augmentation for your own custom records:
 *
 * @example
 * declare module '@netsuite-oauth/record-client' {
 *   interface RecordTypes { customrecord_shipment: { custrecord_tracking?: string } & NetSuiteRecord }
 * }
 */
export interface RecordTypes {
  customer: Customer;
  contact: Contact;
  vendor: Vendor;
  employee: Employee;
  salesOrder: SalesOrder;
  invoice: Invoice;
  itemFulfillment: ItemFulfillment;
  vendorBill: VendorBill;
  inventoryItem: InventoryItem;
}

/**
 * The shape of record type `T`: a known type's interface, or {@link NetSuiteRecord} for any other.
 *
 * @example
 * type C = RecordOf<'customer'> // Customer
 */
export type RecordOf<T extends string> = T extends keyof RecordTypes ? RecordTypes[T] : NetSuiteRecord;

/**
 * A record body for create/update: every field optional, `id` and `links` left out.
 *
 * @example
 * const body: RecordInput<'customer'> = { companyName: 'Acme', subsidiary: { id: '1' } }
 */
export type RecordInput<T extends string> = Omit<Partial<RecordOf<T>>, 'id' | 'links'> &
  Record<string, unknown>;

/**
 * The record type names a client with record map `R` accepts: any string without generated types, the map's keys
 * with them (a misspelt type is a compile error).
 *
 * @example
 * type Names = RecordTypeName<NetSuiteRecords> // 'customer' | 'salesOrder' | …
 */
export type RecordTypeName<R> = IsUntyped<R> extends true ? string : Extract<keyof R, string>;

/** Whether record map `R` stands for "no generated types" (`unknown`, the default). */
type IsUntyped<R> = unknown extends R ? true : false;

/**
 * What `records.get(type, …)` resolves to for record map `R`.
 *
 * @example
 * type C = RecordRead<NetSuiteRecords, 'customer'> // the generated Customer interface
 */
export type RecordRead<R, T extends string> =
  IsUntyped<R> extends true ? RecordOf<T> : T extends keyof R ? R[T] : never;

/**
 * A create/update body of a generated record interface: every field optional, `null` clears one, `id` and
 * `links` left out, and no other field (a misspelt field is a compile error).
 *
 * @example
 * const body: RecordWriteBody<Customer> = { companyName: 'Acme', subsidiary: { id: '1' } }
 */
export type RecordWriteBody<Rec> = {
  [K in Exclude<keyof Rec, 'id' | 'links'>]?: Exclude<Rec[K], undefined> | null;
};

/**
 * The create/update body of record type `T` for record map `R`.
 *
 * @example
 * const body: RecordWrite<NetSuiteRecords, 'customer'> = { companyName: 'Acme' }
 */
export type RecordWrite<R, T extends string> =
  IsUntyped<R> extends true ? RecordInput<T> : T extends keyof R ? RecordWriteBody<R[T]> : never;
