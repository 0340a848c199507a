import { createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { netsuiteEndpoints } from '@netsuite-oauth/core';
import { startEmulator } from '@netsuite-oauth/emulator';
import { importPKCS8, SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type AssertionAlgorithm,
  type CertificateKeyType,
  createAssertionSigner,
  generateCertificate,
} from '../src/index.js';
import { expectThrowCode } from './helpers.js';

type Emulator = Awaited<ReturnType<typeof startEmulator>>;

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

let emu: Emulator;
let clientId: string;
let tokenUrl: string;

async function requestToken(assertion: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: assertion,
    }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

// NetSuite allows 5 active certificates per integration (and so does the emulator): revoke after use.
const active: string[] = [];

async function register(keyType: CertificateKeyType) {
  const generated = await generateCertificate({ keyType, commonName: `int ${keyType}` });
  const { certificateId } = await emu.admin.addCertificate({
    clientId,
    certificatePem: generated.certificatePem,
  });
  active.push(certificateId);
  return { ...generated, certificateId };
}

async function revokeAll(): Promise<void> {
  for (const certificateId of active.splice(0)) await emu.admin.revokeCertificate(certificateId);
}

beforeAll(async () => {
  emu = await startEmulator({ port: 0, seed: false });
  const integration = await emu.admin.createIntegration({
    name: 'jwt-assertion int',
    grants: ['client_credentials'],
    scopes: ['rest_webservices', 'restlets'],
  });
  clientId = integration.clientId;
  tokenUrl = netsuiteEndpoints(emu.accountId, { origin: emu.url, allowInsecureLoopback: true }).tokenUrl;
});

afterAll(async () => {
  await emu?.close();
});

describe('the emulator accepts assertions from this package for every accepted algorithm', () => {
  afterEach(revokeAll);

  const cases: Array<[CertificateKeyType, AssertionAlgorithm | undefined]> = [
    ['rsa-3072', 'PS256'],
    ['rsa-3072', 'PS384'],
    ['rsa-3072', 'PS512'],
    ['rsa-4096', 'PS256'],
    ['ec-p256', 'ES256'],
    ['ec-p384', 'ES384'],
    ['ec-p521', 'ES512'],
  ];

  it.each(cases)(
    '%s signing %s gets a token, and the token opens the REST API',
    async (keyType, algorithm) => {
      const cert = await register(keyType);
      const signer = await createAssertionSigner({
        key: cert.privateKeyPem,
        certificate: cert.certificatePem,
        certificateId: cert.certificateId,
        clientId,
        audience: tokenUrl,
        scope: ['rest_webservices', 'restlets'],
        ...(algorithm === undefined ? {} : { algorithm }),
      });
      expect(signer.algorithm).toBe(algorithm ?? cert.algorithm);
      const { status, body } = await requestToken(await signer.sign());
      expect(status).toBe(200);
      expect(body.token_type).toBe('Bearer');
      expect(Number(body.expires_in)).toBe(3600);
      expect(typeof body.access_token).toBe('string');

      const serverTime = await fetch(`${emu.url}/services/rest/system/v1/serverTime`, {
        headers: { authorization: `Bearer ${body.access_token as string}` },
      });
      expect(serverTime.status).toBe(200);
    },
  );

  it('accepts the real-form audience derived from the account id, a scope string, and the longest lifetime', async () => {
    const cert = await register('ec-p256');
    const signer = await createAssertionSigner({
      key: cert.privateKeyPem,
      certificateId: cert.certificateId,
      clientId,
      accountId: emu.accountId,
      scope: 'restlets,rest_webservices',
      lifetimeSeconds: 3600,
    });
    expect(signer.audience).toBe(netsuiteEndpoints(emu.accountId).tokenUrl);
    expect((await requestToken(await signer.sign())).status).toBe(200);
  });

  it('signs a fresh jti every time: each sign() works once, a replayed assertion is refused', async () => {
    const cert = await register('ec-p256');
    const signer = await createAssertionSigner({
      key: cert.privateKeyPem,
      certificateId: cert.certificateId,
      clientId,
      audience: tokenUrl,
    });
    const first = await signer.sign();
    expect((await requestToken(first)).status).toBe(200);
    expect((await requestToken(await signer.sign())).status).toBe(200);
    const replay = await requestToken(first);
    expect(replay.status).toBe(400);
    expect(replay.body.error).toBe('invalid_grant');
  });

  it('corrects clock skew through sign({ now }) with the server’s Date header', async () => {
    const cert = await register('ec-p384');
    const signer = await createAssertionSigner({
      key: cert.privateKeyPem,
      certificateId: cert.certificateId,
      clientId,
      audience: tokenUrl,
    });
    await emu.admin.advanceClock(30 * 60_000); // the server is 30 minutes ahead of us
    try {
      const stale = await fetch(tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_assertion_type: ASSERTION_TYPE,
          client_assertion: await signer.sign(),
        }),
      });
      expect(stale.status).toBe(400);
      const serverNow = Date.parse(stale.headers.get('date') ?? '');
      expect(Number.isFinite(serverNow)).toBe(true);
      const corrected = await requestToken(await signer.sign({ now: serverNow }));
      expect(corrected.status).toBe(200);
    } finally {
      await emu.admin.advanceClock(-30 * 60_000);
    }
  });
});

describe('the emulator refuses what this package refuses to make', () => {
  let cert: Awaited<ReturnType<typeof register>>;
  let rsaCert: Awaited<ReturnType<typeof register>>;

  beforeAll(async () => {
    cert = await register('ec-p256');
    rsaCert = await register('rsa-3072');
  });
  afterAll(revokeAll);

  async function joseAssertion(
    alg: string,
    key: Parameters<SignJWT['sign']>[0],
    lifetime = 300,
    kid?: string,
  ) {
    const iat = Math.floor(Date.now() / 1000);
    return new SignJWT({ scope: ['rest_webservices'], jti: randomBytes(16).toString('base64url') })
      .setProtectedHeader({ alg, typ: 'JWT', kid: kid ?? rsaCert.certificateId })
      .setIssuer(clientId)
      .setAudience(tokenUrl)
      .setIssuedAt(iat)
      .setExpirationTime(iat + lifetime)
      .sign(key);
  }

  it('RS256 with a registered RSA key: the emulator says UnsupportedAlgo, and the package will not sign it', async () => {
    for (const alg of ['RS256', 'RS384', 'RS512']) {
      const key = await importPKCS8(rsaCert.privateKeyPem, alg);
      const refused = await requestToken(await joseAssertion(alg, key));
      expect(refused.status).toBe(400);
      expect(refused.body.error).toBe('invalid_request');
      expectThrowCode(
        () =>
          createAssertionSigner({
            key: rsaCert.privateKeyPem,
            certificateId: rsaCert.certificateId,
            clientId,
            audience: tokenUrl,
            algorithm: alg as AssertionAlgorithm,
          }),
        'ERR_ASSERTION_UNSUPPORTED_ALGORITHM',
      );
    }
  });

  it('HS256 and alg none are refused by the emulator and cannot be expressed here', async () => {
    const hs = await requestToken(await joseAssertion('HS256', randomBytes(32)));
    expect(hs.status).toBe(400);
    const header = Buffer.from(
      JSON.stringify({ alg: 'none', typ: 'JWT', kid: rsaCert.certificateId }),
    ).toString('base64url');
    const payload = Buffer.from(
      JSON.stringify({
        iss: clientId,
        aud: tokenUrl,
        iat: Math.floor(Date.now() / 1000),
        exp: Math.floor(Date.now() / 1000) + 60,
      }),
    ).toString('base64url');
    const none = await requestToken(`${header}.${payload}.`);
    expect(none.status).toBe(400);
    for (const algorithm of ['HS256', 'none']) {
      expectThrowCode(
        () =>
          createAssertionSigner({
            key: rsaCert.privateKeyPem,
            certificateId: rsaCert.certificateId,
            clientId,
            audience: tokenUrl,
            algorithm: algorithm as AssertionAlgorithm,
          }),
        'ERR_ASSERTION_UNSUPPORTED_ALGORITHM',
      );
    }
  });

  it('exp − iat over 3600 s is refused by both', async () => {
    const key = await importPKCS8(rsaCert.privateKeyPem, 'PS256');
    const refused = await requestToken(await joseAssertion('PS256', key, 3601));
    expect(refused.status).toBe(400);
    expectThrowCode(
      () =>
        createAssertionSigner({
          key: rsaCert.privateKeyPem,
          certificateId: rsaCert.certificateId,
          clientId,
          audience: tokenUrl,
          lifetimeSeconds: 3601,
        }),
      'ERR_ASSERTION_LIFETIME_TOO_LONG',
    );
  });

  it('a key that does not match the certificate: the emulator refuses the signature, the package refuses the key', async () => {
    const stray = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const signer = await createAssertionSigner({
      key: stray,
      certificateId: cert.certificateId,
      clientId,
      audience: tokenUrl,
    });
    const refused = await requestToken(await signer.sign());
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe('invalid_grant');
    expectThrowCode(
      () =>
        createAssertionSigner({
          key: stray,
          certificate: cert.certificatePem,
          certificateId: cert.certificateId,
          clientId,
          audience: tokenUrl,
        }),
      'ERR_ASSERTION_CERTIFICATE_MISMATCH',
    );
  });

  it('a missing kid is refused by both', async () => {
    const key = await importPKCS8(rsaCert.privateKeyPem, 'PS256');
    const refused = await requestToken(await joseAssertion('PS256', key, 300, ''));
    expect(refused.status).toBe(400);
    expectThrowCode(
      () =>
        createAssertionSigner({
          key: createPrivateKey(rsaCert.privateKeyPem),
          certificateId: '',
          clientId,
          audience: tokenUrl,
        }),
      'ERR_ASSERTION_MISSING_KID',
    );
  });
});

describe('README quick start', () => {
  it('generates a certificate, registers it with the emulator, and gets a token', async () => {
    const own = await startEmulator({ port: 0 });
    try {
      const { clientId: id } = await own.admin.createIntegration({ grants: ['client_credentials'] });
      const cert = await generateCertificate({ keyType: 'rsa-3072' });
      const { certificateId } = await own.admin.addCertificate({
        clientId: id,
        certificatePem: cert.certificatePem,
      });
      const url = netsuiteEndpoints(own.accountId, { origin: own.url, allowInsecureLoopback: true }).tokenUrl;
      const signer = await createAssertionSigner({
        key: cert.privateKeyPem,
        certificate: cert.certificatePem,
        certificateId,
        clientId: id,
        audience: url,
        scope: ['rest_webservices'],
      });
      const response = await fetch(url, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: await signer.sign(),
        }),
      });
      expect(((await response.json()) as { token_type: string }).token_type).toBe('Bearer');
    } finally {
      await own.close();
    }
  });
});
