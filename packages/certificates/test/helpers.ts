import { type Emulator, generateTestCertificate } from '@netsuite-oauth/emulator';
import { createAssertionSigner } from '@netsuite-oauth/jwt-assertion';
import { requestClientCredentialsToken } from '@netsuite-oauth/oauth-flows';

export interface Integration {
  clientId: string;
  certificateId: string;
  privateKeyPem: string;
  certificatePem: string;
}

/** An M2M integration with one certificate mapped to role 3 / entity -5 (dated on the emulator's clock). */
export async function setupIntegration(emu: Emulator): Promise<Integration> {
  const { clientId } = await emu.admin.createIntegration({ grants: ['client_credentials'] });
  const cert = generateTestCertificate({ now: () => emu.admin.now() });
  const { certificateId } = await emu.admin.addCertificate({
    clientId,
    certificatePem: cert.certificatePem,
    roleId: 3,
    entityId: -5,
  });
  return { clientId, certificateId, privateKeyPem: cert.privateKeyPem, certificatePem: cert.certificatePem };
}

export function account(emu: Emulator) {
  return { accountId: emu.accountId, origin: emu.url, allowInsecureLoopback: true } as const;
}

/** A client-credentials token of the integration, signed with its first certificate. */
export async function m2mToken(emu: Emulator, i: Integration): Promise<string> {
  const signer = await createAssertionSigner({
    key: i.privateKeyPem,
    certificateId: i.certificateId,
    clientId: i.clientId,
    audience: emu.endpoints.tokenUrl,
    now: () => emu.admin.now(),
  });
  return (await requestClientCredentialsToken({ ...account(emu), signer, now: () => emu.admin.now() }))
    .accessToken;
}

/** A key store in memory, as the caller's secret storage. */
export function memorySecrets() {
  const keys = new Map<string, string>();
  return {
    keys,
    saveKey: (k: { fingerprint: string; privateKeyPem: string }) => {
      keys.set(k.fingerprint, k.privateKeyPem);
    },
    loadKey: (fingerprint: string) => keys.get(fingerprint),
  };
}
