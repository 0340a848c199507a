import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.js';
import { accessToken, bearer, setupM2M } from './helpers.js';

// Two roles of one account: SALES sees the restricted field and record type, SUPPORT does not.
const SALES = 1001;
const SUPPORT = 1002;

let emu: Emulator;
let sales: string;
let support: string;
let rec: string;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, seed: { customers: 2 } });
  rec = emu.endpoints.recordUrl;
  sales = await accessToken(emu, await setupM2M(emu, 'ec-p256', undefined, SALES));
  support = await accessToken(emu, await setupM2M(emu, 'ec-p256', undefined, SUPPORT));
  await emu.admin.addCustomField({ recordType: 'customer', scriptId: 'custentity_open', type: 'string' });
  await emu.admin.addCustomField({
    recordType: 'customer',
    scriptId: 'custentity_margin',
    type: 'float',
    roles: [SALES],
  });
  await emu.admin.addCustomRecordType({
    scriptId: 'customrecord_deal',
    roles: [SALES],
    fields: [{ scriptId: 'custrecord_amount', type: 'float' }],
  });
});
afterAll(async () => {
  await emu.close();
});

async function get(token: string, path: string, accept?: string) {
  return fetch(`${rec}/${path}`, { headers: { ...bearer(token), ...(accept ? { accept } : {}) } });
}

type Schema = { properties: Record<string, unknown> };

describe('the metadata catalog per role', () => {
  it('two roles, two catalogs: a restricted field and record type are missing from the other role’s, in every format', async () => {
    const names = async (token: string) =>
      ((await (await get(token, 'metadata-catalog')).json()) as { items: Array<{ name: string }> }).items.map(
        (i) => i.name,
      );
    expect(await names(sales)).toContain('customrecord_deal');
    expect(await names(support)).not.toContain('customrecord_deal');
    expect(await names(support)).toContain('customer');

    const schema = async (token: string) =>
      (await (await get(token, 'metadata-catalog/customer', 'application/schema+json')).json()) as Schema;
    expect(Object.keys((await schema(sales)).properties)).toEqual(
      expect.arrayContaining(['custentity_open', 'custentity_margin']),
    );
    const hidden = Object.keys((await schema(support)).properties);
    expect(hidden).toContain('custentity_open');
    expect(hidden).not.toContain('custentity_margin');

    const openApi = async (token: string, select: string) =>
      (await (await get(token, `metadata-catalog?select=${select}`, 'application/swagger+json')).json()) as {
        components: { schemas: Record<string, Schema> };
      };
    const salesDoc = await openApi(sales, 'customer,customrecord_deal');
    expect(Object.keys(salesDoc.components.schemas)).toContain('customrecord_deal');
    expect(salesDoc.components.schemas.customer?.properties).toHaveProperty('custentity_margin');
    const supportDoc = await openApi(support, 'customer');
    expect(supportDoc.components.schemas.customer?.properties).not.toHaveProperty('custentity_margin');
    // A type the role cannot see answers as one that does not exist.
    expect(
      (await get(support, 'metadata-catalog?select=customrecord_deal', 'application/swagger+json')).status,
    ).toBe(400);
    expect((await get(support, 'metadata-catalog/customrecord_deal', 'application/schema+json')).status).toBe(
      404,
    );
  });

  it('a record read by the restricted role does not carry the hidden field; written, the field is unknown', async () => {
    const create = await fetch(`${rec}/customer`, {
      method: 'POST',
      headers: { ...bearer(sales), 'content-type': 'application/json' },
      body: JSON.stringify({ companyName: 'Margins Ltd', custentity_open: 'a', custentity_margin: 0.25 }),
    });
    expect(create.status).toBe(204);
    const id = create.headers.get('location')?.split('/').pop() as string;
    const bySales = (await (await get(sales, `customer/${id}`)).json()) as Record<string, unknown>;
    expect(bySales).toMatchObject({ custentity_open: 'a', custentity_margin: 0.25 });
    const bySupport = (await (await get(support, `customer/${id}`)).json()) as Record<string, unknown>;
    expect(bySupport.custentity_open).toBe('a');
    expect(bySupport).not.toHaveProperty('custentity_margin');
    // Nor through fields= (a batch read: the typegen and record-client tests).
    expect((await get(support, `customer/${id}?fields=custentity_margin`)).status).toBe(400);
    const strict = await fetch(`${rec}/customer/${id}`, {
      method: 'PATCH',
      headers: {
        ...bearer(support),
        'content-type': 'application/json',
        'x-netsuite-propertynamevalidation': 'error',
      },
      body: JSON.stringify({ custentity_margin: 0.9 }),
    });
    expect(strict.status).toBe(400);
    expect(
      ((await strict.json()) as { 'o:errorDetails': Array<{ 'o:errorCode': string }> })['o:errorDetails'][0],
    ).toMatchObject({
      'o:errorCode': 'NONEXISTENT_FIELD',
    });
    const lenient = await fetch(`${rec}/customer/${id}`, {
      method: 'PATCH',
      headers: { ...bearer(support), 'content-type': 'application/json' },
      body: JSON.stringify({ custentity_margin: 0.9 }),
    });
    expect(lenient.status).toBe(204);
    expect(lenient.headers.get('x-netsuite-warning')).toContain('custentity_margin');
    expect(
      ((await (await get(sales, `customer/${id}`)).json()) as Record<string, unknown>).custentity_margin,
    ).toBe(0.25);
  });

  it('records of a record type the role may not use are refused', async () => {
    const create = await fetch(`${rec}/customrecord_deal`, {
      method: 'POST',
      headers: { ...bearer(sales), 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Deal', custrecord_amount: 10 }),
    });
    expect(create.status).toBe(204);
    const id = create.headers.get('location')?.split('/').pop() as string;
    expect((await get(sales, `customrecord_deal/${id}`)).status).toBe(200);
    const refused = await get(support, `customrecord_deal/${id}`);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('INSUFFICIENT_PERMISSION');
    expect((await get(support, 'customrecord_deal')).status).toBe(403);
  });

  it('SuiteQL follows the same view: a hidden column or table is unknown, SELECT * leaves the column out', async () => {
    const suiteql = (token: string, q: string) =>
      fetch(emu.endpoints.suiteqlUrl, {
        method: 'POST',
        headers: { ...bearer(token), 'content-type': 'application/json', prefer: 'transient' },
        body: JSON.stringify({ q }),
      });
    const rows = async (token: string, q: string) => {
      const res = await suiteql(token, q);
      expect(res.status).toBe(200);
      return ((await res.json()) as { items: Array<Record<string, unknown>> }).items;
    };
    const q = "SELECT * FROM customer WHERE companyname = 'Margins Ltd'";
    expect((await rows(sales, q))[0]).toMatchObject({ custentity_margin: '0.25', custentity_open: 'a' });
    const forSupport = (await rows(support, q))[0];
    expect(forSupport).toMatchObject({ custentity_open: 'a' });
    expect(forSupport).not.toHaveProperty('custentity_margin');
    for (const hiddenQuery of [
      'SELECT id, custentity_margin FROM customer',
      'SELECT id FROM customer WHERE "CUSTENTITY_MARGIN" > 0',
      'SELECT id FROM customrecord_deal',
    ]) {
      const res = await suiteql(support, hiddenQuery);
      expect(res.status).toBe(400);
      expect(await res.text()).toContain('was not found');
      expect((await suiteql(sales, hiddenQuery)).status).toBe(200);
    }
    // A literal that happens to spell the name is data, not a reference.
    expect(await rows(support, "SELECT id FROM customer WHERE companyname = 'custentity_margin'")).toEqual(
      [],
    );
  });

  it('roles of a custom field are listed with the customizations and checked', async () => {
    const { customFields, customRecordTypes } = await emu.admin.customizations();
    expect(customFields.find((f) => f.scriptId === 'custentity_margin')?.roles).toEqual([SALES]);
    expect(customFields.find((f) => f.scriptId === 'custentity_open')).not.toHaveProperty('roles');
    expect(customRecordTypes.find((t) => t.scriptId === 'customrecord_deal')?.roles).toEqual([SALES]);
    for (const roles of [[], ['1'], 'x', [1.5]]) {
      await expect(
        emu.admin.addCustomField({
          recordType: 'customer',
          scriptId: 'custentity_x',
          type: 'string',
          roles,
        } as never),
      ).rejects.toMatchObject({ code: 'ERR_EMULATOR_INVALID_OPTION' });
    }
    const http = await fetch(`${emu.url}/_emulator/custom-fields`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        recordType: 'contact',
        scriptId: 'custentity_vip',
        type: 'boolean',
        roles: [SUPPORT],
      }),
    });
    expect(http.status).toBe(201);
    const contact = (await (
      await get(sales, 'metadata-catalog/contact', 'application/schema+json')
    ).json()) as Schema;
    expect(contact.properties).not.toHaveProperty('custentity_vip');
  });
});
