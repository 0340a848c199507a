import { describe, expect, it } from 'vitest';
import { RECORD_TYPE_TABLES, recordTypeTable, suggestNames } from '../src/index.js';

describe('recordTypeTable: REST record type → SuiteQL table', () => {
  it('maps entities to their own table, transactions and items to the shared table and their code', () => {
    expect(recordTypeTable('customer')).toEqual({
      recordType: 'customer',
      table: 'customer',
      confirmed: true,
    });
    expect(recordTypeTable('salesOrder')).toEqual({
      recordType: 'salesOrder',
      table: 'transaction',
      column: 'type',
      value: 'SalesOrd',
      confirmed: false,
    });
    expect(recordTypeTable('vendorBill')).toMatchObject({ table: 'transaction', value: 'VendBill' });
    expect(recordTypeTable('invoice')).toMatchObject({ table: 'transaction', value: 'CustInvc' });
    expect(recordTypeTable('inventoryItem')).toMatchObject({
      table: 'item',
      column: 'itemtype',
      value: 'InvtPart',
    });
    // Case-insensitive, answered with the REST spelling.
    expect(recordTypeTable('SALESORDER').recordType).toBe('salesOrder');
    expect(recordTypeTable('customrecord_Invoice_Note')).toEqual({
      recordType: 'customrecord_invoice_note',
      table: 'customrecord_invoice_note',
      confirmed: true,
    });
    expect(RECORD_TYPE_TABLES).toContain('purchaseOrder');
  });

  it('refuses an unknown name with a typed error that suggests close names', () => {
    const refusal = (name: unknown) => {
      try {
        recordTypeTable(name as string);
      } catch (error) {
        return error as { code: string; message: string };
      }
      throw new Error('accepted');
    };
    expect(refusal('salesOrders')).toMatchObject({
      code: 'ERR_RECORD_INVALID_ARGUMENT',
      message: expect.stringContaining('did you mean salesOrder?'),
    });
    expect(refusal('vendorbil').message).toContain('vendorBill');
    expect(refusal('transaction').message).toContain('give the table with from instead');
    expect(refusal(42).code).toBe('ERR_RECORD_INVALID_ARGUMENT');
    expect(refusal('x'.repeat(5000)).message.length).toBeLessThan(200);
  });

  it('suggests at most three names, closest first', () => {
    expect(suggestNames('invoce', RECORD_TYPE_TABLES)[0]).toBe('invoice');
    expect(suggestNames('payment', RECORD_TYPE_TABLES)).toEqual(['vendorPayment', 'customerPayment']);
    expect(suggestNames('zzzzzzzzzz', RECORD_TYPE_TABLES)).toEqual([]);
    expect(suggestNames('', RECORD_TYPE_TABLES)).toEqual([]);
    expect(suggestNames('order', RECORD_TYPE_TABLES).length).toBeLessThanOrEqual(3);
  });
});
