import { createPrivateKey } from 'node:crypto';
import { SignJWT } from 'jose';
import { type Emulator, generateTestCertificate, type TestKeyType } from '../src/index.js';

export interface M2M {
  clientId: string;
  clientSecret: string | undefined;
  certificateId: string;
  privateKeyPem: string;
  algorithm: string;
}

const certCache = new Map<string, ReturnType<typeof generateTestCertificate>>();

/** Creates a confidential integration with a mapped certificate. */
export async function setupM2M(
  emu: Emulator,
  keyType: TestKeyType = 'ec-p256',
  scopes = ['rest_webservices', 'restlets'],
  roleId?: number,
): Promise<M2M> {
  const integration = await emu.admin.createIntegration({
    scopes,
    redirectUris: ['https://app.example.com/callback'],
  });
  const cert = generateTestCertificate({ keyType });
  const { certificateId } = await emu.admin.addCertificate({
    clientId: integration.clientId,
    certificatePem: cert.certificatePem,
    ...(roleId === undefined ? {} : { roleId }),
  });
  return {
    clientId: integration.clientId,
    clientSecret: integration.clientSecret,
    certificateId,
    privateKeyPem: cert.privateKeyPem,
    algorithm: cert.algorithm,
  };
}

export function cachedCertificate(keyType: TestKeyType) {
  let cert = certCache.get(keyType);
  if (!cert) {
    cert = generateTestCertificate({ keyType });
    certCache.set(keyType, cert);
  }
  return cert;
}

export interface AssertionOverrides {
  header?: Record<string, unknown>;
  claims?: Record<string, unknown>;
  alg?: string;
  key?: string;
  nowSec?: number;
}

export async function assertion(emu: Emulator, m2m: M2M, o: AssertionOverrides = {}): Promise<string> {
  const now = o.nowSec ?? Math.floor(emu.admin.now() / 1000);
  const claims = {
    iss: m2m.clientId,
    scope: ['rest_webservices', 'restlets'],
    aud: emu.endpoints.tokenUrl,
    iat: now,
    exp: now + 300,
    jti: crypto.randomUUID(),
    ...o.claims,
  };
  for (const [k, v] of Object.entries(claims))
    if (v === undefined) delete (claims as Record<string, unknown>)[k];
  const alg = o.alg ?? m2m.algorithm;
  const header = { alg, typ: 'JWT', kid: m2m.certificateId, ...o.header };
  for (const [k, v] of Object.entries(header))
    if (v === undefined) delete (header as Record<string, unknown>)[k];
  return new SignJWT(claims)
    .setProtectedHeader(header as { alg: string })
    .sign(createPrivateKey(o.key ?? m2m.privateKeyPem));
}

export function form(values: Record<string, string>): {
  method: string;
  headers: Record<string, string>;
  body: string;
} {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(values).toString(),
  };
}

export async function clientCredentialsToken(
  emu: Emulator,
  m2m: M2M,
  o: AssertionOverrides = {},
): Promise<Response> {
  return fetch(
    emu.endpoints.tokenUrl,
    form({
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: await assertion(emu, m2m, o),
    }),
  );
}

export async function accessToken(
  emu: Emulator,
  m2m: M2M,
  scope: string[] = ['rest_webservices', 'restlets'],
): Promise<string> {
  const res = await clientCredentialsToken(emu, m2m, { claims: { scope } });
  if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

export function bearer(token: string, extra: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${token}`, ...extra };
}
