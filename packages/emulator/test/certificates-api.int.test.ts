import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, generateTestCertificate, startEmulator } from '../src/index.js';
import { accessToken, bearer, cachedCertificate, clientCredentialsToken, setupM2M } from './helpers.js';

let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, seed: false });
});
afterAll(async () => {
  await emu.close();
});

const base = (clientId: string) => `${emu.url}/services/rest/auth/oauth2/v1/clients/${clientId}/certificates`;

async function upload(clientId: string, token: string, body: unknown, contentType = 'application/json') {
  const res = await fetch(base(clientId), {
    method: 'POST',
    headers: { ...bearer(token), 'content-type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  // biome-ignore lint/suspicious/noExplicitAny: the answers' shapes are UNCONFIRMED; read field by field
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

describe('the certificates endpoint follows article_0209112025', () => {
  it("G: a raw fetch posting exactly Oracle's documented body is accepted, and the new kid gets a token", async () => {
    const m2m = await setupM2M(emu);
    const token = await accessToken(emu, m2m);
    const cert = generateTestCertificate({ keyType: 'ec-p384', now: () => emu.admin.now() });
    // Exactly the documented body: fileContent (the PEM), role and entity, nothing else.
    const res = await fetch(base(m2m.clientId), {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ fileContent: cert.certificatePem, role: 3, entity: -5 }),
    });
    expect(res.status).toBe(200);
    const created = (await res.json()) as {
      certificate_id: string;
      status: string;
      role: string;
      entity: string;
    };
    expect(created).toMatchObject({ status: 'ACTIVE', role: '3', entity: '-5' });
    const tokenRes = await clientCredentialsToken(
      emu,
      {
        ...m2m,
        certificateId: created.certificate_id,
        privateKeyPem: cert.privateKeyPem,
        algorithm: 'ES384',
      },
      { claims: { scope: ['rest_webservices'] } },
    );
    expect(tokenRes.status).toBe(200);
  });

  it('refuses the old `certificate` field, a missing role or entity, and a non-JSON body', async () => {
    const m2m = await setupM2M(emu);
    const token = await accessToken(emu, m2m);
    const pem = generateTestCertificate().certificatePem;
    const legacy = await upload(m2m.clientId, token, { certificate: pem });
    expect(legacy.status).toBe(400);
    expect(JSON.stringify(legacy.body)).toContain('fileContent');
    expect((await upload(m2m.clientId, token, { fileContent: pem, entity: 5 })).status).toBe(400);
    expect((await upload(m2m.clientId, token, { fileContent: pem, role: 3, entity: 'x' })).status).toBe(400);
    expect((await upload(m2m.clientId, token, pem, 'text/plain')).status).toBe(415);
    expect((await upload(m2m.clientId, token, '{nope')).status).toBe(400);
    const listed = (await (await fetch(base(m2m.clientId), { headers: bearer(token) })).json()) as {
      items: unknown[];
    };
    expect(listed.items).toHaveLength(1);
  });

  it('enforces one mapping per certificate and at most 5 active per integration', async () => {
    const m2m = await setupM2M(emu);
    const token = await accessToken(emu, m2m);
    const rsa3072 = cachedCertificate('rsa-3072');
    const first = await upload(m2m.clientId, token, {
      fileContent: rsa3072.certificatePem,
      role: 3,
      entity: 7,
    });
    expect(first.status).toBe(200);
    // The same certificate for another role or entity is a second mapping: refused.
    const again = await upload(m2m.clientId, token, {
      fileContent: rsa3072.certificatePem,
      role: 4,
      entity: 8,
    });
    expect(again.status).toBe(400);
    expect(again.body['o:errorDetails'][0]['o:errorCode']).toBe('DUPLICATE_CERTIFICATE');
    const ids: string[] = [m2m.certificateId, first.body.certificate_id];
    for (let i = 0; i < 3; i += 1) {
      const res = await upload(m2m.clientId, token, {
        fileContent: generateTestCertificate().certificatePem,
        role: 3,
        entity: 10 + i,
      });
      expect(res.status).toBe(200);
      ids.push(res.body.certificate_id);
    }
    const sixth = await upload(m2m.clientId, token, {
      fileContent: generateTestCertificate().certificatePem,
      role: 3,
      entity: 99,
    });
    expect(sixth.status).toBe(400);
    expect(sixth.body['o:errorDetails'][0]['o:errorCode']).toBe('CERTIFICATE_LIMIT_EXCEEDED');
    // A revoked one no longer counts.
    const revoked = await fetch(`${base(m2m.clientId)}/${ids[1]}/revoke`, {
      method: 'POST',
      headers: bearer(token),
    });
    expect(revoked.status).toBe(200);
    expect(((await revoked.json()) as { status: string }).status).toBe('REVOKED');
    const retry = await upload(m2m.clientId, token, {
      fileContent: generateTestCertificate().certificatePem,
      role: 3,
      entity: 99,
    });
    expect(retry.status).toBe(200);
  });

  it('caps validity at two years: a 10-year certificate lists and expires two years after notBefore', async () => {
    const m2m = await setupM2M(emu);
    const token = await accessToken(emu, m2m);
    const long = generateTestCertificate({ validityDays: 3650, now: () => emu.admin.now() });
    const res = await upload(m2m.clientId, token, { fileContent: long.certificatePem, role: 3, entity: 1 });
    expect(res.status).toBe(200);
    const days = (Date.parse(res.body.valid_until) - Date.parse(res.body.valid_from)) / 86_400_000;
    expect(days).toBe(730);
  });

  it('refuses a role without "Manage own OAuth 2.0 Client Credentials certificates" (403)', async () => {
    const own = await startEmulator({ port: 0, seed: false });
    try {
      const m2m = await setupM2M(own);
      const token = await accessToken(own, m2m);
      const url = `${own.url}/services/rest/auth/oauth2/v1/clients/${m2m.clientId}/certificates`;
      await own.admin.setRolePermissions(1000, { manageOwnCertificates: false });
      const refused = await fetch(url, { headers: bearer(token) });
      expect(refused.status).toBe(403);
      await own.admin.setRolePermissions(1000, { manageOwnCertificates: true });
      expect((await fetch(url, { headers: bearer(token) })).status).toBe(200);
      await expect(own.admin.setRolePermissions(1000, {} as never)).rejects.toMatchObject({
        code: 'ERR_EMULATOR_INVALID_OPTION',
      });
    } finally {
      await own.close();
    }
  });

  it('a sandbox refresh (admin HTTP) wipes every mapping: the old kid stops working', async () => {
    const own = await startEmulator({ port: 0, seed: false });
    try {
      const m2m = await setupM2M(own);
      expect((await clientCredentialsToken(own, m2m)).status).toBe(200);
      const res = await fetch(`${own.url}/_emulator/sandbox-refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(await res.json()).toEqual({ certificatesWiped: 1 });
      expect(await own.admin.listCertificates(m2m.clientId)).toEqual([]);
      expect((await clientCredentialsToken(own, m2m)).status).toBe(400);
    } finally {
      await own.close();
    }
  });

  it('role permissions are settable over the admin HTTP API', async () => {
    const res = await fetch(`${emu.url}/_emulator/roles/1000/permissions`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ manageOwnCertificates: true }),
    });
    expect(res.status).toBe(200);
    const bad = await fetch(`${emu.url}/_emulator/roles/x/permissions`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(bad.status).toBe(404);
  });
});
