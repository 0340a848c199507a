import { readdirSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import type { TokenStore } from '@netsuite-oauth/token-store';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLASH_COOKIE, LOGIN_COOKIE, SESSION_COOKIE } from '../src/cookies.js';
import { digest } from '../src/random.js';
import { Agent, connect, type Harness, type Seen, startConnect, startHarness } from './helpers.js';

let h: Harness;
let origin: string;

beforeAll(async () => {
  h = await startHarness();
  origin = h.server.url;
});
afterAll(async () => {
  await h?.close();
});

async function tokenPosts(): Promise<number> {
  return (await h.emulator.admin.counters()).token;
}

function serverResponses(agent: Agent): Seen[] {
  return agent.seen.filter((s) => new URL(s.url).origin === origin);
}

describe('G22 callback: replayed, expired or foreign state → 400 and no token request', () => {
  it('a replayed callback is refused before any token POST', async () => {
    const agent = new Agent(origin);
    const { callbackUrl } = await startConnect(agent);
    const first = await agent.request(callbackUrl);
    expect(first.status).toBe(303);
    const before = await tokenPosts();
    const replay = await agent.request(callbackUrl);
    expect(replay.status).toBe(400);
    expect(replay.body).toContain('ERR_SERVER_INVALID_STATE');
    expect(replay.body).toContain('already used');
    expect(await tokenPosts()).toBe(before);
  });

  it('two callbacks racing with one state: one token POST, one 400', async () => {
    const agent = new Agent(origin);
    const { callbackUrl } = await startConnect(agent);
    const before = await tokenPosts();
    const results = await Promise.all([agent.request(callbackUrl), agent.request(callbackUrl)]);
    expect(results.map((r) => r.status).sort()).toEqual([303, 400]);
    expect(await tokenPosts()).toBe(before + 1);
  });

  it('a state started in another session is refused, and spent', async () => {
    const victim = new Agent(origin);
    const attacker = new Agent(origin);
    const { callbackUrl } = await startConnect(victim);
    await attacker.request('/');
    const before = await tokenPosts();
    const foreign = await attacker.request(callbackUrl);
    expect(foreign.status).toBe(400);
    expect(foreign.body).toContain('another browser or session');
    // Deleted on first use, whatever happened: the rightful session cannot use it either now.
    const late = await victim.request(callbackUrl);
    expect(late.status).toBe(400);
    expect(await tokenPosts()).toBe(before);
  });

  it('a callback without the sign-in cookie is refused', async () => {
    const agent = new Agent(origin);
    const { callbackUrl } = await startConnect(agent);
    agent.loginId = undefined;
    const before = await tokenPosts();
    const response = await agent.request(callbackUrl);
    expect(response.status).toBe(400);
    expect(await tokenPosts()).toBe(before);
  });

  it('a state older than its lifetime (10 min, capped at 15) is refused', async () => {
    const agent = new Agent(origin);
    const { callbackUrl } = await startConnect(agent);
    const before = await tokenPosts();
    h.clock.advance(10 * 60 * 1000 + 1);
    try {
      const response = await agent.request(callbackUrl);
      expect(response.status).toBe(400);
      expect(response.body).toMatch(/expired|already used/);
    } finally {
      h.clock.advance(-(10 * 60 * 1000 + 1));
    }
    expect(await tokenPosts()).toBe(before);
  });

  it('a missing, altered or malformed state is refused', async () => {
    const agent = new Agent(origin);
    const { callbackUrl } = await startConnect(agent);
    const before = await tokenPosts();
    const url = new URL(callbackUrl);
    const altered = new URL(url);
    const state = url.searchParams.get('state')!;
    altered.searchParams.set('state', `${state.slice(0, -1)}${state.endsWith('A') ? 'B' : 'A'}`);
    const missing = new URL(url);
    missing.searchParams.delete('state');
    const junk = new URL(url);
    junk.searchParams.set('state', '<script>alert(1)</script>');
    for (const target of [altered, missing, junk]) {
      const response = await agent.request(target.toString());
      expect(response.status).toBe(400);
      expect(response.body).not.toContain('<script>alert');
    }
    // The real state still works once: the junk did not spend it.
    expect((await agent.request(callbackUrl)).status).toBe(303);
    expect(await tokenPosts()).toBe(before + 1);
  });

  it('a callback naming another authorization server in iss is refused (RFC 9207), its own iss accepted', async () => {
    const foreign = new Agent(origin);
    const { callbackUrl, authorizeUrl } = await startConnect(foreign);
    const before = await tokenPosts();
    const evil = new URL(callbackUrl);
    evil.searchParams.set('iss', 'https://evil.example');
    const refused = await foreign.request(evil.toString());
    expect(refused.status).toBe(400);
    expect(refused.body).toContain('ERR_SERVER_INVALID_CALLBACK');
    expect(await tokenPosts()).toBe(before);
    // The emulator's own origin as iss is what an RFC 9207 server would send: accepted.
    const own = new Agent(origin);
    const started = await startConnect(own);
    const good = new URL(started.callbackUrl);
    good.searchParams.set('iss', new URL(authorizeUrl).origin);
    expect((await own.request(good.toString())).status).toBe(303);
    expect(await tokenPosts()).toBe(before + 1);
  });

  it('a malformed callback with a valid state is a 400 page, not a 500', async () => {
    for (const mangle of [
      (u: URL) => u.searchParams.delete('code'),
      (u: URL) => u.searchParams.append('code', 'second'),
      (u: URL) => u.searchParams.set('role', '<script>'),
      (u: URL) => u.searchParams.set('access_token', 'x'),
    ]) {
      const agent = new Agent(origin);
      const { callbackUrl } = await startConnect(agent);
      const before = await tokenPosts();
      const url = new URL(callbackUrl);
      mangle(url);
      const response = await agent.request(url.toString());
      expect(response.status).toBe(400);
      expect(response.body).toContain('ERR_SERVER_INVALID_CALLBACK');
      expect(await tokenPosts()).toBe(before);
    }
  });

  it('consent denied → 403 page, no token POST', async () => {
    const agent = new Agent(origin);
    const { callbackUrl } = await startConnect(agent, { decision: 'deny' });
    expect(new URL(callbackUrl).searchParams.get('error')).toBe('access_denied');
    const before = await tokenPosts();
    const response = await agent.request(callbackUrl);
    expect(response.status).toBe(403);
    expect(response.body).toContain('Access was not granted');
    expect(await tokenPosts()).toBe(before);
  });
});

const COOKIE_SHAPE = new RegExp(
  `^(?:${SESSION_COOKIE}|${LOGIN_COOKIE}|${FLASH_COOKIE})=[A-Za-z0-9_-]*; Path=/; Max-Age=(\\d+); Secure; HttpOnly; SameSite=Lax$`,
);

describe('G23 cookies and canaries', () => {
  it('every Set-Cookie is __Host-, Secure, HttpOnly, SameSite=Lax, Path=/, bounded; no secret reaches the browser or the log', async () => {
    const agent = new Agent(origin);
    await connect(agent, { returnTo: '/customers' });
    const dash = await agent.request('/dashboard');
    expect(dash.status).toBe(200);
    await agent.request('/customers');
    await agent.request('/suiteql', { form: { csrf: Agent.csrf(dash), q: 'SELECT id FROM customer' } });
    await agent.request('/refresh', { form: { csrf: Agent.csrf(dash) } });
    const m2m = await agent.request('/m2m');
    await agent.request('/m2m', { form: { csrf: Agent.csrf(m2m) } });
    const dash2 = await agent.request('/dashboard');
    await agent.request('/disconnect', { form: { csrf: Agent.csrf(dash2) } });
    await agent.request('/');

    const responses = serverResponses(agent);
    const cookies = responses.flatMap((s) => s.setCookies);
    expect(cookies.length).toBeGreaterThanOrEqual(3);
    for (const cookie of cookies) {
      const m = COOKIE_SHAPE.exec(cookie);
      expect(m, cookie.replace(/=[^;]+/, '=…')).not.toBeNull();
      expect(Number(m![1])).toBeLessThanOrEqual(8 * 3600);
    }

    // Canaries: every token, code, verifier, assertion and client secret the server exchanged with NetSuite.
    expect(h.secrets.size).toBeGreaterThanOrEqual(5);
    const visible = responses.map((s) => [s.body, s.location ?? '', ...s.setCookies].join('\n')).join('\n');
    const logs = h.logs.join('\n');
    for (const secret of h.secrets) {
      expect(visible.includes(secret)).toBe(false);
      expect(logs.includes(secret)).toBe(false);
    }
    // The session id itself never appears in a page or a log either.
    for (const cookie of cookies) {
      const id = cookie.split(';')[0]!.split('=')[1]!;
      if (id.length > 0) expect(logs.includes(id) || responses.some((s) => s.body.includes(id))).toBe(false);
    }
  });
});

describe('G24 session fixation', () => {
  it('a session exists only after sign-in, with an id of its own; logout ends it; old ids are rejected', async () => {
    const agent = new Agent(origin);
    const home = await agent.request('/');
    // Before sign-in the browser has no session, only a sign-in cookie (nothing stored for it).
    expect(agent.sessionId).toBeUndefined();
    const login = agent.loginId!;
    const anonymousCsrf = Agent.csrf(home);
    expect(login).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const callback = await connect(agent);
    expect(callback.status).toBe(303);
    const connected = agent.sessionId!;
    expect(connected).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(connected).not.toBe(login);
    expect(agent.loginId).toBeUndefined();
    const dash = await agent.request('/dashboard');
    expect(dash.status).toBe(200);

    // The pre-login id opens nothing, as a session id or with its form token.
    const old = new Agent(origin);
    old.sessionId = login;
    const oldDash = await old.request('/dashboard');
    expect(oldDash.status).toBe(303);
    expect(oldDash.location).toMatch(/^\/\?returnTo=/);
    expect(old.sessionId).toBeUndefined();
    const oldPost = new Agent(origin);
    oldPost.sessionId = login;
    expect((await oldPost.request('/disconnect', { form: { csrf: anonymousCsrf } })).status).toBe(403);

    const logout = await agent.request('/disconnect', { form: { csrf: Agent.csrf(dash) } });
    expect(logout.status).toBe(303);
    expect(agent.sessionId).toBeUndefined();
    const after = await agent.request('/');
    expect(after.body).toContain('revoked at NetSuite');

    const stale = new Agent(origin);
    stale.sessionId = connected;
    const staleDash = await stale.request('/dashboard');
    expect(staleDash.status).toBe(303);
    expect(staleDash.location).toMatch(/^\/\?returnTo=/);
    expect((await stale.request(staleDash.location!)).body).toContain('Your session has expired');
  });
});

const AUTH_ROUTES = [
  '/',
  '/dashboard',
  '/customers',
  '/suiteql',
  '/m2m',
  '/callback',
  '/connect',
  '/refresh',
  '/disconnect',
];

function checkHeaders(s: Seen): void {
  const label = `${s.method} ${new URL(s.url).pathname} ${s.status}`;
  const csp = s.headers.get('content-security-policy') ?? '';
  expect(csp, label).toContain("frame-ancestors 'none'");
  expect(csp, label).toContain("default-src 'self'");
  expect(csp, label).toContain("object-src 'none'");
  expect(csp, label).toContain("base-uri 'none'");
  expect(csp, label).toMatch(/form-action 'self' http:\/\/127\.0\.0\.1:\d+/);
  expect(s.headers.get('referrer-policy'), label).toBe('no-referrer');
  expect(s.headers.get('x-content-type-options'), label).toBe('nosniff');
  expect(s.headers.get('cache-control'), label).toContain('no-store');
}

describe('G25 security headers', () => {
  it('are on every response of a crawl of the app, including redirects and error pages', async () => {
    const agent = new Agent(origin);
    // Anonymous visits, then a full connect, then a crawl of every same-origin link found.
    for (const path of AUTH_ROUTES) await agent.request(path);
    await agent.request('/nope');
    await agent.request('/callback?state=x&code=y');
    await agent.request('/connect', { form: { csrf: 'wrong' } });
    await connect(agent);
    const queue = ['/dashboard'];
    const visited = new Set<string>();
    while (queue.length > 0 && visited.size < 60) {
      const path = queue.shift()!;
      if (visited.has(path)) continue;
      visited.add(path);
      const page = await agent.request(path);
      for (const m of page.body.matchAll(/href="([^"]+)"/g)) {
        const href = m[1]!.replace(/&amp;/g, '&');
        const url = new URL(href, origin);
        if (url.origin === origin && !visited.has(url.pathname + url.search))
          queue.push(url.pathname + url.search);
      }
    }
    expect(visited.size).toBeGreaterThanOrEqual(8);
    const dash = await agent.request('/dashboard');
    await agent.request('/refresh', { form: { csrf: Agent.csrf(dash) } });
    await agent.request('/disconnect', { form: { csrf: Agent.csrf(dash) } });
    await agent.request('/disconnect', { form: { csrf: Agent.csrf(dash) } });

    const responses = serverResponses(agent);
    const paths = new Set(responses.map((s) => new URL(s.url).pathname));
    for (const path of AUTH_ROUTES) expect(paths.has(path), path).toBe(true);
    for (const s of responses) checkHeaders(s);
  });

  it('refuses forms from other sites (Origin, Sec-Fetch-Site) and without the CSRF token', async () => {
    const agent = new Agent(origin);
    await connect(agent);
    const dash = await agent.request('/dashboard');
    const csrf = Agent.csrf(dash);
    // `Origin: null` (a sandboxed frame, a data: URL, a cross-site redirect) passes only as a browser's
    // same-origin form under Referrer-Policy no-referrer, i.e. with Sec-Fetch-Site: same-origin.
    for (const headers of [{ origin: 'null' }, { origin: 'null', 'sec-fetch-site': 'cross-site' }]) {
      const refused = await agent.request('/refresh', { form: { csrf }, headers });
      expect(refused.status, JSON.stringify(headers)).toBe(403);
    }
    const sameOriginNull = await agent.request('/refresh', {
      form: { csrf },
      headers: { origin: 'null', 'sec-fetch-site': 'same-origin' },
    });
    expect(sameOriginNull.status).toBe(303);
    const crossOrigin = await agent.request('/disconnect', {
      form: { csrf },
      headers: { origin: 'https://evil.example' },
    });
    expect(crossOrigin.status).toBe(403);
    const crossSite = await agent.request('/disconnect', {
      form: { csrf },
      headers: { 'sec-fetch-site': 'cross-site' },
    });
    expect(crossSite.status).toBe(403);
    const noToken = await agent.request('/disconnect', { form: {} });
    expect(noToken.status).toBe(403);
    // GET never changes anything.
    expect((await agent.request('/disconnect')).status).toBe(405);
    expect((await agent.request('/dashboard')).status).toBe(200);
  });

  it('builds the redirect URI from configuration, never from the Host header', async () => {
    const agent = new Agent(origin);
    const home = await agent.request('/');
    const body = new URLSearchParams({ csrf: Agent.csrf(home) }).toString();
    const location = await new Promise<string>((resolve, reject) => {
      const req = httpRequest(
        `${origin}/connect`,
        {
          method: 'POST',
          headers: {
            host: 'evil.example',
            'x-forwarded-host': 'evil.example',
            'content-type': 'application/x-www-form-urlencoded',
            'content-length': Buffer.byteLength(body),
            cookie: `${LOGIN_COOKIE}=${agent.loginId}`,
          },
        },
        (res) => {
          res.resume();
          resolve(String(res.headers.location));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    const authorize = new URL(location);
    expect(authorize.origin).toBe(h.emulator.url);
    expect(authorize.searchParams.get('redirect_uri')).toBe(h.server.redirectUri);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
  });
});

const fuzzReturnTo = fc.oneof(
  fc.webUrl(),
  fc.string(),
  fc.stringMatching(/^[\\/%.:@a-z0-9?#&=\t ]{0,24}$/),
  fc
    .tuple(
      fc.constantFrom(
        '//',
        '/\\',
        '\\\\',
        '/%2F',
        '%2F%2F',
        'https:',
        'http://',
        '/\t/',
        '/dashboard/..//',
        '/customers/',
      ),
      fc.string(),
    )
    .map(([a, b]) => a + b),
  fc.constantFrom(
    '/dashboard',
    '/customers/12',
    '/suiteql?q=SELECT+1',
    '//evil.example',
    'https://evil.example',
  ),
);

function onOrigin(location: string | undefined): boolean {
  if (location === undefined) return false;
  return new URL(location, `${origin}/callback`).origin === origin;
}

describe('G26 open redirect: fuzzed return-to values never leave the origin', () => {
  it('1000 values at GET /?returnTo= for a connected session', async () => {
    const agent = new Agent(origin);
    await connect(agent);
    let checked = 0;
    await fc.assert(
      fc.asyncProperty(fuzzReturnTo, async (value) => {
        const response = await agent.request(`/?${new URLSearchParams({ returnTo: value }).toString()}`);
        agent.seen.length = 0;
        expect(response.status).toBe(303);
        expect(onOrigin(response.location)).toBe(true);
        expect(response.location!.startsWith('//')).toBe(false);
        checked += 1;
      }),
      { numRuns: 1000 },
    );
    expect(checked).toBeGreaterThanOrEqual(1000);
  });

  it('40 values through the whole flow: POST /connect → NetSuite → callback Location', async () => {
    const agent = new Agent(origin);
    await fc.assert(
      fc.asyncProperty(fuzzReturnTo, async (value) => {
        agent.jars.clear();
        const { callbackUrl, authorizeUrl } = await startConnect(agent, { returnTo: value });
        // The only off-origin redirect is to the configured authorization server.
        expect(new URL(authorizeUrl).origin).toBe(h.emulator.url);
        const callback = await agent.request(callbackUrl);
        agent.seen.length = 0;
        expect(callback.status).toBe(303);
        expect(onOrigin(callback.location)).toBe(true);
      }),
      { numRuns: 40 },
    );
  });
});

/** The token-store key of the connection of the agent's session, read from the server's store. */
async function tokenKeyOf(agent: Agent): Promise<string> {
  const entry = await h.store.get(`session:${digest(agent.sessionId!)}`);
  const key = (JSON.parse(entry!.value) as { connection?: { tokenKey?: string } }).connection?.tokenKey;
  expect(key).toMatch(/^tokens:/);
  return key!;
}

/** Asks the emulator to refresh with a refresh token, as the server would: 200 while the grant lives. */
async function refreshStatus(refreshToken: string): Promise<number> {
  const response = await fetch(`${h.emulator.url}/services/rest/auth/oauth2/v1/token`, {
    method: 'POST',
    headers: { authorization: h.last.basicAuth!, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }).toString(),
  });
  await response.body?.cancel();
  return response.status;
}

describe('G27 disconnect: the stored refresh token is revoked without a refresh, and a failure is reported (R45)', () => {
  const twoHours = 2 * 60 * 60 * 1000;

  it('an expired access token: revokes the stored refresh token with no token request first', async () => {
    const agent = new Agent(origin);
    await connect(agent);
    const dash = await agent.request('/dashboard');
    const tokenKey = await tokenKeyOf(agent);
    const refreshToken = h.last.refreshToken!;
    h.clock.advance(twoHours);
    try {
      const before = await h.emulator.admin.counters();
      const logout = await agent.request('/disconnect', { form: { csrf: Agent.csrf(dash) } });
      expect(logout.status).toBe(303);
      const after = await h.emulator.admin.counters();
      expect(after.token).toBe(before.token);
      expect(after.revoke).toBe(before.revoke + 1);
      expect((await agent.request('/')).body).toContain('revoked at NetSuite');
      expect(await h.store.get(tokenKey)).toBeUndefined();
    } finally {
      h.clock.advance(-twoHours);
    }
    expect(await refreshStatus(refreshToken)).toBe(400);
  });

  it('NetSuite down: tokens deleted here, and the page says they could not be revoked (never "revoked")', async () => {
    const agent = new Agent(origin);
    await connect(agent);
    const dash = await agent.request('/dashboard');
    const tokenKey = await tokenKeyOf(agent);
    const refreshToken = h.last.refreshToken!;
    h.clock.advance(twoHours);
    await h.emulator.admin.injectFault({ route: 'token', count: 50, drop: true });
    await h.emulator.admin.injectFault({ route: 'revoke', count: 50, drop: true });
    try {
      const logout = await agent.request('/disconnect', { form: { csrf: Agent.csrf(dash) } });
      expect(logout.status).toBe(303);
      const home = await agent.request('/');
      expect(home.body).not.toContain('revoked at NetSuite');
      expect(home.body).toContain('NetSuite could not be reached to revoke them');
      expect(home.body).toContain('may stay valid');
      expect(await h.store.get(tokenKey)).toBeUndefined();
    } finally {
      await h.emulator.admin.clearFaults();
      h.clock.advance(-twoHours);
    }
    // Which is the truth: the grant still lives at NetSuite.
    expect(await refreshStatus(refreshToken)).toBe(200);
  });
});

describe('machine to machine needs a connected user', () => {
  it('an anonymous visitor with a valid CSRF token cannot use the server’s client credentials', async () => {
    const agent = new Agent(origin);
    const page = await agent.request('/m2m');
    expect(page.status).toBe(200);
    expect(page.body).not.toContain('id="m2m-run"');
    const home = await agent.request('/');
    const before = await tokenPosts();
    const post = await agent.request('/m2m', { form: { csrf: Agent.csrf(home) } });
    expect(post.status).toBe(303);
    expect(post.location).toBe(`/?${new URLSearchParams({ returnTo: '/m2m' }).toString()}`);
    expect(post.body).not.toContain('m2m-result');
    expect(await tokenPosts()).toBe(before);

    await connect(agent);
    const connected = await agent.request('/m2m');
    expect(connected.body).toContain('id="m2m-run"');
    const run = await agent.request('/m2m', { form: { csrf: Agent.csrf(connected) } });
    expect(run.status).toBe(200);
    expect(run.body).toContain('id="m2m-result"');
  });
});

describe('what a request leaves on the server', () => {
  it('5,000 anonymous requests leave the store exactly as it was: no file and no byte more', async () => {
    const probe = new Agent(origin);
    const home = await probe.request('/');
    const csrf = Agent.csrf(home);
    const login = probe.loginId!;
    const snapshot = () =>
      readdirSync(h.store.path)
        .sort()
        .map((name) => `${name}:${statSync(join(h.store.path, name)).size}`);
    const before = snapshot();
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const requests: Array<() => Promise<Response>> = [
      () => fetch(`${origin}/`, { redirect: 'manual' }),
      () => fetch(`${origin}/m2m`, { redirect: 'manual' }),
      () =>
        fetch(`${origin}/m2m`, {
          method: 'POST',
          redirect: 'manual',
          headers: { ...form, cookie: `${LOGIN_COOKIE}=${login}` },
          body: `csrf=${csrf}`,
        }),
      () =>
        fetch(`${origin}/dashboard`, {
          redirect: 'manual',
          headers: { cookie: `${SESSION_COOKIE}=${'u'.repeat(43)}` },
        }),
      () => fetch(`${origin}/customers?page=2`, { redirect: 'manual' }),
    ];
    const total = 5_000;
    const statuses = new Map<number, number>();
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < total) {
          const response = await requests[next++ % requests.length]!();
          await response.arrayBuffer();
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        }
      }),
    );
    expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(total);
    expect([...statuses.keys()].sort()).toEqual([200, 303]);
    expect(snapshot()).toEqual(before);
  }, 180_000);

  it('a refused cross-site form creates nothing and sets no cookie (the user stays signed in)', async () => {
    const user = new Agent(origin);
    await connect(user);
    const sid = user.sessionId;
    const crossSite = { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' };
    for (const path of ['/m2m', '/connect', '/disconnect', '/refresh', '/suiteql']) {
      // As a browser sends it cross-site: the SameSite=Lax session cookie stays home.
      const response = await fetch(`${origin}${path}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { ...crossSite, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'csrf=guess',
      });
      expect(response.status, path).toBe(403);
      expect(response.headers.getSetCookie(), path).toEqual([]);
      // And with the cookie (a same-site attacker): refused, the cookie untouched.
      const withCookie = await user.request(path, { form: { csrf: 'guess' }, headers: crossSite });
      expect(withCookie.status, path).toBe(403);
      expect(withCookie.setCookies, path).toEqual([]);
    }
    expect(user.sessionId).toBe(sid);
    expect((await user.request('/dashboard')).status).toBe(200);
  });

  it('connecting again while connected revokes the previous grant at NetSuite', async () => {
    const agent = new Agent(origin);
    await connect(agent);
    const oldRefreshToken = h.last.refreshToken!;
    const basicAuth = h.last.basicAuth!;
    const revokesBefore = (await h.emulator.admin.counters()).revoke;
    const dash = await agent.request('/dashboard');
    const { callbackUrl } = await startConnect(agent, { csrf: Agent.csrf(dash) });
    expect((await agent.request(callbackUrl)).status).toBe(303);
    expect((await agent.request('/dashboard')).status).toBe(200);
    expect((await h.emulator.admin.counters()).revoke).toBe(revokesBefore + 1);
    // The old refresh token is dead at NetSuite, not left valid for the rest of its 7 days.
    const reuse = await fetch(`${h.emulator.url}/services/rest/auth/oauth2/v1/token`, {
      method: 'POST',
      headers: { authorization: basicAuth, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: oldRefreshToken }).toString(),
    });
    expect(reuse.status).toBe(400);
    expect(((await reuse.json()) as { error: string }).error).toBe('invalid_grant');
  });

  it('stores a grant no longer than its session lives (an expired session or a lost cookie takes it along)', async () => {
    const writes: Array<{ key: string; expiresAt: number }> = [];
    const spy = (store: TokenStore): TokenStore => ({
      ...store,
      capabilities: store.capabilities,
      get: (key) => store.get(key),
      delete: (key) => store.delete(key),
      set: (key, entry) => {
        writes.push({ key, expiresAt: entry.expiresAt });
        return store.set(key, entry);
      },
      lock: (key, options) => store.lock!(key, options),
      compareAndSet: (key, entry, condition) => {
        writes.push({ key, expiresAt: entry.expiresAt });
        return store.compareAndSet!(key, entry, condition);
      },
    });
    const ttl = 3_600_000;
    const short = await startHarness({ sessionTtlMs: ttl, wrapStore: spy });
    try {
      const agent = new Agent(short.server.url);
      const started = short.clock.now();
      await connect(agent);
      const dash = await agent.request('/dashboard');
      await agent.request('/refresh', { form: { csrf: Agent.csrf(dash) } });
      const grantWrites = writes.filter((w) => w.key.startsWith('tokens:'));
      expect(grantWrites.length).toBeGreaterThanOrEqual(2);
      // The refresh token would live days; its entry lives as long as the session (one hour), not a second more.
      for (const write of grantWrites) expect(write.expiresAt).toBeLessThanOrEqual(short.clock.now() + ttl);
      for (const write of grantWrites) expect(write.expiresAt).toBeGreaterThanOrEqual(started + ttl - 1_000);
    } finally {
      await short.close();
    }
  });
});
