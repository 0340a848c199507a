import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateEncryptionKey, type TokenStore } from '@netsuite-oauth/token-store';
import { type FileTokenStore, fileTokenStore } from '@netsuite-oauth/token-store-file';
import { LOGIN_COOKIE, SESSION_COOKIE } from '../src/cookies.js';
import { type RunningServer, startServer } from '../src/server.js';

/** A movable clock for the server: real time plus an offset. */
export interface TestClock {
  now(): number;
  advance(ms: number): void;
}

/** A demo server on the in-process emulator, with everything secret it exchanged with "NetSuite" recorded. */
export interface Harness {
  readonly server: RunningServer;
  readonly emulator: NonNullable<RunningServer['emulator']>;
  readonly store: FileTokenStore;
  readonly clock: TestClock;
  /** Tokens, codes, verifiers, assertions and client secrets seen between the server and NetSuite. */
  readonly secrets: Set<string>;
  readonly logs: string[];
  /** The last token response's tokens and the client's Basic credentials, to act behind the server's back. */
  readonly last: { accessToken?: string; refreshToken?: string; basicAuth?: string };
  close(): Promise<void>;
}

function remember(secrets: Set<string>, value: string | null | undefined): void {
  if (typeof value === 'string' && value.length >= 8) secrets.add(value);
}

/**
 * Starts the server as `main.ts` would, with the encrypted file store in a temporary folder, the emulator
 * in-process, a movable clock, and a fetch that records every secret crossing to NetSuite (canaries).
 */
export async function startHarness(
  options: {
    sessionTtlMs?: number;
    emulator?: { suiteqlTimeoutMs?: number };
    /** Wraps the file store the server gets (to watch what it writes). */
    wrapStore?: (store: TokenStore) => TokenStore;
  } = {},
): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'nsdemo-test-'));
  const store = fileTokenStore({
    path: join(dir, 'store.json'),
    keys: [{ id: 'test', key: generateEncryptionKey() }],
  });
  let offset = 0;
  const clock: TestClock = {
    now: () => Date.now() + offset,
    advance: (ms) => {
      offset += ms;
    },
  };
  const secrets = new Set<string>();
  const logs: string[] = [];
  const last: Harness['last'] = {};
  const recordingFetch: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    const auth = request.headers.get('authorization');
    if (auth?.startsWith('Basic ')) {
      const decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8');
      remember(secrets, auth.slice(6));
      last.basicAuth = auth;
      remember(secrets, decoded.slice(decoded.indexOf(':') + 1));
    }
    if (auth?.startsWith('Bearer ')) remember(secrets, auth.slice(7));
    if (request.method === 'POST' && /\/oauth2\/v1\/(token|revoke)$/.test(new URL(request.url).pathname)) {
      const form = new URLSearchParams(await request.clone().text());
      for (const name of [
        'code',
        'code_verifier',
        'refresh_token',
        'client_assertion',
        'client_secret',
        'token',
      ]) {
        remember(secrets, form.get(name));
      }
    }
    const response = await globalThis.fetch(request);
    if (/\/oauth2\/v1\/token$/.test(new URL(request.url).pathname)) {
      try {
        const body = (await response.clone().json()) as Record<string, unknown>;
        remember(secrets, body.access_token as string | undefined);
        remember(secrets, body.refresh_token as string | undefined);
        if (typeof body.access_token === 'string') last.accessToken = body.access_token;
        if (typeof body.refresh_token === 'string') last.refreshToken = body.refresh_token;
      } catch {
        // not JSON: nothing to record
      }
    }
    return response;
  };
  const server = await startServer({
    store: options.wrapStore ? options.wrapStore(store) : store,
    port: 0,
    now: clock.now,
    fetch: recordingFetch,
    log: (line) => logs.push(line),
    ...(options.sessionTtlMs === undefined ? {} : { sessionTtlMs: options.sessionTtlMs }),
    ...(options.emulator === undefined ? {} : { emulator: options.emulator }),
  });
  const emulator = server.emulator;
  if (!emulator) throw new Error('the server did not start its emulator');
  return {
    server,
    emulator,
    store,
    clock,
    secrets,
    logs,
    last,
    async close() {
      await server.close();
      await store.close?.();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One response as a test sees it. */
export interface Seen {
  readonly url: string;
  readonly method: string;
  readonly status: number;
  readonly headers: Headers;
  readonly setCookies: string[];
  readonly location: string | undefined;
  readonly body: string;
}

/**
 * A minimal browser over fetch (`redirect: 'manual'`): one cookie jar per origin, every response kept.
 */
export class Agent {
  readonly jars = new Map<string, Map<string, string>>();
  readonly seen: Seen[] = [];

  constructor(readonly serverOrigin: string) {}

  get sessionId(): string | undefined {
    return this.jars.get(this.serverOrigin)?.get(SESSION_COOKIE);
  }

  set sessionId(value: string | undefined) {
    const jar = this.jar(this.serverOrigin);
    if (value === undefined) jar.delete(SESSION_COOKIE);
    else jar.set(SESSION_COOKIE, value);
  }

  /** The sign-in cookie (set before sign-in; it binds a sign-in to this browser). */
  get loginId(): string | undefined {
    return this.jars.get(this.serverOrigin)?.get(LOGIN_COOKIE);
  }

  set loginId(value: string | undefined) {
    const jar = this.jar(this.serverOrigin);
    if (value === undefined) jar.delete(LOGIN_COOKIE);
    else jar.set(LOGIN_COOKIE, value);
  }

  jar(origin: string): Map<string, string> {
    let jar = this.jars.get(origin);
    if (!jar) {
      jar = new Map();
      this.jars.set(origin, jar);
    }
    return jar;
  }

  async request(
    url: string,
    init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {},
  ): Promise<Seen> {
    const target = new URL(url, this.serverOrigin);
    const jar = this.jar(target.origin);
    const headers: Record<string, string> = { ...init.headers };
    if (jar.size > 0) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    let body: string | undefined;
    if (init.form) {
      body = new URLSearchParams(init.form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    const method = init.method ?? (init.form ? 'POST' : 'GET');
    const response = await fetch(target, {
      method,
      headers,
      redirect: 'manual',
      ...(body === undefined ? {} : { body }),
    });
    const setCookies = response.headers.getSetCookie();
    for (const line of setCookies) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (expired || value === '') jar.delete(name);
      else jar.set(name, value);
    }
    const seen: Seen = {
      url: target.toString(),
      method,
      status: response.status,
      headers: response.headers,
      setCookies,
      location: response.headers.get('location') ?? undefined,
      body: await response.text(),
    };
    this.seen.push(seen);
    return seen;
  }

  /** The CSRF token in the last page of the server. */
  static csrf(page: Seen): string {
    const m = /name="csrf" value="([A-Za-z0-9_-]+)"/.exec(page.body);
    if (!m) throw new Error(`no csrf field on ${page.url} (${page.status})`);
    return m[1]!;
  }
}

function field(body: string, name: string): string {
  const m = new RegExp(`name="${name}" value="([^"]+)"`).exec(body);
  if (!m) throw new Error(`no ${name} field`);
  return m[1]!;
}

/**
 * Runs "Connect to NetSuite" up to NetSuite's redirect back: home page, POST /connect, the emulator's login
 * and consent forms. Returns the callback URL without following it.
 */
export async function startConnect(
  agent: Agent,
  options: {
    returnTo?: string;
    decision?: 'allow' | 'deny';
    email?: string;
    password?: string;
    /** Post the connect form with this token (a connected user's page) instead of the home page's. */
    csrf?: string;
  } = {},
): Promise<{ callbackUrl: string; authorizeUrl: string }> {
  const form: Record<string, string> = { csrf: options.csrf ?? Agent.csrf(await agent.request('/')) };
  if (options.returnTo !== undefined) form.returnTo = options.returnTo;
  const connect = await agent.request('/connect', { form });
  if (connect.status !== 303 || !connect.location) throw new Error(`connect answered ${connect.status}`);
  const authorizeUrl = connect.location;
  const emuOrigin = new URL(authorizeUrl).origin;
  let page = await agent.request(authorizeUrl);
  if (page.body.includes('id="login-form"')) {
    page = await agent.request(`${emuOrigin}/app/login/oauth2/authorize.nl`, {
      form: {
        txn: field(page.body, 'txn'),
        action: 'login',
        email: options.email ?? 'admin@example.com',
        password: options.password ?? 'emulator-password',
      },
    });
  }
  if (page.body.includes('id="consent-form"')) {
    page = await agent.request(`${emuOrigin}/app/login/oauth2/authorize.nl`, {
      form: { txn: field(page.body, 'txn'), action: 'consent', decision: options.decision ?? 'allow' },
    });
  }
  if (page.status < 300 || page.status >= 400 || !page.location) {
    throw new Error(`the emulator answered ${page.status} instead of redirecting back`);
  }
  return { callbackUrl: page.location, authorizeUrl };
}

/** Connects fully: {@link startConnect}, then the callback. Returns the callback's response. */
export async function connect(agent: Agent, options: { returnTo?: string } = {}): Promise<Seen> {
  const { callbackUrl } = await startConnect(agent, options);
  return await agent.request(callbackUrl);
}
