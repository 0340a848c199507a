import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAuthorizationRequest,
  exchangeAuthorizationCode,
  parseAuthorizationCallback,
  requestClientCredentialsToken,
} from '../src/index.js';
import { ACCOUNT, fakeSigner, type MockAs, startMockAs } from './helpers/mock-as.js';

// G12: our port of the OIDF client negative modules (as oauth4webapi's conformance/ runs them) against a mock AS.
let as: MockAs;
beforeAll(async () => {
  as = await startMockAs();
});
afterAll(async () => {
  await as.close();
});

type Reply = { status: number; type?: string; body: string; headers?: Record<string, string> };
const reply = (r: Reply) => {
  as.handle((_req, res) => {
    res.writeHead(r.status, { ...(r.type === undefined ? {} : { 'content-type': r.type }), ...r.headers });
    res.end(r.body);
  });
};
const cc = () =>
  requestClientCredentialsToken({
    accountId: ACCOUNT,
    origin: as.url,
    allowInsecureLoopback: true,
    signer: fakeSigner(),
  });
const J = 'application/json';

describe('G12: token endpoint responses', () => {
  const accepted: Array<[string, Reply, (t: Awaited<ReturnType<typeof cc>>) => void]> = [
    [
      'token-type-case-insensitivity',
      { status: 200, type: J, body: '{"access_token":"a","token_type":"bEaReR","expires_in":60}' },
      (t) => expect(t.tokenType).toBe('Bearer'),
    ],
    [
      'token-endpoint-response-without-expires_in',
      { status: 200, type: J, body: '{"access_token":"a","token_type":"bearer"}' },
      (t) => expect(t.expiresAt).toBeGreaterThan(Date.now() + 3590_000),
    ],
    [
      'no-scope-in-token-endpoint-response',
      { status: 200, type: J, body: '{"access_token":"a","token_type":"bearer","expires_in":60}' },
      (t) => expect(t.scope).toBeUndefined(),
    ],
    [
      'json with charset',
      {
        status: 200,
        type: 'application/json; charset=UTF-8',
        body: '{"access_token":"a","token_type":"bearer","expires_in":"60"}',
      },
      (t) => expect(t.accessToken).toBe('a'),
    ],
    [
      'unknown members ignored',
      { status: 200, type: J, body: '{"access_token":"a","token_type":"bearer","x":[1],"id_token":null}' },
      (t) => expect(t.accessToken).toBe('a'),
    ],
  ];
  for (const [name, r, check] of accepted) {
    it(`accepts: ${name}`, async () => {
      reply(r);
      check(await cc());
    });
  }

  const refused: Array<[string, Reply, Record<string, unknown>]> = [
    [
      '3xx on the token endpoint',
      { status: 302, body: '', headers: { location: 'https://evil.example/' } },
      { code: 'ERR_OAUTH_REDIRECT' },
    ],
    [
      '400 with an OAuth JSON error',
      { status: 400, type: J, body: '{"error":"invalid_request"}' },
      { code: 'ERR_OAUTH_RESPONSE', error: 'invalid_request', status: 400 },
    ],
    [
      '401 with an OAuth JSON error and a challenge',
      {
        status: 401,
        type: J,
        body: '{"error":"invalid_client"}',
        headers: { 'www-authenticate': 'Basic realm="1234567_SB1"' },
      },
      { code: 'ERR_OAUTH_RESPONSE', error: 'invalid_client', status: 401 },
    ],
    [
      '400 without JSON',
      { status: 400, type: 'text/html', body: '<h1>bad</h1>' },
      { code: 'ERR_OAUTH_UNEXPECTED_STATUS', status: 400 },
    ],
    ['401 without a body', { status: 401, body: '' }, { code: 'ERR_OAUTH_UNEXPECTED_STATUS', status: 401 }],
    [
      '404 with an empty body',
      { status: 404, body: '' },
      { code: 'ERR_OAUTH_UNEXPECTED_STATUS', status: 404 },
    ],
    [
      '400 with JSON but no error member',
      { status: 400, type: J, body: '{"message":"x"}' },
      { code: 'ERR_OAUTH_UNEXPECTED_STATUS' },
    ],
    [
      '400 with a non-string error',
      { status: 400, type: J, body: '{"error":42}' },
      { code: 'ERR_OAUTH_UNEXPECTED_STATUS' },
    ],
    [
      '200 not JSON',
      { status: 200, type: 'text/plain', body: 'access_token=a' },
      { code: 'ERR_OAUTH_INVALID_RESPONSE' },
    ],
    ['200 truncated JSON', { status: 200, type: J, body: '{"' }, { code: 'ERR_OAUTH_INVALID_RESPONSE' }],
    ['200 null', { status: 200, type: J, body: 'null' }, { code: 'ERR_OAUTH_INVALID_RESPONSE' }],
    ['200 array', { status: 200, type: J, body: '[]' }, { code: 'ERR_OAUTH_INVALID_RESPONSE' }],
    [
      '200 without access_token',
      { status: 200, type: J, body: '{"token_type":"bearer"}' },
      { code: 'ERR_OAUTH_INVALID_RESPONSE' },
    ],
    [
      '200 empty access_token',
      { status: 200, type: J, body: '{"access_token":"","token_type":"bearer"}' },
      { code: 'ERR_OAUTH_INVALID_RESPONSE' },
    ],
    [
      '200 numeric access_token',
      { status: 200, type: J, body: '{"access_token":1,"token_type":"bearer"}' },
      { code: 'ERR_OAUTH_INVALID_RESPONSE' },
    ],
    [
      '200 without token_type',
      { status: 200, type: J, body: '{"access_token":"a"}' },
      { code: 'ERR_OAUTH_INVALID_RESPONSE' },
    ],
    [
      '200 token_type mac',
      { status: 200, type: J, body: '{"access_token":"a","token_type":"mac"}' },
      { code: 'ERR_OAUTH_UNSUPPORTED_TOKEN_TYPE' },
    ],
    [
      '200 negative expires_in',
      { status: 200, type: J, body: '{"access_token":"a","token_type":"bearer","expires_in":-1}' },
      { code: 'ERR_OAUTH_INVALID_RESPONSE' },
    ],
    [
      '200 date-string expires_in',
      { status: 200, type: J, body: '{"access_token":"a","token_type":"bearer","expires_in":"2026-01-01"}' },
      { code: 'ERR_OAUTH_INVALID_RESPONSE' },
    ],
    [
      '200 huge expires_in',
      { status: 200, type: J, body: '{"access_token":"a","token_type":"bearer","expires_in":1e309}' },
      { code: 'ERR_OAUTH_INVALID_RESPONSE' },
    ],
    [
      '200 empty refresh_token',
      { status: 200, type: J, body: '{"access_token":"a","token_type":"bearer","refresh_token":""}' },
      { code: 'ERR_OAUTH_INVALID_RESPONSE' },
    ],
    [
      '200 non-string scope',
      { status: 200, type: J, body: '{"access_token":"a","token_type":"bearer","scope":5}' },
      { code: 'ERR_OAUTH_INVALID_RESPONSE' },
    ],
  ];
  for (const [name, r, expected] of refused) {
    it(`refuses: ${name}`, async () => {
      reply(r);
      await expect(cc()).rejects.toMatchObject(expected);
    });
  }
});

describe('G12: authorization responses (no token request is ever made)', () => {
  const redirectUri = 'https://app.example.com/cb';
  const start = async () => {
    const req = await createAuthorizationRequest({
      accountId: ACCOUNT,
      origin: as.url,
      allowInsecureLoopback: true,
      clientId: 'c',
      redirectUri,
      scopes: ['restlets'],
    });
    return req;
  };
  const cases: Array<
    [
      string,
      (state: string) => string,
      Record<string, unknown>,
      { expectedIssuer?: string; requireIssuer?: boolean }?,
    ]
  > = [
    [
      'ensure-authorization-response-with-invalid-missing-state-fails',
      () => `${redirectUri}?code=c`,
      { code: 'ERR_OAUTH_STATE_MISMATCH' },
    ],
    [
      'ensure-authorization-response-with-invalid-state-fails',
      () => `${redirectUri}?code=c&state=${'x'.repeat(43)}`,
      { code: 'ERR_OAUTH_STATE_MISMATCH' },
    ],
    [
      'invalid-authorization-response-iss',
      (s) => `${redirectUri}?code=c&state=${s}&iss=https%3A%2F%2Fother`,
      { code: 'ERR_OAUTH_ISSUER_MISMATCH' },
      { expectedIssuer: 'https://as' },
    ],
    [
      'remove-authorization-response-iss',
      (s) => `${redirectUri}?code=c&state=${s}`,
      { code: 'ERR_OAUTH_ISSUER_MISMATCH' },
      { expectedIssuer: 'https://as', requireIssuer: true },
    ],
    [
      'error response',
      (s) => `${redirectUri}?error=access_denied&state=${s}`,
      { code: 'ERR_OAUTH_AUTHORIZATION_ERROR', error: 'access_denied' },
    ],
    [
      'implicit response',
      (s) => `${redirectUri}?access_token=x&token_type=bearer&state=${s}`,
      { code: 'ERR_OAUTH_INVALID_CALLBACK' },
    ],
  ];
  for (const [name, make, expected, extra] of cases) {
    it(name, async () => {
      const before = as.requests.length;
      const { state } = await start();
      let error: unknown;
      try {
        parseAuthorizationCallback(make(state), { expectedState: state, ...extra });
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject(expected);
      expect(as.requests.length).toBe(before);
    });
  }

  it('replayed callback is refused', async () => {
    const { state } = await start();
    parseAuthorizationCallback(`${redirectUri}?code=c&state=${state}`, { expectedState: state });
    expect(() =>
      parseAuthorizationCallback(`${redirectUri}?code=c&state=${state}`, { expectedState: state }),
    ).toThrow(expect.objectContaining({ code: 'ERR_OAUTH_STATE_REUSED' }));
  });

  it('a code exchange that fails is never retried', async () => {
    reply({ status: 500, body: '' });
    const before = as.requests.length;
    await expect(
      exchangeAuthorizationCode({
        accountId: ACCOUNT,
        origin: as.url,
        allowInsecureLoopback: true,
        client: { clientId: 'c', clientSecret: 's' },
        code: 'c',
        redirectUri,
        codeVerifier: 'a'.repeat(43),
      }),
    ).rejects.toMatchObject({ code: 'ERR_OAUTH_UNEXPECTED_STATUS' });
    expect(as.requests.length - before).toBe(1);
  });
});
