import { generateTestCertificate, startEmulator } from '@netsuite-oauth/emulator';
import { createAssertionSigner } from '@netsuite-oauth/jwt-assertion';
import { memoryTokenStore } from '@netsuite-oauth/token-store';
import { expect, it } from 'vitest';
import { createTokenManager } from '../src/index.js';

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
