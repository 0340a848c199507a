import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, connect, type Harness, startHarness } from './helpers.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  await h.emulator.admin.addCustomField({
    recordType: 'customer',
    scriptId: 'custentity_tier',
    type: 'enum',
    label: '<b>Tier</b>',
    options: { '1': 'Gold', '2': 'Silver' },
  });
  await h.emulator.admin.addCustomRecordType({
    scriptId: 'customrecord_project',
    fields: [{ scriptId: 'custrecord_budget', type: 'float' }],
  });
  await h.emulator.admin.seedRecords('customrecord_project', [{ name: 'Roll-out', custrecord_budget: 12.5 }]);
});
afterAll(async () => {
  await h?.close();
});

describe('the typed record page', () => {
  it('shows each field with its type from the metadata catalog, custom fields marked, and the generated interface', async () => {
    const agent = new Agent(h.server.url);
    await connect(agent);
    const customer = await agent.request('/customers/1');
    expect(customer.body).toContain('href="/records/customer/1"');
    const page = await agent.request('/records/customer/1');
    expect(page.status).toBe(200);
    const rows = [
      ...page.body.matchAll(
        /<tr(?: class="custom")?><td>([a-zA-Z_]+)[^<]*(?:<span[^>]*>[^<]*<\/span>\s*)*<\/td><td><code>([^<]*)<\/code>/g,
      ),
    ].map((m) => [m[1], m[2]]);
    expect(rows).toEqual(
      expect.arrayContaining([
        ['companyName', 'string'],
        ['creditLimit', 'number'],
        ['isInactive', 'boolean'],
        ['subsidiary', 'NsRef'],
        ['custentity_tier', 'NsEnum&lt;&quot;1&quot; | &quot;2&quot;&gt;'],
      ]),
    );
    expect(page.body).toMatch(/<tr class="custom"><td>custentity_tier <span class="badge">custom<\/span>/);
    const source = /<pre id="interface">([\s\S]*?)<\/pre>/.exec(page.body)?.[1] ?? '';
    expect(source).toMatch(
      /^\/\*\*\n \* Customer \(record type `customer`\)\n \*\/\nexport interface Customer \{/,
    );
    expect(source).toContain('custentity_tier?: NsEnum&lt;&quot;1&quot; | &quot;2&quot;&gt;;');
    // The label's markup is neither rendered nor kept in the generated comment.
    expect(page.body).not.toContain('<b>Tier</b>');
    expect(source).not.toContain('NetSuiteRecords');
  });

  it('serves a custom record type the same way; an unknown type is an error page; anonymous users go to the start page', async () => {
    const agent = new Agent(h.server.url);
    await connect(agent);
    const project = await agent.request('/records/customrecord_project/1');
    expect(project.status).toBe(200);
    expect(project.body).toContain(
      '<td>custrecord_budget <span class="badge">custom</span></td><td><code>number</code></td><td>12.5</td>',
    );
    expect(project.body).toContain('export interface CustomrecordProject {');
    const unknown = await agent.request('/records/notAType/1');
    expect(unknown.status).toBeGreaterThanOrEqual(400);
    expect(unknown.body).not.toContain('id="typed-record"');
    const anonymous = await new Agent(h.server.url).request('/records/customer/1');
    expect(anonymous.status).toBe(303);
  });
});
