import type { RecordStore } from './store.js';

/** How many records of each type to create at start. `false` on {@link EmulatorOptions.seed} seeds nothing. */
export interface SeedOptions {
  /** @default 30 */
  readonly customers?: number | undefined;
  /** @default 20 */
  readonly contacts?: number | undefined;
  /** @default 10 */
  readonly employees?: number | undefined;
  /** @default 10 */
  readonly vendors?: number | undefined;
  /** @default 20 */
  readonly inventoryItems?: number | undefined;
  /** @default 20 */
  readonly salesOrders?: number | undefined;
  /** @default 10 */
  readonly invoices?: number | undefined;
  /** Seed the default login user `admin@example.com`. @default true */
  readonly defaultUser?: boolean | undefined;
}

export const SEED_LIMIT = 1_000_000;

// Deterministic generator so two emulators with the same seed options hold the same data.
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = [
  'Acme',
  'Globex',
  'Initech',
  'Umbrella',
  'Stark',
  'Wayne',
  'Hooli',
  'Vandelay',
  'Soylent',
  'Tyrell',
];
const SUFFIX = ['Ltd', 'Inc', 'GmbH', 'LLC', 'SA', 'BV'];
const FIRST = ['Ada', 'Grace', 'Alan', 'Linus', 'Barbara', 'Ken', 'Margaret', 'Dennis', 'Frances', 'Edsger'];
const LAST = [
  'Lovelace',
  'Hopper',
  'Turing',
  'Torvalds',
  'Liskov',
  'Thompson',
  'Hamilton',
  'Ritchie',
  'Allen',
  'Dijkstra',
];

/** Fills the store. Runs inside one SQL transaction. */
export function seedStore(store: RecordStore, options: SeedOptions): void {
  const rnd = mulberry32(42);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;
  const n = (value: number | undefined, fallback: number): number => value ?? fallback;
  store.batch(() => {
    const customers: number[] = [];
    for (let i = 1; i <= n(options.customers, 30); i++) {
      const company = `${pick(WORDS)} ${pick(WORDS)} ${i} ${pick(SUFFIX)}`;
      customers.push(
        store.create('customer', {
          companyName: company,
          email: `customer${i}@example.com`,
          phone: `555-${String(1000 + (i % 9000)).padStart(4, '0')}`,
          creditLimit: Math.round(rnd() * 100) * 1000,
          isInactive: i % 17 === 0,
          externalId: `CUST${i}`,
        }).id,
      );
    }
    for (let i = 1; i <= n(options.contacts, 20); i++) {
      const company = customers[i % Math.max(customers.length, 1)];
      store.create('contact', {
        firstName: pick(FIRST),
        lastName: pick(LAST),
        email: `contact${i}@example.com`,
        title: 'Buyer',
        ...(company === undefined ? {} : { company: { id: String(company) } }),
      });
    }
    for (let i = 1; i <= n(options.employees, 10); i++) {
      store.create('employee', {
        firstName: pick(FIRST),
        lastName: pick(LAST),
        email: `employee${i}@example.com`,
        title: 'Clerk',
        hireDate: `20${String(10 + (i % 15)).padStart(2, '0')}-0${1 + (i % 9)}-15`,
      });
    }
    for (let i = 1; i <= n(options.vendors, 10); i++) {
      store.create('vendor', {
        companyName: `${pick(WORDS)} Supplies ${i}`,
        email: `vendor${i}@example.com`,
      });
    }
    const items: number[] = [];
    for (let i = 1; i <= n(options.inventoryItems, 20); i++) {
      items.push(
        store.create('inventoryItem', {
          itemId: `ITEM-${String(i).padStart(4, '0')}`,
          displayName: `${pick(WORDS)} widget ${i}`,
          cost: Math.round(rnd() * 5000) / 100,
          basePrice: Math.round(rnd() * 10000) / 100 + 1,
        }).id,
      );
    }
    const orders: number[] = [];
    const lineFor = () => ({ item: { id: String(pick(items)) }, quantity: 1 + Math.floor(rnd() * 9) });
    if (items.length > 0 && customers.length > 0) {
      for (let i = 1; i <= n(options.salesOrders, 20); i++) {
        orders.push(
          store.create('salesOrder', {
            entity: { id: String(pick(customers)) },
            memo: `Order ${i}`,
            tranDate: `2026-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`,
            item: { items: [lineFor(), lineFor()] },
          }).id,
        );
      }
      for (let i = 1; i <= n(options.invoices, 10); i++) {
        const from = orders[i - 1];
        store.create('invoice', {
          entity: { id: String(pick(customers)) },
          memo: `Invoice ${i}`,
          item: { items: [lineFor()] },
          ...(from === undefined ? {} : { createdFrom: { id: String(from) } }),
        });
      }
    }
  });
}
