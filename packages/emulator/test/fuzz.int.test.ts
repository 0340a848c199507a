import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.js';
import { accessToken, bearer, setupM2M } from './helpers.js';

let emu: Emulator;
let token: string;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, seed: { customers: 5, salesOrders: 2, invoices: 1 } });
  token = await accessToken(emu, await setupM2M(emu));
});
afterAll(async () => {
  await emu.close();
});

// Every answer must be a deliberate one: no 500 (UNEXPECTED_ERROR) for bad input.
describe('random bad input', () => {
  it('token endpoint: random forms and assertions', async () => {
    const part = fc.oneof(fc.string({ maxLength: 40 }), fc.base64String({ maxLength: 60 }));
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          grant_type: fc.constantFrom('client_credentials', 'authorization_code', 'refresh_token', 'x', ''),
          client_assertion_type: fc.constantFrom(
            'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
            'x',
          ),
          client_assertion: fc.tuple(part, part, part).map((p) => p.join('.')),
          code: fc.string({ maxLength: 30 }),
          refresh_token: fc.string({ maxLength: 30 }),
        }),
        fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
        async (fields, authorization) => {
          const res = await fetch(emu.endpoints.tokenUrl, {
            method: 'POST',
            headers: {
              'content-type': 'application/x-www-form-urlencoded',
              ...(authorization === undefined
                ? {}
                : { authorization: `Basic ${authorization.replace(/[^\x20-\x7e]/g, '')}` }),
            },
            body: new URLSearchParams(fields).toString(),
          });
          expect([400, 401]).toContain(res.status);
          expect(Object.keys((await res.json()) as object)).toEqual(['error']);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('record API: random paths, queries and bodies', async () => {
    const segment = fc.oneof(
      fc.constantFrom(
        'customer',
        'salesOrder',
        '1',
        'eid:CUST1',
        '!transform',
        'invoice',
        'item',
        '%ZZ',
        '..',
      ),
      fc.string({ maxLength: 12 }).map(encodeURIComponent),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(segment, { minLength: 1, maxLength: 5 }),
        fc.dictionary(
          fc.constantFrom('limit', 'offset', 'q', 'fields', 'expandSubResources', 'replace'),
          fc.string({ maxLength: 20 }),
        ),
        fc.constantFrom('GET', 'POST', 'PATCH', 'PUT', 'DELETE'),
        fc.oneof(fc.json(), fc.string({ maxLength: 30 })),
        async (segments, query, method, body) => {
          const url = `${emu.endpoints.recordUrl}/${segments.join('/')}?${new URLSearchParams(query).toString()}`;
          const res = await fetch(url, {
            method,
            headers: { ...bearer(token), 'content-type': 'application/json' },
            ...(method === 'GET' || method === 'DELETE' ? {} : { body }),
          });
          expect(res.status).toBeLessThan(500);
          await res.arrayBuffer();
        },
      ),
      { numRuns: 120 },
    );
    const status = (await fetch(`${emu.endpoints.recordUrl}/customer/1`, { headers: bearer(token) })).status;
    expect(status === 200 || status === 404).toBe(true);
  });

  it('SuiteQL and RESTlets: random queries and bodies', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 60 }),
        fc.option(fc.array(fc.oneof(fc.string(), fc.integer())), { nil: undefined }),
        async (q, params) => {
          const res = await fetch(emu.endpoints.suiteqlUrl, {
            method: 'POST',
            headers: { ...bearer(token), 'content-type': 'application/json', prefer: 'transient' },
            body: JSON.stringify(params === undefined ? { q } : { q, params }),
          });
          expect(res.status).toBeLessThan(500);
          await res.arrayBuffer();
          const restlet = await fetch(
            `${emu.endpoints.restletUrl}?script=${encodeURIComponent(q)}&deploy=customdeploy_echo`,
            {
              method: 'POST',
              headers: { ...bearer(token), 'content-type': 'application/json' },
              body: q,
            },
          );
          expect(restlet.status).toBeLessThan(500);
          await restlet.arrayBuffer();
        },
      ),
      { numRuns: 60 },
    );
  });
});
