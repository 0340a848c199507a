import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.js';
import { accessToken, bearer, type M2M, setupM2M } from './helpers.js';

let emu: Emulator;
let m2m: M2M;
let token: string;
let rec: string;

beforeAll(async () => {
  emu = await startEmulator({
    port: 0,
    seed: {
      customers: 25,
      contacts: 3,
      employees: 2,
      vendors: 2,
      inventoryItems: 5,
      salesOrders: 4,
      invoices: 2,
    },
  });
  m2m = await setupM2M(emu);
  token = await accessToken(emu, m2m);
  rec = emu.endpoints.recordUrl;
});
afterAll(async () => {
  await emu.close();
});

const json = (body: unknown, extra: Record<string, string> = {}) => ({
  headers: { ...bearer(token), 'content-type': 'application/json', ...extra },
  body: JSON.stringify(body),
});

describe('Bearer authentication on REST', () => {
  const INVALID = 'INVALID_LOGIN';
  it.each([
    ['no Authorization header', () => ({}), 'MissingAuthorization'],
    ['an unknown token', () => bearer('abc.def.ghi'), 'InvalidToken'],
    ['a Basic header', () => ({ authorization: 'Basic Zm9vOmJhcg==' }), 'UnsupportedAuthorizationScheme'],
  ])('answers 401 INVALID_LOGIN for %s', async (_name, headers, reason) => {
    const res = await fetch(`${rec}/customer`, { headers: headers() });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(
      'Bearer realm="1234567_SB1", error="invalid_token", error_description="Invalid login attempt."',
    );
    expect(res.headers.get('x-netsuite-emulator-reason')).toBe(reason);
    const body = (await res.json()) as { 'o:errorDetails': Array<{ 'o:errorCode': string }> };
    expect(body['o:errorDetails'][0]?.['o:errorCode']).toBe(INVALID);
  });

  it('answers 400 invalid_request for a malformed Bearer header', async () => {
    const res = await fetch(`${rec}/customer`, { headers: { authorization: 'Bearer a b c' } });
    expect(res.status).toBe(400);
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_request"');
  });

  it('refuses a token without rest_webservices (ScopeMismatched)', async () => {
    const restletsOnly = await accessToken(emu, m2m, ['restlets']);
    const res = await fetch(`${rec}/customer`, { headers: bearer(restletsOnly) });
    expect(res.status).toBe(401);
    expect(res.headers.get('x-netsuite-emulator-reason')).toBe('ScopeMismatched');
  });

  it('refuses an expired token once the clock moves past an hour', async () => {
    const short = await accessToken(emu, m2m);
    expect((await fetch(`${rec}/customer/1`, { headers: bearer(short) })).status).toBe(200);
    await emu.admin.advanceClock(3601_000);
    try {
      const res = await fetch(`${rec}/customer/1`, { headers: bearer(short) });
      expect(res.status).toBe(401);
      expect(res.headers.get('x-netsuite-emulator-reason')).toBe('AccessTokenExpired');
      expect(Date.parse(res.headers.get('date') ?? '')).toBeGreaterThan(Date.now() + 3500_000);
    } finally {
      await emu.admin.advanceClock(-3601_000);
    }
  });

  it('refuses a token whose integration was disabled', async () => {
    const other = await setupM2M(emu);
    const t = await accessToken(emu, other);
    await emu.admin.updateIntegration(other.clientId, { enabled: false });
    const res = await fetch(`${rec}/customer/1`, { headers: bearer(t) });
    expect(res.headers.get('x-netsuite-emulator-reason')).toBe('IntegrationBlocked');
  });
});

describe('REST Record API', () => {
  it('gets a record with links, refs and NetSuite content type', async () => {
    const res = await fetch(`${rec}/customer/1`, { headers: bearer(token) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('type=singular');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.id).toBe('1');
    expect(body.links).toEqual([{ rel: 'self', href: `${rec}/customer/1` }]);
    expect(body.subsidiary).toMatchObject({ id: '1', refName: 'Parent Company' });
    expect(body.externalId).toBe('CUST1');
  });

  it('gets by external id and narrows with fields', async () => {
    const res = await fetch(`${rec}/customer/eid:CUST2?fields=companyName,email`, { headers: bearer(token) });
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['companyName', 'email', 'id', 'links']);
    const bad = await fetch(`${rec}/customer/2?fields=nope`, { headers: bearer(token) });
    expect(bad.status).toBe(400);
  });

  it('answers 404 NONEXISTENT_ID, 400 INVALID_ID and 404 for an unknown type', async () => {
    const missing = await fetch(`${rec}/customer/999999`, { headers: bearer(token) });
    expect(missing.status).toBe(404);
    expect(JSON.stringify(await missing.json())).toContain('NONEXISTENT_ID');
    expect((await fetch(`${rec}/customer/abc`, { headers: bearer(token) })).status).toBe(400);
    expect((await fetch(`${rec}/spaceship/1`, { headers: bearer(token) })).status).toBe(404);
  });

  it('lists with NetSuite paging: links, hasMore, totalResults', async () => {
    const res = await fetch(`${rec}/customer?limit=10&offset=10`, { headers: bearer(token) });
    expect(res.headers.get('content-type')).toContain('type=collection');
    const body = (await res.json()) as {
      items: Array<{ id: string }>;
      links: Array<{ rel: string; href: string }>;
      count: number;
      hasMore: boolean;
      totalResults: number;
      offset: number;
    };
    expect(body).toMatchObject({ count: 10, hasMore: true, totalResults: 25, offset: 10 });
    expect(body.items[0]).toEqual({ links: [{ rel: 'self', href: `${rec}/customer/11` }], id: '11' });
    const rels = Object.fromEntries(body.links.map((l) => [l.rel, l.href]));
    expect(rels.next).toBe(`${rec}/customer?limit=10&offset=20`);
    expect(rels.prev).toBe(`${rec}/customer?limit=10&offset=0`);
    expect(rels.last).toBe(`${rec}/customer?limit=10&offset=20`);
    const last = (await (await fetch(rels.next as string, { headers: bearer(token) })).json()) as {
      count: number;
      hasMore: boolean;
    };
    expect(last).toMatchObject({ count: 5, hasMore: false });
  });

  it.each([
    ['limit over 1000', '?limit=1001', 400],
    ['limit 0', '?limit=0', 400],
    ['offset not a multiple of limit', '?limit=10&offset=5', 400],
    ['non-numeric limit', '?limit=ten', 400],
    ['offset past the end', '?limit=10&offset=1000', 404],
  ])('refuses %s', async (_name, query, status) => {
    const res = await fetch(`${rec}/customer${query}`, { headers: bearer(token) });
    expect(res.status).toBe(status);
    if (status === 404)
      expect(((await res.json()) as Record<string, unknown>)['o:errorCode']).toBe('NONEXISTENT_OFFSET');
  });

  it('filters with q', async () => {
    const q = async (expr: string) => {
      const res = await fetch(`${rec}/customer?q=${encodeURIComponent(expr)}`, { headers: bearer(token) });
      return res.status === 200
        ? ((await res.json()) as { totalResults: number; items: Array<{ id: string }> })
        : res.status;
    };
    expect(await q('email IS "customer3@example.com"')).toMatchObject({
      totalResults: 1,
      items: [{ id: '3' }],
    });
    expect(await q('id BETWEEN [2, 4]')).toMatchObject({ totalResults: 3 });
    expect(await q('id ANY_OF [1, 5, 9] AND isInactive IS false')).toMatchObject({ totalResults: 3 });
    expect(await q('email START_WITH customer1 OR id EQUAL 2')).toMatchObject({ totalResults: 12 });
    expect(await q('(id LESS 3 OR id GREATER 23) AND email CONTAIN "@example"')).toMatchObject({
      totalResults: 4,
    });
    expect(await q('dateCreated ON_OR_AFTER "1/1/2019"')).toMatchObject({ totalResults: 25 });
    expect(await q('comments EMPTY')).toMatchObject({ totalResults: 25 });
    expect(await q('nosuchfield IS 1')).toBe(400);
    expect(await q('dateCreated AFTER "yesterday"')).toBe(400);
    expect(await q('email GREATER 3')).toBe(400);
    expect(await q('(id EQUAL 1')).toBe(400);
  });

  it('creates with 204 + Location, updates, upserts and deletes', async () => {
    const created = await fetch(`${rec}/customer`, {
      method: 'POST',
      ...json({ companyName: 'Emu Ltd', email: 'emu@example.com' }),
    });
    expect(created.status).toBe(204);
    expect(await created.text()).toBe('');
    const location = created.headers.get('location') ?? '';
    expect(location).toMatch(new RegExp(`^${rec}/customer/\\d+$`));
    const patched = await fetch(location, { method: 'PATCH', ...json({ phone: '555-0000', email: null }) });
    expect(patched.status).toBe(204);
    const got = (await (await fetch(location, { headers: bearer(token) })).json()) as Record<string, unknown>;
    expect(got).toMatchObject({ companyName: 'Emu Ltd', phone: '555-0000' });
    expect(got.email).toBeUndefined();

    const up1 = await fetch(`${rec}/customer/eid:EMU-1`, {
      method: 'PUT',
      ...json({ companyName: 'Upserted' }),
    });
    expect(up1.status).toBe(204);
    const up2 = await fetch(`${rec}/customer/eid:EMU-1`, {
      method: 'PUT',
      ...json({ companyName: 'Upserted again' }),
    });
    expect(up2.headers.get('location')).toBe(up1.headers.get('location'));
    const byEid = (await (
      await fetch(`${rec}/customer/eid:EMU-1`, { headers: bearer(token) })
    ).json()) as Record<string, unknown>;
    expect(byEid.companyName).toBe('Upserted again');
    expect((await fetch(`${rec}/customer/5`, { method: 'PUT', ...json({}) })).status).toBe(400);

    expect((await fetch(location, { method: 'DELETE', headers: bearer(token) })).status).toBe(204);
    expect((await fetch(location, { headers: bearer(token) })).status).toBe(404);
    expect((await fetch(location, { method: 'DELETE', headers: bearer(token) })).status).toBe(404);
  });

  it.each([
    ['malformed JSON', '{"companyName":', 'INVALID_CONTENT'],
    ['a JSON array', '[]', 'INVALID_CONTENT'],
    ['a wrong field type', JSON.stringify({ companyName: 7 }), 'INVALID_CONTENT'],
    ['a missing required field', JSON.stringify({ email: 'x@example.com' }), 'USER_ERROR'],
    [
      'a dangling reference',
      JSON.stringify({ companyName: 'X', subsidiary: { id: '77' } }),
      'INVALID_CONTENT',
    ],
    ['a duplicate externalId', JSON.stringify({ companyName: 'X', externalId: 'CUST1' }), 'DUP_RCRD'],
  ])('refuses a create with %s', async (_name, body, code) => {
    const res = await fetch(`${rec}/customer`, {
      method: 'POST',
      headers: { ...bearer(token), 'content-type': 'application/json' },
      body,
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('type=error');
    const parsed = (await res.json()) as { 'o:errorDetails': Array<{ 'o:errorCode': string }> };
    expect(parsed['o:errorDetails'][0]?.['o:errorCode']).toBe(code);
  });

  it('follows X-NetSuite-PropertyNameValidation for unknown fields', async () => {
    const warn = await fetch(`${rec}/customer`, { method: 'POST', ...json({ companyName: 'W', bogus: 1 }) });
    expect(warn.status).toBe(204);
    expect(warn.headers.get('x-netsuite-warning')).toContain('bogus');
    const odd = await fetch(`${rec}/customer`, {
      method: 'POST',
      ...json({ companyName: 'W', 'bad\nname\u00e9': 1 }),
    });
    expect(odd.status).toBe(204);
    expect(odd.headers.get('x-netsuite-warning')).toContain('bad?name?');
    const strict = await fetch(`${rec}/customer`, {
      method: 'POST',
      ...json({ companyName: 'W', bogus: 1 }, { 'x-netsuite-propertynamevalidation': 'error' }),
    });
    expect(strict.status).toBe(400);
  });

  it('serves sales orders with item sublists, expanded on request', async () => {
    const created = await fetch(`${rec}/salesOrder`, {
      method: 'POST',
      ...json({ entity: { id: '1' }, item: { items: [{ item: { id: '1' }, quantity: 2, rate: 10 }] } }),
    });
    expect(created.status).toBe(204);
    const location = created.headers.get('location') ?? '';
    const plain = (await (await fetch(location, { headers: bearer(token) })).json()) as Record<
      string,
      unknown
    >;
    expect(plain.item).toEqual({ links: [{ rel: 'self', href: `${location}/item` }] });
    expect(plain.total).toBe(20);
    const expanded = (await (
      await fetch(`${location}?expandSubResources=true`, { headers: bearer(token) })
    ).json()) as { item: { items: Array<Record<string, unknown>> } };
    expect(expanded.item.items[0]).toMatchObject({ line: 1, quantity: 2, rate: 10, amount: 20 });
    await fetch(location, {
      method: 'PATCH',
      ...json({ item: { items: [{ item: { id: '2' }, quantity: 1, rate: 5 }] } }),
    });
    const merged = (await (await fetch(`${location}/item`, { headers: bearer(token) })).json()) as {
      items: unknown[];
    };
    expect(merged.items).toHaveLength(2);
    await fetch(`${location}?replace=item`, {
      method: 'PATCH',
      ...json({ item: { items: [{ item: { id: '3' }, quantity: 1, rate: 1 }] } }),
    });
    const replaced = (await (await fetch(`${location}/item`, { headers: bearer(token) })).json()) as {
      items: unknown[];
    };
    expect(replaced.items).toHaveLength(1);
  });

  it('serves enum fields as { id, refName }, or bare ids with simpleEnumFormat', async () => {
    const so = (await (await fetch(`${rec}/salesOrder/1`, { headers: bearer(token) })).json()) as Record<
      string,
      unknown
    >;
    expect(so.status).toEqual({ id: 'B', refName: 'Pending Fulfillment' });
    const simple = (await (
      await fetch(`${rec}/salesOrder/1?simpleEnumFormat=true`, { headers: bearer(token) })
    ).json()) as Record<string, unknown>;
    expect(simple.status).toBe('B');
    expect(
      (await fetch(`${rec}/salesOrder/2`, { method: 'PATCH', ...json({ status: { refName: 'Billed' } }) }))
        .status,
    ).toBe(204);
    const billed = (await (await fetch(`${rec}/salesOrder/2`, { headers: bearer(token) })).json()) as Record<
      string,
      unknown
    >;
    expect(billed.status).toEqual({ id: 'G', refName: 'Billed' });
    expect(
      (await fetch(`${rec}/salesOrder/2`, { method: 'PATCH', ...json({ status: { id: 'Z' } }) })).status,
    ).toBe(400);
    const q = (await (
      await fetch(`${rec}/salesOrder?q=${encodeURIComponent('status ANY_OF [G]')}`, {
        headers: bearer(token),
      })
    ).json()) as { items: Array<{ id: string }> };
    expect(q.items.map((i) => i.id)).toEqual(['2']);
  });

  it('transforms a sales order into an invoice', async () => {
    const res = await fetch(`${rec}/salesOrder/1/!transform/invoice`, {
      method: 'POST',
      ...json({ memo: 'from SO' }),
    });
    expect(res.status).toBe(204);
    const invoice = (await (
      await fetch(res.headers.get('location') ?? '', { headers: bearer(token) })
    ).json()) as Record<string, unknown>;
    expect(invoice).toMatchObject({ memo: 'from SO', createdFrom: { id: '1' } });
    const invoiceUrl = res.headers.get('location') ?? '';
    expect((await fetch(`${invoiceUrl}/!transform/customer`, { method: 'POST', ...json({}) })).status).toBe(
      400,
    );
  });

  it('runs Prefer: respond-async jobs and refuses a repeated idempotency key', async () => {
    const key = crypto.randomUUID();
    const res = await fetch(`${rec}/customer`, {
      method: 'POST',
      ...json({ companyName: 'Async Co' }, { prefer: 'respond-async', 'x-netsuite-idempotency-key': key }),
    });
    expect(res.status).toBe(202);
    expect(res.headers.get('preference-applied')).toBe('respond-async');
    const jobUrl = res.headers.get('location') ?? '';
    const job = (await (await fetch(jobUrl, { headers: bearer(token) })).json()) as Record<string, unknown>;
    expect(job).toMatchObject({ completed: true, progress: 'succeeded' });
    const tasks = (await (await fetch(`${jobUrl}/task`, { headers: bearer(token) })).json()) as {
      items: Array<{ links: Array<{ href: string }> }>;
    };
    const taskUrl = tasks.items[0]?.links[0]?.href ?? '';
    expect(
      ((await (await fetch(taskUrl, { headers: bearer(token) })).json()) as Record<string, unknown>).progress,
    ).toBe('succeeded');
    const result = await fetch(`${taskUrl}/result`, { headers: bearer(token) });
    expect(result.status).toBe(204);
    expect(result.headers.get('location')).toMatch(/\/customer\/\d+$/);
    const again = await fetch(`${rec}/customer`, {
      method: 'POST',
      ...json({ companyName: 'Async Co' }, { prefer: 'respond-async', 'x-netsuite-idempotency-key': key }),
    });
    expect(again.status).toBe(400);
    expect(again.headers.get('location')).toBe(jobUrl);
    expect(JSON.stringify(await again.json())).toContain('IDEMPOTENCY_ERROR');
  });

  it('serves serverTime on the emulator clock', async () => {
    const target = Date.now() + 30 * 86_400_000;
    await emu.admin.setClock(target);
    try {
      const later = await accessToken(emu, m2m);
      const res = await fetch(`${emu.endpoints.systemUrl}/serverTime`, { headers: bearer(later) });
      const { serverTime } = (await res.json()) as { serverTime: string };
      expect(Math.abs(Date.parse(serverTime) - target)).toBeLessThan(60_000);
      expect(Math.abs(Date.parse(res.headers.get('date') ?? '') - target)).toBeLessThan(60_000);
    } finally {
      await emu.admin.setClock(Date.now());
    }
  });
});

describe('keys, governance limits and pending async jobs', () => {
  it('publishes a JWKS that verifies the access tokens it issues', async () => {
    const { createLocalJWKSet, jwtVerify } = await import('jose');
    const jwks = (await (await fetch(emu.endpoints.keysUrl)).json()) as {
      keys: Array<Record<string, unknown>>;
    };
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', alg: 'ES256' });
    expect(jwks.keys[0]).not.toHaveProperty('d');
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks as never));
    expect(payload).toMatchObject({
      sub: expect.stringMatching(/^1000;\d+$/),
      scope: ['rest_webservices', 'restlets'],
    });
    expect(payload.exp! - payload.iat!).toBe(3600);
  });

  it('reports governance limits', async () => {
    const res = await fetch(`${emu.endpoints.systemUrl}/governanceLimits`, { headers: bearer(token) });
    expect(await res.json()).toMatchObject({
      accountConcurrencyLimit: 5,
      integrationLimitType: 'accountLimit',
    });
  });

  it('keeps async jobs pending until the emulator clock passes asyncJobDelayMs', async () => {
    const slow = await startEmulator({ port: 0, seed: { customers: 1 }, asyncJobDelayMs: 60_000 });
    try {
      const t = await accessToken(slow, await setupM2M(slow));
      const res = await fetch(`${slow.endpoints.recordUrl}/customer/1`, {
        method: 'DELETE',
        headers: { ...bearer(t), prefer: 'respond-async' },
      });
      const jobUrl = res.headers.get('location') ?? '';
      expect(
        ((await (await fetch(jobUrl, { headers: bearer(t) })).json()) as Record<string, unknown>).progress,
      ).toBe('pending');
      expect((await fetch(`${jobUrl}/task/1/result`, { headers: bearer(t) })).status).toBe(400);
      await slow.admin.advanceClock(61_000);
      expect(
        ((await (await fetch(jobUrl, { headers: bearer(t) })).json()) as Record<string, unknown>).completed,
      ).toBe(true);
      expect((await fetch(`${jobUrl}/task/1/result`, { headers: bearer(t) })).status).toBe(204);
      expect((await fetch(`${slow.endpoints.asyncUrl}/job/999`, { headers: bearer(t) })).status).toBe(404);
    } finally {
      await slow.close();
    }
  });
});
