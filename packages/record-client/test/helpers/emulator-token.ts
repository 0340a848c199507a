import { createPrivateKey, randomUUID, sign } from 'node:crypto';
import { type Emulator, generateTestCertificate } from '@netsuite-oauth/emulator';

const b64url = (value: Buffer | string) => Buffer.from(value).toString('base64url');

/**
 * A client-credentials token source against the emulator: registers an integration and a certificate, signs an
 * ES256 client assertion with node:crypto and posts it to the token endpoint. `invalidate` drops the cached token.
 */
export async function emulatorTokenSource(emu: Pick<Emulator, 'admin' | 'endpoints'>) {
  const integration = await emu.admin.createIntegration({ grants: ['client_credentials'] });
  const cert = await generateTestCertificate({ keyType: 'ec-p256' });
  const { certificateId } = await emu.admin.addCertificate({
    clientId: integration.clientId,
    certificatePem: cert.certificatePem,
  });
  const key = createPrivateKey(cert.privateKeyPem);
  let cached: Promise<string> | undefined;
  let fetches = 0;
  const fetchToken = async (): Promise<string> => {
    fetches++;
    const now = Math.floor(Date.now() / 1000);
    const header = b64url(JSON.stringify({ alg: 'ES256', typ: 'JWT', kid: certificateId }));
    const payload = b64url(
      JSON.stringify({
        iss: integration.clientId,
        scope: ['rest_webservices', 'restlets'],
        aud: emu.endpoints.tokenUrl,
        iat: now,
        exp: now + 300,
        jti: randomUUID(),
      }),
    );
    const signature = sign('sha256', Buffer.from(`${header}.${payload}`), { key, dsaEncoding: 'ieee-p1363' });
    const response = await fetch(emu.endpoints.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: `${header}.${payload}.${b64url(signature)}`,
      }),
    });
    const body = (await response.json()) as { access_token?: string; error?: string };
    if (!response.ok || !body.access_token)
      throw new Error(`token request failed: ${response.status} ${body.error}`);
    return body.access_token;
  };
  return {
    getAccessToken(): Promise<string> {
      cached ??= fetchToken().catch((error: unknown) => {
        cached = undefined;
        throw error;
      });
      return cached;
    },
    async invalidate(_token: string): Promise<void> {
      cached = undefined;
    },
    get fetches() {
      return fetches;
    },
  };
}
