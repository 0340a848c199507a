import { randomBytes } from 'node:crypto';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { inspect } from 'node:util';
import { memoryTokenStore } from '@netsuite-oauth/token-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAuthorizationRequest,
  createTokenManager,
  exchangeAuthorizationCode,
  oauthFlowsChannels,
  parseAuthorizationCallback,
  refreshAccessToken,
  requestClientCredentialsToken,
  revokeToken,
  TokenSet,
} from '../src/index.js';
import { ACCOUNT, json, type MockAs, startMockAs } from './helpers/mock-as.js';

// G13: unique canary secrets in every secret field never appear in an error's message, stack, cause chain,
// JSON.stringify or util.inspect, nor in anything written to stdout/stderr.
const canary = (tag: string) => `CANARY${tag}${randomBytes(12).toString('hex')}`;
const C = {
  secret: canary('SECRET'),
  refresh: canary('REFRESH'),
  access: canary('ACCESS'),
  code: canary('CODE'),
  verifier: `${canary('VERIFIER')}${'v'.repeat(20)}`,
  assertion: `eyJhbGciOiJQUzI1NiJ9.${canary('ASSERTION')}.c2ln`,
  newRefresh: canary('NEWREFRESH'),
};
const all = Object.values(C);

function render(value: unknown): string {
  const parts: string[] = [];
  let current: unknown = value;
  for (let i = 0; i < 10 && current != null; i++) {
    if (current instanceof Error) parts.push(current.message, current.stack ?? '', String(current));
    current = (current as { cause?: unknown }).cause;
  }
  parts.push(
    JSON.stringify(value) ?? '',
    inspect(value, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
  );
  return parts.join('\n');
}

/** Every string reachable from `value` through own properties and prototype getters (a subscriber's view). */
function reachableStrings(value: unknown, seen = new Set<unknown>(), depth = 0): string[] {
  if (typeof value === 'string') return [value];
  if (value === null || typeof value !== 'object' || seen.has(value) || depth > 8) return [];
  seen.add(value);
  const keys = new Set<PropertyKey>(Reflect.ownKeys(value));
  for (
    let proto = Object.getPrototypeOf(value);
    proto && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto)
  )
    for (const key of Reflect.ownKeys(proto))
      if (Object.getOwnPropertyDescriptor(proto, key)?.get) keys.add(key);
  return [...keys].flatMap((key) => {
    try {
      return reachableStrings((value as Record<PropertyKey, unknown>)[key], seen, depth + 1);
    } catch {
      return [];
    }
  });
}

let as: MockAs;
let output = '';
const writes = { out: process.stdout.write, err: process.stderr.write };
beforeAll(async () => {
  as = await startMockAs();
  process.stdout.write = ((chunk: unknown, ...rest: never[]) => {
    output += String(chunk);
    return writes.out.call(process.stdout, chunk as string, ...rest);
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: unknown, ...rest: never[]) => {
    output += String(chunk);
    return writes.err.call(process.stderr, chunk as string, ...rest);
  }) as typeof process.stderr.write;
});
afterAll(async () => {
  process.stdout.write = writes.out;
  process.stderr.write = writes.err;
  await as.close();
  expect(all.filter((c) => output.includes(c))).toEqual([]);
});

const loc = () => ({ accountId: ACCOUNT, origin: as.url, allowInsecureLoopback: true });
const client = () => ({ clientId: 'cid', clientSecret: C.secret });

// Every reply an AS could give, each echoing our secrets back as hard as it can.
const replies: Array<(res: Parameters<typeof json>[0]) => void> = [
  (res) =>
    json(res, 400, {
      error: 'invalid_grant',
      error_description: `bad ${C.refresh} ${C.code} ${C.verifier} ${C.secret} ${C.assertion}`,
      access_token: C.access,
    }),
  (res) =>
    json(
      res,
      401,
      { error: C.refresh.slice(0, 60), error_description: C.secret },
      { 'www-authenticate': `Basic ${C.secret}` },
    ),
  (res) => json(res, 500, `<html>${C.refresh} ${C.access}</html>`),
  (res) => json(res, 200, { access_token: C.access, token_type: 'mac', refresh_token: C.newRefresh }),
  (res) => json(res, 200, { access_token: C.access, token_type: 'bearer', expires_in: C.secret }),
  (res) => json(res, 200, [{ access_token: C.access }]),
  (res) => {
    res.writeHead(302, { location: `https://evil.example/?t=${C.access}` });
    res.end();
  },
  (res) => {
    res.writeHead(503, { 'retry-after': '3' });
    res.end(C.refresh);
  },
];

describe('G13: canaries never leak', () => {
  it('through any error of any flow', async () => {
    const calls = [
      () => refreshAccessToken({ ...loc(), client: client(), refreshToken: C.refresh }),
      () =>
        exchangeAuthorizationCode({
          ...loc(),
          client: client(),
          code: C.code,
          codeVerifier: C.verifier,
          redirectUri: 'https://a.example/cb',
        }),
      () => requestClientCredentialsToken({ ...loc(), signer: { sign: async () => C.assertion } }),
      () => revokeToken({ ...loc(), client: client(), token: C.refresh }),
    ];
    let errors = 0;
    for (const replyWith of replies) {
      as.handle((_r, res) => replyWith(res));
      for (const call of calls) {
        const error = await call().then(
          () => undefined,
          (e: unknown) => e,
        );
        if (error === undefined) continue;
        errors += 1;
        const text = render(error);
        expect(all.filter((c) => text.includes(c))).toEqual([]);
      }
    }
    expect(errors).toBeGreaterThan(25);
  });

  it('through transport errors and bad options', async () => {
    as.handle(() => {});
    const failures = await Promise.all([
      refreshAccessToken({ ...loc(), client: client(), refreshToken: C.refresh, timeoutMs: 50 }).catch(
        (e: unknown) => e,
      ),
      refreshAccessToken({
        ...loc(),
        origin: 'http://127.0.0.1:1',
        client: client(),
        refreshToken: C.refresh,
      }).catch((e: unknown) => e),
      refreshAccessToken({
        ...loc(),
        client: { clientId: C.secret, clientSecret: `${C.secret}\n` },
        refreshToken: C.refresh,
      }).catch((e: unknown) => e),
      exchangeAuthorizationCode({
        ...loc(),
        client: client(),
        code: C.code,
        codeVerifier: `${C.verifier}!`,
        redirectUri: 'https://a/cb',
      }).catch((e: unknown) => e),
      requestClientCredentialsToken({
        ...loc(),
        signer: {
          sign: async () => {
            throw new Error(C.assertion);
          },
        },
      }).catch((e: unknown) => e),
      requestClientCredentialsToken({ ...loc(), signer: { sign: async () => `${C.assertion} x` } }).catch(
        (e: unknown) => e,
      ),
    ]);
    for (const error of failures) {
      expect(error).toBeInstanceOf(Error);
      expect(all.filter((c) => render(error).includes(c))).toEqual([]);
    }
  });

  it('through callback errors', async () => {
    const { state } = await createAuthorizationRequest({
      ...loc(),
      clientId: 'c',
      redirectUri: 'https://a.example/cb',
      scopes: ['restlets'],
    });
    const urls = [
      `https://a.example/cb?state=${C.code}&code=${C.code}`,
      `https://a.example/cb?state=${state}&error=${C.code.slice(0, 50)}&error_description=${C.secret}`,
    ];
    for (const url of urls) {
      let error: unknown;
      try {
        parseAuthorizationCallback(url, { expectedState: state });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(Error);
      const text = render(error);
      expect(text.includes(state)).toBe(false);
      expect(text.includes(C.secret)).toBe(false);
    }
  });

  it('through token sets and the token manager', async () => {
    as.handle((_r, res) =>
      json(res, 200, {
        access_token: C.access,
        token_type: 'bearer',
        expires_in: 3600,
        refresh_token: C.newRefresh,
      }),
    );
    const tokens = await refreshAccessToken({ ...loc(), client: client(), refreshToken: C.refresh });
    expect(tokens.accessToken).toBe(C.access);
    const text = `${render(tokens)}${String(tokens)}${`${tokens}`}${inspect({ nested: { tokens } }, { depth: 5 })}`;
    expect(all.filter((c) => text.includes(c))).toEqual([]);
    const manager = createTokenManager({
      store: memoryTokenStore(),
      key: 'k',
      grant: { type: 'refresh_token', ...loc(), client: client() },
    });
    await manager.setTokenSet(
      new TokenSet({
        accessToken: C.access,
        tokenType: 'Bearer',
        expiresAt: Date.now() + 3600_000,
        refreshToken: C.refresh,
      }),
    );
    expect(await manager.getAccessToken()).toBe(C.access);
    const managerText = `${render(manager)}${inspect(manager, { depth: 10, showHidden: true, getters: true })}`;
    expect(all.filter((c) => managerText.includes(c))).toEqual([]);
    as.handle((_r, res) => json(res, 400, { error: 'invalid_grant', error_description: C.refresh }));
    await manager.invalidate(C.access);
    const error = await manager.getAccessToken().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_OAUTH_REAUTHENTICATION_REQUIRED' });
    expect(all.filter((c) => render(error).includes(c))).toEqual([]);
  });

  it('through every diagnostics_channel event (token, cache, invalidate, lock, exchange)', async () => {
    const events: Array<[string, unknown]> = [];
    const names = Object.values(oauthFlowsChannels).flatMap((name) =>
      name === oauthFlowsChannels.token || name === oauthFlowsChannels.exchange
        ? ['start', 'end', 'asyncStart', 'asyncEnd', 'error'].map((phase) => `tracing:${name}:${phase}`)
        : [name],
    );
    const listeners = names.map((name) => {
      const listener = (event: unknown) => events.push([name, { ...(event as object) }]);
      subscribe(name, listener);
      return () => unsubscribe(name, listener);
    });
    try {
      as.handle((_r, res) =>
        json(res, 200, {
          access_token: C.access,
          token_type: 'bearer',
          expires_in: 3600,
          refresh_token: C.newRefresh,
        }),
      );
      const store = memoryTokenStore();
      const sessions = createTokenManager({
        store,
        key: 'session-1',
        grant: { type: 'refresh_token', ...loc(), client: client() },
      });
      await sessions.setTokenSet(
        new TokenSet({
          accessToken: C.code,
          tokenType: 'Bearer',
          expiresAt: Date.now() - 1,
          refreshToken: C.refresh,
        }),
      );
      expect(await sessions.getAccessToken()).toBe(C.access);
      expect(await sessions.getAccessToken()).toBe(C.access);
      await sessions.invalidate(C.access);
      as.handle((_r, res) =>
        json(res, 400, { error: 'invalid_grant', error_description: `${C.refresh} ${C.secret}` }),
      );
      await expect(sessions.getAccessToken()).rejects.toMatchObject({
        code: 'ERR_OAUTH_REAUTHENTICATION_REQUIRED',
      });
      as.handle((_r, res) =>
        json(res, 200, { access_token: C.access, token_type: 'bearer', expires_in: 3600 }),
      );
      const m2m = createTokenManager({
        store,
        key: 'm2m',
        grant: { type: 'client_credentials', ...loc(), signer: { sign: async () => C.assertion } },
      });
      expect(await m2m.getAccessToken()).toBe(C.access);
      // The one-request flows publish their token and revocation requests too.
      await exchangeAuthorizationCode({
        ...loc(),
        client: client(),
        code: C.code,
        codeVerifier: C.verifier,
        redirectUri: 'https://a.example/cb',
      });
      as.handle((_r, res) => json(res, 200, {}));
      await revokeToken({ ...loc(), client: client(), token: C.refresh });
    } finally {
      for (const stop of listeners) stop();
    }
    const of = (suffix: string) => events.filter(([n]) => n.endsWith(suffix)).map(([, e]) => e);
    // asyncEnd follows error too: the successes are the events without an error.
    expect(of(':token:asyncEnd').filter((e) => !('error' in (e as object)))).toEqual([
      expect.objectContaining({
        key: 'session-1',
        grant: 'refresh_token',
        background: false,
        source: 'endpoint',
      }),
      expect.objectContaining({ key: 'm2m', grant: 'client_credentials', source: 'endpoint' }),
    ]);
    expect(of(':token:error')).toEqual([
      expect.objectContaining({
        key: 'session-1',
        error: expect.objectContaining({ code: 'ERR_OAUTH_REAUTHENTICATION_REQUIRED' }),
      }),
    ]);
    expect(
      of(':exchange:asyncEnd').map((e) => {
        const { endpoint, grant, method, path, status } = e as Record<string, unknown>;
        return [endpoint, grant, method, path, status];
      }),
    ).toEqual([
      ['token', 'refresh_token', 'POST', '/services/rest/auth/oauth2/v1/token', 200],
      ['token', 'refresh_token', 'POST', '/services/rest/auth/oauth2/v1/token', 400],
      ['token', 'client_credentials', 'POST', '/services/rest/auth/oauth2/v1/token', 200],
      ['token', 'authorization_code', 'POST', '/services/rest/auth/oauth2/v1/token', 200],
      ['revocation', undefined, 'POST', '/services/rest/auth/oauth2/v1/revoke', 200],
    ]);
    expect(of(':exchange:start')).toHaveLength(5);
    expect(of(':cache')).toEqual([{ key: 'session-1', grant: 'refresh_token', refreshDue: false }]);
    expect(of(':invalidate')).toEqual([{ key: 'session-1', grant: 'refresh_token', droppedFromStore: true }]);
    expect(
      of(':lock').map((e) => [(e as { key: string }).key, (e as { acquired: boolean }).acquired]),
    ).toEqual([
      ['session-1', true],
      ['session-1', true],
      ['m2m', true],
    ]);
    // What a subscriber can reach, not only what it prints: every string behind every property and getter.
    const text = events.map(([, e]) => `${render(e)}\n${reachableStrings(e).join('\n')}`).join('\n');
    expect(all.filter((c) => text.includes(c))).toEqual([]);
  });
});
