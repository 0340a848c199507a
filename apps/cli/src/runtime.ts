import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AssertionAlgorithm, AssertionSigner } from '@netsuite-oauth/jwt-assertion';
import type { Settings } from './config.js';
import type { Context } from './context.js';
import { configError } from './errors.js';

/** Settings that can be required, with how to set each. */
const HOW_TO_SET: Record<string, string> = {
  accountId: '--account or NETSUITE_ACCOUNT_ID (e.g. 1234567_SB1)',
  clientId: '--client-id or NETSUITE_CLIENT_ID (the integration record client id)',
  certificateId:
    '--certificate-id or NETSUITE_CERTIFICATE_ID (from the OAuth 2.0 Client Credentials (M2M) Setup page)',
  privateKey: '--key <file>, NETSUITE_PRIVATE_KEY_FILE or NETSUITE_PRIVATE_KEY',
  redirectUri:
    '--redirect-uri or NETSUITE_REDIRECT_URI (https or a custom scheme, registered on the integration record)',
  clientSecret: 'NETSUITE_CLIENT_SECRET or --client-secret-file <file> (never on the command line)',
};

const LABEL: Record<string, string> = {
  accountId: 'account id',
  clientId: 'client id',
  certificateId: 'certificate id',
  privateKey: 'private key',
  redirectUri: 'redirect URI',
  clientSecret: 'client secret',
};

/**
 * Returns a setting or fails with exit 3 and how to set it.
 *
 * @example
 * const accountId = need(settings, 'accountId');
 */
export function need(
  settings: Settings,
  name: 'accountId' | 'clientId' | 'certificateId' | 'redirectUri' | 'clientSecret',
): string {
  const value = settings[name];
  if (value === undefined) {
    const where = settings.configFound ? ` (profile "${settings.profile}" of ${settings.configPath})` : '';
    throw configError(`missing ${LABEL[name]}${where}`, `set ${HOW_TO_SET[name]}`);
  }
  return value;
}

/**
 * Account and origin options shared by every package call.
 *
 * @example
 * createNetSuiteClient({ ...accountOptions(ctx.settings()), token });
 */
export function accountOptions(settings: Settings): {
  accountId: string;
  origin?: string;
  allowInsecureLoopback: boolean;
} {
  const accountId = need(settings, 'accountId');
  // http is only ever allowed on a loopback origin (the emulator); core refuses it anywhere else.
  return settings.origin
    ? { accountId, origin: settings.origin, allowInsecureLoopback: true }
    : { accountId, allowInsecureLoopback: false };
}

/**
 * Reads the private key PEM (file or NETSUITE_PRIVATE_KEY) and registers it as a secret.
 *
 * @example
 * const pem = loadPrivateKey(ctx); // also registered with the redactor
 */
export function loadPrivateKey(ctx: Context): string {
  const settings = ctx.settings();
  let pem: string | undefined = settings.privateKeyPem;
  if (settings.privateKeyFile) {
    try {
      pem = readFileSync(settings.privateKeyFile, 'utf8');
    } catch (cause) {
      throw configError(
        `cannot read private key file ${settings.privateKeyFile}`,
        'check --key / NETSUITE_PRIVATE_KEY_FILE',
        cause,
      );
    }
  }
  if (!pem) throw configError('missing private key', `set ${HOW_TO_SET.privateKey}`);
  ctx.redactor.register(pem);
  for (const line of pem.split(/\r?\n/))
    if (line.length >= 16 && !line.startsWith('-----')) ctx.redactor.register(line);
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) {
    throw configError(
      'the private key is not a PEM private key',
      'expected a file starting with -----BEGIN PRIVATE KEY-----',
    );
  }
  return pem;
}

/**
 * Reads the certificate PEM when one is configured.
 *
 * @example
 * const pem = loadCertificate(ctx.settings()); // undefined without --cert
 */
export function loadCertificate(settings: Settings): string | undefined {
  if (!settings.certificateFile) return undefined;
  try {
    return readFileSync(settings.certificateFile, 'utf8');
  } catch (cause) {
    throw configError(
      `cannot read certificate file ${settings.certificateFile}`,
      'check --cert / NETSUITE_CERTIFICATE_FILE',
      cause,
    );
  }
}

/**
 * The token endpoint URL the assertion's `aud` must name.
 *
 * @example
 * await tokenUrl(settings) // 'https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/auth/oauth2/v1/token'
 */
export async function tokenUrl(settings: Settings): Promise<string> {
  const { netsuiteEndpoints } = await import('@netsuite-oauth/core');
  const a = accountOptions(settings);
  return netsuiteEndpoints(a.accountId, a.origin ? { origin: a.origin, allowInsecureLoopback: true } : {})
    .tokenUrl;
}

/**
 * Builds the client-assertion signer from the settings.
 *
 * @example
 * const signer = await createSigner(ctx); await requestClientCredentialsToken({ accountId, signer });
 */
export async function createSigner(ctx: Context): Promise<AssertionSigner> {
  const settings = ctx.settings();
  need(settings, 'accountId');
  const clientId = need(settings, 'clientId');
  const certificateId = need(settings, 'certificateId');
  const key = loadPrivateKey(ctx);
  const certificate = loadCertificate(settings);
  const { createAssertionSigner } = await import('@netsuite-oauth/jwt-assertion');
  const audience = await tokenUrl(settings);
  return await createAssertionSigner({
    key,
    certificateId,
    clientId,
    audience,
    scope: [...settings.scopes],
    ...(settings.passphrase ? { passphrase: settings.passphrase } : {}),
    ...(settings.algorithm ? { algorithm: settings.algorithm as AssertionAlgorithm } : {}),
    ...(certificate ? { certificate } : {}),
    now: ctx.now,
  });
}

function readOrCreateStoreKey(settings: Settings): string {
  if (settings.storeKey) return settings.storeKey;
  const file = settings.storeKeyFile;
  if (existsSync(file)) {
    const mode = statSync(file).mode & 0o077;
    if (mode !== 0) {
      throw configError(`store key file ${file} is readable by others`, `chmod 600 ${file}`);
    }
    return readFileSync(file, 'utf8').trim();
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const key = randomBytes(32).toString('base64');
  writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return key;
}

/** A minimal view of the token store contract (docs/contracts.md). */
export interface CliTokenStore {
  get(key: string): Promise<{ value: string; expiresAt: number } | undefined>;
  set(key: string, entry: { value: string; expiresAt: number }): Promise<void>;
  delete(key: string): Promise<void>;
  close?(): Promise<void>;
}

/**
 * Opens the token store chosen by `--store`: `file` (default, AES-256-GCM encrypted; key from
 * NETSUITE_OAUTH_STORE_KEY or a 0600 key file next to the store, created on first use), `memory`
 * (this process only) or `redis`. Closed when the command ends.
 *
 * @example
 * const store = await openStore(ctx); await store.get(clientCredentialsKey(ctx.settings()));
 */
export async function openStore(ctx: Context): Promise<CliTokenStore> {
  const settings = ctx.settings();
  let store: CliTokenStore;
  if (settings.store === 'memory') {
    const { memoryTokenStore } = await import('@netsuite-oauth/token-store');
    store = memoryTokenStore({ now: ctx.now });
  } else if (settings.store === 'file') {
    const key = readOrCreateStoreKey(settings);
    ctx.redactor.register(key);
    const { fileTokenStore } = await import('@netsuite-oauth/token-store-file');
    mkdirSync(dirname(settings.storePath), { recursive: true, mode: 0o700 });
    store = fileTokenStore({ path: settings.storePath, keys: [{ id: 'cli', key }], now: ctx.now });
  } else {
    const { createClient } = await import('redis');
    const client = createClient({
      url: settings.redisUrl ?? '',
      socket: { connectTimeout: 5000, reconnectStrategy: false },
    });
    client.on('error', () => {
      // Reported through the failing command instead.
    });
    try {
      await client.connect();
    } catch (cause) {
      throw configError('cannot connect to Redis', 'check --redis-url / NETSUITE_OAUTH_REDIS_URL', cause);
    }
    ctx.defer(async () => {
      await client.quit().catch(() => client.destroy());
    });
    const { redisTokenStore } = await import('@netsuite-oauth/token-store-redis');
    store = redisTokenStore({ client, prefix: 'netsuite-oauth:', now: ctx.now } as never);
  }
  ctx.defer(async () => {
    await store.close?.();
  });
  return store;
}

/**
 * Store key of the client-credentials token of one integration + certificate.
 *
 * @example
 * clientCredentialsKey(settings) // 'cc:1234567_SB1:<client id>:<certificate id>'
 */
export function clientCredentialsKey(settings: Settings): string {
  return `cc:${need(settings, 'accountId').toUpperCase()}:${need(settings, 'clientId')}:${need(settings, 'certificateId')}`;
}

/**
 * Store key of the login session of one integration.
 *
 * @example
 * sessionKey(settings) // 'session:1234567_SB1:<client id>'
 */
export function sessionKey(settings: Settings): string {
  return `session:${need(settings, 'accountId').toUpperCase()}:${need(settings, 'clientId')}`;
}

/** A login session as the CLI stores it (encrypted at rest by the file store). */
export interface StoredSession {
  readonly accessToken: string;
  readonly expiresAt: number;
  readonly refreshToken?: string | undefined;
  readonly refreshTokenExpiresAt?: number | undefined;
  readonly scope?: string | undefined;
}

/**
 * Serialises a token set for the store (TokenSet redacts itself in JSON, so copy the fields).
 *
 * @example
 * await store.set(sessionKey(settings), { value: sessionValue(tokens), expiresAt: sessionExpiry(tokens, Date.now()) });
 */
export function sessionValue(tokens: StoredSession): string {
  return JSON.stringify({
    accessToken: tokens.accessToken,
    expiresAt: tokens.expiresAt,
    refreshToken: tokens.refreshToken,
    refreshTokenExpiresAt: tokens.refreshTokenExpiresAt,
    scope: tokens.scope,
  });
}

/**
 * Parses a stored session; undefined when the entry is not one.
 *
 * @example
 * const session = parseSession(entry.value); // undefined when not a session
 */
export function parseSession(value: string): StoredSession | undefined {
  try {
    const parsed = JSON.parse(value) as Partial<StoredSession>;
    if (typeof parsed.accessToken !== 'string' || typeof parsed.expiresAt !== 'number') return undefined;
    return parsed as StoredSession;
  } catch {
    return undefined;
  }
}

/**
 * How long a session entry is kept: until the refresh token (or, without one, the access token) expires.
 *
 * @example
 * sessionExpiry({ accessToken, expiresAt, refreshToken }, Date.now()) // now + 7 days
 */
export function sessionExpiry(tokens: StoredSession, now: number): number {
  if (tokens.refreshToken) return tokens.refreshTokenExpiresAt ?? now + 7 * 24 * 3600 * 1000;
  return tokens.expiresAt;
}

/**
 * A client-credentials access token, from the store when still good for a minute, else a new one.
 *
 * @example
 * const { accessToken, cached } = await clientCredentialsToken(ctx, { fresh: false });
 */
export async function clientCredentialsToken(
  ctx: Context,
  options: { fresh?: boolean; store?: CliTokenStore } = {},
): Promise<{ accessToken: string; expiresAt: number; cached: boolean }> {
  const settings = ctx.settings();
  const key = clientCredentialsKey(settings);
  const store = options.store ?? (await openStore(ctx));
  if (!options.fresh) {
    const entry = await store.get(key);
    if (entry && entry.expiresAt - ctx.now() > 60_000) {
      ctx.redactor.register(entry.value);
      return { accessToken: entry.value, expiresAt: entry.expiresAt, cached: true };
    }
  }
  const signer = await createSigner(ctx);
  const { requestClientCredentialsToken } = await import('@netsuite-oauth/oauth-flows');
  const tokens = await requestClientCredentialsToken({
    ...accountOptions(settings),
    signer,
    fetch: ctx.fetch,
    timeoutMs: settings.timeoutMs,
    now: ctx.now,
  });
  ctx.redactor.register(tokens.accessToken);
  await store.set(key, { value: tokens.accessToken, expiresAt: tokens.expiresAt });
  return { accessToken: tokens.accessToken, expiresAt: tokens.expiresAt, cached: false };
}

/**
 * The confidential (or public) client of the authorization-code flow.
 *
 * @example
 * await refreshAccessToken({ accountId, client: oauthClient(settings), refreshToken });
 */
export function oauthClient(settings: Settings): { clientId: string; clientSecret?: string } {
  const clientId = need(settings, 'clientId');
  return settings.clientSecret ? { clientId, clientSecret: settings.clientSecret } : { clientId };
}

/**
 * The access token of the stored login session, refreshed (and saved) when it is about to expire.
 *
 * @example
 * const accessToken = await sessionToken(ctx);
 */
export async function sessionToken(ctx: Context, store?: CliTokenStore): Promise<string> {
  const settings = ctx.settings();
  const s = store ?? (await openStore(ctx));
  const key = sessionKey(settings);
  const entry = await s.get(key);
  const session = entry ? parseSession(entry.value) : undefined;
  if (!session) {
    throw configError(
      'no login session in the token store',
      'run "netsuite-oauth login" first (or use --auth m2m)',
    );
  }
  ctx.redactor.register(session.accessToken);
  ctx.redactor.register(session.refreshToken);
  if (session.expiresAt - ctx.now() > 60_000) return session.accessToken;
  if (!session.refreshToken) {
    throw configError(
      'the login session expired and has no refresh token',
      'run "netsuite-oauth login" again',
    );
  }
  const { refreshAccessToken } = await import('@netsuite-oauth/oauth-flows');
  const tokens = await refreshAccessToken({
    ...accountOptions(settings),
    client: oauthClient(settings),
    refreshToken: session.refreshToken,
    ...(session.refreshTokenExpiresAt ? { refreshTokenExpiresAt: session.refreshTokenExpiresAt } : {}),
    fetch: ctx.fetch,
    timeoutMs: settings.timeoutMs,
    now: ctx.now,
  });
  ctx.redactor.register(tokens.accessToken);
  const next: StoredSession = {
    accessToken: tokens.accessToken,
    expiresAt: tokens.expiresAt,
    refreshToken: tokens.refreshToken ?? session.refreshToken,
    refreshTokenExpiresAt: tokens.refreshToken ? tokens.refreshTokenExpiresAt : session.refreshTokenExpiresAt,
    scope: tokens.scope ?? session.scope,
  };
  await s.set(key, { value: sessionValue(next), expiresAt: sessionExpiry(next, ctx.now()) });
  return next.accessToken;
}

/**
 * Which credentials an API command uses: `--auth m2m|session`, default m2m when a key is configured.
 *
 * @example
 * authKind(ctx) // 'm2m' when a key or certificate id is set
 */
export function authKind(ctx: Context): 'm2m' | 'session' {
  const explicit = ctx.string('auth');
  if (explicit !== undefined) {
    if (explicit !== 'm2m' && explicit !== 'session') throw configError('--auth must be m2m or session');
    return explicit;
  }
  const s = ctx.settings();
  return s.privateKeyFile || s.privateKeyPem || s.certificateId ? 'm2m' : 'session';
}

/**
 * Builds a record client on the configured credentials.
 *
 * @example
 * const client = await createClient(ctx); await client.records.get('customer', '1');
 */
export async function createClient(ctx: Context) {
  const settings = ctx.settings();
  const kind = authKind(ctx);
  const store = await openStore(ctx);
  let forced = false;
  const token = {
    getAccessToken: async () => {
      if (kind === 'session') return await sessionToken(ctx, store);
      const t = await clientCredentialsToken(ctx, { store, fresh: forced });
      forced = false;
      return t.accessToken;
    },
    invalidate: async () => {
      // A 401 with a cached token: drop it so the next call asks for a new one (once).
      if (kind === 'm2m') {
        forced = true;
        await store.delete(clientCredentialsKey(settings));
      }
    },
  };
  const { createNetSuiteClient } = await import('@netsuite-oauth/record-client');
  return createNetSuiteClient({
    ...accountOptions(settings),
    token,
    fetch: ctx.fetch,
    timeoutMs: settings.timeoutMs,
  });
}
