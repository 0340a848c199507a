import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, generateTestCertificate, startEmulator } from '../src/index.js';
import {
  accessToken,
  assertion,
  bearer,
  cachedCertificate,
  clientCredentialsToken,
  form,
  type M2M,
  setupM2M,
} from './helpers.js';

let emu: Emulator;
let m2m: M2M;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, seed: { customers: 5 } });
  m2m = await setupM2M(emu);
});
afterAll(async () => {
  await emu.close();
});

describe('client credentials token endpoint', () => {
  it('issues a Bearer token for a valid ES256 assertion', async () => {
    const res = await clientCredentialsToken(emu, m2m);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ expires_in: 3600, token_type: 'Bearer' });
    expect(typeof body.access_token).toBe('string');
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'token_type']);
  });

  it.each(['ec-p384', 'ec-p521', 'rsa-3072'] as const)('accepts a %s certificate', async (keyType) => {
    const integration = await emu.admin.createIntegration();
    const cert = cachedCertificate(keyType);
    const { certificateId } = await emu.admin.addCertificate({
      clientId: integration.clientId,
      certificatePem: cert.certificatePem,
    });
    const res = await clientCredentialsToken(emu, {
      clientId: integration.clientId,
      clientSecret: undefined,
      certificateId,
      privateKeyPem: cert.privateKeyPem,
      algorithm: cert.algorithm,
    });
    expect(res.status).toBe(200);
  });

  it('accepts the real-form suitetalk and restlets audiences and a string scope', async () => {
    for (const aud of [
      'https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/auth/oauth2/v1/token',
      'https://1234567-sb1.restlets.api.netsuite.com/services/rest/auth/oauth2/v1/token',
    ]) {
      const res = await clientCredentialsToken(emu, m2m, {
        claims: { aud, scope: 'rest_webservices,restlets' },
      });
      expect(res.status).toBe(200);
    }
  });

  it('accepts and ignores an extra client_id form field', async () => {
    const res = await fetch(
      emu.endpoints.tokenUrl,
      form({
        grant_type: 'client_credentials',
        client_id: m2m.clientId,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: await assertion(emu, m2m),
      }),
    );
    expect(res.status).toBe(200);
  });

  const rsa2048 = generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
  const otherEc = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();

  // One case per documented refusal reason (Login Audit Trail codes, subsect_158324637123.html).
  const refusals: Array<[string, () => Promise<Record<string, string>>, number, string, string]> = [
    ['missing grant_type', async () => ({}), 400, 'invalid_request', 'InvalidRequest'],
    [
      'unknown grant_type',
      async () => ({ grant_type: 'password' }),
      400,
      'unsupported_grant_type',
      'InvalidGrantType',
    ],
    [
      'wrong client_assertion_type',
      async () => ({
        grant_type: 'client_credentials',
        client_assertion_type: 'jwt',
        client_assertion: await assertion(emu, m2m),
      }),
      400,
      'invalid_request',
      'InvalidRequest',
    ],
    [
      'missing client_assertion',
      async () => ({
        grant_type: 'client_credentials',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      }),
      400,
      'invalid_request',
      'InvalidRequest',
    ],
    ['malformed assertion', async () => cc('not.a.jwt'), 400, 'invalid_request', 'InvalidTokenType'],
    [
      'typ other than JWT',
      async () => cc(await assertion(emu, m2m, { header: { typ: 'at+jwt' } })),
      400,
      'invalid_request',
      'InvalidTokenType',
    ],
    [
      'RS256 (PKCS#1 v1.5)',
      async () => cc(await assertion(emu, m2m, { alg: 'RS256', key: rsa2048 })),
      400,
      'invalid_request',
      'UnsupportedAlgo',
    ],
    [
      'alg none',
      async () =>
        cc(`${b64({ alg: 'none', typ: 'JWT', kid: m2m.certificateId })}.${b64({ iss: m2m.clientId })}.`),
      400,
      'invalid_request',
      'UnsupportedAlgo',
    ],
    [
      'missing kid',
      async () => cc(await assertion(emu, m2m, { header: { kid: undefined } })),
      400,
      'invalid_request',
      'MissingKeyId',
    ],
    [
      'unknown kid',
      async () =>
        cc(await assertion(emu, m2m, { header: { kid: 'HRril7VwkkW2y0wAzFR9GKk1LVTHSZPeq5EeWT2Fgks' } })),
      400,
      'invalid_grant',
      'MissingKey',
    ],
    [
      'signature by another key',
      async () => cc(await assertion(emu, m2m, { key: otherEc })),
      400,
      'invalid_grant',
      'SignatureValidation',
    ],
    [
      'iss is not the mapped client',
      async () => cc(await assertion(emu, m2m, { claims: { iss: 'a'.repeat(64) } })),
      400,
      'invalid_grant',
      'InvalidIssuer',
    ],
    [
      'aud is another URL',
      async () => cc(await assertion(emu, m2m, { claims: { aud: 'https://evil.example.com/token' } })),
      400,
      'invalid_grant',
      'InvalidAudience',
    ],
    [
      'exp - iat over 3600 s',
      async () => cc(await assertion(emu, m2m, { claims: { exp: nowSec() + 3700, iat: nowSec() - 10 } })),
      400,
      'invalid_grant',
      'TokenValidityTooBroad',
    ],
    [
      'expired assertion',
      async () => cc(await assertion(emu, m2m, { claims: { iat: nowSec() - 600, exp: nowSec() - 300 } })),
      400,
      'invalid_grant',
      'TokenExpired',
    ],
    [
      'iat in the future',
      async () => cc(await assertion(emu, m2m, { claims: { iat: nowSec() + 1200, exp: nowSec() + 1500 } })),
      400,
      'invalid_grant',
      'TokenNotAcceptable',
    ],
    [
      'missing iat',
      async () => cc(await assertion(emu, m2m, { claims: { iat: undefined } })),
      400,
      'invalid_grant',
      'TokenNotAcceptable',
    ],
    [
      'missing scope',
      async () => cc(await assertion(emu, m2m, { claims: { scope: undefined } })),
      400,
      'invalid_scope',
      'ScopeMismatched',
    ],
    [
      'scope not on the integration',
      async () => cc(await assertion(emu, m2m, { claims: { scope: ['suite_analytics'] } })),
      400,
      'invalid_scope',
      'ScopeMismatched',
    ],
    [
      'unknown scope',
      async () => cc(await assertion(emu, m2m, { claims: { scope: 'everything' } })),
      400,
      'invalid_scope',
      'ScopeMismatched',
    ],
  ];

  it.each(refusals)('refuses %s', async (_name, make, status, error, reason) => {
    const res = await fetch(emu.endpoints.tokenUrl, form(await make()));
    expect(res.status).toBe(status);
    expect(await res.json()).toEqual({ error });
    expect(res.headers.get('x-netsuite-emulator-reason')).toBe(reason);
  });

  it('refuses a replayed jti', async () => {
    const jwt = await assertion(emu, m2m, { claims: { jti: 'fixed-jti-1' } });
    expect((await fetch(emu.endpoints.tokenUrl, form(cc(jwt)))).status).toBe(200);
    const again = await fetch(emu.endpoints.tokenUrl, form(cc(jwt)));
    expect(again.status).toBe(400);
    expect(again.headers.get('x-netsuite-emulator-reason')).toBe('TokenReplayed');
  });

  it('refuses a revoked certificate', async () => {
    const other = await setupM2M(emu);
    await emu.admin.revokeCertificate(other.certificateId);
    const res = await clientCredentialsToken(emu, other);
    expect(res.status).toBe(400);
    expect(res.headers.get('x-netsuite-emulator-reason')).toBe('MissingKey');
  });

  it('refuses a certificate once it has expired on the emulator clock', async () => {
    const other = await setupM2M(emu);
    await emu.admin.advanceClock(366 * 86_400_000);
    try {
      const res = await clientCredentialsToken(emu, other);
      expect(res.status).toBe(400);
      expect(res.headers.get('x-netsuite-emulator-reason')).toBe('MissingKey');
    } finally {
      await emu.admin.advanceClock(-366 * 86_400_000);
    }
  });

  it('refuses an integration without the client credentials grant, and a disabled one', async () => {
    const integration = await emu.admin.createIntegration({ grants: ['authorization_code'] });
    const cert = generateTestCertificate();
    const mapped = await emu.admin.addCertificate({
      clientId: integration.clientId,
      certificatePem: cert.certificatePem,
    });
    const who = {
      clientId: integration.clientId,
      clientSecret: undefined,
      certificateId: mapped.certificateId,
      privateKeyPem: cert.privateKeyPem,
      algorithm: cert.algorithm,
    };
    let res = await clientCredentialsToken(emu, who);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'unauthorized_client' });
    await emu.admin.updateIntegration(integration.clientId, {
      grants: ['client_credentials'],
      enabled: false,
    });
    res = await clientCredentialsToken(emu, who);
    expect(res.headers.get('x-netsuite-emulator-reason')).toBe('IntegrationBlocked');
  });

  it('answers a GET, a JSON body and duplicate parameters without crashing', async () => {
    expect((await fetch(emu.endpoints.tokenUrl)).status).toBe(405);
    const json = await fetch(emu.endpoints.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{',
    });
    expect(json.status).toBe(400);
    const dup = await fetch(emu.endpoints.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&grant_type=refresh_token',
    });
    expect(await dup.json()).toEqual({ error: 'invalid_request' });
  });

  it('lets the token call REST routes, and counts grants', async () => {
    const token = await accessToken(emu, m2m);
    const res = await fetch(`${emu.endpoints.recordUrl}/customer?limit=2`, { headers: bearer(token) });
    expect(res.status).toBe(200);
    const counters = await emu.admin.counters();
    expect(counters.tokenByGrant.client_credentials).toBeGreaterThan(0);
  });
});

function nowSec(): number {
  return Math.floor(emu.admin.now() / 1000);
}
function cc(jwt: string): Record<string, string> {
  return {
    grant_type: 'client_credentials',
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: jwt,
  };
}
function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
