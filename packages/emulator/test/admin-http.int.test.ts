import { createPrivateKey, randomUUID, sign } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, generateTestCertificate, startEmulator } from '../src/index.js';
import { accessToken, bearer, setupM2M } from './helpers.js';

let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, seed: { customers: 3 } });
});
afterAll(async () => {
  await emu.close();
});

async function admin(method: string, path: string, body?: unknown) {
  const res = await fetch(`${emu.url}/_emulator${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  // biome-ignore lint/suspicious/noExplicitAny: loosely typed JSON answers of the admin API, read field by field
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('an outside client (plain fetch + node:crypto, HTTP admin API only)', () => {
  it.each(['ec-p256', 'rsa-3072'])(
    'sets up an integration and gets a token with a %s key',
    async (keyType) => {
      const integration = await admin('POST', '/integrations', {
        name: 'outside',
        scopes: ['rest_webservices'],
      });
      expect(integration.status).toBe(201);
      const cert = await admin('POST', '/test-certificates', { keyType });
      const mapped = await admin('POST', '/certificates', {
        clientId: integration.body.clientId,
        certificatePem: cert.body.certificatePem,
      });
      expect(mapped.status).toBe(201);
      const now = Math.floor(Date.now() / 1000);
      const alg = keyType === 'ec-p256' ? 'ES256' : 'PS256';
      const input = `${b64url({ typ: 'JWT', alg, kid: mapped.body.certificateId })}.${b64url({
        iss: integration.body.clientId,
        scope: ['rest_webservices'],
        aud: `${emu.url}/services/rest/auth/oauth2/v1/token`,
        iat: now,
        exp: now + 300,
        jti: randomUUID(),
      })}`;
      const key = createPrivateKey(cert.body.privateKeyPem);
      const signature =
        alg === 'ES256'
          ? sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' })
          : sign('sha256', Buffer.from(input), {
              key,
              padding: 6 /* RSA_PKCS1_PSS_PADDING */,
              saltLength: 32,
            });
      const tokenRes = await fetch(`${emu.url}/services/rest/auth/oauth2/v1/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: `${input}.${signature.toString('base64url')}`,
        }),
      });
      expect(tokenRes.status).toBe(200);
      const { access_token } = (await tokenRes.json()) as { access_token: string };
      const customers = await fetch(`${emu.url}/services/rest/record/v1/customer?limit=1`, {
        headers: { authorization: `Bearer ${access_token}` },
      });
      expect(customers.status).toBe(200);
    },
  );
});

describe('HTTP admin API', () => {
  it('describes itself, seeds records, deploys a static RESTlet, moves the clock and resets', async () => {
    const info = await admin('GET', '');
    expect(info.body).toMatchObject({
      url: emu.url,
      accountId: '1234567_SB1',
      defaultUser: { email: 'admin@example.com' },
    });
    const seeded = await admin('POST', '/records/customer', {
      records: [{ companyName: 'Seeded A' }, { companyName: 'Seeded B' }],
    });
    expect(seeded.body.ids).toHaveLength(2);
    const m2m = await setupM2M(emu);
    const token = await accessToken(emu, m2m);
    const got = (await (
      await fetch(`${emu.endpoints.recordUrl}/customer/${seeded.body.ids[0]}`, { headers: bearer(token) })
    ).json()) as Record<string, unknown>;
    expect(got.companyName).toBe('Seeded A');
    const deployed = await admin('POST', '/restlets', {
      scriptId: 'customscript_static',
      deployId: 'customdeploy_1',
      response: { ok: true },
      methods: ['get'],
    });
    const restlet = await fetch(deployed.body.url, {
      headers: { ...bearer(token), 'content-type': 'application/json' },
    });
    expect(await restlet.json()).toEqual({ ok: true });
    const clock = await admin('POST', '/clock', { advanceMs: 60_000 });
    expect(clock.body.now).toBeGreaterThan(Date.now() + 50_000);
    await admin('POST', '/clock', { epochMs: Date.now() });
    expect((await admin('PUT', '/concurrency', { limit: 3 })).status).toBe(200);
    expect((await admin('PUT', '/latency', { route: 'record', ms: 0 })).status).toBe(200);
    expect((await admin('POST', '/faults', { route: 'record', status: 500 })).status).toBe(201);
    expect((await admin('DELETE', '/faults')).status).toBe(200);
    const counters = await admin('GET', '/counters');
    expect(counters.body.restlet).toBeGreaterThan(0);
    const log = await admin('GET', '/requests');
    expect(log.body.items.some((e: { route: string }) => e.route === 'restlet')).toBe(true);
    expect(JSON.stringify(log.body)).not.toContain(token);
    expect((await admin('POST', '/reset')).status).toBe(200);
    expect((await fetch(`${emu.endpoints.recordUrl}/customer/1`, { headers: bearer(token) })).status).toBe(
      401,
    );
    // Only the refused request made after the reset is counted.
    expect((await admin('GET', '/counters')).body.record).toBe(1);
    expect((await admin('GET', '')).body.defaultUser.email).toBe('admin@example.com');
  });

  it.each([
    ['an unknown route', 'GET', '/nope', undefined, 404, 'ERR_EMULATOR_NOT_FOUND'],
    ['malformed JSON', 'POST', '/integrations', '{', 400, 'ERR_EMULATOR_INVALID_OPTION'],
    [
      'a bad grant list',
      'POST',
      '/integrations',
      { grants: ['password'] },
      400,
      'ERR_EMULATOR_INVALID_OPTION',
    ],
    [
      'a public client with client_credentials',
      'POST',
      '/integrations',
      { confidential: false, grants: ['client_credentials'] },
      400,
      'ERR_EMULATOR_INVALID_OPTION',
    ],
    [
      'an http redirect URI off loopback',
      'POST',
      '/integrations',
      { redirectUris: ['http://example.com/cb'] },
      400,
      'ERR_EMULATOR_INVALID_OPTION',
    ],
    [
      'a javascript: redirect URI',
      'POST',
      '/integrations',
      { redirectUris: ['javascript:alert(1)'] },
      400,
      'ERR_EMULATOR_INVALID_OPTION',
    ],
    [
      'a certificate for an unknown client',
      'POST',
      '/certificates',
      { clientId: 'x', certificatePem: 'y' },
      400,
      'ERR_EMULATOR_UNKNOWN_CLIENT',
    ],
    [
      'revoking an unknown certificate',
      'DELETE',
      '/certificates/nope',
      undefined,
      400,
      'ERR_EMULATOR_UNKNOWN_CERTIFICATE',
    ],
    [
      'an unknown record type',
      'POST',
      '/records/spaceship',
      { records: [] },
      400,
      'ERR_EMULATOR_UNKNOWN_RECORD_TYPE',
    ],
    [
      'an invalid record',
      'POST',
      '/records/customer',
      { records: [{ companyName: 5 }] },
      400,
      'ERR_EMULATOR_INVALID_RECORD',
    ],
    [
      'a duplicate user',
      'POST',
      '/users',
      { email: 'admin@example.com', password: 'x' },
      400,
      'ERR_EMULATOR_DUPLICATE_USER',
    ],
    ['a bad concurrency limit', 'PUT', '/concurrency', { limit: 0 }, 400, 'ERR_EMULATOR_INVALID_OPTION'],
    [
      'a fault on an unknown route',
      'POST',
      '/faults',
      { route: 'nope', status: 500 },
      400,
      'ERR_EMULATOR_INVALID_OPTION',
    ],
    ['a fault that does nothing', 'POST', '/faults', { route: 'record' }, 400, 'ERR_EMULATOR_INVALID_OPTION'],
    ['a bad clock', 'POST', '/clock', { advanceMs: 'soon' }, 400, 'ERR_EMULATOR_INVALID_OPTION'],
  ])('answers %s with a typed error', async (_name, method, path, body, status, code) => {
    const res = await fetch(`${emu.url}/_emulator${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
  });

  it('enforces at most 5 active certificates and refuses a 2048-bit RSA certificate', async () => {
    const integration = await emu.admin.createIntegration();
    for (let i = 0; i < 5; i++) {
      const cert = await admin('POST', '/test-certificates', {});
      expect(
        (
          await admin('POST', '/certificates', {
            clientId: integration.clientId,
            certificatePem: cert.body.certificatePem,
          })
        ).status,
      ).toBe(201);
    }
    const sixth = await admin('POST', '/test-certificates', {});
    const res = await admin('POST', '/certificates', {
      clientId: integration.clientId,
      certificatePem: sixth.body.certificatePem,
    });
    expect(res.body.error.code).toBe('ERR_EMULATOR_CERTIFICATE_LIMIT');
  });

  it('requires the admin token when one is configured', async () => {
    const locked = await startEmulator({ port: 0, seed: false, adminToken: 'secret-admin-token' });
    try {
      expect((await fetch(`${locked.url}/_emulator/counters`)).status).toBe(401);
      const ok = await fetch(`${locked.url}/_emulator/counters`, {
        headers: { 'x-emulator-admin-token': 'secret-admin-token' },
      });
      expect(ok.status).toBe(200);
    } finally {
      await locked.close();
    }
  });
});

describe("NetSuite's certificate rotation endpoint", () => {
  it("lists, creates and revokes the caller's own certificates", async () => {
    const m2m = await setupM2M(emu);
    const token = await accessToken(emu, m2m);
    const base = `${emu.url}/services/rest/auth/oauth2/v1/clients/${m2m.clientId}/certificates`;
    const list = (await (await fetch(base, { headers: bearer(token) })).json()) as {
      items: Array<{ certificate_id: string; status: string }>;
    };
    expect(list.items.map((c) => c.certificate_id)).toEqual([m2m.certificateId]);
    const cert = await admin('POST', '/test-certificates', {});
    const created = await fetch(base, {
      method: 'POST',
      headers: { ...bearer(token), 'content-type': 'application/json' },
      body: JSON.stringify({ fileContent: cert.body.certificatePem, role: 1000, entity: -5 }),
    });
    expect(created.status).toBe(200);
    const { certificate_id } = (await created.json()) as { certificate_id: string };
    expect(certificate_id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const revoked = await fetch(`${base}/${certificate_id}/revoke`, {
      method: 'POST',
      headers: bearer(token),
    });
    expect(revoked.status).toBe(200);
    const other = await emu.admin.createIntegration();
    const foreign = await fetch(
      `${emu.url}/services/rest/auth/oauth2/v1/clients/${other.clientId}/certificates`,
      { headers: bearer(token) },
    );
    expect(foreign.status).toBe(403);
    const bad = await fetch(base, {
      method: 'POST',
      headers: { ...bearer(token), 'content-type': 'application/json' },
      body: JSON.stringify({ fileContent: 'nope', role: 1000, entity: -5 }),
    });
    expect(bad.status).toBe(400);
  });
});

describe('certificate status follows the emulator clock', () => {
  it('lists a certificate as EXPIRED once advanceClock passes its notAfter', async () => {
    const own = await startEmulator({ port: 0, seed: false });
    try {
      const m2m = await setupM2M(own);
      const short = generateTestCertificate({ validityDays: 1, now: () => own.admin.now() });
      const { certificateId } = await own.admin.addCertificate({
        clientId: m2m.clientId,
        certificatePem: short.certificatePem,
      });
      const base = `${own.url}/services/rest/auth/oauth2/v1/clients/${m2m.clientId}/certificates`;
      const statusOf = async () => {
        const token = await accessToken(own, m2m);
        const list = (await (await fetch(base, { headers: bearer(token) })).json()) as {
          items: Array<{ certificate_id: string; status: string }>;
        };
        return Object.fromEntries(list.items.map((c) => [c.certificate_id, c.status]));
      };
      expect(await statusOf()).toEqual({ [m2m.certificateId]: 'ACTIVE', [certificateId]: 'ACTIVE' });
      await own.admin.advanceClock(2 * 24 * 3_600_000);
      expect(await statusOf()).toEqual({ [m2m.certificateId]: 'ACTIVE', [certificateId]: 'EXPIRED' });
    } finally {
      await own.close();
    }
  });
});

describe('bad input never crashes the server', () => {
  const raw = (payload: string) =>
    new Promise<string>((resolve) => {
      const socket = connect(emu.port, '127.0.0.1', () => socket.end(payload));
      let data = '';
      socket.on('data', (chunk) => {
        data += chunk.toString();
      });
      socket.on('close', () => resolve(data));
      socket.on('error', () => resolve(data));
    });

  it.each([
    ['a garbage request line', 'NOT HTTP AT ALL\r\n\r\n'],
    ['a bad header', 'GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n'],
    [
      'a bad percent-encoding in the path',
      'GET /services/rest/record/v1/customer/%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    ],
    [
      'a huge Content-Length',
      'POST /services/rest/auth/oauth2/v1/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 999999999999\r\nConnection: close\r\n\r\n',
    ],
  ])('survives %s', async (_name, payload) => {
    const answer = await raw(payload);
    expect(answer).toMatch(/^HTTP\/1\.1 [45]\d\d /);
    expect((await fetch(`${emu.url}/_emulator`)).status).toBe(200);
  });

  it('treats an absolute-form URL as its path only', async () => {
    const answer = await raw(
      'GET http://evil.example.com/_emulator HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
    );
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(answer).toContain(emu.url);
  });

  it('answers unknown paths with a NetSuite-shaped 404 and an odd Host with 404', async () => {
    const res = await fetch(`${emu.url}/services/rest/nothing`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as Record<string, unknown>)['o:errorDetails']).toBeDefined();
  });
});

/** A raw request with any Host header (fetch does not let a caller set Host). */
function rawAdmin(
  target: Emulator,
  method: string,
  path: string,
  headers: Record<string, string>,
  body = '',
): Promise<{ status: number; code: string | undefined }> {
  const url = new URL(`${target.url}/_emulator${path}`);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port: url.port, path: url.pathname, method, headers },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => {
          let code: string | undefined;
          try {
            code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
          } catch {
            code = undefined;
          }
          resolve({ status: res.statusCode ?? 0, code });
        });
      },
    );
    req.once('error', reject);
    req.end(body);
  });
}

describe('requests a web page could send are refused', () => {
  it('takes changes only as application/json: a cross-site text/plain or form POST resets nothing', async () => {
    const target = await startEmulator({ port: 0, seed: false });
    try {
      const { clientId } = await target.admin.createIntegration({ name: 'kept' });
      const host = new URL(target.url).host;
      for (const [path, type, body] of [
        ['/reset', 'text/plain', '{}'],
        ['/reset', 'text/plain', ''],
        ['/reset', 'application/x-www-form-urlencoded', 'a=b'],
        ['/reset', 'multipart/form-data; boundary=x', '--x--'],
        ['/integrations', 'text/plain', '{"name":"planted"}'],
      ] as const) {
        const answer = await rawAdmin(target, 'POST', path, { host, 'content-type': type }, body);
        expect(answer, `${path} ${type}`).toEqual({ status: 415, code: 'ERR_EMULATOR_INVALID_OPTION' });
      }
      const noType = await rawAdmin(target, 'DELETE', '/faults', { host });
      expect(noType.status).toBe(415);
      // Nothing was reset: the integration made before is still known.
      await expect(target.admin.updateIntegration(clientId, { name: 'still here' })).resolves.toBeDefined();
      expect(
        (await rawAdmin(target, 'POST', '/reset', { host, 'content-type': 'application/json' })).status,
      ).toBe(200);
      await expect(target.admin.updateIntegration(clientId, { name: 'gone' })).rejects.toMatchObject({
        code: 'ERR_EMULATOR_UNKNOWN_CLIENT',
      });
    } finally {
      await target.close();
    }
  });

  it('answers only a loopback Host without a token (DNS rebinding), any Host with the token', async () => {
    const open = await startEmulator({ port: 0, seed: false });
    const token = 't'.repeat(32);
    const locked = await startEmulator({ port: 0, seed: false, adminToken: token });
    try {
      const port = new URL(open.url).port;
      for (const host of [
        `rebind.evil.example:${port}`,
        `10.0.0.8:${port}`,
        `127.0.0.1.evil.example:${port}`,
      ]) {
        expect(await rawAdmin(open, 'GET', '/counters', { host })).toEqual({
          status: 403,
          code: 'ERR_EMULATOR_ADMIN_HOST',
        });
        expect(
          await rawAdmin(open, 'POST', '/reset', { host, 'content-type': 'application/json' }),
        ).toMatchObject({ status: 403 });
      }
      for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]) {
        expect((await rawAdmin(open, 'GET', '/counters', { host })).status, host).toBe(200);
      }
      const lockedPort = new URL(locked.url).port;
      const remote = `emulator.internal:${lockedPort}`;
      expect((await rawAdmin(locked, 'GET', '/counters', { host: remote })).status).toBe(401);
      expect(
        (await rawAdmin(locked, 'GET', '/counters', { host: remote, 'x-emulator-admin-token': token }))
          .status,
      ).toBe(200);
    } finally {
      await open.close();
      await locked.close();
    }
  });
});
