import { type Emulator, generateTestCertificate, startEmulator } from '@netsuite-oauth/emulator';
import { createAssertionSigner } from '@netsuite-oauth/jwt-assertion';
import {
  createAuthorizationRequest,
  exchangeAuthorizationCode,
  parseAuthorizationCallback,
  type TokenSet,
} from '../../src/index.js';
import { driveAuthorization } from './form-driver.js';

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

/** Logs the emulator's demo user in to `client` (authorization code + PKCE) and returns the exchanged tokens. */
export async function loginTokens(
  s: EmulatorSetup,
  client: { clientId: string; clientSecret?: string },
): Promise<TokenSet> {
  const request = await createAuthorizationRequest({
    ...s.loc,
    clientId: client.clientId,
    redirectUri: REDIRECT,
    scopes: ['rest_webservices'],
  });
  const callbackUrl = await driveAuthorization(request.url, {
    redirectUri: REDIRECT,
    fill: { email: 'admin@example.com', password: 'emulator-password' },
    press: { decision: 'allow' },
  });
  const { code } = parseAuthorizationCallback(callbackUrl, { expectedState: request.state });
  return await exchangeAuthorizationCode({
    ...s.loc,
    client,
    code,
    redirectUri: REDIRECT,
    codeVerifier: request.codeVerifier,
  });
}

/** One more client-credentials integration with its own certificate (several accounts' integrations). */
export async function addM2mIntegration(
  s: EmulatorSetup,
  name: string,
): Promise<{ clientId: string; certificateId: string; privateKeyPem: string }> {
  const info = await s.emu.admin.createIntegration({
    name,
    confidential: true,
    grants: ['client_credentials'],
  });
  const cert = await generateTestCertificate({ keyType: 'ec-p256' });
  const { certificateId } = await s.emu.admin.addCertificate({
    clientId: info.clientId,
    certificatePem: cert.certificatePem,
  });
  return { clientId: info.clientId, certificateId, privateKeyPem: cert.privateKeyPem };
}

/** One more public authorization-code integration (rotating refresh tokens). */
export async function addPublicIntegration(s: EmulatorSetup, name: string): Promise<{ clientId: string }> {
  const info = await s.emu.admin.createIntegration({
    name,
    confidential: false,
    grants: ['authorization_code'],
    redirectUris: [REDIRECT],
  });
  return { clientId: info.clientId };
}

/** Successful token requests per client id, from the emulator's request log. */
export async function tokenRequestsByClient(s: EmulatorSetup): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const entry of await s.emu.admin.requestLog()) {
    if (entry.route !== 'token' || entry.status !== 200 || entry.clientId === undefined) continue;
    counts.set(entry.clientId, (counts.get(entry.clientId) ?? 0) + 1);
  }
  return counts;
}
