import { memoryTokenStore } from '@netsuite-oauth/token-store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createTokenManager,
  OAuthResponseError,
  refreshAccessToken,
  revokeToken,
  TokenSet,
} from '../src/index.js';
import { ACCOUNT, json, type MockAs, startMockAs, tokenResponse } from './helpers/mock-as.js';

let as: MockAs;
beforeEach(async () => {
  as = await startMockAs();
});
afterEach(async () => {
  await as.close();
});
const loc = () => ({ accountId: ACCOUNT, origin: as.url, allowInsecureLoopback: true });
const confidential = { clientId: 'cid', clientSecret: 'secret' };
const session = () =>
  new TokenSet({
    accessToken: 'at',
    tokenType: 'Bearer',
    expiresAt: Date.now() + 3600_000,
    refreshToken: 'rt',
  });

describe('refreshAccessToken', () => {
  it('keeps a non-rotated refresh token and its original expiry (confidential client)', async () => {
    as.handle((_r, res) => tokenResponse(res));
    const tokens = await refreshAccessToken({
      ...loc(),
      client: confidential,
      refreshToken: 'rt-old',
      refreshTokenExpiresAt: 42,
    });
    const req = as.requests[0];
    expect(req?.form.get('grant_type')).toBe('refresh_token');
    expect(req?.form.get('refresh_token')).toBe('rt-old');
    expect(req?.headers.authorization).toMatch(/^Basic /);
    expect(tokens.refreshToken).toBe('rt-old');
    expect(tokens.refreshTokenExpiresAt).toBe(42);
  });

  it('returns the rotated refresh token of a public client', async () => {
    as.handle((_r, res) => tokenResponse(res, { refresh_token: 'rt-new' }));
    const tokens = await refreshAccessToken({
      ...loc(),
      client: { clientId: 'pub' },
      refreshToken: 'rt-old',
    });
    expect(as.requests[0]?.form.get('client_id')).toBe('pub');
    expect(tokens.refreshToken).toBe('rt-new');
  });

  it('rejects invalid_grant as OAuthResponseError and bad input as ERR_OAUTH_INVALID_OPTION', async () => {
    as.handle((_r, res) => json(res, 400, { error: 'invalid_grant' }));
    await expect(
      refreshAccessToken({ ...loc(), client: confidential, refreshToken: 'rt' }),
    ).rejects.toBeInstanceOf(OAuthResponseError);
    await expect(
      refreshAccessToken({ ...loc(), client: confidential, refreshToken: '' }),
    ).rejects.toMatchObject({
      code: 'ERR_OAUTH_INVALID_OPTION',
    });
  });
});

describe('revokeToken', () => {
  it('posts the token with client auth; any 200 is success whatever the body', async () => {
    for (const body of ['', 'not json', '{"weird":true}']) {
      as.handle((_r, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(body);
      });
      await expect(revokeToken({ ...loc(), client: confidential, token: 'rt-1' })).resolves.toBeUndefined();
    }
    const req = as.requests[0];
    expect(req?.path).toBe('/services/rest/auth/oauth2/v1/revoke');
    expect(req?.form.get('token')).toBe('rt-1');
    expect(req?.form.has('token_type_hint')).toBe(false);
    expect(req?.headers.authorization).toMatch(/^Basic /);
  });

  it('sends a hint when asked, and client_id for public clients', async () => {
    await revokeToken({ ...loc(), client: { clientId: 'pub' }, token: 'rt', tokenTypeHint: 'refresh_token' });
    expect(as.requests[0]?.form.get('token_type_hint')).toBe('refresh_token');
    expect(as.requests[0]?.form.get('client_id')).toBe('pub');
  });

  it('reports 503 with Retry-After, and unsupported_token_type as OAuthResponseError (R44)', async () => {
    as.handle((_r, res) => {
      res.writeHead(503, { 'retry-after': '7' });
      res.end();
    });
    await expect(revokeToken({ ...loc(), client: confidential, token: 'rt' })).rejects.toMatchObject({
      code: 'ERR_OAUTH_UNEXPECTED_STATUS',
      status: 503,
      retryAfterMs: 7000,
    });
    as.handle((_r, res) => json(res, 400, { error: 'unsupported_token_type' }));
    await expect(revokeToken({ ...loc(), client: confidential, token: 'rt' })).rejects.toMatchObject({
      code: 'ERR_OAUTH_RESPONSE',
      error: 'unsupported_token_type',
    });
  });

  it('rejects bad input before any request', async () => {
    await expect(revokeToken({ ...loc(), client: confidential, token: '' })).rejects.toMatchObject({
      code: 'ERR_OAUTH_INVALID_OPTION',
    });
    await expect(
      revokeToken({ ...loc(), client: confidential, token: 't', tokenTypeHint: 'id_token' as never }),
    ).rejects.toMatchObject({ code: 'ERR_OAUTH_INVALID_OPTION' });
    expect(as.connections).toBe(0);
  });
});

describe('TokenManager.logout', () => {
  it('revokes the stored refresh token without refreshing first, and forgets the session', async () => {
    const store = memoryTokenStore();
    const manager = createTokenManager({
      store,
      key: 's',
      grant: { type: 'refresh_token', ...loc(), client: confidential },
    });
    await manager.setTokenSet(session());
    as.handle((_r, res) => {
      res.writeHead(200);
      res.end();
    });
    await expect(manager.logout()).resolves.toEqual({ revoked: true });
    expect(as.requests).toHaveLength(1);
    expect(as.requests[0]?.path).toContain('/revoke');
    expect(as.requests[0]?.body).toContain('token=rt');
    expect(await store.get('s')).toBeUndefined();
  });

  it('server down: deletes locally and reports revoked: false with a typed error, never the token', async () => {
    const store = memoryTokenStore();
    const manager = createTokenManager({
      store,
      key: 's',
      grant: { type: 'refresh_token', ...loc(), client: confidential },
    });
    await manager.setTokenSet(session());
    await as.close();
    const result = await manager.logout();
    expect(result.revoked).toBe(false);
    expect(result.error).toMatchObject({ code: 'ERR_OAUTH_NETWORK' });
    expect(JSON.stringify(result)).not.toContain('rt');
    expect(await store.get('s')).toBeUndefined();
    as = await startMockAs();
  });

  it('nothing stored: nothing to revoke; client-credentials managers refuse', async () => {
    const manager = createTokenManager({
      store: memoryTokenStore(),
      key: 's',
      grant: { type: 'refresh_token', ...loc(), client: confidential },
    });
    await expect(manager.logout()).resolves.toEqual({ revoked: true });
    expect(as.requests).toHaveLength(0);
  });
});

describe('G27: logout deletes the local tokens whatever the authorization server answers', () => {
  const stored = (store: ReturnType<typeof memoryTokenStore>) =>
    createTokenManager({
      store,
      key: 'session',
      grant: { type: 'refresh_token', ...loc(), client: confidential },
    });

  it('server down: the session is gone locally, the failure is reported, the next call asks to log in', async () => {
    const store = memoryTokenStore();
    const manager = stored(store);
    await manager.setTokenSet(session());
    await as.close();
    const result = await manager.logout();
    expect(result).toMatchObject({ revoked: false, error: { code: 'ERR_OAUTH_NETWORK' } });
    expect(await store.get('session')).toBeUndefined();
    // A second manager on the same store (another process) finds nothing either.
    await expect(stored(store).getAccessToken()).rejects.toMatchObject({
      code: 'ERR_OAUTH_REAUTHENTICATION_REQUIRED',
    });
    as = await startMockAs();
  });

  it('503 with Retry-After: deleted locally, the error carries when to try revoking again', async () => {
    const store = memoryTokenStore();
    const manager = stored(store);
    await manager.setTokenSet(session());
    as.handle((_r, res) => {
      res.writeHead(503, { 'retry-after': '9' });
      res.end();
    });
    const result = await manager.logout();
    expect(result).toMatchObject({
      revoked: false,
      error: { code: 'ERR_OAUTH_UNEXPECTED_STATUS', status: 503, retryAfterMs: 9000 },
    });
    expect(as.requests).toHaveLength(1);
    expect(await store.get('session')).toBeUndefined();
  });

  it('200 with any body is a successful revocation', async () => {
    for (const body of ['', 'not json', '{"error":"whatever"}']) {
      const store = memoryTokenStore();
      const manager = stored(store);
      await manager.setTokenSet(session());
      as.handle((_r, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(body);
      });
      await expect(manager.logout()).resolves.toEqual({ revoked: true });
      expect(await store.get('session')).toBeUndefined();
    }
  });
});
