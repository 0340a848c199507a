import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, type EmulatorErrorCode, isEmulatorError, startEmulator } from '../src/index.js';
import { accessToken, bearer, type M2M, setupM2M } from './helpers.js';

let emu: Emulator;
let m2m: M2M;
let token: string;
let rec: string;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, seed: { customers: 3, inventoryItems: 2, salesOrders: 1 } });
  m2m = await setupM2M(emu);
  token = await accessToken(emu, m2m);
  rec = emu.endpoints.recordUrl;
});
afterAll(async () => {
  await emu.close();
});

type Schema = { type?: string; title?: string; properties: Record<string, Record<string, unknown>> };

async function get(path: string, accept?: string) {
  return fetch(`${rec}/${path}`, { headers: { ...bearer(token), ...(accept ? { accept } : {}) } });
}

async function suiteql(q: string): Promise<Array<Record<string, unknown>>> {
  const res = await fetch(emu.endpoints.suiteqlUrl, {
    method: 'POST',
    headers: { ...bearer(token), 'content-type': 'application/json', prefer: 'transient' },
    body: JSON.stringify({ q }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: Array<Record<string, unknown>> }).items;
}

describe('metadata catalog', () => {
  it('lists every record type with its canonical and alternate links (section_1540810174)', async () => {
    const res = await get('metadata-catalog');
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      items: Array<{ name: string; links: Array<{ mediaType?: string }> }>;
    };
    expect(body.items.map((i) => i.name)).toEqual([
      'customer',
      'contact',
      'employee',
      'vendor',
      'inventoryItem',
      'salesOrder',
      'invoice',
    ]);
    expect(body.items[0]?.links.map((l) => l.mediaType).filter(Boolean)).toEqual([
      'application/json',
      'application/swagger+json',
      'application/schema+json',
    ]);
  });

  it('answers one type as JSON Schema with references, enums and the item sublist', async () => {
    const res = await get('metadata-catalog/salesOrder', 'application/schema+json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/schema\+json/);
    const schema = (await res.json()) as Schema;
    expect(schema.type).toBe('object');
    expect(schema.properties.tranId).toMatchObject({
      type: 'string',
      nullable: true,
      'x-ns-filterable': true,
    });
    expect(schema.properties.entity).toMatchObject({
      type: 'object',
      $ref: `${rec}/metadata-catalog/customer`,
      'x-ns-referenced-type': 'customer',
    });
    const status = schema.properties.status as Schema;
    expect(status.properties.id).toMatchObject({ enum: ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'] });
    const item = schema.properties.item as Schema;
    const line = (item.properties.items as { items: Schema }).items;
    expect(Object.keys(line.properties)).toEqual(
      expect.arrayContaining(['line', 'item', 'quantity', 'rate', 'amount']),
    );
    expect(schema.properties.total).toMatchObject({ readOnly: true });
  });

  it('answers OpenAPI 3.0 for the types named in select, without regard to case (section_1545126526)', async () => {
    const res = await get('metadata-catalog?select=customer,salesorder', 'application/swagger+json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<string, unknown>;
      components: { schemas: Record<string, Schema> };
    };
    expect(doc.openapi).toMatch(/^3\.0/);
    expect(Object.keys(doc.paths)).toEqual([
      '/customer',
      '/customer/{id}',
      '/salesOrder',
      '/salesOrder/{id}',
    ]);
    expect(doc.components.schemas.customer?.properties.subsidiary).toMatchObject({ type: 'object' });
    expect(doc.components.schemas.salesOrder?.properties.entity).toMatchObject({
      $ref: '#/components/schemas/nsResource',
    });
    expect(doc.components.schemas.invoice).toBeUndefined();
  });

  it('refuses an unknown type, an unknown select name, and writes', async () => {
    const unknown = await get('metadata-catalog/notAType', 'application/schema+json');
    expect(unknown.status).toBe(404);
    const select = await get('metadata-catalog?select=customer,nope', 'application/swagger+json');
    expect(select.status).toBe(400);
    expect(JSON.stringify(await select.json())).toContain('"o:errorQueryParam":"select"');
    const post = await fetch(`${rec}/metadata-catalog`, { method: 'POST', headers: bearer(token) });
    expect(post.status).toBe(405);
  });

  it('needs a bearer token and counts against governance on a route of its own with its own latency', async () => {
    expect((await fetch(`${rec}/metadata-catalog`)).status).toBe(401);
    const before = (await emu.admin.counters()).metadata;
    // Long enough that the two requests overlap even on a loaded machine (50 ms did not, once, at load 20).
    await emu.admin.setLatency({ route: 'metadata', ms: 400 });
    await emu.admin.setConcurrencyLimit(1);
    try {
      const [a, b] = await Promise.all([get('metadata-catalog'), get('metadata-catalog')]);
      expect([a.status, b.status].sort()).toEqual([200, 429]);
      // Records are not slowed by the catalog's latency.
      const log = await emu.admin.requestLog();
      expect(log.filter((e) => e.route === 'metadata').length).toBeGreaterThanOrEqual(2);
    } finally {
      await emu.admin.setConcurrencyLimit(5);
      await emu.admin.setLatency({ route: 'metadata', ms: 0 });
    }
    expect((await emu.admin.counters()).metadata).toBe(before + 2);
  });
});

describe('custom fields and custom record types', () => {
  it('a custom field is in the catalog, accepted and returned by records, and seen by SuiteQL', async () => {
    // SuiteQL's worker holds a copy of the database from before the new column.
    expect((await suiteql('SELECT id FROM customer')).length).toBe(3);
    await emu.admin.addCustomField({
      recordType: 'customer',
      scriptId: 'custentity_tier',
      type: 'enum',
      label: 'Tier',
      options: { '1': 'Gold', '2': 'Silver' },
    });
    await emu.admin.addCustomField({ recordType: 'customer', scriptId: 'custentity_score', type: 'integer' });
    // The new column is there before any record changes.
    expect((await suiteql('SELECT id, custentity_score FROM customer')).length).toBe(3);
    const schema = (await (
      await get('metadata-catalog/customer', 'application/schema+json')
    ).json()) as Schema;
    expect(schema.properties.custentity_tier).toMatchObject({ title: 'Tier', 'x-ns-custom-field': true });
    expect(schema.properties.custentity_score).toMatchObject({ type: 'integer', 'x-ns-custom-field': true });

    const create = await fetch(`${rec}/customer`, {
      method: 'POST',
      headers: {
        ...bearer(token),
        'content-type': 'application/json',
        'x-netsuite-propertynamevalidation': 'error',
      },
      body: JSON.stringify({ companyName: 'Custom Co', custentity_tier: { id: '1' }, custentity_score: 42 }),
    });
    expect(create.status).toBe(204);
    const id = create.headers.get('location')?.split('/').pop();
    const got = (await (await get(`customer/${id}`)).json()) as Record<string, unknown>;
    expect(got.custentity_tier).toEqual({ id: '1', refName: 'Gold' });
    expect(got.custentity_score).toBe(42);
    const rows = await suiteql(`SELECT id, custentity_score FROM customer WHERE id = ${id}`);
    expect(rows[0]?.custentity_score).toBe('42');
  });

  it('refuses a field that does not exist, as NetSuite does with X-NetSuite-PropertyNameValidation: error', async () => {
    const res = await fetch(`${rec}/customer`, {
      method: 'POST',
      headers: {
        ...bearer(token),
        'content-type': 'application/json',
        'x-netsuite-propertynamevalidation': 'error',
      },
      body: JSON.stringify({ companyName: 'Typo Co', custentity_teir: { id: '1' } }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { 'o:errorDetails': Array<Record<string, string>> };
    expect(body['o:errorDetails'][0]).toMatchObject({
      'o:errorCode': 'NONEXISTENT_FIELD',
      'o:errorPath': 'custentity_teir',
    });
  });

  it('a custom record type is served, listed, described and queried like any record type', async () => {
    await emu.admin.addCustomRecordType({
      scriptId: 'customrecord_project',
      name: 'Project',
      fields: [
        { scriptId: 'custrecord_budget', type: 'float', label: 'Budget' },
        { scriptId: 'custrecord_client', type: 'ref', refType: 'customer' },
      ],
    });
    const list = (await (await get('metadata-catalog')).json()) as { items: Array<{ name: string }> };
    expect(list.items.map((i) => i.name)).toContain('customrecord_project');
    const create = await fetch(`${rec}/customrecord_project`, {
      method: 'POST',
      headers: { ...bearer(token), 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Roll-out', custrecord_budget: 1200.5, custrecord_client: { id: '1' } }),
    });
    expect(create.status).toBe(204);
    const id = create.headers.get('location')?.split('/').pop();
    expect(id).toBe('1');
    const got = (await (await get(`customrecord_project/${id}`)).json()) as Record<string, unknown>;
    expect(got).toMatchObject({
      name: 'Roll-out',
      custrecord_budget: 1200.5,
      custrecord_client: { id: '1' },
    });
    const rows = await suiteql('SELECT name, custrecord_budget FROM customrecord_project');
    expect(rows).toEqual([{ links: [], name: 'Roll-out', custrecord_budget: '1200.5' }]);
    expect(await emu.admin.customizations()).toMatchObject({
      customRecordTypes: [{ scriptId: 'customrecord_project', name: 'Project' }],
    });
  });

  it('refuses bad custom field options with typed errors, over HTTP too', async () => {
    const refuse = async (options: unknown, code: EmulatorErrorCode) => {
      const error = await emu.admin.addCustomField(options as never).catch((e: unknown) => e);
      expect(isEmulatorError(error, code)).toBe(true);
    };
    await refuse(
      { recordType: 'customer', scriptId: 'custbody_x', type: 'string' },
      'ERR_EMULATOR_INVALID_OPTION',
    );
    await refuse(
      { recordType: 'nope', scriptId: 'custentity_x', type: 'string' },
      'ERR_EMULATOR_UNKNOWN_RECORD_TYPE',
    );
    await refuse(
      { recordType: 'customer', scriptId: 'custentity_x', type: 'blob' },
      'ERR_EMULATOR_INVALID_OPTION',
    );
    await refuse(
      { recordType: 'customer', scriptId: 'custentity_tier', type: 'string' },
      'ERR_EMULATOR_DUPLICATE_FIELD',
    );
    await refuse(
      { recordType: 'salesOrder', scriptId: 'custbody_x', type: 'ref', refType: 'nope' },
      'ERR_EMULATOR_INVALID_OPTION',
    );
    const http = await fetch(`${emu.url}/_emulator/custom-fields`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ recordType: 'salesOrder', scriptId: 'custbody_ok', type: 'date' }),
    });
    expect(http.status).toBe(201);
    const bad = await fetch(`${emu.url}/_emulator/custom-record-types`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ scriptId: 'project' }),
    });
    expect(bad.status).toBe(400);
  });

  it('a reset removes the customizations', async () => {
    await emu.admin.reset();
    expect(await emu.admin.customizations()).toEqual({ customFields: [], customRecordTypes: [] });
    m2m = await setupM2M(emu);
    token = await accessToken(emu, m2m);
    expect((await get('metadata-catalog/customrecord_project')).status).toBe(404);
  });
});

describe('metadata options (UNCONFIRMED guesses made options)', () => {
  it('metadataUnknownSelect: ignore, metadataReferences: inline, metadataLatencyMs', async () => {
    const other = await startEmulator({
      port: 0,
      seed: false,
      metadataUnknownSelect: 'ignore',
      metadataReferences: 'inline',
      metadataLatencyMs: 40,
    });
    try {
      const otherToken = await accessToken(other, await setupM2M(other));
      const res = await fetch(`${other.endpoints.recordUrl}/metadata-catalog?select=customer,nope`, {
        headers: { ...bearer(otherToken), accept: 'application/swagger+json' },
      });
      expect(res.status).toBe(200);
      expect(Object.keys(((await res.json()) as { paths: object }).paths)).toEqual([
        '/customer',
        '/customer/{id}',
      ]);
      const schema = (await (
        await fetch(`${other.endpoints.recordUrl}/metadata-catalog/salesOrder`, {
          headers: { ...bearer(otherToken), accept: 'application/schema+json' },
        })
      ).json()) as Schema;
      expect(schema.properties.entity).not.toHaveProperty('$ref');
      expect(Object.keys(schema.properties.entity?.properties as object)).toEqual([
        'id',
        'refName',
        'externalId',
        'links',
      ]);
      const log = (await other.admin.requestLog()).filter((e) => e.route === 'metadata');
      expect(log).toHaveLength(2);
      // The latency is a sleep inside the request: every catalog answer took at least that long (less Node's
      // timer granularity: a timer runs on the loop's millisecond clock, so a 40 ms sleep can read 39.9 ms).
      for (const entry of log) expect(entry.durationMs).toBeGreaterThanOrEqual(39);
      // startEmulator checks its options before it starts anything: a bad one throws at once.
      expect(() => startEmulator({ port: 0, metadataReferences: 'url' as never })).toThrow(
        /metadataReferences/,
      );
    } finally {
      await other.close();
    }
  });
});
