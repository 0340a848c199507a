import { RecordClientError } from './errors.js';

/**
 * Where the rows of a REST record type live in SuiteQL: a table, and for types that share one (every transaction
 * in `transaction`, every item in `item`) the column and value that pick this type out.
 *
 * @example
 * const source: RecordTypeTable = recordTypeTable('salesOrder');
 * // { recordType: 'salesOrder', table: 'transaction', column: 'type', value: 'SalesOrd', confirmed: false }
 */
export interface RecordTypeTable {
  /** The REST record type, as the REST API Browser spells it (`salesOrder`). */
  readonly recordType: string;
  /** The SuiteQL table (`transaction`). */
  readonly table: string;
  /** The column that tells this type apart inside a shared table (`type`, `itemtype`). */
  readonly column?: string | undefined;
  /** The value of `column` for this type (`SalesOrd`). */
  readonly value?: string | undefined;
  /**
   * Whether the mapping is settled. The table of a type with a table of its own is; the `type` / `itemtype` codes
   * are the values SuiteQL returns in those columns, taken from published SuiteQL queries rather than Oracle's
   * Records Catalog, and are UNCONFIRMED.
   */
  readonly confirmed: boolean;
}

type Entry = readonly [table: string, column?: string, value?: string];

// REST record type (as the REST API Browser names it) → SuiteQL table (section_157909186990) [and the code that picks
// the type out of a shared table]. Codes of transaction.type and item.itemtype: UNCONFIRMED (see `confirmed`).
const TABLES: Readonly<Record<string, Entry>> = {
  // Entities: a table each.
  customer: ['customer'],
  contact: ['contact'],
  employee: ['employee'],
  vendor: ['vendor'],
  partner: ['partner'],
  // Transactions: one table, told apart by `type`.
  salesOrder: ['transaction', 'type', 'SalesOrd'],
  invoice: ['transaction', 'type', 'CustInvc'],
  estimate: ['transaction', 'type', 'Estimate'],
  opportunity: ['transaction', 'type', 'Opprtnty'],
  cashSale: ['transaction', 'type', 'CashSale'],
  creditMemo: ['transaction', 'type', 'CustCred'],
  customerPayment: ['transaction', 'type', 'CustPymt'],
  customerDeposit: ['transaction', 'type', 'CustDep'],
  customerRefund: ['transaction', 'type', 'CustRfnd'],
  returnAuthorization: ['transaction', 'type', 'RtnAuth'],
  itemFulfillment: ['transaction', 'type', 'ItemShip'],
  purchaseOrder: ['transaction', 'type', 'PurchOrd'],
  itemReceipt: ['transaction', 'type', 'ItemRcpt'],
  vendorBill: ['transaction', 'type', 'VendBill'],
  vendorCredit: ['transaction', 'type', 'VendCred'],
  vendorPayment: ['transaction', 'type', 'VendPymt'],
  journalEntry: ['transaction', 'type', 'Journal'],
  expenseReport: ['transaction', 'type', 'ExpRept'],
  transferOrder: ['transaction', 'type', 'TrnfrOrd'],
  inventoryAdjustment: ['transaction', 'type', 'InvAdjst'],
  workOrder: ['transaction', 'type', 'WorkOrd'],
  check: ['transaction', 'type', 'Check'],
  deposit: ['transaction', 'type', 'Deposit'],
  // Items: one table, told apart by `itemtype`.
  inventoryItem: ['item', 'itemtype', 'InvtPart'],
  assemblyItem: ['item', 'itemtype', 'Assembly'],
  kitItem: ['item', 'itemtype', 'Kit'],
  discountItem: ['item', 'itemtype', 'Discount'],
  descriptionItem: ['item', 'itemtype', 'Description'],
};

const BY_LOWER = new Map(Object.keys(TABLES).map((name) => [name.toLowerCase(), name]));
/** A custom record type's SuiteQL table is its script id. */
const CUSTOM_RECORD = /^customrecord[a-z0-9_]{1,96}$/i;

/**
 * The REST record types {@link recordTypeTable} maps (custom record types, `customrecord_…`, map to themselves).
 *
 * @example
 * RECORD_TYPE_TABLES.includes('vendorBill') // true
 */
export const RECORD_TYPE_TABLES: readonly string[] = Object.freeze(Object.keys(TABLES));

function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (row[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = row;
  }
  return previous[b.length] ?? 0;
}

/**
 * Up to three names from `candidates` close to `name` (case-insensitive edit distance, or one containing the other),
 * closest first: the "did you mean" of an unknown name.
 *
 * @example
 * suggestNames('salesorders', RECORD_TYPE_TABLES) // ['salesOrder']
 */
export function suggestNames(name: string, candidates: readonly string[]): string[] {
  const wanted = String(name).toLowerCase().slice(0, 200);
  if (wanted === '') return [];
  return candidates
    .map((candidate) => {
      const lower = candidate.toLowerCase();
      const d = distance(wanted, lower);
      const near = d <= Math.max(2, Math.floor(lower.length / 3));
      const contains = wanted.length >= 3 && (lower.includes(wanted) || wanted.includes(lower));
      return { candidate, score: near ? d : contains ? 100 + Math.abs(lower.length - wanted.length) : -1 };
    })
    .filter((s) => s.score >= 0)
    .sort((a, b) => a.score - b.score || a.candidate.localeCompare(b.candidate))
    .slice(0, 3)
    .map((s) => s.candidate);
}

/**
 * The SuiteQL table (and the condition within it) holding the records of a REST record type, for exports and
 * queries by record type; the name is matched case-insensitively, and a custom record type maps to its own table.
 *
 * @example
 * recordTypeTable('vendorBill') // { recordType: 'vendorBill', table: 'transaction', column: 'type', value: 'VendBill', confirmed: false }
 * recordTypeTable('customrecord_invoice_note').table // 'customrecord_invoice_note'
 * @throws {RecordClientError} `ERR_RECORD_INVALID_ARGUMENT` for a name it does not know; the message suggests close
 * names.
 */
export function recordTypeTable(recordType: string): RecordTypeTable {
  if (typeof recordType === 'string') {
    const name = BY_LOWER.get(recordType.toLowerCase());
    const entry = name === undefined ? undefined : TABLES[name];
    if (name !== undefined && entry !== undefined) {
      const [table, column, value] = entry;
      return column === undefined
        ? { recordType: name, table, confirmed: true }
        : { recordType: name, table, column, value, confirmed: false };
    }
    if (CUSTOM_RECORD.test(recordType)) {
      const table = recordType.toLowerCase();
      return { recordType: table, table, confirmed: true };
    }
  }
  const shown = typeof recordType === 'string' ? recordType.slice(0, 60) : typeof recordType;
  const close = typeof recordType === 'string' ? suggestNames(recordType, RECORD_TYPE_TABLES) : [];
  throw new RecordClientError(
    'ERR_RECORD_INVALID_ARGUMENT',
    `recordType ${JSON.stringify(shown)} is not a record type this client maps to SuiteQL` +
      (close.length > 0 ? `; did you mean ${close.join(', ')}?` : '; give the table with from instead'),
  );
}
