// Type tests: `pnpm typecheck` compiles this file (a `@ts-expect-error` that finds no error fails the compile);
// vitest runs the calls against a fetch that answers like NetSuite, so the typed client is the same client.
import { describe, expectTypeOf, it } from 'vitest';
import {
  type BatchRun,
  createNetSuiteClient,
  type NetSuiteClient,
  type NetSuiteRecord,
  type PagedRows,
  type RecordListItem,
  type RecordWrite,
  type WriteResult,
} from '../src/index.js';

// The shape @netsuite-oauth/typegen writes: an interface per type, references as { id, refName? }, a map.
interface NsRef {
  id: string;
  refName?: string;
}
interface Customer {
  links?: Array<{ rel?: string; href?: string }>;
  id?: string;
  companyName?: string | null;
  creditLimit?: number | null;
  subsidiary?: NsRef;
  custentity_tier?: { id?: '1' | '2'; refName?: string };
}
interface SalesOrder {
  id?: string;
  entity?: NsRef;
  memo?: string | null;
  item?: { items?: Array<{ item?: NsRef; quantity?: number | null }> };
}
interface Invoice {
  id?: string;
  entity?: NsRef;
  createdFrom?: NsRef;
}
interface Records {
  customer: Customer;
  salesOrder: SalesOrder;
  invoice: Invoice;
}

const fetchLikeNetSuite: typeof fetch = async (input, init) => {
  const url = String(input instanceof Request ? input.url : input);
  if (/\/record\/v1\/\w+\/\d+$/.test(url) && (init?.method ?? 'GET') === 'GET')
    return new Response(JSON.stringify({ id: '7', companyName: 'Acme' }), {
      headers: { 'content-type': 'application/json' },
    });
  return new Response(null, { status: 204, headers: { location: `${url.split('?')[0]}/8` } });
};

const options = {
  accountId: '1234567',
  token: async () => 'token',
  fetch: fetchLikeNetSuite,
  retry: false,
  circuitBreaker: false,
} as const;

describe('typed records', () => {
  it('types get, create, update, transform and batch calls by the record map', async () => {
    const client = createNetSuiteClient<Records>(options);
    const customer = await client.records.get('customer', '7');
    expectTypeOf(customer).toEqualTypeOf<Customer>();
    expectTypeOf(customer.companyName).toEqualTypeOf<string | null | undefined>();

    expectTypeOf(
      client.records.create('customer', { companyName: 'Acme', subsidiary: { id: '1' } }),
    ).toEqualTypeOf<Promise<WriteResult>>();
    await client.records.create('customer', { companyName: 'Acme', custentity_tier: { id: '1' } });
    await client.records.update('customer', '7', { creditLimit: null });
    await client.records.update('salesOrder', '7', { item: { items: [{ item: { id: '3' }, quantity: 2 }] } });
    await client.records.transform('salesOrder', '7', 'invoice', { createdFrom: { id: '7' } });
    expectTypeOf(
      client.batch.create('customer', [{ companyName: 'A' }, { companyName: 'B' }]),
    ).toEqualTypeOf<BatchRun>();
    client.batch.update('customer', [
      { id: '7', creditLimit: 10 },
      { externalId: 'C-1', companyName: null },
    ]);
    client.batch.upsert('salesOrder', [{ externalId: 'SO-1', memo: 'x', entity: { id: '7' } }]);
    // batch.get: each result's record is the map's interface.
    const read = client.batch.get('customer', ['7', 'eid:C-1']);
    expectTypeOf(read).toEqualTypeOf<BatchRun<Customer>>();
    const reader = async () => {
      for await (const result of read)
        if (result.ok) expectTypeOf(result.record).toEqualTypeOf<Customer | undefined>();
    };
    expectTypeOf(reader).toBeFunction();
    // records.list: ids and links, or with { expand: true } full records typed by the map.
    expectTypeOf(client.records.list('customer')).toEqualTypeOf<PagedRows<RecordListItem>>();
    expectTypeOf(client.records.list('invoice', { expand: true, pageSize: 200 })).toEqualTypeOf<
      PagedRows<Invoice>
    >();
    expectTypeOf<RecordWrite<Records, 'invoice'>>().toEqualTypeOf<{
      entity?: NsRef | null;
      createdFrom?: NsRef | null;
    }>();
  });

  it('refuses a misspelt field, a misspelt type and a wrong value at compile time', () => {
    const client = createNetSuiteClient<Records>(options);
    // Compiled, never run: each call is a compile error.
    const wrong = async () => {
      // @ts-expect-error companyNme is not a customer field
      await client.records.create('customer', { companyNme: 'Acme' });
      // @ts-expect-error customr is not a record type of the map
      await client.records.get('customr', '7');
      // @ts-expect-error creditLimit is a number
      await client.records.update('customer', '7', { creditLimit: '100' });
      // @ts-expect-error tier 3 is not one of the enum's ids
      await client.records.create('customer', { custentity_tier: { id: '3' } });
      // @ts-expect-error a batch line with a misspelt field
      client.batch.create('customer', [{ companyName: 'A' }, { compnyName: 'B' }]);
      // @ts-expect-error transform into a type the map does not have
      await client.records.transform('salesOrder', '7', 'invoce');
      // @ts-expect-error the sublist line has no qty field
      await client.records.update('salesOrder', '7', { item: { items: [{ qty: 1 }] } });
      // @ts-expect-error a batch update line with a misspelt field
      client.batch.update('customer', [{ id: '7', credtLimit: 1 }]);
      // @ts-expect-error a batch upsert line with a value of the wrong type
      client.batch.upsert('salesOrder', [{ externalId: 'SO-1', memo: 7 }]);
      // @ts-expect-error customr is not a record type of the map (batch.get)
      client.batch.get('customr', ['7']);
      for await (const result of client.batch.get('customer', ['7'])) {
        // @ts-expect-error emial is not a customer field (a batch.get record)
        if (result.ok) void result.record?.emial;
      }
      for await (const customer of client.records.list('customer', { expand: true })) {
        // @ts-expect-error companyNme is not a customer field (an expanded list item)
        void customer.companyNme;
      }
      for await (const item of client.records.list('customer')) {
        // @ts-expect-error a plain list item has only id and links
        void item.companyName;
      }
      // @ts-expect-error invoce is not a record type of the map (list)
      client.records.list('invoce', { expand: true });
    };
    expectTypeOf(wrong).toBeFunction();
  });

  it('without a map every type name and field is accepted, as before', async () => {
    const client = createNetSuiteClient(options);
    expectTypeOf(client).toEqualTypeOf<NetSuiteClient>();
    const anyRecord = await client.records.get('customrecord_anything', '7');
    expectTypeOf(anyRecord).toEqualTypeOf<NetSuiteRecord>();
    expectTypeOf(client.batch.get('customrecord_anything', ['7'])).toEqualTypeOf<BatchRun<NetSuiteRecord>>();
    expectTypeOf(client.records.list('customrecord_anything', { expand: true })).toEqualTypeOf<
      PagedRows<NetSuiteRecord>
    >();
    await client.records.create('customer', { companyName: 'Acme', custentity_whatever: 1 });
    const widened: ReturnType<typeof createNetSuiteClient> = client;
    expectTypeOf(widened.records.get('customer', '7')).resolves.toHaveProperty('companyName');
  });

  it('SuiteQL takes a row type', async () => {
    const client = createNetSuiteClient<Records>(options);
    const rows = client.suiteql<{ id: string; companyname: string }>('SELECT id, companyname FROM customer');
    expectTypeOf(rows).toEqualTypeOf<PagedRows<{ id: string; companyname: string }>>();
  });
});
