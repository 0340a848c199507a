import { type Emulator, generateTestCertificate } from '@netsuite-oauth/emulator';
import { createAssertionSigner } from '@netsuite-oauth/jwt-assertion';
import { createTokenManager } from '@netsuite-oauth/oauth-flows';
import { createNetSuiteClient, type NetSuiteClientOptions } from '@netsuite-oauth/record-client';
import { memoryTokenStore } from '@netsuite-oauth/token-store';

/** A record-client on the emulator with the real layers: a certificate, a signer, a token manager. */
export async function emulatorClient(
  emu: Emulator,
  extra: Partial<NetSuiteClientOptions> = {},
  roleId?: number,
) {
  const { clientId } = await emu.admin.createIntegration({ grants: ['client_credentials'] });
  const cert = generateTestCertificate({ keyType: 'ec-p256' });
  const { certificateId } = await emu.admin.addCertificate({
    clientId,
    certificatePem: cert.certificatePem,
    ...(roleId === undefined ? {} : { roleId }),
  });
  const signer = await createAssertionSigner({
    key: cert.privateKeyPem,
    certificateId,
    clientId,
    audience: emu.endpoints.tokenUrl,
  });
  const account = { accountId: emu.accountId, origin: emu.url, allowInsecureLoopback: true };
  const token = createTokenManager({
    store: memoryTokenStore(),
    key: 'typegen-test',
    grant: { type: 'client_credentials', signer, ...account },
  });
  return createNetSuiteClient({ ...account, token, ...extra });
}
