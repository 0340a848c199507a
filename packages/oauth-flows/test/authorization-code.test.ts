import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AuthorizationResponseError,
  createAuthorizationRequest,
  exchangeAuthorizationCode,
  OAuthResponseError,
  parseAuthorizationCallback,
} from '../src/index.js';
import { ACCOUNT, json, type MockAs, startMockAs, tokenResponse } from './helpers/mock-as.js';

const REDIRECT = 'https://app.example.com/callback';

describe('createAuthorizationRequest', () => {
  it('builds the NetSuite authorize URL with PKCE S256, a 256-bit state and the scopes', async () => {
    const { url, state, codeVerifier, issuer } = await createAuthorizationRequest({
      accountId: ACCOUNT,
      clientId: 'client-1',
      redirectUri: REDIRECT,
      scopes: ['rest_webservices', 'restlets'],
      prompt: 'login consent',
    });
    const u = new URL(url);
    expect(u.origin).toBe('https://1234567-sb1.app.netsuite.com');
    expect(issuer).toBe(u.origin);
    expect(u.pathname).toBe('/app/login/oauth2/authorize.nl');
    const p = u.searchParams;
    expect(p.get('response_type')).toBe('code');
    expect(p.get('client_id')).toBe('client-1');
    expect(p.get('redirect_uri')).toBe(REDIRECT);
    expect(p.get('scope')).toBe('rest_webservices restlets');
    expect(p.get('state')).toBe(state);
    expect(p.get('prompt')).toBe('login consent');
    expect(p.get('code_challenge_method')).toBe('S256');
    expect(p.get('code_challenge')).toBe(createHash('sha256').update(codeVerifier).digest('base64url'));
    expect(state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(state.length).toBeGreaterThanOrEqual(22);
    expect(codeVerifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url).not.toContain(codeVerifier);
  });

  it('never repeats a state or verifier', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const r = await createAuthorizationRequest({
        accountId: ACCOUNT,
        clientId: 'c',
        redirectUri: REDIRECT,
        scopes: ['restlets'],
      });
      seen.add(r.state);
      seen.add(r.codeVerifier);
    }
    expect(seen.size).toBe(4000);
  });

  it('rejects bad input with ERR_OAUTH_INVALID_OPTION', async () => {
    const ok = { accountId: ACCOUNT, clientId: 'c', redirectUri: REDIRECT, scopes: ['restlets'] };
    const bad: unknown[] = [
      { ...ok, clientId: '' },
      { ...ok, clientId: 'a:b' },
      { ...ok, redirectUri: 'http://app.example.com/cb' },
      { ...ok, redirectUri: 'javascript:alert(1)' },
      { ...ok, redirectUri: 'https://a.example/cb#frag' },
      { ...ok, redirectUri: 'not a url' },
      { ...ok, scopes: [] },
      { ...ok, scopes: 'restlets' },
      { ...ok, scopes: ['two words'] },
      { ...ok, scopes: ['mcp', 'restlets'] },
      { ...ok, scopes: ['mcp'], prompt: 'none' },
      { ...ok, prompt: 'always' },
      { ...ok, extraParams: { state: 'mine' } },
      { ...ok, extraParams: { response_mode: 'fragment' } },
    ];
    for (const options of bad) {
      await expect(createAuthorizationRequest(options as never)).rejects.toMatchObject({
        code: 'ERR_OAUTH_INVALID_OPTION',
      });
    }
    await expect(createAuthorizationRequest({ ...ok, accountId: 'x.evil.com' })).rejects.toMatchObject({
      code: 'ERR_CORE_INVALID_ACCOUNT_ID',
    });
  });

  it('allows a loopback http redirect and a custom scheme', async () => {
    for (const redirectUri of ['http://127.0.0.1:52300/cb', 'myapp://callback']) {
      const r = await createAuthorizationRequest({
        accountId: ACCOUNT,
        clientId: 'c',
        redirectUri,
        scopes: ['restlets'],
      });
      expect(new URL(r.url).searchParams.get('redirect_uri')).toBe(redirectUri);
    }
  });
});

describe('parseAuthorizationCallback', () => {
  const fresh = async () =>
    (
      await createAuthorizationRequest({
        accountId: ACCOUNT,
        clientId: 'c',
        redirectUri: REDIRECT,
        scopes: ['restlets'],
      })
    ).state;

  it('returns code, role, entity and company', async () => {
    const state = await fresh();
    const result = parseAuthorizationCallback(
      `${REDIRECT}?state=${state}&role=1000&entity=12&company=1234567_SB1&code=abc123`,
      { expectedState: state },
    );
    expect(result).toEqual({ code: 'abc123', role: '1000', entity: '12', company: '1234567_SB1' });
  });

  it('rejects a missing, altered or replayed state before anything else', async () => {
    const state = await fresh();
    expect(() => parseAuthorizationCallback(`${REDIRECT}?code=x`, { expectedState: state })).toThrow(
      expect.objectContaining({ code: 'ERR_OAUTH_STATE_MISMATCH' }),
    );
    const state2 = await fresh();
    expect(() =>
      parseAuthorizationCallback(
        `${REDIRECT}?code=x&state=${state2.slice(0, -1)}${state2.endsWith('A') ? 'B' : 'A'}`,
        {
          expectedState: state2,
        },
      ),
    ).toThrow(expect.objectContaining({ code: 'ERR_OAUTH_STATE_MISMATCH' }));
    const state3 = await fresh();
    parseAuthorizationCallback(`${REDIRECT}?code=x&state=${state3}`, { expectedState: state3 });
    expect(() =>
      parseAuthorizationCallback(`${REDIRECT}?code=x&state=${state3}`, { expectedState: state3 }),
    ).toThrow(expect.objectContaining({ code: 'ERR_OAUTH_STATE_REUSED' }));
    // a failed first use also spends the state
    expect(() =>
      parseAuthorizationCallback(`${REDIRECT}?code=x&state=${state2}`, { expectedState: state2 }),
    ).toThrow(expect.objectContaining({ code: 'ERR_OAUTH_STATE_REUSED' }));
  });

  it('remembers a spent state for 15 minutes of the injected clock, then forgets it', async () => {
    let clock = 1_900_000_000_000;
    const now = () => clock;
    const state = await fresh();
    const callback = `${REDIRECT}?code=x&state=${state}`;
    parseAuthorizationCallback(callback, { expectedState: state, now });
    clock += 15 * 60_000 - 1;
    expect(() => parseAuthorizationCallback(callback, { expectedState: state, now })).toThrow(
      expect.objectContaining({ code: 'ERR_OAUTH_STATE_REUSED' }),
    );
    // The replay check is the process's own memory, bounded in time: the session must hold the state too.
    clock += 15 * 60_000 + 1;
    expect(parseAuthorizationCallback(callback, { expectedState: state, now })).toEqual({ code: 'x' });
    expect(() =>
      parseAuthorizationCallback(callback, { expectedState: state, now: 'soon' as never }),
    ).toThrow(expect.objectContaining({ code: 'ERR_OAUTH_INVALID_OPTION' }));
  });

  it('turns error= into AuthorizationResponseError', async () => {
    const state = await fresh();
    const error = (() => {
      try {
        parseAuthorizationCallback(
          `${REDIRECT}?state=${state}&role=1000&error=access_denied&error_description=no`,
          {
            expectedState: state,
          },
        );
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(AuthorizationResponseError);
    expect(error).toMatchObject({
      code: 'ERR_OAUTH_AUTHORIZATION_ERROR',
      error: 'access_denied',
      errorDescription: 'no',
    });
  });

  it('checks iss against the expected issuer (RFC 9207)', async () => {
    const issuer = 'https://as.example.com';
    let state = await fresh();
    expect(
      parseAuthorizationCallback(`${REDIRECT}?state=${state}&code=c&iss=${encodeURIComponent(issuer)}`, {
        expectedState: state,
        expectedIssuer: issuer,
      }).code,
    ).toBe('c');
    state = await fresh();
    expect(() =>
      parseAuthorizationCallback(`${REDIRECT}?state=${state}&code=c&iss=https%3A%2F%2Fevil.example`, {
        expectedState: state,
        expectedIssuer: issuer,
      }),
    ).toThrow(expect.objectContaining({ code: 'ERR_OAUTH_ISSUER_MISMATCH' }));
    state = await fresh();
    expect(() =>
      parseAuthorizationCallback(`${REDIRECT}?state=${state}&code=c`, {
        expectedState: state,
        expectedIssuer: issuer,
        requireIssuer: true,
      }),
    ).toThrow(expect.objectContaining({ code: 'ERR_OAUTH_ISSUER_MISMATCH' }));
  });

  it('rejects implicit/hybrid responses, missing or duplicated codes and non-id role values', async () => {
    const cases = [
      (s: string) => `${REDIRECT}?state=${s}&access_token=x&token_type=bearer`,
      (s: string) => `${REDIRECT}?state=${s}&code=a&id_token=x`,
      (s: string) => `${REDIRECT}?state=${s}`,
      (s: string) => `${REDIRECT}?state=${s}&code=a&code=b`,
      (s: string) => `${REDIRECT}?state=${s}&code=a&role=%3Cscript%3E`,
    ];
    for (const make of cases) {
      const state = await fresh();
      expect(() => parseAuthorizationCallback(make(state), { expectedState: state })).toThrow(
        expect.objectContaining({ code: 'ERR_OAUTH_INVALID_CALLBACK' }),
      );
    }
  });

  it('rejects bad options', () => {
    expect(() => parseAuthorizationCallback(`${REDIRECT}?code=a`, { expectedState: 'short' })).toThrow(
      expect.objectContaining({ code: 'ERR_OAUTH_INVALID_OPTION' }),
    );
    expect(() => parseAuthorizationCallback(`${REDIRECT}?code=a`, null as never)).toThrow(
      expect.objectContaining({ code: 'ERR_OAUTH_INVALID_OPTION' }),
    );
  });
});

describe('exchangeAuthorizationCode', () => {
  let as: MockAs;
  beforeEach(async () => {
    as = await startMockAs();
  });
  afterEach(async () => {
    await as.close();
  });
  const verifier = 'v'.repeat(43);
  const common = () => ({
    accountId: ACCOUNT,
    origin: as.url,
    allowInsecureLoopback: true,
    code: 'the-code',
    redirectUri: REDIRECT,
    codeVerifier: verifier,
  });

  it('authenticates a confidential client with HTTP Basic only', async () => {
    as.handle((_r, res) => tokenResponse(res, { refresh_token: 'rt-1', token_type: 'bearer' }));
    const t = 5_000;
    const tokens = await exchangeAuthorizationCode({
      ...common(),
      client: { clientId: 'cid', clientSecret: 's3cr:et' },
      now: () => t,
    });
    const req = as.requests[0];
    expect(req?.headers.authorization).toBe(`Basic ${Buffer.from('cid:s3cr%3Aet').toString('base64')}`);
    expect(req?.form.get('grant_type')).toBe('authorization_code');
    expect(req?.form.get('code')).toBe('the-code');
    expect(req?.form.get('redirect_uri')).toBe(REDIRECT);
    expect(req?.form.get('code_verifier')).toBe(verifier);
    expect(req?.form.has('client_id')).toBe(false);
    expect(req?.form.has('client_secret')).toBe(false);
    expect(tokens.refreshToken).toBe('rt-1');
    // opaque refresh token: NetSuite's 7-day default for confidential clients
    expect(tokens.refreshTokenExpiresAt).toBe(t + 7 * 24 * 3600 * 1000);
  });

  it('sends client_id in the body for a public client', async () => {
    as.handle((_r, res) => tokenResponse(res, { refresh_token: 'rt-1' }));
    const t = 0;
    const tokens = await exchangeAuthorizationCode({
      ...common(),
      client: { clientId: 'pub' },
      now: () => t,
    });
    const req = as.requests[0];
    expect(req?.headers.authorization).toBeUndefined();
    expect(req?.form.get('client_id')).toBe('pub');
    expect(tokens.refreshTokenExpiresAt).toBe(48 * 3600 * 1000);
  });

  it('reads the refresh token expiry from a JWT refresh token', async () => {
    const exp = 2_000_000_000;
    const jwt = `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify({ exp })).toString('base64url')}.sig`;
    as.handle((_r, res) => tokenResponse(res, { refresh_token: jwt }));
    const tokens = await exchangeAuthorizationCode({
      ...common(),
      client: { clientId: 'cid', clientSecret: 's' },
    });
    expect(tokens.refreshTokenExpiresAt).toBe(exp * 1000);
  });

  it('never retries a code exchange: a stalled server sees exactly one POST (R26)', async () => {
    as.handle(() => {});
    await expect(
      exchangeAuthorizationCode({
        ...common(),
        client: { clientId: 'cid', clientSecret: 's' },
        timeoutMs: 200,
      }),
    ).rejects.toMatchObject({ code: 'ERR_OAUTH_TIMEOUT' });
    await new Promise((r) => setTimeout(r, 100));
    expect(as.requests).toHaveLength(1);
  });

  it('returns invalid_grant as OAuthResponseError', async () => {
    as.handle((_r, res) => json(res, 400, { error: 'invalid_grant' }));
    const error = await exchangeAuthorizationCode({
      ...common(),
      client: { clientId: 'cid', clientSecret: 's' },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OAuthResponseError);
    expect(error).toMatchObject({ error: 'invalid_grant', status: 400 });
  });

  it('rejects bad options before any request', async () => {
    const bad: unknown[] = [
      { ...common(), client: { clientId: 'c' }, codeVerifier: 'short' },
      { ...common(), client: { clientId: 'c' }, codeVerifier: `${'a'.repeat(42)}!` },
      { ...common(), client: { clientId: 'c' }, code: '' },
      { ...common(), client: { clientId: 'c', clientSecret: '' } },
      { ...common(), client: null },
      { ...common(), client: { clientId: 'c' }, refreshTokenLifetimeMs: -5 },
    ];
    for (const options of bad) {
      await expect(exchangeAuthorizationCode(options as never)).rejects.toMatchObject({
        code: 'ERR_OAUTH_INVALID_OPTION',
      });
    }
    expect(as.connections).toBe(0);
  });
});
