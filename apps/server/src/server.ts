import { randomBytes } from 'node:crypto';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { isLoopbackHost, isLoopbackUrl } from '@netsuite-oauth/core';
import { startEmulator } from '@netsuite-oauth/emulator';
import { generateCertificate } from '@netsuite-oauth/jwt-assertion';
import { type App, createApp } from './app.js';
import { ServerError } from './errors.js';
import type { NetSuiteGateway } from './gateway.js';
import { securityHeaders, send } from './http.js';
import { createNetSuiteGateway, type M2MSettings } from './netsuite.js';
import { recordRecentCalls } from './recent-calls.js';
import type { KeyValueStore } from './store.js';

/** A real NetSuite account (or any server speaking its protocol) to connect to. */
export interface NetSuiteAccountOptions {
  readonly accountId: string;
  /** Origin of every endpoint, for a proxy or an emulator you run yourself; omit for real NetSuite. */
  readonly origin?: string | undefined;
  readonly allowInsecureLoopback?: boolean | undefined;
  readonly clientId: string;
  readonly clientSecret?: string | undefined;
  /** @default ['rest_webservices'] */
  readonly scopes?: readonly string[] | undefined;
  readonly m2m?: M2MSettings | undefined;
}

/** Options of {@link startServer}. */
export interface StartServerOptions {
  /** Where sessions, login transactions and tokens are kept: a token store (file, Redis, …). */
  readonly store: KeyValueStore;
  /** @default 3000; 0 picks a free port */
  readonly port?: number | undefined;
  /** @default '127.0.0.1' */
  readonly host?: string | undefined;
  /**
   * The origin browsers use, when it differs from `http(s)://host:port` (e.g. behind a TLS proxy).
   * The redirect URI is `<publicOrigin>/callback`; it is never taken from request headers.
   */
  readonly publicOrigin?: string | undefined;
  /** Serve HTTPS with this key and certificate (PEM). */
  readonly tls?: { readonly key: string; readonly cert: string } | undefined;
  /**
   * A TLS-terminating proxy is in front: allows plain http on a non-loopback `host` (the proxy's link), and then
   * requires an https `publicOrigin`. Without it (and without `tls`), only a loopback `host` may serve plain http.
   * @default false
   */
  readonly behindTlsProxy?: boolean | undefined;
  /** Bounds on connections, so slow or idle clients cannot hold the server. */
  readonly connections?: ConnectionLimits | undefined;
  /** The NetSuite account. Omitted: a local emulator is started in-process and set up for the demo. */
  readonly netsuite?: NetSuiteAccountOptions | undefined;
  /** Options of the in-process emulator (when `netsuite` is omitted). */
  readonly emulator?:
    | { readonly port?: number; readonly now?: () => number; readonly suiteqlTimeoutMs?: number }
    | undefined;
  readonly sessionTtlMs?: number | undefined;
  readonly transactionTtlMs?: number | undefined;
  /** The server's clock (sessions, login transactions, token expiry). @default Date.now */
  readonly now?: (() => number) | undefined;
  readonly fetch?: typeof globalThis.fetch | undefined;
  readonly log?: ((line: string) => void) | undefined;
}

/**
 * Bounds on the server's connections (Node's `http.Server` settings).
 *
 * @example
 * const limits: ConnectionLimits = { headersTimeoutMs: 10_000, maxConnections: 256 };
 */
export interface ConnectionLimits {
  /** Time a client has to send the request headers. @default 10000 */
  readonly headersTimeoutMs?: number | undefined;
  /** Time a client has to send the whole request (headers and body). @default 30000 */
  readonly requestTimeoutMs?: number | undefined;
  /** How long an idle keep-alive connection stays open. @default 5000 */
  readonly keepAliveTimeoutMs?: number | undefined;
  /** Connections served at once; more are closed at once. @default 512 */
  readonly maxConnections?: number | undefined;
}

function limit(value: unknown, name: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ServerError(
      'ERR_SERVER_INVALID_OPTION',
      `connections.${name} must be an integer from ${min} to ${max}`,
    );
  }
  return value;
}

/** A running demo server. */
export interface RunningServer {
  /** Its origin, e.g. `http://127.0.0.1:3000`. */
  readonly url: string;
  /** The redirect URI registered with NetSuite. */
  readonly redirectUri: string;
  /** The in-process emulator, when no account was configured. */
  readonly emulator?: Awaited<ReturnType<typeof startEmulator>> | undefined;
  /** The login of the emulator's demo user, when the emulator runs. */
  readonly demoLogin?: { readonly email: string; readonly password: string } | undefined;
  close(): Promise<void>;
}

/** The emulator's seeded login (see the emulator's README). */
const EMULATOR_LOGIN = { email: 'admin@example.com', password: 'emulator-password' } as const;

/**
 * Starts the demo web server: "Connect to NetSuite" with the authorization code grant, a dashboard, customers,
 * a SuiteQL console and a machine-to-machine panel. Without `netsuite`, it starts the emulator in-process,
 * registers an integration whose redirect URI is this server's callback, and a certificate for the
 * machine-to-machine panel.
 *
 * @example
 * const server = await startServer({ store: fileTokenStore({ path: '.netsuite-oauth/server.json', keys }) });
 * console.log(`open ${server.url}`);
 * @throws {ServerError} `ERR_SERVER_INVALID_OPTION` for bad options (e.g. plain http on a public host, or on a
 *   non-loopback bind address without `tls` or `behindTlsProxy`).
 */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  if (typeof options !== 'object' || options === null || typeof options.store?.get !== 'function') {
    throw new ServerError('ERR_SERVER_INVALID_OPTION', 'store must be a token store');
  }
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 3000;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ServerError('ERR_SERVER_INVALID_OPTION', 'port must be an integer from 0 to 65535');
  }
  if (options.behindTlsProxy !== undefined && typeof options.behindTlsProxy !== 'boolean') {
    throw new ServerError('ERR_SERVER_INVALID_OPTION', 'behindTlsProxy must be a boolean');
  }
  const behindTlsProxy = options.behindTlsProxy === true;
  if (!options.tls && !behindTlsProxy && !isLoopbackHost(host)) {
    // Plain http on an address others can reach: cookies, CSRF tokens and NetSuite data would cross the network in clear.
    throw new ServerError(
      'ERR_SERVER_INVALID_OPTION',
      'host is not a loopback address: serve https (tls), or set behindTlsProxy when a TLS proxy is in front',
    );
  }
  if (behindTlsProxy && (options.tls || !options.publicOrigin?.startsWith('https://'))) {
    throw new ServerError(
      'ERR_SERVER_INVALID_OPTION',
      'behindTlsProxy needs the https publicOrigin the proxy serves (and no tls of its own)',
    );
  }
  const limits = options.connections ?? {};
  const headersTimeout = limit(limits.headersTimeoutMs, 'headersTimeoutMs', 100, 120_000, 10_000);
  const requestTimeout = limit(limits.requestTimeoutMs, 'requestTimeoutMs', 100, 600_000, 30_000);
  const keepAliveTimeout = limit(limits.keepAliveTimeoutMs, 'keepAliveTimeoutMs', 100, 120_000, 5_000);
  const maxConnections = limit(limits.maxConnections, 'maxConnections', 1, 100_000, 512);
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => {});

  let app: App | undefined;
  let canonical: URL | undefined;
  let baseHeaders = securityHeaders({ formActionOrigins: [], hsts: false });
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    if (!app) {
      send(res, 503, { 'Content-Type': 'text/plain; charset=utf-8' }, 'starting\n', baseHeaders);
      return;
    }
    const moved = canonical && loopbackAlias(req, canonical);
    if (moved) {
      // Cookies set for 127.0.0.1 are not sent to localhost (and the reverse): a sign-in started under one name
      // and finished under the other would fail, so a page asked for under another loopback name goes to the
      // configured origin first.
      send(
        res,
        307,
        { Location: moved, 'Content-Type': 'text/plain; charset=utf-8' },
        `see ${moved}\n`,
        baseHeaders,
      );
      return;
    }
    app.handle(req, res).catch(() => {
      if (!res.headersSent)
        send(res, 500, { 'Content-Type': 'text/plain; charset=utf-8' }, 'error\n', baseHeaders);
      else res.destroy();
    });
  };
  // Node checks these timeouts every `connectionsCheckingInterval` (30 s by default): check often enough that a
  // client trickling its headers is cut off near headersTimeout, not half a minute later.
  const httpOptions = {
    headersTimeout,
    requestTimeout: Math.max(requestTimeout, headersTimeout),
    connectionsCheckingInterval: Math.min(1_000, Math.floor(headersTimeout / 2)),
  };
  const server: Server = options.tls
    ? createHttpsServer({ ...httpOptions, key: options.tls.key, cert: options.tls.cert }, handler)
    : createHttpServer(httpOptions, handler);
  server.keepAliveTimeout = keepAliveTimeout;
  server.maxConnections = maxConnections;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new ServerError(
              'ERR_SERVER_PORT_IN_USE',
              `port ${port} on ${host} is already in use: set PORT to a free port (PORT=0 picks one)`,
              { cause: error },
            )
          : error,
      );
    });
    server.listen(port, host, () => {
      server.removeAllListeners('error');
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const scheme = options.tls ? 'https' : 'http';
  const listenHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let publicOrigin: string;
  try {
    publicOrigin = new URL(options.publicOrigin ?? `${scheme}://${listenHost}:${address.port}`).origin;
    if (publicOrigin === 'null') throw new Error('opaque origin');
  } catch (cause) {
    await closeServer(server);
    throw new ServerError('ERR_SERVER_INVALID_OPTION', 'publicOrigin must be an http(s) origin', { cause });
  }
  if (isLoopbackUrl(new URL(publicOrigin))) canonical = new URL(publicOrigin);
  if (publicOrigin.startsWith('http:') && !isLoopbackUrl(new URL(publicOrigin))) {
    // __Host- cookies need a secure context: https, or a loopback host that browsers treat as one.
    await closeServer(server);
    throw new ServerError(
      'ERR_SERVER_INVALID_OPTION',
      'publicOrigin must use https unless the server is on a loopback host',
    );
  }

  let emulator: RunningServer['emulator'];
  let gateway: NetSuiteGateway;
  try {
    if (options.netsuite) {
      gateway = createNetSuiteGateway({
        ...options.netsuite,
        store: options.store,
        fetch: options.fetch,
        now,
      });
    } else {
      emulator = await startEmulator({
        port: options.emulator?.port ?? 0,
        // The server drives its emulator in process; its HTTP admin API stays locked to anyone else.
        adminToken: randomBytes(32).toString('base64url'),
        now: options.emulator?.now,
        ...(options.emulator?.suiteqlTimeoutMs === undefined
          ? {}
          : { suiteqlTimeoutMs: options.emulator.suiteqlTimeoutMs }),
      });
      const redirectUri = `${publicOrigin}/callback`;
      const integration = await emulator.admin.createIntegration({
        name: 'NetSuite OAuth demo server',
        redirectUris: [redirectUri],
        grants: ['authorization_code', 'client_credentials'],
        scopes: ['rest_webservices'],
        // NetSuite's "Always Ask": the user sees what they grant on every connect.
        consentPolicy: 'always',
      });
      const certificate = await generateCertificate({
        keyType: 'ec-p256',
        commonName: 'netsuite-oauth demo server',
      });
      const { certificateId } = await emulator.admin.addCertificate({
        clientId: integration.clientId,
        certificatePem: certificate.certificatePem,
      });
      gateway = createNetSuiteGateway({
        accountId: emulator.accountId,
        origin: emulator.url,
        allowInsecureLoopback: true,
        clientId: integration.clientId,
        clientSecret: integration.clientSecret,
        m2m: { clientId: integration.clientId, certificateId, privateKeyPem: certificate.privateKeyPem },
        store: options.store,
        usesEmulator: true,
        fetch: options.fetch,
        now,
      });
    }
  } catch (error) {
    await closeServer(server);
    await emulator?.close();
    throw error;
  }

  const calls = recordRecentCalls(50, now);
  app = createApp({
    calls,
    gateway,
    store: options.store,
    publicOrigin,
    now,
    log,
    sessionTtlMs: options.sessionTtlMs,
    transactionTtlMs: options.transactionTtlMs,
  });
  baseHeaders = securityHeaders({
    formActionOrigins: gateway.loginOrigins,
    hsts: publicOrigin.startsWith('https:'),
  });
  const redirectUri = app.redirectUri;

  let closing: Promise<void> | undefined;
  return {
    url: publicOrigin,
    redirectUri,
    emulator,
    demoLogin: emulator ? EMULATOR_LOGIN : undefined,
    close() {
      closing ??= (async () => {
        calls.close();
        await closeServer(server);
        await gateway.close();
        await emulator?.close();
      })();
      return closing;
    },
  };
}

/**
 * The same page on the configured loopback origin, for a GET or HEAD that came in under another loopback name
 * (`localhost` for `127.0.0.1`, or the reverse); undefined for anything else.
 */
function loopbackAlias(req: IncomingMessage, canonical: URL): string | undefined {
  if (req.method !== 'GET' && req.method !== 'HEAD') return undefined;
  const host = req.headers.host;
  if (host === undefined || !isLoopbackHost(host)) return undefined;
  // Another name for this machine, not another port: cookies follow the host name.
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : (host.split(':')[0] ?? '');
  if (name.toLowerCase() === canonical.hostname) return undefined;
  const path = req.url ?? '/';
  // Only a path: never let `//other.example` become the redirect's host.
  if (!path.startsWith('/') || path.startsWith('//')) return undefined;
  return `${canonical.origin}${path}`;
}

async function closeServer(server: Server): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
