import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { memoryTokenStore } from '@netsuite-oauth/token-store';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAuthorizationRequest,
  createTokenManager,
  exchangeAuthorizationCode,
  parseAuthorizationCallback,
  refreshAccessToken,
  requestClientCredentialsToken,
  revokeToken,
} from '../src/index.js';
import { driveAuthorization } from './helpers/form-driver.js';

// The client against a standards OAuth server that is not ours: oidc-provider on 127.0.0.1, with its routes
// at NetSuite's paths so the same origin override works.
const ACCOUNT = '1234567';
const REDIRECT = 'https://app.example.com/cb';
let server: Server;
let issuer: string;
let signer: { sign(): Promise<string> };
let tokenPosts = 0;

beforeAll(async () => {
  const { privateKey, publicKey } = await generateKeyPair('PS256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), use: 'sig', alg: 'PS256', kid: 'cert-1' };
  server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'm2m',
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: 'PS256',
        jwks: { keys: [jwk] },
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
        scope: 'api',
      },
      {
        client_id: 'web',
        client_secret: 'web-secret-value',
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['authorization_code', 'refresh_token'],
        redirect_uris: [REDIRECT],
        response_types: ['code'],
      },
      {
        client_id: 'pub',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        redirect_uris: [REDIRECT],
        response_types: ['code'],
      },
    ],
    features: {
      clientCredentials: { enabled: true },
      revocation: { enabled: true, allowedPolicy: async () => true },
      devInteractions: { enabled: true },
    },
    routes: {
      authorization: '/app/login/oauth2/authorize.nl',
      token: '/services/rest/auth/oauth2/v1/token',
      revocation: '/services/rest/auth/oauth2/v1/revoke',
    },
    scopes: ['openid', 'offline_access', 'api'],
    ttl: {
      AccessToken: 3600,
      ClientCredentials: 3600,
      Grant: 86_400,
      IdToken: 3600,
      Interaction: 600,
      RefreshToken: 86_400,
      Session: 86_400,
      AuthorizationCode: 60,
    },
    pkce: { required: () => true },
    findAccount: async (_ctx: unknown, sub: string) => ({ accountId: sub, claims: async () => ({ sub }) }),
  });
  const callback = provider.callback();
  server.on('request', (req, res) => {
    if (req.method === 'POST' && req.url === '/services/rest/auth/oauth2/v1/token') tokenPosts += 1;
    callback(req, res);
  });
  const tokenUrl = `${issuer}/services/rest/auth/oauth2/v1/token`;
  signer = {
    sign: async () =>
      await new SignJWT({})
        .setProtectedHeader({ alg: 'PS256', kid: 'cert-1', typ: 'JWT' })
        .setIssuer('m2m')
        .setSubject('m2m')
        .setAudience(tokenUrl)
        .setIssuedAt()
        .setExpirationTime('5m')
        .setJti(crypto.randomUUID())
        .sign(privateKey),
  };
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

const loc = () => ({ accountId: ACCOUNT, origin: issuer, allowInsecureLoopback: true });

async function login(clientId: string): Promise<{ code: string; codeVerifier: string }> {
  const request = await createAuthorizationRequest({
    ...loc(),
    clientId,
    redirectUri: REDIRECT,
    scopes: ['openid', 'offline_access'],
    prompt: 'consent',
  });
  const callbackUrl = await driveAuthorization(request.url, {
    redirectUri: REDIRECT,
    fill: { login: 'user-1', password: 'any' },
  });
  // The request's issuer (the authorize endpoint's origin) is what a real RFC 9207 server sends as iss.
  expect(request.issuer).toBe(issuer);
  const { code } = parseAuthorizationCallback(callbackUrl, {
    expectedState: request.state,
    expectedIssuer: request.issuer,
    requireIssuer: true,
  });
  return { code, codeVerifier: request.codeVerifier };
}

describe('against oidc-provider', () => {
  it('client credentials with private_key_jwt, one-shot and through the token manager', async () => {
    const tokens = await requestClientCredentialsToken({ ...loc(), signer });
    expect(tokens.accessToken.length).toBeGreaterThan(10);
    expect(tokens.expiresAt).toBeGreaterThan(Date.now());
    const before = tokenPosts;
    const manager = createTokenManager({
      store: memoryTokenStore(),
      key: 'm2m',
      grant: { type: 'client_credentials', ...loc(), signer },
    });
    const all = await Promise.all(Array.from({ length: 200 }, () => manager.getAccessToken()));
    expect(new Set(all).size).toBe(1);
    expect(tokenPosts - before).toBe(1);
  });

  it('a bad assertion is refused with invalid_client', async () => {
    const bad = { sign: async () => `${(await signer.sign()).slice(0, -4)}AAAA` };
    await expect(requestClientCredentialsToken({ ...loc(), signer: bad })).rejects.toMatchObject({
      code: 'ERR_OAUTH_RESPONSE',
      error: 'invalid_client',
      status: 401,
    });
  });

  it('authorization code + PKCE + refresh + revoke for a confidential client', async () => {
    const client = { clientId: 'web', clientSecret: 'web-secret-value' };
    const { code, codeVerifier } = await login('web');
    const tokens = await exchangeAuthorizationCode({
      ...loc(),
      client,
      code,
      codeVerifier,
      redirectUri: REDIRECT,
    });
    expect(tokens.refreshToken).toBeDefined();
    const refreshed = await refreshAccessToken({
      ...loc(),
      client,
      refreshToken: tokens.refreshToken as string,
    });
    expect(refreshed.accessToken).not.toBe(tokens.accessToken);
    const rt = refreshed.refreshToken as string;
    await revokeToken({ ...loc(), client, token: rt });
    await expect(refreshAccessToken({ ...loc(), client, refreshToken: rt })).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('a code is single-use, and replaying it revokes what it issued', async () => {
    const client = { clientId: 'web', clientSecret: 'web-secret-value' };
    const { code, codeVerifier } = await login('web');
    const tokens = await exchangeAuthorizationCode({
      ...loc(),
      client,
      code,
      codeVerifier,
      redirectUri: REDIRECT,
    });
    await expect(
      exchangeAuthorizationCode({ ...loc(), client, code, codeVerifier, redirectUri: REDIRECT }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(
      refreshAccessToken({ ...loc(), client, refreshToken: tokens.refreshToken as string }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('a wrong PKCE verifier is refused', async () => {
    const { code } = await login('web');
    await expect(
      exchangeAuthorizationCode({
        ...loc(),
        client: { clientId: 'web', clientSecret: 'web-secret-value' },
        code,
        codeVerifier: 'x'.repeat(43),
        redirectUri: REDIRECT,
      }),
    ).rejects.toMatchObject({ error: 'invalid_grant', status: 400 });
  });

  it('a public client rotates its refresh token through the token manager, never spending one twice', async () => {
    const client = { clientId: 'pub' };
    const { code, codeVerifier } = await login('pub');
    const tokens = await exchangeAuthorizationCode({
      ...loc(),
      client,
      code,
      codeVerifier,
      redirectUri: REDIRECT,
    });
    let clock = Date.now();
    const manager = createTokenManager({
      store: memoryTokenStore(),
      key: 'pub',
      grant: { type: 'refresh_token', ...loc(), client },
      now: () => clock,
    });
    await manager.setTokenSet(tokens);
    const seen = new Set<string>();
    for (let cycle = 0; cycle < 3; cycle++) {
      clock += 3 * 3600_000;
      const got = await Promise.all(Array.from({ length: 50 }, () => manager.getAccessToken()));
      expect(new Set(got).size).toBe(1);
      seen.add(got[0] as string);
    }
    expect(seen.size).toBe(3);
    const latest = await manager.getTokenSet();
    expect(latest.refreshToken).not.toBe(tokens.refreshToken);
    // the first refresh token was rotated away: spending it again is refused
    await expect(
      refreshAccessToken({ ...loc(), client, refreshToken: tokens.refreshToken as string }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
  });
});
