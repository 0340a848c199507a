import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.js';
import { accessToken, bearer, type M2M, setupM2M } from './helpers.js';

let emu: Emulator;
let m2m: M2M;
let token: string;
let echo: string;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, seed: { customers: 3 } });
  m2m = await setupM2M(emu);
  token = await accessToken(emu, m2m);
  echo = `${emu.endpoints.restletUrl}?script=customscript_echo&deploy=customdeploy_echo`;
});
afterAll(async () => {
  await emu.close();
});

describe('RESTlets', () => {
  it('echoes a JSON POST with JSON back', async () => {
    const res = await fetch(`${echo}&x=1`, {
      method: 'POST',
      headers: { ...bearer(token), 'content-type': 'application/json' },
      body: JSON.stringify({ hello: 'world' }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(await res.json()).toMatchObject({
      method: 'POST',
      params: { x: '1' },
      body: { hello: 'world' },
      auth: { clientId: m2m.clientId, roleId: 1000 },
    });
  });

  it('answers a GET without a body as text/plain', async () => {
    const res = await fetch(`${echo}&q=a`, { headers: bearer(token) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(JSON.parse(await res.text())).toMatchObject({ method: 'GET', params: { q: 'a' }, body: null });
  });

  it("runs deployed handlers and turns a thrown error into NetSuite's error body", async () => {
    const { url } = await emu.admin.deployRestlet({
      scriptId: 'customscript_calc',
      deployId: 'customdeploy_1',
      handlers: {
        post: (req) => ({
          sum: (req.body as { a: number; b: number }).a + (req.body as { a: number; b: number }).b,
        }),
        get: () => {
          const error = new Error('record not found');
          error.name = 'RCRD_DSNT_EXIST';
          throw error;
        },
      },
    });
    const ok = await fetch(url, {
      method: 'POST',
      headers: { ...bearer(token), 'content-type': 'application/json' },
      body: '{"a":2,"b":3}',
    });
    expect(await ok.json()).toEqual({ sum: 5 });
    const failed = await fetch(url, { headers: { ...bearer(token), 'content-type': 'application/json' } });
    expect(failed.status).toBe(400);
    expect(await failed.json()).toEqual({ error: { code: 'RCRD_DSNT_EXIST', message: 'record not found' } });
    const missing = await fetch(url, { method: 'DELETE', headers: bearer(token) });
    expect(missing.status).toBe(405);
    const xml = await fetch(url, {
      method: 'PUT',
      headers: { ...bearer(token), 'content-type': 'application/xml' },
      body: '<a/>',
    });
    expect(xml.status).toBe(405);
    expect(await xml.text()).toMatch(/^<error><code>/);
  });

  it.each([
    [
      'an unknown script',
      '?script=customscript_nope&deploy=customdeploy_nope',
      { method: 'GET' },
      400,
      'SSS_INVALID_SCRIPTLET_ID',
    ],
    [
      'a body without Content-Type',
      '',
      { method: 'POST', body: new Uint8Array([104, 105]) },
      415,
      'INVALID_CONTENT_TYPE',
    ],
    [
      'an unsupported Content-Type',
      '',
      { method: 'POST', body: 'hi', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      415,
      'INVALID_CONTENT_TYPE',
    ],
    [
      'a DELETE with a body',
      '',
      { method: 'DELETE', body: '{}', headers: { 'content-type': 'application/json' } },
      400,
      'INVALID_REQUEST',
    ],
    [
      'malformed JSON',
      '',
      { method: 'POST', body: '{', headers: { 'content-type': 'application/json' } },
      400,
      'SYNTAX_ERROR',
    ],
    ['PATCH', '', { method: 'PATCH' }, 405, 'INVALID_REQUEST'],
  ])('refuses %s', async (_name, query, init, status, code) => {
    const url = query ? `${emu.endpoints.restletUrl}${query}` : echo;
    const { headers, method, body } = init as {
      headers?: Record<string, string>;
      method: string;
      body?: string | Uint8Array;
    };
    const res = await fetch(url, {
      method,
      headers: { ...bearer(token), ...headers },
      ...(body === undefined ? {} : { body }),
    });
    expect(res.status).toBe(status);
    expect(await res.text()).toContain(code);
  });

  it('answers INVALID_RETURN_DATA_FORMAT for a result that cannot be serialised', async () => {
    const { url } = await emu.admin.deployRestlet({
      scriptId: 'customscript_circular',
      deployId: 'customdeploy_1',
      handlers: {
        get: () => {
          const value: Record<string, unknown> = {};
          value.self = value;
          return value;
        },
      },
    });
    const res = await fetch(url, { headers: bearer(token) });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('INVALID_RETURN_DATA_FORMAT');
  });

  it('refuses a GET with a body (400)', async () => {
    const url = new URL(echo);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: `${url.pathname}${url.search}`,
          method: 'GET',
          headers: { ...bearer(token), 'content-type': 'application/json' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end('{"a":1}');
    });
    expect(status).toBe(400);
  });

  it('needs the restlets scope and a valid token (INVALID_LOGIN_ATTEMPT)', async () => {
    const restOnly = await accessToken(emu, m2m, ['rest_webservices']);
    const res = await fetch(echo, { headers: bearer(restOnly) });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      error: { code: 'INVALID_LOGIN_ATTEMPT', message: 'Invalid login attempt.' },
    });
    expect((await fetch(echo)).status).toBe(401);
  });
});

describe('governance', () => {
  it('shares one concurrency limit: REST gets 429, RESTlets 400 SSS_REQUEST_LIMIT_EXCEEDED', async () => {
    await emu.admin.setConcurrencyLimit(2);
    await emu.admin.setLatency({ route: '*', ms: 1_000 });
    try {
      const requests = [
        fetch(`${emu.endpoints.recordUrl}/customer/1`, { headers: bearer(token) }),
        fetch(echo, { headers: bearer(token) }),
      ];
      // both hold their slot (however slow the machine) before the third and fourth arrive
      await vi.waitFor(async () => expect((await emu.admin.counters()).inFlight).toBe(2), {
        timeout: 5_000,
        interval: 5,
      });
      const rest = await fetch(`${emu.endpoints.recordUrl}/customer/2`, { headers: bearer(token) });
      const restlet = await fetch(echo, { headers: bearer(token) });
      expect(rest.status).toBe(429);
      const body = (await rest.json()) as Record<string, unknown>;
      expect(body).toMatchObject({ title: 'Bad Request', status: 429, 'o:errorCode': 'USER_ERROR' });
      expect(JSON.stringify(body)).toContain('CONCURRENCY_LIMIT_EXCEEDED');
      expect(rest.headers.get('retry-after')).toBeNull();
      expect(restlet.status).toBe(400);
      expect(JSON.stringify(await restlet.json())).toContain('SSS_REQUEST_LIMIT_EXCEEDED');
      const done = await Promise.all(requests);
      expect(done.map((r) => r.status)).toEqual([200, 200]);
      const counters = await emu.admin.counters();
      expect(counters.maxInFlight).toBe(2);
      expect(counters.concurrencyRejected).toBe(2);
      expect(counters.inFlight).toBe(0);
    } finally {
      await emu.admin.setLatency({ route: '*', ms: 0 });
      await emu.admin.setConcurrencyLimit(5);
    }
  });

  it('does not count the token endpoint against the limit', async () => {
    await emu.admin.setConcurrencyLimit(1);
    try {
      const results = await Promise.all([accessToken(emu, m2m), accessToken(emu, m2m)]);
      expect(results).toHaveLength(2);
    } finally {
      await emu.admin.setConcurrencyLimit(5);
    }
  });
});

describe('fault injection', () => {
  it('answers the next N requests of a route with a status, then recovers', async () => {
    await emu.admin.injectFault({ route: 'record', count: 2, status: 503 });
    const a = await fetch(`${emu.endpoints.recordUrl}/customer/1`, { headers: bearer(token) });
    const b = await fetch(`${emu.endpoints.recordUrl}/customer/1`, { headers: bearer(token) });
    const c = await fetch(`${emu.endpoints.recordUrl}/customer/1`, { headers: bearer(token) });
    expect([a.status, b.status, c.status]).toEqual([503, 503, 200]);
    expect(JSON.stringify(await a.json())).toContain('UNEXPECTED_ERROR');
  });

  it('sends a custom body, a malformed body, and adds latency', async () => {
    await emu.admin.injectFault({ route: 'token', status: 500, body: { error: 'server_error' } });
    const res = await fetch(emu.endpoints.tokenUrl, { method: 'POST' });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: 'server_error' });
    await emu.admin.injectFault({ route: 'suiteql', malformed: true });
    const bad = await fetch(emu.endpoints.suiteqlUrl, { method: 'POST' });
    expect(bad.status).toBe(200);
    await expect(bad.json()).rejects.toThrow();
    await emu.admin.injectFault({ route: 'system', latencyMs: 30 });
    const slow = await fetch(`${emu.endpoints.systemUrl}/serverTime`, { headers: bearer(token) });
    expect(slow.status).toBe(200);
    const log = await emu.admin.requestLog();
    expect(log.at(-1)?.durationMs).toBeGreaterThanOrEqual(25);
  });

  it('drops the connection', async () => {
    await emu.admin.injectFault({ route: 'restlet', drop: true });
    await expect(fetch(echo, { headers: bearer(token) })).rejects.toThrow();
    expect((await fetch(echo, { headers: bearer(token) })).status).toBe(200);
  });
});
