import { generateTestCertificate, startEmulator } from '@netsuite-oauth/emulator';
import { createMultiCertificateSigner } from '@netsuite-oauth/jwt-assertion';
import { memoryTokenStore } from '@netsuite-oauth/token-store';
import { expect, it } from 'vitest';
import { createTokenManager, isOAuthFlowError } from '../src/index.js';

it('a multi-certificate signer falls back once when NetSuite refuses the newest certificate', async () => {
  const emu = await startEmulator({ port: 0, seed: false });
  try {
    const { clientId } = await emu.admin.createIntegration({ grants: ['client_credentials'] });
    const now = () => emu.admin.now();
    const old = generateTestCertificate({ now: () => now() - 60_000 });
    const next = generateTestCertificate({ now });
    const mappedOld = await emu.admin.addCertificate({ clientId, certificatePem: old.certificatePem });
    const mappedNext = await emu.admin.addCertificate({ clientId, certificatePem: next.certificatePem });
    const signer = await createMultiCertificateSigner({
      clientId,
      audience: emu.endpoints.tokenUrl,
      now,
      certificates: [
        { key: old.privateKeyPem, certificateId: mappedOld.certificateId, certificate: old.certificatePem },
        {
          key: next.privateKeyPem,
          certificateId: mappedNext.certificateId,
          certificate: next.certificatePem,
        },
      ],
    });
    const grant = {
      type: 'client_credentials' as const,
      accountId: emu.accountId,
      origin: emu.url,
      allowInsecureLoopback: true,
      signer,
      now,
    };
    // The newest is not (yet) known to NetSuite, as while a new mapping propagates.
    await emu.admin.revokeCertificate(mappedNext.certificateId);
    const manager = createTokenManager({ store: memoryTokenStore(), key: 'netsuite:m2m', grant });
    expect((await manager.getAccessToken()).length).toBeGreaterThan(0);
    expect(signer.certificateId).toBe(mappedOld.certificateId);
    const refusedKids = (await emu.admin.requestLog())
      .filter((e) => e.route === 'token')
      .map((e) => e.status);
    expect(refusedKids).toEqual([400, 200]);
    // Once every certificate is refused there is no second retry: one typed error.
    await emu.admin.revokeCertificate(mappedOld.certificateId);
    const lonely = createTokenManager({ store: memoryTokenStore(), key: 'netsuite:m2m:2', grant });
    const error = await lonely.getAccessToken().catch((e: unknown) => e);
    expect(isOAuthFlowError(error)).toBe(true);
  } finally {
    await emu.close();
  }
});
