import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_USER_EMAIL,
  DEFAULT_USER_PASSWORD,
  type Emulator,
  type IntegrationInfo,
  startEmulator,
} from '../src/index.js';
import { bearer, form } from './helpers.js';

let emu: Emulator;
let confidential: IntegrationInfo;
let publicClient: IntegrationInfo;
const REDIRECT = 'http://127.0.0.1:3000/callback';
const state = () => randomBytes(24).toString('base64url');

beforeAll(async () => {
  emu = await startEmulator({ port: 0, seed: { customers: 3 } });
  confidential = await emu.admin.createIntegration({ redirectUris: [REDIRECT, 'myapp://callback'] });
  publicClient = await emu.admin.createIntegration({
    confidential: false,
    redirectUris: [REDIRECT],
    consentPolicy: 'never',
  });
});
afterAll(async () => {
  await emu.close();
});

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function authorizeUrl(params: Record<string, string | undefined>): string {
  const url = new URL(emu.endpoints.authorizeUrl);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return url.toString();
}

const txnOf = (html: string) => /name="txn" value="([^"]+)"/.exec(html)?.[1] ?? '';

/** Drives the HTML login and consent forms with plain fetch; returns the final redirect Location. */
async function authorize(
  params: Record<string, string | undefined>,
  options: { email?: string; password?: string; decision?: 'allow' | 'deny' } = {},
): Promise<URL> {
  const page = await fetch(authorizeUrl(params), { redirect: 'manual' });
  if (page.status === 302) return new URL(page.headers.get('location') ?? '');
  const html = await page.text();
  expect(html).toContain('id="login-form"');
  expect(page.headers.get('x-frame-options')).toBe('DENY');
  const login = await fetch(emu.endpoints.authorizeUrl, {
    ...form({
      txn: txnOf(html),
      action: 'login',
      email: options.email ?? DEFAULT_USER_EMAIL,
      password: options.password ?? DEFAULT_USER_PASSWORD,
    }),
    redirect: 'manual',
  });
  if (login.status === 302) return new URL(login.headers.get('location') ?? '');
  const consent = await login.text();
  expect(consent).toContain('id="consent-form"');
  const done = await fetch(emu.endpoints.authorizeUrl, {
    ...form({ txn: txnOf(consent), action: 'consent', decision: options.decision ?? 'allow' }),
    redirect: 'manual',
  });
  expect(done.status).toBe(302);
  return new URL(done.headers.get('location') ?? '');
}

function basic(id: string, secret: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` };
}

async function exchange(body: Record<string, string>, headers: Record<string, string> = {}) {
  const init = form(body);
  const res = await fetch(emu.endpoints.tokenUrl, { ...init, headers: { ...init.headers, ...headers } });
  return {
    status: res.status,
    body: (await res.json()) as Record<string, string>,
    reason: res.headers.get('x-netsuite-emulator-reason'),
    headers: res.headers,
  };
}

async function codeFor(client: IntegrationInfo, extra: Record<string, string> = {}) {
  const { verifier, challenge } = pkce();
  const st = state();
  const back = await authorize({
    response_type: 'code',
    client_id: client.clientId,
    redirect_uri: REDIRECT,
    scope: 'rest_webservices restlets',
    state: st,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  });
  return { back, code: back.searchParams.get('code') ?? '', verifier, state: st };
}

describe('authorize page', () => {
  it('logs in, asks consent, and redirects with state, role, entity, company and code', async () => {
    const { back, state: st } = await codeFor(confidential);
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT);
    expect([...back.searchParams.keys()]).toEqual(['state', 'role', 'entity', 'company', 'code']);
    expect(back.searchParams.get('state')).toBe(st);
    expect(back.searchParams.get('role')).toBe('1000');
    expect(back.searchParams.get('entity')).toBe(emu.defaultUser?.entityId);
    expect(back.searchParams.get('company')).toBe('1234567_SB1');
  });

  it('lets a user with several roles pick one on the consent page', async () => {
    await emu.admin.createUser({
      email: 'two.roles@example.com',
      password: 'pw-two-roles',
      name: 'Two Roles',
      roles: [
        { id: 1000, name: 'NetSuite OAuth Integration' },
        { id: 1001, name: 'Sales Integration' },
      ],
    });
    const page = await fetch(
      authorizeUrl({
        response_type: 'code',
        client_id: confidential.clientId,
        redirect_uri: REDIRECT,
        scope: 'restlets',
        state: state(),
      }),
    );
    const login = await fetch(
      emu.endpoints.authorizeUrl,
      form({
        txn: txnOf(await page.text()),
        action: 'login',
        email: 'Two.Roles@example.com',
        password: 'pw-two-roles',
      }),
    );
    const consent = await login.text();
    expect(consent).toContain('<option value="1001">Sales Integration (1001)</option>');
    const done = await fetch(emu.endpoints.authorizeUrl, {
      ...form({ txn: txnOf(consent), action: 'consent', decision: 'allow', role: '1001' }),
      redirect: 'manual',
    });
    const back = new URL(done.headers.get('location') ?? '');
    expect(back.searchParams.get('role')).toBe('1001');
    const bad = await fetch(
      authorizeUrl({
        response_type: 'code',
        client_id: confidential.clientId,
        redirect_uri: REDIRECT,
        scope: 'restlets',
        state: state(),
      }),
    );
    const login2 = await fetch(
      emu.endpoints.authorizeUrl,
      form({
        txn: txnOf(await bad.text()),
        action: 'login',
        email: 'two.roles@example.com',
        password: 'pw-two-roles',
      }),
    );
    const refused = await fetch(
      emu.endpoints.authorizeUrl,
      form({ txn: txnOf(await login2.text()), action: 'consent', decision: 'allow', role: '3' }),
    );
    expect(refused.status).toBe(400);
  });

  it('redirects with error=access_denied when the user denies', async () => {
    const back = await authorize(
      {
        response_type: 'code',
        client_id: confidential.clientId,
        redirect_uri: REDIRECT,
        scope: 'rest_webservices',
        state: state(),
      },
      { decision: 'deny' },
    );
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('role')).toBe('1000');
    expect(back.searchParams.has('code')).toBe(false);
  });

  it('shows the login form again for a wrong password', async () => {
    const page = await fetch(
      authorizeUrl({
        response_type: 'code',
        client_id: confidential.clientId,
        redirect_uri: REDIRECT,
        scope: 'restlets',
        state: state(),
      }),
    );
    const res = await fetch(
      emu.endpoints.authorizeUrl,
      form({ txn: txnOf(await page.text()), action: 'login', email: DEFAULT_USER_EMAIL, password: 'wrong' }),
    );
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('invalid email address or password');
  });

  it('skips the consent page for Never Ask with a session cookie, and prompt=none works', async () => {
    const first = await codeFor(publicClient);
    expect(first.code).toMatch(/^[0-9a-f]{64}$/);
    const page = await fetch(
      authorizeUrl({
        response_type: 'code',
        client_id: publicClient.clientId,
        redirect_uri: REDIRECT,
        scope: 'restlets',
        state: state(),
        code_challenge: pkce().challenge,
        code_challenge_method: 'S256',
      }),
    );
    const login = await fetch(emu.endpoints.authorizeUrl, {
      ...form({
        txn: txnOf(await page.text()),
        action: 'login',
        email: DEFAULT_USER_EMAIL,
        password: DEFAULT_USER_PASSWORD,
      }),
      redirect: 'manual',
    });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    expect(login.status).toBe(302);
    const silent = await fetch(
      authorizeUrl({
        response_type: 'code',
        client_id: publicClient.clientId,
        redirect_uri: REDIRECT,
        scope: 'restlets',
        state: state(),
        code_challenge: pkce().challenge,
        code_challenge_method: 'S256',
        prompt: 'none',
      }),
      { redirect: 'manual', headers: { cookie } },
    );
    expect(new URL(silent.headers.get('location') ?? '').searchParams.has('code')).toBe(true);
    const noSession = await fetch(
      authorizeUrl({
        response_type: 'code',
        client_id: publicClient.clientId,
        redirect_uri: REDIRECT,
        scope: 'restlets',
        state: state(),
        code_challenge: pkce().challenge,
        code_challenge_method: 'S256',
        prompt: 'none',
      }),
      { redirect: 'manual' },
    );
    expect(new URL(noSession.headers.get('location') ?? '').searchParams.get('error')).toBe('login_required');
  });

  it.each([
    ['an unknown client_id', { client_id: 'nope' }],
    ['an unregistered redirect_uri', { redirect_uri: 'https://evil.example.com/cb' }],
    ['a redirect_uri differing by a trailing slash', { redirect_uri: `${REDIRECT}/` }],
  ])('shows an error page (no redirect) for %s', async (_name, override) => {
    const res = await fetch(
      authorizeUrl({
        response_type: 'code',
        client_id: confidential.clientId,
        redirect_uri: REDIRECT,
        scope: 'restlets',
        state: state(),
        ...override,
      }),
      { redirect: 'manual' },
    );
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(res.headers.get('content-type')).toContain('text/html');
  });

  it.each([
    ['a state shorter than 22 characters', { state: 'short-state' }, 'invalid_request', 'InvalidState'],
    [
      'a state with a non-printable character',
      { state: `${'a'.repeat(30)}\u0001` },
      'invalid_request',
      'InvalidState',
    ],
    ['a state over 1024 characters', { state: 'a'.repeat(1025) }, 'invalid_request', 'InvalidState'],
    [
      'response_type=token',
      { response_type: 'token' },
      'unsupported_response_type',
      'UnsupportedResponseType',
    ],
    ['an unknown scope', { scope: 'openid everything' }, 'invalid_scope', 'InvalidScope'],
    ['a scope not on the record', { scope: 'suite_analytics' }, 'invalid_scope', 'InvalidScope'],
    [
      'code_challenge_method=plain',
      { code_challenge: 'x'.repeat(43), code_challenge_method: 'plain' },
      'invalid_request',
      'InvalidRequest',
    ],
    [
      'a malformed code_challenge',
      { code_challenge: 'short', code_challenge_method: 'S256' },
      'invalid_request',
      'InvalidRequest',
    ],
    ['a bad prompt', { prompt: 'select_account' }, 'invalid_request', 'InvalidRequest'],
  ])('redirects with an error for %s', async (_name, override, error, reason) => {
    const params = {
      response_type: 'code',
      client_id: confidential.clientId,
      redirect_uri: REDIRECT,
      scope: 'restlets',
      state: state(),
      ...override,
    };
    const res = await fetch(authorizeUrl(params), { redirect: 'manual' });
    expect(res.status).toBe(302);
    const back = new URL(res.headers.get('location') ?? '');
    expect(back.searchParams.get('error')).toBe(error);
    expect(res.headers.get('location')).not.toContain('code=');
    const log = await emu.admin.requestLog();
    expect(log.at(-1)?.reason).toBe(reason);
  });

  it('requires PKCE from public clients, and refuses a disabled or code-less integration', async () => {
    const res = await fetch(
      authorizeUrl({
        response_type: 'code',
        client_id: publicClient.clientId,
        redirect_uri: REDIRECT,
        scope: 'restlets',
        state: state(),
      }),
      { redirect: 'manual' },
    );
    expect(new URL(res.headers.get('location') ?? '').searchParams.get('error')).toBe('invalid_request');
    const m2mOnly = await emu.admin.createIntegration({
      grants: ['client_credentials'],
      redirectUris: [REDIRECT],
    });
    const r2 = await fetch(
      authorizeUrl({
        response_type: 'code',
        client_id: m2mOnly.clientId,
        redirect_uri: REDIRECT,
        scope: 'restlets',
        state: state(),
      }),
      { redirect: 'manual' },
    );
    expect(new URL(r2.headers.get('location') ?? '').searchParams.get('error')).toBe('unauthorized_client');
  });

  it('answers a stale or unknown form transaction with an error page', async () => {
    const res = await fetch(emu.endpoints.authorizeUrl, form({ txn: 'nope', action: 'login' }));
    expect(res.status).toBe(400);
    const odd = await fetch(emu.endpoints.authorizeUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(odd.status).toBe(415);
  });
});

describe('code exchange (confidential: HTTP Basic)', () => {
  it('exchanges a code once and returns access and refresh tokens', async () => {
    const { code, verifier } = await codeFor(confidential);
    const ok = await exchange(
      { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier },
      basic(confidential.clientId, confidential.clientSecret ?? ''),
    );
    expect(ok.status).toBe(200);
    expect(Object.keys(ok.body).sort()).toEqual([
      'access_token',
      'expires_in',
      'refresh_token',
      'token_type',
    ]);
    expect(ok.body.token_type).toBe('bearer');
    const rec = await fetch(`${emu.endpoints.recordUrl}/customer/1`, {
      headers: bearer(ok.body.access_token ?? ''),
    });
    expect(rec.status).toBe(200);
    const again = await exchange(
      { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier },
      basic(confidential.clientId, confidential.clientSecret ?? ''),
    );
    expect(again).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant' },
      reason: 'AuthorizationCodeReused',
    });
    // Reuse revokes what the code produced (configurable).
    expect(
      (await fetch(`${emu.endpoints.recordUrl}/customer/1`, { headers: bearer(ok.body.access_token ?? '') }))
        .status,
    ).toBe(401);
  });

  const refusals: Array<
    [
      string,
      (c: { code: string; verifier: string }) => [Record<string, string>, Record<string, string>],
      number,
      string,
      string,
    ]
  > = [
    [
      'no client authentication',
      (c) => [
        { grant_type: 'authorization_code', code: c.code, redirect_uri: REDIRECT, code_verifier: c.verifier },
        {},
      ],
      401,
      'invalid_client',
      'ClientAuthenticationFailed',
    ],
    [
      'a wrong secret',
      (c) => [
        { grant_type: 'authorization_code', code: c.code, redirect_uri: REDIRECT, code_verifier: c.verifier },
        basic(confidential.clientId, 'f'.repeat(64)),
      ],
      401,
      'invalid_client',
      'ClientAuthenticationFailed',
    ],
    [
      'an unknown client',
      (c) => [
        { grant_type: 'authorization_code', code: c.code, redirect_uri: REDIRECT, code_verifier: c.verifier },
        basic('0'.repeat(64), 'x'),
      ],
      401,
      'invalid_client',
      'UnknownIntegration',
    ],
    [
      'Basic plus client_secret (two methods)',
      (c) => [
        {
          grant_type: 'authorization_code',
          code: c.code,
          redirect_uri: REDIRECT,
          code_verifier: c.verifier,
          client_secret: confidential.clientSecret ?? '',
        },
        basic(confidential.clientId, confidential.clientSecret ?? ''),
      ],
      400,
      'invalid_request',
      'MultipleClientAuthentication',
    ],
    [
      'client_secret_post alone (unsupported by default)',
      (c) => [
        {
          grant_type: 'authorization_code',
          code: c.code,
          redirect_uri: REDIRECT,
          code_verifier: c.verifier,
          client_id: confidential.clientId,
          client_secret: confidential.clientSecret ?? '',
        },
        {},
      ],
      401,
      'invalid_client',
      'ClientAuthenticationFailed',
    ],
    [
      'a different redirect_uri',
      (c) => [
        {
          grant_type: 'authorization_code',
          code: c.code,
          redirect_uri: 'myapp://callback',
          code_verifier: c.verifier,
        },
        basic(confidential.clientId, confidential.clientSecret ?? ''),
      ],
      400,
      'invalid_grant',
      'InvalidRedirectURI',
    ],
    [
      'a wrong code_verifier',
      (c) => [
        {
          grant_type: 'authorization_code',
          code: c.code,
          redirect_uri: REDIRECT,
          code_verifier: pkce().verifier,
        },
        basic(confidential.clientId, confidential.clientSecret ?? ''),
      ],
      400,
      'invalid_grant',
      'InvalidGrant',
    ],
    [
      'a missing code_verifier',
      (c) => [
        { grant_type: 'authorization_code', code: c.code, redirect_uri: REDIRECT },
        basic(confidential.clientId, confidential.clientSecret ?? ''),
      ],
      400,
      'invalid_request',
      'InvalidRequest',
    ],
    [
      'an unknown code',
      () => [
        { grant_type: 'authorization_code', code: 'f'.repeat(64), redirect_uri: REDIRECT },
        basic(confidential.clientId, confidential.clientSecret ?? ''),
      ],
      400,
      'invalid_grant',
      'InvalidGrant',
    ],
    [
      'a missing code',
      () => [
        { grant_type: 'authorization_code', redirect_uri: REDIRECT },
        basic(confidential.clientId, confidential.clientSecret ?? ''),
      ],
      400,
      'invalid_request',
      'InvalidRequest',
    ],
  ];

  it.each(refusals)('refuses %s', async (_name, make, status, error, reason) => {
    const c = await codeFor(confidential);
    const [body, headers] = make(c);
    const res = await exchange(body, headers);
    expect(res).toMatchObject({ status, body: { error }, reason });
    if (status === 401) expect(res.headers.get('www-authenticate')).toBe('Basic realm="1234567_SB1"');
  });

  it('refuses a code of another client and an expired code', async () => {
    const other = await emu.admin.createIntegration({ redirectUris: [REDIRECT] });
    const c = await codeFor(confidential);
    const mismatch = await exchange(
      { grant_type: 'authorization_code', code: c.code, redirect_uri: REDIRECT, code_verifier: c.verifier },
      basic(other.clientId, other.clientSecret ?? ''),
    );
    expect(mismatch).toMatchObject({ status: 400, reason: 'ClientIdMismatch' });
    const late = await codeFor(confidential);
    await emu.admin.advanceClock(61_000);
    const expired = await exchange(
      {
        grant_type: 'authorization_code',
        code: late.code,
        redirect_uri: REDIRECT,
        code_verifier: late.verifier,
      },
      basic(confidential.clientId, confidential.clientSecret ?? ''),
    );
    await emu.admin.advanceClock(-61_000);
    expect(expired).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant' },
      reason: 'AuthorizationCodeExpired',
    });
  });
});

describe('refresh and revoke', () => {
  it('confidential: refresh returns only an access token, the refresh token lasts 7 days', async () => {
    const c = await codeFor(confidential);
    const auth = basic(confidential.clientId, confidential.clientSecret ?? '');
    const first = await exchange(
      { grant_type: 'authorization_code', code: c.code, redirect_uri: REDIRECT, code_verifier: c.verifier },
      auth,
    );
    const refreshToken = first.body.refresh_token ?? '';
    const r1 = await exchange({ grant_type: 'refresh_token', refresh_token: refreshToken }, auth);
    expect(r1.status).toBe(200);
    expect(Object.keys(r1.body).sort()).toEqual(['access_token', 'expires_in', 'token_type']);
    const r2 = await exchange({ grant_type: 'refresh_token', refresh_token: refreshToken }, auth);
    expect(r2.status).toBe(200);
    await emu.admin.advanceClock(7 * 24 * 3_600_000);
    const r3 = await exchange({ grant_type: 'refresh_token', refresh_token: refreshToken }, auth);
    await emu.admin.advanceClock(-7 * 24 * 3_600_000);
    expect(r3).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant' },
      reason: 'RefreshTokenExpired',
    });
    const asAccess = await exchange(
      { grant_type: 'refresh_token', refresh_token: first.body.access_token ?? '' },
      auth,
    );
    expect(asAccess).toMatchObject({ status: 400, reason: 'InvalidRefreshToken' });
    const refreshAsBearer = await fetch(`${emu.endpoints.recordUrl}/customer/1`, {
      headers: bearer(refreshToken),
    });
    expect(refreshAsBearer.headers.get('x-netsuite-emulator-reason')).toBe('TokenRejected');
  });

  it('public: rotates single-use refresh tokens and detects reuse', async () => {
    const c = await codeFor(publicClient);
    const first = await exchange({
      grant_type: 'authorization_code',
      code: c.code,
      redirect_uri: REDIRECT,
      code_verifier: c.verifier,
      client_id: publicClient.clientId,
    });
    expect(first.status).toBe(200);
    const r1 = await exchange({
      grant_type: 'refresh_token',
      refresh_token: first.body.refresh_token ?? '',
      client_id: publicClient.clientId,
    });
    expect(r1.status).toBe(200);
    expect(r1.body.refresh_token).toBeDefined();
    expect(r1.body.refresh_token).not.toBe(first.body.refresh_token);
    // Form (b): Basic with an empty secret.
    const r2 = await exchange(
      { grant_type: 'refresh_token', refresh_token: r1.body.refresh_token ?? '' },
      basic(publicClient.clientId, ''),
    );
    expect(r2.status).toBe(200);
    const reuse = await exchange({
      grant_type: 'refresh_token',
      refresh_token: r1.body.refresh_token ?? '',
      client_id: publicClient.clientId,
    });
    expect(reuse).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant' },
      reason: 'RefreshTokenReuse',
    });
    // The whole chain is now revoked.
    const after = await exchange({
      grant_type: 'refresh_token',
      refresh_token: r2.body.refresh_token ?? '',
      client_id: publicClient.clientId,
    });
    expect(after).toMatchObject({ status: 400, reason: 'RefreshTokenRevoked' });
    expect(
      (await fetch(`${emu.endpoints.recordUrl}/customer/1`, { headers: bearer(r2.body.access_token ?? '') }))
        .status,
    ).toBe(401);
  });

  it('public: refresh tokens expire after 48 h and the chain stops at 168 h', async () => {
    const c = await codeFor(publicClient);
    let current = (
      await exchange({
        grant_type: 'authorization_code',
        code: c.code,
        redirect_uri: REDIRECT,
        code_verifier: c.verifier,
        client_id: publicClient.clientId,
      })
    ).body;
    let moved = 0;
    try {
      for (let i = 0; i < 4; i++) {
        await emu.admin.advanceClock(47 * 3_600_000);
        moved += 47 * 3_600_000;
        const next = await exchange({
          grant_type: 'refresh_token',
          refresh_token: current.refresh_token ?? '',
          client_id: publicClient.clientId,
        });
        if (i < 3) {
          expect(next.status).toBe(200);
          current = next.body;
        } else {
          expect(next).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
        }
      }
    } finally {
      await emu.admin.advanceClock(-moved);
    }
  });

  it('refuses a refresh token of another client and a client without the code grant', async () => {
    const c = await codeFor(confidential);
    const auth = basic(confidential.clientId, confidential.clientSecret ?? '');
    const tokens = (
      await exchange(
        { grant_type: 'authorization_code', code: c.code, redirect_uri: REDIRECT, code_verifier: c.verifier },
        auth,
      )
    ).body;
    const other = await emu.admin.createIntegration({ redirectUris: [REDIRECT] });
    const stolen = await exchange(
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token ?? '' },
      basic(other.clientId, other.clientSecret ?? ''),
    );
    expect(stolen).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant' },
      reason: 'ClientIdMismatch',
    });
    const m2mOnly = await emu.admin.createIntegration({ grants: ['client_credentials'] });
    const noGrant = await exchange(
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token ?? '' },
      basic(m2mOnly.clientId, m2mOnly.clientSecret ?? ''),
    );
    expect(noGrant).toMatchObject({
      status: 400,
      body: { error: 'unauthorized_client' },
      reason: 'InvalidGrantType',
    });
    const missing = await exchange({ grant_type: 'refresh_token' }, auth);
    expect(missing).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
  });

  it('a public client sending a secret is refused', async () => {
    const res = await exchange({
      grant_type: 'refresh_token',
      refresh_token: 'x',
      client_id: publicClient.clientId,
      client_secret: 'guess',
    });
    expect(res).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
  });

  it('revokes a refresh token and its access tokens (200, empty body)', async () => {
    const c = await codeFor(confidential);
    const auth = basic(confidential.clientId, confidential.clientSecret ?? '');
    const tokens = (
      await exchange(
        { grant_type: 'authorization_code', code: c.code, redirect_uri: REDIRECT, code_verifier: c.verifier },
        auth,
      )
    ).body;
    const init = form({ token: tokens.refresh_token ?? '' });
    const res = await fetch(emu.endpoints.revokeUrl, { ...init, headers: { ...init.headers, ...auth } });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    expect(
      (await fetch(`${emu.endpoints.recordUrl}/customer/1`, { headers: bearer(tokens.access_token ?? '') }))
        .status,
    ).toBe(401);
    const refresh = await exchange(
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token ?? '' },
      auth,
    );
    expect(refresh).toMatchObject({ status: 400, reason: 'RefreshTokenRevoked' });
    const unknown = await fetch(emu.endpoints.revokeUrl, {
      ...form({ token: 'unknown' }),
      headers: { ...form({}).headers, ...auth },
    });
    expect(unknown.status).toBe(200);
    const missing = await fetch(emu.endpoints.revokeUrl, {
      ...form({}),
      headers: { ...form({}).headers, ...auth },
    });
    expect(missing.status).toBe(400);
    const noAuth = await fetch(emu.endpoints.revokeUrl, form({ token: 'x' }));
    expect(noAuth.status).toBe(401);
  });
});
