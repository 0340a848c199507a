import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseAccountId } from '@netsuite-oauth/core';
import initSqlJs, { type SqlJsStatic } from 'sql.js';
import { createAdmin, DEFAULT_ROLE, type EmulatorAdmin } from './admin.js';
import { handleAdminHttp } from './admin-http.js';
import { handleAuthorizeGet, handleAuthorizePost } from './authorize.js';
import { authenticateBearer } from './bearer.js';
import type { Call } from './call.js';
import { handleCertificates } from './certificates-api.js';
import {
  EmulatorState,
  type RequestLogEntry,
  type ResolvedOptions,
  type RouteName,
  TokenSigner,
} from './context.js';
import { EmulatorError } from './errors.js';
import { HttpReply, JSON_TYPE, NS_ERROR_TYPE, nsError, nsErrorBody, readBody, send, sleep } from './http.js';
import { handleKeys, handleRevoke, handleToken } from './oauth.js';
import { handleAsync, handleRecord } from './records.js';
import { echoRestlet, handleRestlet, restletError, restletKey } from './restlets.js';
import { SEED_LIMIT, type SeedOptions, seedStore } from './seed.js';
import { RecordStore } from './store.js';
import { handleSuiteql, registerSuiteqlFunctions } from './suiteql.js';

/**
 * Options of {@link startEmulator}. Defaults follow NetSuite; items marked UNCONFIRMED in the README are guesses you
 * can change.
 *
 * @example
 * await startEmulator({ port: 0, accountId: '1234567_SB1', seed: { customers: 150_000 }, concurrencyLimit: 5 });
 */
export interface EmulatorOptions {
  /** @default 0 (a free port) */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** @default '1234567_SB1' */
  readonly accountId?: string;
  /** Records to create at start; `false` for none (the default login user is still created). */
  readonly seed?: SeedOptions | false;
  /** Per-account concurrent request limit shared by REST and RESTlets. @default 5 */
  readonly concurrencyLimit?: number;
  /** The clock; the admin API can move it further. @default Date.now */
  readonly now?: () => number;
  /** @default 3600 */
  readonly accessTokenTtlSeconds?: number;
  /** Largest `exp - iat` of a client assertion (UNCONFIRMED: 3600 or 7200). @default 3600 */
  readonly maxAssertionLifetimeSeconds?: number;
  /** How far in the future an assertion's `iat` may be (UNCONFIRMED). @default 300 */
  readonly assertionClockSkewSeconds?: number;
  /** Authorization code lifetime (UNCONFIRMED). @default 60 */
  readonly authorizationCodeTtlSeconds?: number;
  /** Confidential clients' refresh-token lifetime. @default 168 (7 days) */
  readonly confidentialRefreshTokenValidityHours?: number;
  /** Accept `http://127.0.0.1/…` style redirect URIs, as Oracle's own SDK uses; strict NetSuite refuses http. @default true */
  readonly allowHttpLoopbackRedirectUris?: boolean;
  /** Accept `client_secret` in the form without Basic (UNCONFIRMED; NetSuite documents only Basic). @default false */
  readonly allowClientSecretPost?: boolean;
  /** Revoke the tokens of a code that is presented twice (UNCONFIRMED). @default true */
  readonly revokeTokensOnCodeReuse?: boolean;
  /** Accept a space-separated `scope` string inside the client assertion (UNCONFIRMED). @default true */
  readonly acceptSpaceSeparatedAssertionScope?: boolean;
  /** Refuse SuiteQL without `Prefer: transient` (UNCONFIRMED what NetSuite answers). @default true */
  readonly requireTransientHeader?: boolean;
  /** Status of a duplicate idempotency key (UNCONFIRMED: 400 or 409). @default 400 */
  readonly idempotencyConflictStatus?: 400 | 409;
  /** @default 100000 */
  readonly suiteqlMaxRows?: number;
  /** @default 10485760 (10 MB) */
  readonly maxBodyBytes?: number;
  /** Entries kept in the request log. @default 1000 */
  readonly requestLogSize?: number;
  /** Send the refusal reason (`MissingKey`, `AccessTokenExpired`, …) in `X-NetSuite-Emulator-Reason`. @default true */
  readonly exposeReasons?: boolean;
  /** When set, the HTTP admin API requires `X-Emulator-Admin-Token: <value>`. */
  readonly adminToken?: string;
  /** How long async jobs stay `pending` on the emulator clock. @default 0 */
  readonly asyncJobDelayMs?: number;
}

/**
 * A running emulator.
 *
 * @example
 * const emu = await startEmulator();
 * const endpoints = netsuiteEndpoints(emu.accountId, { origin: emu.url, allowInsecureLoopback: true });
 */
export interface Emulator {
  /** `http://127.0.0.1:PORT`: pass it as `origin` (with `allowInsecureLoopback: true`) to the client packages. */
  readonly url: string;
  readonly port: number;
  /** `1234567_SB1` form. */
  readonly accountId: string;
  readonly endpoints: EmulatorEndpoints;
  readonly admin: EmulatorAdmin;
  /** The seeded login user (`admin@example.com` / `emulator-password`), if seeded. */
  readonly defaultUser:
    | { readonly email: string; readonly password: string; readonly entityId: string }
    | undefined;
  close(): Promise<void>;
}

/** Every URL of the emulator, all on {@link Emulator.url}. */
export interface EmulatorEndpoints {
  readonly tokenUrl: string;
  readonly authorizeUrl: string;
  readonly revokeUrl: string;
  readonly keysUrl: string;
  readonly recordUrl: string;
  readonly suiteqlUrl: string;
  readonly asyncUrl: string;
  readonly systemUrl: string;
  readonly restletUrl: string;
  readonly adminUrl: string;
}

/**
 * Email of the login user every emulator seeds (role 1000 "NetSuite OAuth Integration").
 *
 * @example
 * await page.fill('#email', DEFAULT_USER_EMAIL); await page.fill('#password', DEFAULT_USER_PASSWORD);
 */
export const DEFAULT_USER_EMAIL = 'admin@example.com';
/**
 * Password of {@link DEFAULT_USER_EMAIL}. A test credential, public on purpose.
 *
 * @example
 * form({ txn, action: 'login', email: DEFAULT_USER_EMAIL, password: DEFAULT_USER_PASSWORD })
 */
export const DEFAULT_USER_PASSWORD = 'emulator-password';

let sqlModule: Promise<SqlJsStatic> | undefined;

function num(value: unknown, name: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new EmulatorError(
      'ERR_EMULATOR_INVALID_OPTION',
      `${name} must be an integer from ${min} to ${max}`,
    );
  }
  return value;
}

function bool(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean')
    throw new EmulatorError('ERR_EMULATOR_INVALID_OPTION', `${name} must be a boolean`);
  return value;
}

function resolveOptions(options: EmulatorOptions): { resolved: ResolvedOptions; seed: SeedOptions | false } {
  if (typeof options !== 'object' || options === null) {
    throw new EmulatorError('ERR_EMULATOR_INVALID_OPTION', 'options must be an object');
  }
  let account: { id: string; hostLabel: string };
  try {
    account = parseAccountId(options.accountId ?? '1234567_SB1');
  } catch (cause) {
    throw new EmulatorError(
      'ERR_EMULATOR_INVALID_OPTION',
      'accountId must look like 1234567 or 1234567_SB1',
      { cause },
    );
  }
  const seed = options.seed ?? {};
  if (seed !== false) {
    if (typeof seed !== 'object' || seed === null)
      throw new EmulatorError('ERR_EMULATOR_INVALID_OPTION', 'seed must be an object or false');
    for (const [k, v] of Object.entries(seed)) {
      if (k === 'defaultUser') bool(v, 'seed.defaultUser', true);
      else if (
        [
          'customers',
          'contacts',
          'employees',
          'vendors',
          'inventoryItems',
          'salesOrders',
          'invoices',
        ].includes(k)
      ) {
        num(v, `seed.${k}`, 0, SEED_LIMIT, 0);
      } else throw new EmulatorError('ERR_EMULATOR_INVALID_OPTION', `seed.${k} is not a known seed option`);
    }
  }
  if (options.now !== undefined && typeof options.now !== 'function') {
    throw new EmulatorError(
      'ERR_EMULATOR_INVALID_OPTION',
      'now must be a function returning epoch milliseconds',
    );
  }
  if (
    options.adminToken !== undefined &&
    (typeof options.adminToken !== 'string' || options.adminToken.length < 8)
  ) {
    throw new EmulatorError(
      'ERR_EMULATOR_INVALID_OPTION',
      'adminToken must be a string of at least 8 characters',
    );
  }
  if (
    options.idempotencyConflictStatus !== undefined &&
    options.idempotencyConflictStatus !== 400 &&
    options.idempotencyConflictStatus !== 409
  ) {
    throw new EmulatorError('ERR_EMULATOR_INVALID_OPTION', 'idempotencyConflictStatus must be 400 or 409');
  }
  return {
    seed: seed === false ? false : seed,
    resolved: {
      accountId: account.id,
      hostLabel: account.hostLabel,
      accessTokenTtlSeconds: num(options.accessTokenTtlSeconds, 'accessTokenTtlSeconds', 1, 86_400, 3600),
      maxAssertionLifetimeSeconds: num(
        options.maxAssertionLifetimeSeconds,
        'maxAssertionLifetimeSeconds',
        1,
        86_400,
        3600,
      ),
      assertionClockSkewSeconds: num(
        options.assertionClockSkewSeconds,
        'assertionClockSkewSeconds',
        0,
        86_400,
        300,
      ),
      authorizationCodeTtlSeconds: num(
        options.authorizationCodeTtlSeconds,
        'authorizationCodeTtlSeconds',
        1,
        86_400,
        60,
      ),
      confidentialRefreshTokenValidityHours: num(
        options.confidentialRefreshTokenValidityHours,
        'confidentialRefreshTokenValidityHours',
        1,
        8760,
        168,
      ),
      allowHttpLoopbackRedirectUris: bool(
        options.allowHttpLoopbackRedirectUris,
        'allowHttpLoopbackRedirectUris',
        true,
      ),
      allowClientSecretPost: bool(options.allowClientSecretPost, 'allowClientSecretPost', false),
      revokeTokensOnCodeReuse: bool(options.revokeTokensOnCodeReuse, 'revokeTokensOnCodeReuse', true),
      acceptSpaceSeparatedAssertionScope: bool(
        options.acceptSpaceSeparatedAssertionScope,
        'acceptSpaceSeparatedAssertionScope',
        true,
      ),
      requireTransientHeader: bool(options.requireTransientHeader, 'requireTransientHeader', true),
      idempotencyConflictStatus: options.idempotencyConflictStatus ?? 400,
      suiteqlMaxRows: num(options.suiteqlMaxRows, 'suiteqlMaxRows', 1, 10_000_000, 100_000),
      maxBodyBytes: num(options.maxBodyBytes, 'maxBodyBytes', 1024, 104 * 1024 * 1024, 10 * 1024 * 1024),
      requestLogSize: num(options.requestLogSize, 'requestLogSize', 0, 1_000_000, 1000),
      exposeReasons: bool(options.exposeReasons, 'exposeReasons', true),
      adminToken: options.adminToken,
      asyncJobDelayMs: num(options.asyncJobDelayMs, 'asyncJobDelayMs', 0, 86_400_000, 0),
    },
  };
}

// The Date header changes once a second; format it once a second.
let dateSecond = Number.NaN;
let dateText = '';
function httpDate(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(second * 1000).toUTCString();
  }
  return dateText;
}

const GOVERNED = new Set<RouteName>(['record', 'suiteql', 'async', 'system', 'restlet', 'certificates']);

function classify(path: string): RouteName {
  if (path.startsWith('/services/rest/record/v1/')) return 'record';
  if (path === '/services/rest/query/v1/suiteql') return 'suiteql';
  if (path === '/app/site/hosting/restlet.nl') return 'restlet';
  if (path === '/services/rest/auth/oauth2/v1/token') return 'token';
  if (path === '/services/rest/auth/oauth2/v1/revoke') return 'revoke';
  if (path === '/services/rest/auth/oauth2/v1/keys') return 'keys';
  if (path.startsWith('/services/rest/auth/oauth2/v1/clients/')) return 'certificates';
  if (path === '/app/login/oauth2/authorize.nl') return 'authorize';
  if (path.startsWith('/services/rest/async/v1/')) return 'async';
  if (path.startsWith('/services/rest/system/v1/')) return 'system';
  if (path === '/_emulator' || path.startsWith('/_emulator/')) return 'admin';
  return 'unknown';
}

function faultReply(route: RouteName, status: number, body: unknown): HttpReply {
  if (body !== undefined) {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    return new HttpReply(status, text, {
      'content-type': typeof body === 'string' ? 'text/plain; charset=UTF-8' : JSON_TYPE,
    });
  }
  if (route === 'token' || route === 'revoke') {
    const error =
      status === 503 ? 'temporarily_unavailable' : status >= 500 ? 'server_error' : 'invalid_request';
    return new HttpReply(status, JSON.stringify({ error }), { 'content-type': JSON_TYPE });
  }
  if (route === 'restlet') {
    if (status === 400)
      return restletError(400, 'SSS_REQUEST_LIMIT_EXCEEDED', 'Too many concurrent requests.');
    return restletError(status, status >= 500 ? 'UNEXPECTED_ERROR' : 'INVALID_REQUEST', 'Injected fault.');
  }
  if (status === 429) return concurrencyReply();
  if (status === 401) return nsError(401, 'INVALID_LOGIN', 'Invalid login attempt.');
  return nsError(
    status,
    status >= 500 ? 'UNEXPECTED_ERROR' : 'INVALID_REQUEST',
    status >= 500 ? 'An unexpected error occurred.' : 'Injected fault.',
  );
}

function concurrencyReply(): HttpReply {
  return new HttpReply(
    429,
    JSON.stringify({
      type: 'https://www.rfc-editor.org/rfc/rfc6585.html#section-4',
      title: 'Bad Request',
      status: 429,
      'o:errorCode': 'USER_ERROR',
      'o:errorDetails': [
        {
          detail: 'Concurrent request limit exceeded. Request blocked.',
          'o:errorCode': 'CONCURRENCY_LIMIT_EXCEEDED',
        },
      ],
    }),
    { 'content-type': NS_ERROR_TYPE },
  );
}

async function newStore(now: () => number, seed: SeedOptions | false): Promise<RecordStore> {
  sqlModule ??= initSqlJs();
  const SQL = await sqlModule;
  const db = new SQL.Database();
  registerSuiteqlFunctions(db);
  const store = new RecordStore(db, now);
  if (seed !== false) seedStore(store, seed);
  return store;
}

/**
 * Starts a local NetSuite: OAuth 2.0 server, REST Record API, SuiteQL, RESTlets and governance on one origin.
 *
 * @example
 * const emu = await startEmulator({ port: 0 });
 * const { clientId } = await emu.admin.createIntegration({ redirectUris: ['http://127.0.0.1:3000/callback'] });
 * // ... point a client at emu.url with allowInsecureLoopback: true
 * await emu.close();
 * @throws {EmulatorError} `ERR_EMULATOR_INVALID_OPTION` synchronously for bad options; the promise rejects with
 *   `ERR_EMULATOR_START_FAILED` when the port cannot be bound.
 * @see https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_158081952044.html
 */
export function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const { resolved, seed } = resolveOptions(options);
  const port = num(options.port, 'port', 0, 65_535, 0);
  const host = options.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host.length === 0 || host.length > 255) {
    throw new EmulatorError('ERR_EMULATOR_INVALID_OPTION', 'host must be a host name or IP address');
  }
  const initialLimit = num(options.concurrencyLimit, 'concurrencyLimit', 1, 10_000, 5);
  return start(resolved, seed, port, host, initialLimit, options.now ?? Date.now);
}

async function start(
  resolved: ResolvedOptions,
  seed: SeedOptions | false,
  port: number,
  host: string,
  initialLimit: number,
  baseNow: () => number,
): Promise<Emulator> {
  let origin = '';
  let state: EmulatorState;
  let defaultUser: Emulator['defaultUser'];
  let closed = false;

  const build = async (): Promise<EmulatorState> => {
    const signer = new TokenSigner(resolved.accountId);
    const fresh: EmulatorState = new EmulatorState(
      resolved,
      undefined as unknown as RecordStore,
      signer,
      baseNow,
      initialLimit,
    );
    fresh.store = await newStore(() => fresh.now(), seed);
    const echo = echoRestlet();
    fresh.restlets.set(restletKey(echo.scriptId, echo.deployId), echo);
    return fresh;
  };
  state = await build();
  const admin = createAdmin(() => state, {
    origin: () => origin,
    defaultEntityId: () => (defaultUser ? Number(defaultUser.entityId) : undefined),
    reset: async () => {
      const next = await build();
      const previous = state;
      state = next;
      await seedUser();
      // Requests still running on the old state finish against it; free its database once they are done.
      setTimeout(() => previous.store.db.close(), 30_000).unref();
    },
  });
  const seedUser = async (): Promise<void> => {
    if (seed !== false && seed.defaultUser === false) {
      defaultUser = undefined;
      return;
    }
    const user = await admin.createUser({
      email: DEFAULT_USER_EMAIL,
      password: DEFAULT_USER_PASSWORD,
      name: 'Emulator Administrator',
      roles: [DEFAULT_ROLE],
    });
    defaultUser = { email: DEFAULT_USER_EMAIL, password: DEFAULT_USER_PASSWORD, entityId: user.entityId };
  };
  await seedUser();

  const sweep = setInterval(() => state.sweep(), 60_000);
  sweep.unref();

  const server: Server = createServer({ keepAliveTimeout: 5000 }, (req, res) => {
    // Nothing a client sends may take the process down: a failure past the handlers closes that one socket.
    onRequest(req, res).catch(() => res.destroy());
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable)
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const current = state;
    const method = req.method ?? 'GET';
    let url: URL;
    try {
      url = new URL(req.url ?? '/', origin);
    } catch {
      url = new URL('/_invalid', origin);
    }
    const route = classify(url.pathname);
    const counters = current.counters;
    counters.requests++;
    counters[route]++;
    const entry: RequestLogEntry = {
      seq: ++current.logSeq,
      time: '',
      at: current.now(),
      method,
      route,
      path: url.pathname.slice(0, 500),
      status: 0,
      durationMs: 0,
    };
    if (resolved.requestLogSize > 0 && route !== 'admin') {
      current.log.push(entry);
      if (current.log.length > resolved.requestLogSize * 2)
        current.log.splice(0, current.log.length - resolved.requestLogSize);
    }
    let bodyPromise: Promise<Buffer> | undefined;
    const call: Call = {
      state: current,
      req,
      url,
      method,
      origin,
      entry,
      body: () => {
        bodyPromise ??= readBody(req, resolved.maxBodyBytes);
        return bodyPromise;
      },
    };
    let governed = false;
    let reply: HttpReply;
    try {
      if (route !== 'admin') {
        const hostHeader = String(req.headers.host ?? '');
        const m = /^([a-z0-9-]+)\.(?:app|suitetalk\.api|restlets\.api)\.netsuite\.com(?::\d+)?$/i.exec(
          hostHeader,
        );
        if (m && m[1]?.toLowerCase() !== resolved.hostLabel) {
          throw nsError(404, 'INVALID_REQUEST', 'This emulator does not serve that account.');
        }
        const faultIndex = current.faults.findIndex((f) => f.route === route || f.route === '*');
        const fault = faultIndex >= 0 ? current.faults[faultIndex] : undefined;
        if (fault) {
          fault.remaining--;
          if (fault.remaining <= 0) current.faults.splice(faultIndex, 1);
          counters.faultsInjected++;
          entry.fault = true;
          if (fault.latencyMs) await sleep(fault.latencyMs);
          if (fault.drop) {
            entry.status = 0;
            req.socket.destroy();
            return;
          }
          if (fault.malformed) {
            throw new HttpReply(fault.status ?? 200, '{"items":[{"links":[],"id":', {
              'content-type': JSON_TYPE,
            });
          }
          if (fault.status !== undefined) throw faultReply(route, fault.status, fault.body);
        }
      }
      if (GOVERNED.has(route)) {
        if (counters.inFlight >= current.concurrencyLimit) {
          counters.concurrencyRejected++;
          entry.reason = 'ConcurrencyLimitExceeded';
          throw route === 'restlet'
            ? restletError(
                400,
                'SSS_REQUEST_LIMIT_EXCEEDED',
                'Too many concurrent requests. Request blocked.',
              )
            : concurrencyReply();
        }
        governed = true;
        counters.inFlight++;
        if (counters.inFlight > counters.maxInFlight) counters.maxInFlight = counters.inFlight;
      }
      const latency =
        current.latency.get(route) ?? (route === 'admin' ? undefined : current.latency.get('*'));
      if (latency) await sleep(latency);
      reply = await dispatch(call, route);
    } catch (error) {
      if (error instanceof HttpReply) reply = error;
      else {
        entry.reason = 'UnexpectedError';
        reply = nsError(500, 'UNEXPECTED_ERROR', 'An unexpected error occurred.');
      }
    } finally {
      if (governed) counters.inFlight--;
    }
    entry.status = reply.status;
    counters.byStatus[reply.status] = (counters.byStatus[reply.status] ?? 0) + 1;
    entry.durationMs = Math.round((performance.now() - started) * 1000) / 1000;
    send(res, reply.status, reply.body, { date: httpDate(current.now()), ...reply.headers });
  }

  async function dispatch(call: Call, route: RouteName): Promise<HttpReply> {
    const m = call.method;
    switch (route) {
      case 'token':
        return handleToken(call);
      case 'revoke':
        return handleRevoke(call);
      case 'keys':
        return handleKeys(call);
      case 'authorize':
        if (m === 'GET') return handleAuthorizeGet(call);
        if (m === 'POST') return handleAuthorizePost(call);
        throw new HttpReply(405, '', { allow: 'GET, POST' });
      case 'record':
        authenticateBearer(call, 'rest_webservices');
        return handleRecord(call);
      case 'suiteql':
        authenticateBearer(call, 'rest_webservices');
        return handleSuiteql(call);
      case 'async':
        authenticateBearer(call, 'rest_webservices');
        return handleAsync(call);
      case 'system':
        return handleSystem(call);
      case 'restlet':
        return handleRestlet(call);
      case 'certificates':
        return handleCertificates(call, admin);
      case 'admin':
        return handleAdminHttp(call, admin, { info });
      default:
        throw nsError(404, 'INVALID_REQUEST', 'The requested resource does not exist.', {
          'o:errorUrl': call.url.pathname,
        });
    }
  }

  function handleSystem(call: Call): HttpReply {
    authenticateBearer(call, 'rest_webservices');
    const path = call.url.pathname;
    if (call.method !== 'GET') throw nsError(405, 'INVALID_REQUEST', 'Use GET.');
    if (path === '/services/rest/system/v1/serverTime') {
      return new HttpReply(200, JSON.stringify({ serverTime: new Date(call.state.now()).toISOString() }), {
        'content-type': JSON_TYPE,
      });
    }
    if (path === '/services/rest/system/v1/governanceLimits') {
      const limit = call.state.concurrencyLimit;
      return new HttpReply(
        200,
        JSON.stringify({
          accountConcurrencyLimit: limit,
          accountUnallocatedConcurrencyLimit: limit,
          integrationConcurrencyLimit: limit,
          integrationLimitType: 'accountLimit',
        }),
        { 'content-type': JSON_TYPE },
      );
    }
    throw new HttpReply(404, nsErrorBody(404, 'INVALID_REQUEST', 'The requested resource does not exist.'), {
      'content-type': NS_ERROR_TYPE,
    });
  }

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) =>
      reject(
        new EmulatorError('ERR_EMULATOR_START_FAILED', `could not listen on ${host}:${port}`, {
          cause: error,
        }),
      );
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' || host.includes(':') ? `[${address.address}]` : host;
  origin = `http://${hostForUrl}:${address.port}`;
  const endpoints: EmulatorEndpoints = {
    tokenUrl: `${origin}/services/rest/auth/oauth2/v1/token`,
    authorizeUrl: `${origin}/app/login/oauth2/authorize.nl`,
    revokeUrl: `${origin}/services/rest/auth/oauth2/v1/revoke`,
    keysUrl: `${origin}/services/rest/auth/oauth2/v1/keys`,
    recordUrl: `${origin}/services/rest/record/v1`,
    suiteqlUrl: `${origin}/services/rest/query/v1/suiteql`,
    asyncUrl: `${origin}/services/rest/async/v1`,
    systemUrl: `${origin}/services/rest/system/v1`,
    restletUrl: `${origin}/app/site/hosting/restlet.nl`,
    adminUrl: `${origin}/_emulator`,
  };
  function info() {
    return {
      url: origin,
      accountId: resolved.accountId,
      endpoints,
      defaultUser: defaultUser ? { email: defaultUser.email, entityId: defaultUser.entityId } : null,
    };
  }

  return {
    url: origin,
    port: address.port,
    accountId: resolved.accountId,
    endpoints,
    admin,
    get defaultUser() {
      return defaultUser;
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(sweep);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      state.store.db.close();
    },
  };
}
