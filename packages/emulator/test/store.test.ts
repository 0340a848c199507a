import initSqlJs from 'sql.js';
import { beforeEach, describe, expect, it } from 'vitest';
import { RecordStore, RecordValidationError } from '../src/store.js';

let store: RecordStore;
beforeEach(async () => {
  const SQL = await initSqlJs();
  store = new RecordStore(new SQL.Database(), () => Date.UTC(2026, 0, 2, 3, 4, 5));
});

const sql = (q: string) => store.db.exec(q)[0]?.values ?? [];

describe('RecordStore', () => {
  it('mirrors creates, updates and deletes into SQL', () => {
    const { id } = store.create('customer', { companyName: 'Acme', isInactive: true, externalId: 'A-1' });
    expect(
      sql(`SELECT companyname, isinactive, externalid, datecreated FROM customer WHERE id = ${id}`),
    ).toEqual([['Acme', 'T', 'A-1', '2026-01-02T03:04:05Z']]);
    store.update('customer', id, { companyName: 'Acme 2', externalId: 'A-2' });
    expect(store.findByExternalId('customer', 'A-1')).toBeUndefined();
    expect(store.findByExternalId('customer', 'A-2')?.id).toBe(id);
    expect(sql(`SELECT companyname FROM customer WHERE id = ${id}`)).toEqual([['Acme 2']]);
    expect(store.delete('customer', id)).toBe(true);
    expect(sql('SELECT COUNT(*) FROM customer')).toEqual([[0]]);
    expect(store.delete('customer', id)).toBe(false);
  });

  it('shares ids within a family and keeps transaction lines in SQL', () => {
    const c = store.create('customer', { companyName: 'C' }).id;
    const e = store.create('employee', { firstName: 'E' }).id;
    expect(e).toBe(c + 1);
    const item = store.create('inventoryItem', { itemId: 'W', basePrice: 2.5 }).id;
    const so = store.create('salesOrder', {
      entity: { id: String(c) },
      item: { items: [{ item: { id: String(item) }, quantity: 4 }] },
    });
    expect(store.get('salesOrder', so.id)?.fields.total).toBe(10);
    expect(sql('SELECT "transaction", item, quantity, rate, netamount FROM transactionline')).toEqual([
      [so.id, item, 4, 2.5, 10],
    ]);
    expect(sql(`SELECT type, foreigntotal FROM "transaction"`)).toEqual([['SalesOrd', 10]]);
  });

  it.each([
    ['a string for a boolean', { companyName: 'x', isInactive: 'yes' }, 'INVALID_CONTENT'],
    ['a bad date', { firstName: 'x', hireDate: '2024-13-45' }, 'INVALID_CONTENT'],
    ['a bad externalId', { companyName: 'x', externalId: 'a|b' }, 'INVALID_CONTENT'],
    ['a missing company name', { email: 'x@example.com' }, 'USER_ERROR'],
    ['an unknown field with name validation error', { companyName: 'x', nope: 1 }, 'NONEXISTENT_FIELD'],
  ])('refuses %s', (_name, input, code) => {
    const type = 'hireDate' in input ? 'employee' : 'customer';
    try {
      store.create(type, input, { nameValidation: 'error' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(RecordValidationError);
      expect((error as RecordValidationError).errorCode).toBe(code);
    }
  });

  it('rolls a failed batch back', () => {
    expect(() =>
      store.batch(() => {
        store.create('customer', { companyName: 'kept?' });
        store.create('customer', { companyName: 5 });
      }),
    ).toThrow(RecordValidationError);
    expect(sql('SELECT COUNT(*) FROM customer')).toEqual([[0]]);
    expect(store.count('customer')).toBe(0);
  });
});
