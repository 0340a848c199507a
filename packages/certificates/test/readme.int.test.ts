import { generateTestCertificate, startEmulator } from '@netsuite-oauth/emulator';
import { createAssertionSigner } from '@netsuite-oauth/jwt-assertion';
import { createTokenManager } from '@netsuite-oauth/oauth-flows';
import { memoryTokenStore } from '@netsuite-oauth/token-store';
import { expect, it } from 'vitest';
import { rotateCertificate } from '../src/index.js';

it('the README quick start runs against the emulator', async () => {
  const emu = await startEmulator({ port: 0 });
  const account = { accountId: emu.accountId, origin: emu.url, allowInsecureLoopback: true };
  const { clientId } = await emu.admin.createIntegration({ grants: ['client_credentials'] });
  const cert = generateTestCertificate();
  const { certificateId } = await emu.admin.addCertificate({
    clientId,
    certificatePem: cert.certificatePem,
    roleId: 3,
    entityId: -5,
  });
  const signer = await createAssertionSigner({
    key: cert.privateKeyPem,
    certificateId,
    clientId,
    audience: emu.endpoints.tokenUrl,
  });
  const manager = createTokenManager({
    store: memoryTokenStore(),
    key: 'm2m',
    grant: { type: 'client_credentials', ...account, signer },
  });

  const secrets = new Map<string, string>();
  const switched: string[] = [];
  const result = await rotateCertificate({
    ...account,
    clientId,
    accessToken: () => manager.getAccessToken(),
    store: memoryTokenStore(),
    currentCertificateId: certificateId,
    keyType: 'ec-p256',
    overlapMs: 0,
    saveKey: (k) => void secrets.set(k.fingerprint, k.privateKeyPem),
    loadKey: (fingerprint) => secrets.get(fingerprint),
    onSwitch: (next) => void switched.push(next.certificateId),
  });
  expect(result.status).toBe('done');
  expect(switched).toEqual([result.certificateId]);
  const certs = await emu.admin.listCertificates(clientId);
  expect(certs.filter((c) => !c.revoked).map((c) => c.certificateId)).toEqual([result.certificateId]);
  await emu.close();
});
