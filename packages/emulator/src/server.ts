import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseAccountId } from '@netsuite-oauth/core';
import initSqlJs, { type SqlJsStatic } from 'sql.js';
import { createAdmin, DEFAULT_ROLE, type EmulatorAdmin } from './admin.js';
import { EmulatorError } from './errors.js';
import { type AccountStart, type EmulatorOptions, resolveOptions, type StartOptions } from './options.js';
import { createRequestHandler, type PipelineContext } from './pipeline.js';
import { echoRestlet, restletKey } from './restlets.js';
import { type SeedOptions, seedStore } from './seed.js';
import { EmulatorState } from './state.js';
import { RecordStore } from './store.js';
import { registerSuiteqlFunctions } from './suiteql-functions.js';
import { TokenSigner } from './token-signer.js';

/**
 * One NetSuite account of a running emulator, on its own local origin: its integrations, certificates, users,
 * records and SuiteQL data, concurrency limit, cost model, counters and clock are its own.
 *
 * @example
 * const acme = emu.account('7654321');
 * const client = createNetSuiteClient({ accountId: acme.accountId, origin: acme.url, allowInsecureLoopback: true, token });
 */
export interface EmulatorAccount {
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
}

/**
 * A running emulator. Its own fields are those of its first account (`options.accountId`); further accounts
 * (`options.accounts`) each listen on an origin of their own.
 *
 * @example
 * const emu = await startEmulator();
 * const endpoints = netsuiteEndpoints(emu.accountId, { origin: emu.url, allowInsecureLoopback: true });
 */
export interface Emulator extends EmulatorAccount {
  /** Every account: the first one, then `options.accounts` in their order. */
  readonly accounts: readonly EmulatorAccount[];
  /**
   * One account by id, in either form (`1234567_SB1` or `1234567-sb1`).
   * @throws {EmulatorError} `ERR_EMULATOR_UNKNOWN_ACCOUNT` when the emulator does not hold it.
   */
  account(accountId: string): EmulatorAccount;
  /** Stops every account's listener and frees its data. */
  close(): Promise<void>;
}

/** Every URL of one emulated account, all on its {@link EmulatorAccount.url}. */
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
  return start(resolveOptions(options));
}

/** One account being served: what the listeners and the registry of accounts need. */
interface AccountRuntime {
  readonly hostLabel: string;
  readonly account: EmulatorAccount;
  readonly onRequest: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  close(): Promise<void>;
}

async function start(options: StartOptions): Promise<Emulator> {
  // Accounts by host label: a NetSuite host name in `Host` reaches its account on any of the listeners.
  const byLabel = new Map<string, AccountRuntime>();
  const runtimes: AccountRuntime[] = [];
  const listing = () => runtimes.map((r) => ({ accountId: r.account.accountId, url: r.account.url }));
  try {
    for (const account of [options.primary, ...options.accounts]) {
      const runtime = await startAccount(account, options, {
        forward: (label) => byLabel.get(label)?.onRequest,
        accounts: listing,
      });
      runtimes.push(runtime);
      byLabel.set(runtime.hostLabel, runtime);
    }
  } catch (error) {
    await Promise.all(runtimes.map((r) => r.close()));
    throw error;
  }
  const first = runtimes[0] as AccountRuntime;
  const accounts = runtimes.map((r) => r.account);
  let closed = false;
  return {
    get url() {
      return first.account.url;
    },
    get port() {
      return first.account.port;
    },
    get accountId() {
      return first.account.accountId;
    },
    get endpoints() {
      return first.account.endpoints;
    },
    get admin() {
      return first.account.admin;
    },
    get defaultUser() {
      return first.account.defaultUser;
    },
    accounts,
    account(accountId) {
      let label: string | undefined;
      try {
        label = parseAccountId(accountId).hostLabel;
      } catch {
        label = undefined;
      }
      const runtime = label === undefined ? undefined : byLabel.get(label);
      if (!runtime) {
        throw new EmulatorError('ERR_EMULATOR_UNKNOWN_ACCOUNT', 'this emulator does not hold that account');
      }
      return runtime.account;
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all(runtimes.map((r) => r.close()));
    },
  };
}

async function startAccount(
  { resolved, seed, port, concurrencyLimit: initialLimit }: AccountStart,
  { host, now: baseNow }: StartOptions,
  shared: {
    forward: NonNullable<PipelineContext['forward']>;
    accounts: () => Array<{ accountId: string; url: string }>;
  },
): Promise<AccountRuntime> {
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
      previous.asyncJobs.close();
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

  const onRequest = createRequestHandler({
    state: () => state,
    origin: () => origin,
    admin,
    info,
    forward: shared.forward,
  });
  const server: Server = createServer({ keepAliveTimeout: 5000 }, (req, res) => {
    // Nothing a client sends may take the process down: a failure past the handlers closes that one socket.
    onRequest(req, res).catch(() => res.destroy());
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable)
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });

  const stop = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    clearInterval(sweep);
    state.asyncJobs.close();
    if (server.listening) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
    state.store.db.close();
  };

  try {
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
  } catch (error) {
    await stop();
    throw error;
  }
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
      accounts: shared.accounts(),
    };
  }

  return {
    hostLabel: resolved.hostLabel,
    onRequest,
    close: stop,
    account: {
      url: origin,
      port: address.port,
      accountId: resolved.accountId,
      endpoints,
      admin,
      get defaultUser() {
        return defaultUser;
      },
    },
  };
}
