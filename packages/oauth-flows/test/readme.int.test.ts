import { generateTestCertificate, startEmulator } from '@netsuite-oauth/emulator';
import { createAssertionSigner } from '@netsuite-oauth/jwt-assertion';
import { memoryTokenStore } from '@netsuite-oauth/token-store';
import { expect, it } from 'vitest';
import { createTokenManager, createTokenManagers } from '../src/index.js';

it('the README quick start runs against the emulator', async () => {
  const emu = await startEmulator({ port: 0 });
  try {
    const { clientId } = await emu.admin.createIntegration({ grants: ['client_credentials'] });
    const cert = await generateTestCertificate();
    const { certificateId } = await emu.admin.addCertificate({
      clientId,
      certificatePem: cert.certificatePem,
    });
    const signer = await createAssertionSigner({
      key: cert.privateKeyPem,
      certificateId,
      clientId,
      audience: emu.endpoints.tokenUrl,
    });
    const manager = createTokenManager({
      store: memoryTokenStore(),
      key: 'netsuite:m2m',
      grant: {
        type: 'client_credentials',
        accountId: emu.accountId,
        origin: emu.url,
        allowInsecureLoopback: true,
        signer,
      },
    });
    expect((await manager.getAccessToken()).length > 0).toBe(true);
  } finally {
    await emu.close();
  }
});

it('the README many-key example runs against the emulator', async () => {
  const emu = await startEmulator({ port: 0 });
  try {
    // two integrations in one emulator stand for two customers' accounts
    const accounts = new Map<string, { clientId: string; certificateId: string; key: string }>();
    for (const name of ['acme', 'globex']) {
      const { clientId } = await emu.admin.createIntegration({ name, grants: ['client_credentials'] });
      const cert = await generateTestCertificate();
      const { certificateId } = await emu.admin.addCertificate({
        clientId,
        certificatePem: cert.certificatePem,
      });
      accounts.set(name, { clientId, certificateId, key: cert.privateKeyPem });
    }
    const managers = createTokenManagers({
      store: memoryTokenStore(),
      maxCachedKeys: 10_000,
      resolve: async (name) => {
        const account = accounts.get(name);
        if (account === undefined) return undefined;
        const signer = await createAssertionSigner({ ...account, audience: emu.endpoints.tokenUrl });
        return {
          type: 'client_credentials',
          accountId: emu.accountId,
          origin: emu.url,
          allowInsecureLoopback: true,
          signer,
        };
      },
    });
    const [acme, globex] = await Promise.all([
      managers.getAccessToken('acme'),
      managers.getAccessToken('globex'),
    ]);
    expect([acme !== globex, managers.size]).toEqual([true, 2]);
    await managers.close();
  } finally {
    await emu.close();
  }
});
