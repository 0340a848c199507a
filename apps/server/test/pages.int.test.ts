import { request as httpsRequest } from 'node:https';
import { generateCertificate } from '@netsuite-oauth/jwt-assertion';
import { generateEncryptionKey, memoryTokenStore } from '@netsuite-oauth/token-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../src/server.js';
import { Agent, connect, type Harness, startConnect, startHarness } from './helpers.js';

let h: Harness;
let origin: string;

beforeAll(async () => {
  h = await startHarness();
  origin = h.server.url;
});
afterAll(async () => {
  await h?.close();
});

describe('pages over HTTP against the emulator', () => {
  it('lists customers, pages SuiteQL and shows a record', async () => {
    const agent = new Agent(origin);
    await connect(agent);
    const customers = await agent.request('/customers');
    expect(customers.status).toBe(200);
    const ids = [...customers.body.matchAll(/href="\/customers\/(\d+)"/g)].map((m) => m[1]!);
    expect(ids.length).toBeGreaterThan(0);
    const record = await agent.request(`/customers/${ids[0]}`);
    expect(record.status).toBe(200);
    expect(record.body).toContain(`Customer ${ids[0]}`);

    const q = 'SELECT id FROM customer ORDER BY id';
    const consolePage = await agent.request('/suiteql');
    const page0 = await agent.request('/suiteql', { form: { csrf: Agent.csrf(consolePage), q } });
    const page1 = await agent.request('/suiteql', { form: { csrf: Agent.csrf(page0), q, page: '1' } });
    const rowIds = (body: string) => [...body.matchAll(/<tr><td>(\d+)<\/td><\/tr>/g)].map((m) => m[1]);
    expect(rowIds(page0.body)).toHaveLength(10);
    expect(rowIds(page1.body).length).toBeGreaterThan(0);
    expect(rowIds(page1.body)[0]).not.toBe(rowIds(page0.body)[0]);
  });

  it('shows the recent NetSuite calls (route templates, statuses) to a connected user only', async () => {
    const anonymous = await new Agent(origin).request('/calls');
    expect(anonymous.status).toBe(303);
    const agent = new Agent(origin);
    await connect(agent);
    const customers = await agent.request('/customers');
    const id = customers.body.match(/href="\/customers\/(\d+)"/)?.[1] ?? '';
    await agent.request(`/customers/${id}`);
    const calls = await agent.request('/calls');
    expect(calls.status).toBe(200);
    const rows = [...calls.body.matchAll(/<tr><td>[^<]*<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td>/g)].map(
      (m) => [m[1], m[2]],
    );
    // Newest first: the record read, then the SuiteQL page of the list before it.
    expect(rows.slice(0, 2)).toEqual([
      ['GET record/v1/customer/{id}', '200'],
      ['POST query/v1/suiteql', '200'],
    ]);
    expect(calls.body).not.toContain(`/customer/${id}`);
    for (const secret of h.secrets) expect(calls.body).not.toContain(secret);
  });

  it('runs SuiteQL only from a POST with the CSRF token: a cross-site link or form runs nothing', async () => {
    const agent = new Agent(origin);
    await connect(agent);
    const before = (await h.emulator.admin.counters()).suiteql;
    // The link an attacker would send: it shows the console, and runs nothing.
    const link = await agent.request(`/suiteql?q=${encodeURIComponent('SELECT id FROM customer')}`);
    expect(link.status).toBe(200);
    expect(link.body).not.toContain('id="row-count"');
    // A form without the token, and one from another site, are refused.
    const noToken = await agent.request('/suiteql', { form: { q: 'SELECT id FROM customer' } });
    expect(noToken.status).toBe(403);
    const crossSite = await agent.request('/suiteql', {
      form: { csrf: Agent.csrf(link), q: 'SELECT id FROM customer' },
      headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    });
    expect(crossSite.status).toBe(403);
    expect((await h.emulator.admin.counters()).suiteql).toBe(before);
    const ok = await agent.request('/suiteql', {
      form: { csrf: Agent.csrf(link), q: 'SELECT id FROM customer' },
    });
    expect(ok.body).toContain('id="row-count"');
    expect((await h.emulator.admin.counters()).suiteql).toBeGreaterThan(before);
  });

  it('keeps answering /healthz while a runaway SuiteQL query runs in the emulator, then shows its error', async () => {
    const slow = await startHarness({ emulator: { suiteqlTimeoutMs: 1_500 } });
    try {
      const agent = new Agent(slow.server.url);
      await connect(agent);
      const consolePage = await agent.request('/suiteql');
      let running = true;
      let healthy = 0;
      const query = agent
        .request('/suiteql', {
          form: {
            csrf: Agent.csrf(consolePage),
            q: 'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 100000000) SELECT COUNT(*) AS c FROM r',
          },
        })
        .finally(() => {
          running = false;
        });
      const probes = (async () => {
        while (running) {
          if ((await fetch(`${slow.server.url}/healthz`)).ok) healthy += 1;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })();
      const answer = await query;
      await probes;
      expect(healthy).toBeGreaterThan(0);
      expect(answer.status).toBe(400);
      expect(answer.body).toContain('id="query-error"');
      expect(answer.body).toContain('SSS_SEARCH_TIMEOUT');
    } finally {
      await slow.close();
    }
  }, 60_000);

  it('answers bad input with typed error pages (400, 404, 405, 413, 415)', async () => {
    const agent = new Agent(origin);
    await connect(agent);
    const badPage = await agent.request('/customers?page=-1');
    expect(badPage.status).toBe(400);
    expect(badPage.body).toContain('ERR_SERVER_BAD_REQUEST');
    const missing = await agent.request('/customers/999999999');
    expect(missing.status).toBe(404);
    expect(missing.body).toContain('Record not found');
    expect((await agent.request('/no-such-page')).body).toContain('ERR_SERVER_NOT_FOUND');
    expect((await agent.request('/refresh')).body).toContain('ERR_SERVER_METHOD_NOT_ALLOWED');
    const huge = await agent.request('/refresh', { form: { csrf: 'x', pad: 'a'.repeat(20_000) } });
    expect(huge.status).toBe(413);
    expect(huge.body).toContain('ERR_SERVER_BODY_TOO_LARGE');
    const json = await agent.request('/refresh', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
    });
    expect(json.status).toBe(415);
    const badQuery = await agent.request('/suiteql', {
      form: { csrf: Agent.csrf(await agent.request('/suiteql')), q: 'SELECT nope FROM nowhere' },
    });
    expect(badQuery.status).toBe(400);
    expect(badQuery.body).toContain('id="query-error"');
    // No page ever shows a stack trace.
    for (const s of agent.seen) expect(s.body).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
  });

  it('sends the user home to connect again when NetSuite revoked the connection behind its back', async () => {
    const agent = new Agent(origin);
    await connect(agent);
    expect((await agent.request('/dashboard')).status).toBe(200);
    const revoke = await fetch(`${h.emulator.url}/services/rest/auth/oauth2/v1/revoke`, {
      method: 'POST',
      headers: { authorization: h.last.basicAuth!, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: h.last.refreshToken! }).toString(),
    });
    expect(revoke.status).toBe(200);
    const customers = await agent.request('/customers');
    expect(customers.status).toBe(303);
    expect(customers.location).toBe('/');
    const home = await agent.request('/');
    expect(home.body).toContain('connection has ended');
  });

  it('explains that machine to machine is not configured when it is not', async () => {
    const integration = await h.emulator.admin.createIntegration({
      name: 'no m2m',
      redirectUris: ['http://127.0.0.1:1/callback'],
    });
    const bare = await startServer({
      store: memoryTokenStore(),
      port: 0,
      netsuite: {
        accountId: h.emulator.accountId,
        origin: h.emulator.url,
        allowInsecureLoopback: true,
        clientId: integration.clientId,
        clientSecret: integration.clientSecret,
      },
    });
    try {
      const agent = new Agent(bare.url);
      const page = await agent.request('/m2m');
      expect(page.body).toContain('not configured');
      const home = await agent.request('/');
      const post = await agent.request('/m2m', { form: { csrf: Agent.csrf(home) } });
      expect(post.status).toBe(404);
      expect(post.body).toContain('ERR_SERVER_NOT_FOUND');
    } finally {
      await bare.close();
    }
  });

  it('refuses plain http on a public origin and bad options, at start', async () => {
    await expect(
      startServer({ store: memoryTokenStore(), port: 0, publicOrigin: 'http://demo.example.com' }),
    ).rejects.toMatchObject({ code: 'ERR_SERVER_INVALID_OPTION' });
    await expect(startServer({ store: memoryTokenStore(), port: 70_000 })).rejects.toMatchObject({
      code: 'ERR_SERVER_INVALID_OPTION',
    });
    await expect(
      startServer({ store: undefined as unknown as ReturnType<typeof memoryTokenStore> }),
    ).rejects.toMatchObject({ code: 'ERR_SERVER_INVALID_OPTION' });
    await expect(
      startServer({
        store: memoryTokenStore(),
        port: 0,
        netsuite: { accountId: 'not an account!', clientId: 'x', clientSecret: generateEncryptionKey() },
      }),
    ).rejects.toMatchObject({ code: 'ERR_SERVER_INVALID_OPTION' });
  });

  it('refuses plain http on a non-loopback bind unless a TLS proxy is declared in front', async () => {
    // The reviewer's setup: HOST=0.0.0.0 with an http://127.0.0.1 public origin.
    const refused = await startServer({
      store: memoryTokenStore(),
      host: '0.0.0.0',
      port: 0,
      publicOrigin: 'http://127.0.0.1:3000',
    }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'ERR_SERVER_INVALID_OPTION' });
    expect(String((refused as Error).message)).toMatch(/loopback.*behindTlsProxy/);
    // Declaring the proxy needs the https origin it serves.
    await expect(
      startServer({ store: memoryTokenStore(), host: '0.0.0.0', port: 0, behindTlsProxy: true }),
    ).rejects.toMatchObject({ code: 'ERR_SERVER_INVALID_OPTION' });
    const proxied = await startServer({
      store: memoryTokenStore(),
      host: '0.0.0.0',
      port: 0,
      behindTlsProxy: true,
      publicOrigin: 'https://demo.example.com',
    });
    try {
      expect(proxied.url).toBe('https://demo.example.com');
    } finally {
      await proxied.close();
    }
    // Loopback binds keep working over plain http.
    for (const host of ['127.0.0.1', '::1', 'localhost']) {
      const local = await startServer({ store: memoryTokenStore(), host, port: 0 });
      await local.close();
    }
  });

  it('serves https with the given key and certificate, with HSTS', async () => {
    const certificate = await generateCertificate({ keyType: 'ec-p256', commonName: '127.0.0.1' });
    const secure = await startServer({
      store: memoryTokenStore(),
      port: 0,
      tls: { key: certificate.privateKeyPem, cert: certificate.certificatePem },
    });
    try {
      expect(secure.url.startsWith('https://127.0.0.1:')).toBe(true);
      expect(secure.redirectUri).toBe(`${secure.url}/callback`);
      const { status, hsts, cookie } = await new Promise<{ status: number; hsts: string; cookie: string }>(
        (resolve, reject) => {
          // The certificate is self-signed: this one request skips verification (never done in the app).
          const req = httpsRequest(`${secure.url}/`, { rejectUnauthorized: false }, (res) => {
            res.resume();
            resolve({
              status: res.statusCode ?? 0,
              hsts: String(res.headers['strict-transport-security']),
              cookie: String(res.headers['set-cookie']),
            });
          });
          req.on('error', reject);
          req.end();
        },
      );
      expect(status).toBe(200);
      expect(hsts).toBe('max-age=31536000');
      expect(cookie).toMatch(
        /^__Host-nsdemo-login=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=\d+; Secure; HttpOnly; SameSite=Lax$/,
      );
    } finally {
      await secure.close();
    }
  });

  it('a code NetSuite refuses (expired) → 400 page, redeemed once, never retried', async () => {
    const agent = new Agent(origin);
    const { callbackUrl } = await startConnect(agent);
    const before = (await h.emulator.admin.counters()).token;
    await h.emulator.admin.advanceClock(11 * 60 * 1000);
    const response = await agent.request(callbackUrl);
    expect(response.status).toBe(400);
    expect(response.body).toContain('ERR_SERVER_CODE_REJECTED');
    expect((await h.emulator.admin.counters()).token).toBe(before + 1);
  });
});
