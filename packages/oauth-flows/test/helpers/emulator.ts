import { type Emulator, generateTestCertificate, startEmulator } from '@netsuite-oauth/emulator';
import { createAssertionSigner } from '@netsuite-oauth/jwt-assertion';

export const REDIRECT = 'https://app.example.com/callback';

export interface EmulatorSetup {
  readonly emu: Emulator;
  readonly loc: { accountId: string; origin: string; allowInsecureLoopback: true };
  /** A client-credentials integration with a mapped certificate. */
  readonly m2m: { clientId: string; certificateId: string; privateKeyPem: string };
  /** A confidential authorization-code integration. */
  readonly web: { clientId: string; clientSecret: string };
  /** A public authorization-code integration (rotating refresh tokens). */
  readonly pub: { clientId: string };
  signer(): Promise<{ sign(options?: { now?: number }): Promise<string> }>;
}

export async function setupEmulator(
  options: Parameters<typeof startEmulator>[0] = {},
): Promise<EmulatorSetup> {
  const emu = await startEmulator({ port: 0, seed: false, ...options });
  const m2mInfo = await emu.admin.createIntegration({
    name: 'm2m',
    confidential: true,
    grants: ['client_credentials'],
  });
  const cert = await generateTestCertificate({ keyType: 'ec-p256' });
  const { certificateId } = await emu.admin.addCertificate({
    clientId: m2mInfo.clientId,
    certificatePem: cert.certificatePem,
  });
  const webInfo = await emu.admin.createIntegration({
    name: 'web',
    confidential: true,
    grants: ['authorization_code'],
    redirectUris: [REDIRECT],
  });
  const pubInfo = await emu.admin.createIntegration({
    name: 'pub',
    confidential: false,
    grants: ['authorization_code'],
    redirectUris: [REDIRECT],
  });
  const m2m = { clientId: m2mInfo.clientId, certificateId, privateKeyPem: cert.privateKeyPem };
  return {
    emu,
    loc: { accountId: emu.accountId, origin: emu.url, allowInsecureLoopback: true },
    m2m,
    web: { clientId: webInfo.clientId, clientSecret: webInfo.clientSecret as string },
    pub: { clientId: pubInfo.clientId },
    signer: async () =>
      await createAssertionSigner({
        key: m2m.privateKeyPem,
        certificateId: m2m.certificateId,
        clientId: m2m.clientId,
        audience: emu.endpoints.tokenUrl,
        scope: ['rest_webservices'],
      }),
  };
}
