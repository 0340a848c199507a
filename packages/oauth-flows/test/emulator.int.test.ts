import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthorizationResponseError,
  createAuthorizationRequest,
  createTokenManager,
  exchangeAuthorizationCode,
  OAuthResponseError,
  parseAuthorizationCallback,
  refreshAccessToken,
  requestClientCredentialsToken,
  revokeToken,
  type TokenSet,
} from '../src/index.js';
import { type EmulatorSetup, REDIRECT, setupEmulator } from './helpers/emulator.js';
import { driveAuthorization } from './helpers/form-driver.js';
import { fileFactory, memoryFactory, redisFactory, type StoreFactory } from './helpers/stores.js';

const USER = { email: 'admin@example.com', password: 'emulator-password' };

let s: EmulatorSetup;
beforeAll(async () => {
  s = await setupEmulator();
});
afterAll(async () => {
  await s.emu.close();
});

const tokenCount = async (grant?: string) => {
  const c = await s.emu.admin.counters();
  return grant === undefined ? c.token : (c.tokenByGrant[grant] ?? 0);
};

async function login(clientId: string, decision: 'allow' | 'deny' = 'allow') {
  const request = await createAuthorizationRequest({
    ...s.loc,
    clientId,
    redirectUri: REDIRECT,
    scopes: ['rest_webservices'],
  });
  const callbackUrl = await driveAuthorization(request.url, {
    redirectUri: REDIRECT,
    fill: USER,
    press: { decision },
  });
  return { request, callbackUrl };
}

async function loginAndExchange(client: { clientId: string; clientSecret?: string }): Promise<TokenSet> {
  const { request, callbackUrl } = await login(client.clientId);
  const callback = parseAuthorizationCallback(callbackUrl, { expectedState: request.state });
  expect(callback.company).toBe(s.emu.accountId);
  expect(callback.role).toBeDefined();
  return await exchangeAuthorizationCode({
    ...s.loc,
    client,
    code: callback.code,
    redirectUri: REDIRECT,
    codeVerifier: request.codeVerifier,
  });
}

async function bearerWorks(token: string): Promise<number> {
  const res = await fetch(`${s.emu.endpoints.recordUrl}/customer?limit=1`, {
    headers: { authorization: `Bearer ${token}` },
  });
  await res.arrayBuffer();
  return res.status;
}

const factories: Array<readonly [string, () => Promise<StoreFactory>]> = [
  ['memory', memoryFactory],
  ['file', fileFactory],
  ['redis', redisFactory],
];

describe.each(factories)('flows with the %s store', (_name, makeFactory) => {
  let factory: StoreFactory;
  beforeAll(async () => {
    factory = await makeFactory();
  });
  afterAll(async () => {
    await factory.cleanup();
  });

  it('G01: 1,000 concurrent getAccessToken() on a cold cache make exactly 1 token request', async () => {
    const manager = createTokenManager({
      store: factory.create(),
      key: `cc-${Math.random()}`,
      grant: { type: 'client_credentials', ...s.loc, signer: await s.signer() },
    });
    const before = await tokenCount();
    const tokens = await Promise.all(Array.from({ length: 1000 }, () => manager.getAccessToken()));
    expect(await tokenCount()).toBe(before + 1);
    expect(new Set(tokens).size).toBe(1);
    expect(await bearerWorks(tokens[0] as string)).toBe(200);
  });

  it('invalidate after a 401 fetches exactly one new token', async () => {
    const key = `cc-inv-${Math.random()}`;
    const manager = createTokenManager({
      store: factory.create(),
      key,
      grant: { type: 'client_credentials', ...s.loc, signer: await s.signer() },
    });
    const t1 = await manager.getAccessToken();
    const before = await tokenCount();
    await manager.invalidate(t1);
    const t2 = await manager.getAccessToken();
    expect(t2).not.toBe(t1);
    expect(await tokenCount()).toBe(before + 1);
    // a second manager sharing the store adopts t2 without a request
    const other = createTokenManager({
      store: factory.create(),
      key,
      grant: { type: 'client_credentials', ...s.loc, signer: await s.signer() },
    });
    expect(await other.getAccessToken()).toBe(t2);
    expect(await tokenCount()).toBe(before + 1);
  });

  it('confidential authorization code: login, exchange, store, refresh (no rotation), revoke → log in again', async () => {
    const tokens = await loginAndExchange(s.web);
    expect(tokens.refreshToken).toBeDefined();
    expect(tokens.refreshTokenExpiresAt).toBeGreaterThan(Date.now() + 6 * 24 * 3600_000);
    expect(await bearerWorks(tokens.accessToken)).toBe(200);
    const manager = createTokenManager({
      store: factory.create(),
      key: `web-${Math.random()}`,
      grant: { type: 'refresh_token', ...s.loc, client: s.web },
    });
    await manager.setTokenSet(tokens);
    expect(await manager.getAccessToken()).toBe(tokens.accessToken);
    const before = await tokenCount('refresh_token');
    await manager.invalidate(tokens.accessToken);
    const fresh = await Promise.all(Array.from({ length: 50 }, () => manager.getAccessToken()));
    expect(new Set(fresh).size).toBe(1);
    expect(fresh[0]).not.toBe(tokens.accessToken);
    expect(await tokenCount('refresh_token')).toBe(before + 1);
    const set = await manager.getTokenSet();
    expect(set.refreshToken).toBe(tokens.refreshToken);
    expect(set.refreshTokenExpiresAt).toBe(tokens.refreshTokenExpiresAt);
    await revokeToken({ ...s.loc, client: s.web, token: tokens.refreshToken as string });
    await manager.invalidate(fresh[0] as string);
    await expect(manager.getAccessToken()).rejects.toMatchObject({
      code: 'ERR_OAUTH_REAUTHENTICATION_REQUIRED',
    });
  });

  it('public client: rotating refresh tokens spent once each through the manager', async () => {
    const client = { clientId: s.pub.clientId };
    const tokens = await loginAndExchange(client);
    const key = `pub-${Math.random()}`;
    const managers = [0, 1, 2].map(() =>
      createTokenManager({
        store: factory.create(),
        key,
        grant: { type: 'refresh_token', ...s.loc, client },
      }),
    );
    await managers[0]?.setTokenSet(tokens);
    let current = tokens.accessToken;
    const before = await tokenCount('refresh_token');
    for (let cycle = 0; cycle < 3; cycle++) {
      await Promise.all(managers.map((m) => m.invalidate(current)));
      const got = await Promise.all(
        managers.flatMap((m) => Array.from({ length: 20 }, () => m.getAccessToken())),
      );
      expect(new Set(got).size).toBe(1);
      current = got[0] as string;
    }
    expect(await tokenCount('refresh_token')).toBe(before + 3);
    const latest = await managers[1]?.getTokenSet();
    expect(latest?.refreshToken).not.toBe(tokens.refreshToken);
    // the first refresh token was spent: using it again is refused
    await expect(
      refreshAccessToken({ ...s.loc, client, refreshToken: tokens.refreshToken as string }),
    ).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });
});

describe('refusals from the emulator', () => {
  it('wrong client secret → invalid_client 401', async () => {
    const tokens = await loginAndExchange(s.web);
    const error = await refreshAccessToken({
      ...s.loc,
      client: { clientId: s.web.clientId, clientSecret: 'wrong-secret' },
      refreshToken: tokens.refreshToken as string,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OAuthResponseError);
    expect(error).toMatchObject({ error: 'invalid_client', status: 401 });
  });

  it('wrong PKCE verifier, reused code → invalid_grant; never retried', async () => {
    const { request, callbackUrl } = await login(s.web.clientId);
    const { code } = parseAuthorizationCallback(callbackUrl, { expectedState: request.state });
    const before = await tokenCount();
    await expect(
      exchangeAuthorizationCode({
        ...s.loc,
        client: s.web,
        code,
        redirectUri: REDIRECT,
        codeVerifier: 'x'.repeat(43),
      }),
    ).rejects.toMatchObject({ error: 'invalid_grant', status: 400 });
    expect(await tokenCount()).toBe(before + 1);
    // exchanged once with the right verifier, the code is spent
    await exchangeAuthorizationCode({
      ...s.loc,
      client: s.web,
      code,
      redirectUri: REDIRECT,
      codeVerifier: request.codeVerifier,
    });
    await expect(
      exchangeAuthorizationCode({
        ...s.loc,
        client: s.web,
        code,
        redirectUri: REDIRECT,
        codeVerifier: request.codeVerifier,
      }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('redirect uri mismatch on exchange → invalid_grant', async () => {
    const { request, callbackUrl } = await login(s.web.clientId);
    const { code } = parseAuthorizationCallback(callbackUrl, { expectedState: request.state });
    await expect(
      exchangeAuthorizationCode({
        ...s.loc,
        client: s.web,
        code,
        redirectUri: 'https://other.example.com/cb',
        codeVerifier: request.codeVerifier,
      }),
    ).rejects.toMatchObject({ code: 'ERR_OAUTH_RESPONSE' });
  });

  it('the user denies consent → AuthorizationResponseError access_denied', async () => {
    const { request, callbackUrl } = await login(s.web.clientId, 'deny');
    let error: unknown;
    try {
      parseAuthorizationCallback(callbackUrl, { expectedState: request.state });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AuthorizationResponseError);
    expect(error).toMatchObject({ error: 'access_denied' });
  });

  it('a forged state is refused before any token request', async () => {
    const { callbackUrl } = await login(s.web.clientId);
    const other = await createAuthorizationRequest({
      ...s.loc,
      clientId: s.web.clientId,
      redirectUri: REDIRECT,
      scopes: ['rest_webservices'],
    });
    const before = await tokenCount();
    expect(() => parseAuthorizationCallback(callbackUrl, { expectedState: other.state })).toThrow(
      expect.objectContaining({ code: 'ERR_OAUTH_STATE_MISMATCH' }),
    );
    expect(await tokenCount()).toBe(before);
  });

  it('revoked certificate, unknown kid and wrong audience are refused for client credentials', async () => {
    const { createAssertionSigner } = await import('@netsuite-oauth/jwt-assertion');
    const wrongAudience = await createAssertionSigner({
      key: s.m2m.privateKeyPem,
      certificateId: s.m2m.certificateId,
      clientId: s.m2m.clientId,
      audience: 'https://evil.example.com/services/rest/auth/oauth2/v1/token',
      scope: ['rest_webservices'],
    });
    await expect(requestClientCredentialsToken({ ...s.loc, signer: wrongAudience })).rejects.toBeInstanceOf(
      OAuthResponseError,
    );
    const unknownKid = await createAssertionSigner({
      key: s.m2m.privateKeyPem,
      certificateId: 'A'.repeat(43),
      clientId: s.m2m.clientId,
      audience: s.emu.endpoints.tokenUrl,
      scope: ['rest_webservices'],
    });
    await expect(requestClientCredentialsToken({ ...s.loc, signer: unknownKid })).rejects.toBeInstanceOf(
      OAuthResponseError,
    );
    const { generateTestCertificate } = await import('@netsuite-oauth/emulator');
    const cert = await generateTestCertificate();
    const { certificateId } = await s.emu.admin.addCertificate({
      clientId: s.m2m.clientId,
      certificatePem: cert.certificatePem,
    });
    const signer = await createAssertionSigner({
      key: cert.privateKeyPem,
      certificateId,
      clientId: s.m2m.clientId,
      audience: s.emu.endpoints.tokenUrl,
      scope: ['rest_webservices'],
    });
    await expect(requestClientCredentialsToken({ ...s.loc, signer })).resolves.toBeDefined();
    await s.emu.admin.revokeCertificate(certificateId);
    await expect(requestClientCredentialsToken({ ...s.loc, signer })).rejects.toBeInstanceOf(
      OAuthResponseError,
    );
  });

  it('a token-endpoint fault (503) is reported with its status; the manager serves nothing stale it does not have', async () => {
    await s.emu.admin.injectFault({ route: 'token', count: 1, status: 503 });
    await expect(requestClientCredentialsToken({ ...s.loc, signer: await s.signer() })).rejects.toMatchObject(
      { status: 503 },
    );
    await expect(
      requestClientCredentialsToken({ ...s.loc, signer: await s.signer() }),
    ).resolves.toBeDefined();
  });

  it('a malformed token response is refused as ERR_OAUTH_INVALID_RESPONSE', async () => {
    await s.emu.admin.injectFault({ route: 'token', count: 1, malformed: true });
    await expect(requestClientCredentialsToken({ ...s.loc, signer: await s.signer() })).rejects.toMatchObject(
      {
        code: expect.stringMatching(/^ERR_OAUTH_(INVALID_RESPONSE|UNEXPECTED_STATUS)$/),
      },
    );
  });

  it('G09: the emulator clock 10 minutes ahead is corrected from its Date header in at most 2 requests', async () => {
    const skewed = await setupEmulator();
    try {
      await skewed.emu.admin.advanceClock(10 * 60_000);
      const manager = createTokenManager({
        store: (await memoryFactory()).create(),
        key: 'skew',
        grant: { type: 'client_credentials', ...skewed.loc, signer: await skewed.signer() },
      });
      await expect(manager.getAccessToken()).resolves.toEqual(expect.any(String));
      const counters = await skewed.emu.admin.counters();
      expect(counters.token).toBeLessThanOrEqual(2);
      expect(Math.abs(manager.clockSkewMs - 600_000)).toBeLessThan(2_000);
      // later requests sign on the server clock at once
      await manager.invalidate(await manager.getAccessToken());
      await manager.getAccessToken();
      expect((await skewed.emu.admin.counters()).token).toBe(counters.token + 1);
    } finally {
      await skewed.emu.close();
    }
  });
});
