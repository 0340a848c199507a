import { isLoopbackOrTls } from '@netsuite-oauth/core';
import { ServerError } from './errors.js';

/** The server's configuration, read from environment variables by {@link parseServerEnv}. */
export interface ServerEnvConfig {
  readonly port: number;
  readonly host: string;
  readonly publicOrigin?: string | undefined;
  readonly tls?: { readonly keyFile: string; readonly certFile: string } | undefined;
  /** A TLS-terminating proxy is in front (`BEHIND_TLS_PROXY=1`). */
  readonly behindTlsProxy: boolean;
  /** Absent: run against the in-process emulator. */
  readonly netsuite?:
    | {
        readonly accountId: string;
        readonly clientId: string;
        readonly clientSecret?: string | undefined;
        readonly origin?: string | undefined;
        readonly allowInsecureLoopback: boolean;
        readonly scopes: readonly string[];
        readonly m2m?:
          | { readonly clientId: string; readonly certificateId: string; readonly privateKeyFile: string }
          | undefined;
      }
    | undefined;
  readonly store:
    | {
        readonly kind: 'redis';
        readonly url: string;
        readonly prefix: string;
        readonly key?: string | undefined;
      }
    | { readonly kind: 'file'; readonly path?: string | undefined; readonly key?: string | undefined };
  readonly sessionTtlMs?: number | undefined;
  /** Risky but allowed settings, one line each for stderr (never a value such as a URL or password). */
  readonly warnings: readonly string[];
  /** The `NETSUITE_*` variables the server took from the environment, for the start-up banner (names only). */
  readonly netsuiteFrom: readonly string[];
}

/** Variables only the CLI reads (its `emulator.env` sets them); the server never does. */
const CLI_ONLY = [
  'NETSUITE_REDIRECT_URI',
  'NETSUITE_CERTIFICATE_ID',
  'NETSUITE_PRIVATE_KEY_FILE',
  'NETSUITE_PRIVATE_KEY',
  'NETSUITE_CERTIFICATE_FILE',
  'NETSUITE_CLIENT_SECRET_FILE',
];

/** Every environment variable the server reads, with what it means (printed by `--help` and the README). */
export const ENVIRONMENT: Readonly<Record<string, string>> = {
  PORT: 'port to listen on (default 3000; 0 = any free port)',
  HOST: 'address to listen on (default 127.0.0.1)',
  PUBLIC_ORIGIN:
    'origin browsers use, if not http://HOST:PORT (e.g. https://demo.example.com behind a TLS proxy)',
  TLS_KEY_FILE: 'serve https with this PEM private key (with TLS_CERT_FILE)',
  TLS_CERT_FILE: 'serve https with this PEM certificate chain (with TLS_KEY_FILE)',
  BEHIND_TLS_PROXY:
    '1 when a TLS-terminating proxy is in front: allows plain http on a non-loopback HOST (PUBLIC_ORIGIN must be https)',
  NETSUITE_ACCOUNT_ID: 'NetSuite account id (e.g. 1234567_SB1); unset = run against the built-in emulator',
  NETSUITE_CLIENT_ID: 'client id of the integration record (authorization code grant enabled)',
  NETSUITE_CLIENT_SECRET: 'client secret of the integration record (omit for a public client)',
  NETSUITE_ORIGIN:
    'serve every NetSuite endpoint from this origin (an emulator or proxy); unset for real NetSuite',
  NETSUITE_SCOPES: 'space-separated scopes (default rest_webservices)',
  NETSUITE_M2M_CLIENT_ID: 'client id for the machine-to-machine panel (client credentials grant)',
  NETSUITE_M2M_CERTIFICATE_ID: 'certificate id from the OAuth 2.0 client credentials setup page',
  NETSUITE_M2M_PRIVATE_KEY_FILE: 'PEM private key of that certificate',
  REDIS_URL: 'keep sessions and tokens in Redis (redis:// or rediss://) instead of a file',
  REDIS_PREFIX: 'key prefix in Redis (default nsdemo:)',
  TOKEN_STORE_FILE: 'file of the encrypted store (default .netsuite-oauth/server-store.json)',
  TOKEN_STORE_KEY:
    '32 random bytes, base64: encrypts the store; unset = a random key per run (sessions end on restart)',
  SESSION_TTL_SECONDS: 'session lifetime in seconds (default 28800 = 8 hours)',
};

function text(env: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  const value = env[name];
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function invalid(name: string, why: string): ServerError {
  return new ServerError('ERR_SERVER_INVALID_OPTION', `${name} ${why}`);
}

function integer(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  min: number,
  max: number,
): number | undefined {
  const value = text(env, name);
  if (value === undefined) return undefined;
  if (!/^[0-9]{1,10}$/.test(value) || Number(value) < min || Number(value) > max) {
    throw invalid(name, `must be a whole number from ${min} to ${max}`);
  }
  return Number(value);
}

/**
 * Reads the server's configuration from environment variables (see {@link ENVIRONMENT}). Only the app's entry
 * point calls it, with `process.env`; everything below takes options.
 *
 * @example
 * const config = parseServerEnv(process.env);
 * @throws {ServerError} `ERR_SERVER_INVALID_OPTION` naming the variable that is wrong (never its value).
 */
export function parseServerEnv(env: Readonly<Record<string, string | undefined>>): ServerEnvConfig {
  if (typeof env !== 'object' || env === null) throw invalid('env', 'must be an object of strings');
  const port = integer(env, 'PORT', 0, 65535) ?? 3000;
  const host = text(env, 'HOST') ?? '127.0.0.1';
  if (!/^[A-Za-z0-9.:[\]-]{1,255}$/.test(host)) throw invalid('HOST', 'must be a host name or IP address');
  const publicOrigin = text(env, 'PUBLIC_ORIGIN');
  if (publicOrigin !== undefined) {
    let url: URL;
    try {
      url = new URL(publicOrigin);
    } catch {
      throw invalid('PUBLIC_ORIGIN', 'must be an absolute http(s) origin');
    }
    if (
      (url.protocol !== 'https:' && url.protocol !== 'http:') ||
      url.origin !== publicOrigin.replace(/\/$/, '')
    ) {
      throw invalid('PUBLIC_ORIGIN', 'must be a bare http(s) origin such as https://demo.example.com');
    }
  }
  const keyFile = text(env, 'TLS_KEY_FILE');
  const certFile = text(env, 'TLS_CERT_FILE');
  if ((keyFile === undefined) !== (certFile === undefined)) {
    throw invalid('TLS_KEY_FILE', 'and TLS_CERT_FILE must be set together');
  }

  const proxyText = text(env, 'BEHIND_TLS_PROXY');
  if (proxyText !== undefined && !/^(?:0|1|true|false)$/i.test(proxyText)) {
    throw invalid('BEHIND_TLS_PROXY', 'must be 1 or 0');
  }
  const behindTlsProxy = proxyText !== undefined && /^(?:1|true)$/i.test(proxyText);
  const accountId = text(env, 'NETSUITE_ACCOUNT_ID');
  let netsuite: ServerEnvConfig['netsuite'];
  if (accountId !== undefined) {
    const clientId = text(env, 'NETSUITE_CLIENT_ID');
    if (clientId === undefined) throw invalid('NETSUITE_CLIENT_ID', 'is required with NETSUITE_ACCOUNT_ID');
    const origin = text(env, 'NETSUITE_ORIGIN');
    const scopes = (text(env, 'NETSUITE_SCOPES') ?? 'rest_webservices').split(/[\s,]+/).filter(Boolean);
    const m2mClient = text(env, 'NETSUITE_M2M_CLIENT_ID');
    const m2mCert = text(env, 'NETSUITE_M2M_CERTIFICATE_ID');
    const m2mKey = text(env, 'NETSUITE_M2M_PRIVATE_KEY_FILE');
    const m2mCount = [m2mClient, m2mCert, m2mKey].filter((v) => v !== undefined).length;
    if (m2mCount !== 0 && m2mCount !== 3) {
      throw invalid(
        'NETSUITE_M2M_CLIENT_ID',
        'NETSUITE_M2M_CERTIFICATE_ID and NETSUITE_M2M_PRIVATE_KEY_FILE must be set together',
      );
    }
    netsuite = {
      accountId,
      clientId,
      clientSecret: text(env, 'NETSUITE_CLIENT_SECRET'),
      origin,
      allowInsecureLoopback: origin?.startsWith('http:') === true,
      scopes,
      m2m:
        m2mCount === 3
          ? { clientId: m2mClient!, certificateId: m2mCert!, privateKeyFile: m2mKey! }
          : undefined,
    };
  }

  const key = text(env, 'TOKEN_STORE_KEY');
  if (key !== undefined && !/^[A-Za-z0-9+/_-]{43}=?$/.test(key)) {
    throw invalid('TOKEN_STORE_KEY', 'must be 32 random bytes in base64 (e.g. openssl rand -base64 32)');
  }
  const redisUrl = text(env, 'REDIS_URL');
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl)) {
    throw invalid('REDIS_URL', 'must start with redis:// or rediss://');
  }
  const store: ServerEnvConfig['store'] =
    redisUrl !== undefined
      ? { kind: 'redis', url: redisUrl, prefix: text(env, 'REDIS_PREFIX') ?? 'nsdemo:', key }
      : { kind: 'file', path: text(env, 'TOKEN_STORE_FILE'), key };
  const warnings: string[] = [];
  if (redisUrl !== undefined && !isLoopbackOrTls(redisUrl)) {
    warnings.push(
      'warning: REDIS_URL is redis:// to a host that is not loopback: sessions and encrypted tokens cross the network without TLS; use rediss://',
    );
  }
  const cliOnly = CLI_ONLY.filter((name) => text(env, name) !== undefined);
  if (cliOnly.length > 0) {
    warnings.push(
      `warning: ${cliOnly.join(', ')} ${cliOnly.length === 1 ? 'is a setting' : 'are settings'} of the CLI (its emulator.env sets them), not of this server. ` +
        (netsuite
          ? 'The server takes NETSUITE_ACCOUNT_ID, NETSUITE_CLIENT_ID and NETSUITE_ORIGIN from this environment, so that integration must list the redirect URI printed below; unset NETSUITE_ACCOUNT_ID to use the built-in emulator instead.'
          : 'They are ignored.'),
    );
  }
  const netsuiteFrom = netsuite
    ? Object.keys(ENVIRONMENT).filter((name) => name.startsWith('NETSUITE_') && text(env, name) !== undefined)
    : [];
  const ttl = integer(env, 'SESSION_TTL_SECONDS', 60, 30 * 24 * 3600);
  return {
    port,
    host,
    publicOrigin: publicOrigin?.replace(/\/$/, ''),
    tls: keyFile !== undefined && certFile !== undefined ? { keyFile, certFile } : undefined,
    behindTlsProxy,
    netsuite,
    store,
    sessionTtlMs: ttl === undefined ? undefined : ttl * 1000,
    warnings,
    netsuiteFrom,
  };
}
