import { createServer } from 'node:http';
import { inspect } from 'node:util';
import { type Emulator, generateTestCertificate, startEmulator } from '@netsuite-oauth/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CertificatesApiError, createCertificatesClient, isCertificatesError } from '../src/index.js';
import { account, type Integration, m2mToken, setupIntegration } from './helpers.js';

let emu: Emulator;
let integration: Integration;
let token: string;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, seed: false });
  integration = await setupIntegration(emu);
  token = await m2mToken(emu, integration);
});
afterAll(async () => {
  await emu.close();
});

const client = (extra: Record<string, unknown> = {}) =>
  createCertificatesClient({
    ...account(emu),
    clientId: integration.clientId,
    accessToken: async () => token,
    ...extra,
  });

const codeOf = (e: unknown) => (isCertificatesError(e) ? e.code : e);

describe('createCertificatesClient against the emulator', () => {
  it('lists, uploads (documented body) and revokes', async () => {
    const c = client();
    const before = await c.list();
    expect(before.map((x) => x.certificateId)).toEqual([integration.certificateId]);
    expect(before[0]).toMatchObject({ status: 'ACTIVE', role: '3', entity: '-5' });
    const pem = generateTestCertificate({ now: () => emu.admin.now() }).certificatePem;
    const created = await c.upload({ certificatePem: pem, role: 3, entity: '-5' });
    expect(created.status).toBe('ACTIVE');
    expect(created.validUntil).toBeInstanceOf(Date);
    // The same certificate again is a second mapping (another role/entity too): refused with its own code.
    expect(codeOf(await c.upload({ certificatePem: pem, role: 4, entity: 6 }).catch((e) => e))).toBe(
      'ERR_CERTIFICATES_DUPLICATE',
    );
    await c.revoke(created.certificateId);
    const after = await c.list();
    expect(after.find((x) => x.certificateId === created.certificateId)?.status).toBe('REVOKED');
  });

  it('answers typed errors: refused, not found, limit, forbidden, unauthorized', async () => {
    const c = client();
    const weird = await c
      .upload({
        certificatePem: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----',
        role: 3,
        entity: 1,
      })
      .catch((e) => e);
    expect(weird).toBeInstanceOf(CertificatesApiError);
    expect(weird).toMatchObject({ code: 'ERR_CERTIFICATES_REFUSED', status: 400 });
    expect(codeOf(await c.revoke('nope').catch((e) => e))).toBe('ERR_CERTIFICATES_NOT_FOUND');
    const own = await startEmulator({ port: 0, seed: false });
    try {
      const i = await setupIntegration(own);
      const t = await m2mToken(own, i);
      const oc = createCertificatesClient({ ...account(own), clientId: i.clientId, accessToken: t });
      for (let n = 0; n < 4; n += 1) {
        await oc.upload({ certificatePem: generateTestCertificate().certificatePem, role: 3, entity: n });
      }
      expect(
        codeOf(
          await oc
            .upload({ certificatePem: generateTestCertificate().certificatePem, role: 3, entity: 9 })
            .catch((e) => e),
        ),
      ).toBe('ERR_CERTIFICATES_LIMIT');
      await own.admin.setRolePermissions(3, { manageOwnCertificates: false });
      expect(codeOf(await oc.list().catch((e) => e))).toBe('ERR_CERTIFICATES_FORBIDDEN');
      const other = await own.admin.createIntegration();
      const foreign = createCertificatesClient({ ...account(own), clientId: other.clientId, accessToken: t });
      expect(codeOf(await foreign.list().catch((e) => e))).toBe('ERR_CERTIFICATES_FORBIDDEN');
      const stale = createCertificatesClient({
        ...account(own),
        clientId: i.clientId,
        accessToken: 'expired-token',
      });
      expect(codeOf(await stale.list().catch((e) => e))).toBe('ERR_CERTIFICATES_UNAUTHORIZED');
    } finally {
      await own.close();
    }
  });

  it('refuses bad input synchronously or with a typed rejection, and leaks no token or key', async () => {
    const canary = 'canaryTokenValue0123456789';
    expect(() => createCertificatesClient(null as never)).toThrow(
      expect.objectContaining({ code: 'ERR_CERTIFICATES_INVALID_OPTION' }),
    );
    expect(() => client({ clientId: '../x' })).toThrow(
      expect.objectContaining({ code: 'ERR_CERTIFICATES_INVALID_OPTION' }),
    );
    expect(() => client({ accessToken: 5 })).toThrow(
      expect.objectContaining({ code: 'ERR_CERTIFICATES_INVALID_OPTION' }),
    );
    expect(() => client({ accountId: 'bad host' })).toThrow(
      expect.objectContaining({ code: 'ERR_CERTIFICATES_INVALID_OPTION' }),
    );
    expect(() => client({ timeoutMs: 0 })).toThrow(
      expect.objectContaining({ code: 'ERR_CERTIFICATES_INVALID_OPTION' }),
    );
    const c = client({ accessToken: canary });
    const key = generateTestCertificate().privateKeyPem;
    const errors = [
      await c.upload({ certificatePem: key, role: 3, entity: 1 }).catch((e) => e),
      await c
        .upload({ certificatePem: `-----BEGIN CERTIFICATE-----\n${key}`, role: 3, entity: 1 })
        .catch((e) => e),
      await c.upload({ certificatePem: integration.certificatePem, role: 'x', entity: 1 }).catch((e) => e),
      await c.revoke('../../token').catch((e) => e),
      await c.list().catch((e) => e),
      await client({ accessToken: () => Promise.reject(new Error(canary)) })
        .list()
        .catch((e) => e),
      await client({ accessToken: () => 'not a token!' })
        .list()
        .catch((e) => e),
    ];
    expect(errors.map(codeOf)).toEqual([
      'ERR_CERTIFICATES_INVALID_OPTION',
      'ERR_CERTIFICATES_INVALID_OPTION',
      'ERR_CERTIFICATES_INVALID_OPTION',
      'ERR_CERTIFICATES_INVALID_OPTION',
      'ERR_CERTIFICATES_UNAUTHORIZED',
      'ERR_CERTIFICATES_ACCESS_TOKEN',
      'ERR_CERTIFICATES_ACCESS_TOKEN',
    ]);
    for (const e of errors.slice(0, 5)) {
      const shown = `${(e as Error).message}${JSON.stringify(e)}${inspect(e, { depth: 5 })}`;
      expect(shown).not.toContain(canary);
      expect(shown).not.toContain(key.split('\n')[1]);
    }
  });

  it('maps a dead endpoint to NETWORK and a silent one to TIMEOUT', async () => {
    const silent = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    try {
      const slow = createCertificatesClient({
        accountId: emu.accountId,
        origin: `http://127.0.0.1:${port}`,
        allowInsecureLoopback: true,
        clientId: integration.clientId,
        accessToken: token,
        timeoutMs: 100,
      });
      expect(codeOf(await slow.list().catch((e) => e))).toBe('ERR_CERTIFICATES_TIMEOUT');
    } finally {
      silent.closeAllConnections();
      await new Promise((r) => silent.close(r));
    }
    const dead = createCertificatesClient({
      accountId: emu.accountId,
      origin: `http://127.0.0.1:${port}`,
      allowInsecureLoopback: true,
      clientId: integration.clientId,
      accessToken: token,
    });
    expect(codeOf(await dead.list().catch((e) => e))).toBe('ERR_CERTIFICATES_NETWORK');
  });
});
