import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { isLoopbackOrTls } from '@netsuite-oauth/core';
import type { AssertionAlgorithm, AssertionSigner } from '@netsuite-oauth/jwt-assertion';
import type { TokenManager, TokenManagerGrant, TokenManagers, TokenSet } from '@netsuite-oauth/oauth-flows';
import type { MetadataOptions } from '@netsuite-oauth/record-client';
import type { TokenStore } from '@netsuite-oauth/token-store';
import type { Settings } from './config.js';
import type { Context } from './context.js';
import { configError } from './errors.js';
import { FILE_LIMITS, readLimitedFile } from './files.js';

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
  origin?: string | undefined;
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
    pem = readLimitedFile(settings.privateKeyFile, {
      what: 'private key file',
      maxBytes: FILE_LIMITS.privateKey,
      hint: 'check --key / NETSUITE_PRIVATE_KEY_FILE',
      secret: true,
    });
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
  return readLimitedFile(settings.certificateFile, {
    what: 'certificate file',
    maxBytes: FILE_LIMITS.certificate,
    hint: 'check --cert / NETSUITE_CERTIFICATE_FILE',
  });
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
  const [{ createAssertionSigner }, { netsuiteEndpoints }] = await Promise.all([
    import('@netsuite-oauth/jwt-assertion'),
    import('@netsuite-oauth/core'),
  ]);
  // Checks --origin (http only on loopback) before anything is signed or sent.
  const { accountId, ...origin } = accountOptions(settings);
  netsuiteEndpoints(accountId, origin);
  // `aud` is always the account's own NetSuite token URL, also when --origin sends the request elsewhere (the
  // emulator, a proxy): it is what NetSuite checks, and it names the account, so a wrong account id is refused
  // instead of passing unnoticed (section_162755359851).
  return await createAssertionSigner({
    key,
    certificateId,
    clientId,
    accountId,
    scope: [...settings.scopes],
    ...(settings.passphrase ? { passphrase: settings.passphrase } : {}),
    ...(settings.algorithm ? { algorithm: settings.algorithm as AssertionAlgorithm } : {}),
    certificate,
    now: ctx.now,
  });
}

function readOrCreateStoreKey(settings: Settings): string {
  if (settings.storeKey) return settings.storeKey;
  const file = settings.storeKeyFile;
  if (existsSync(file)) {
    return readLimitedFile(file, {
      what: 'store key file',
      maxBytes: FILE_LIMITS.secret,
      hint: 'check the store key file next to the token store',
      secret: true,
    }).trim();
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const key = randomBytes(32).toString('base64');
  writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return key;
}

/**
 * Opens the token store chosen by `--store`: `file` (default, AES-256-GCM encrypted; key from
 * NETSUITE_OAUTH_STORE_KEY or a 0600 key file next to the store, created on first use), `memory`
 * (this process only) or `redis` (the same key and envelope as the file store; a stderr warning for plain
 * `redis://` off loopback). Closed when the command ends.
 *
 * @example
 * const store = await openStore(ctx); await store.get(clientCredentialsKey(ctx.settings()));
 */
export async function openStore(ctx: Context): Promise<TokenStore> {
  const settings = ctx.settings();
  let store: TokenStore;
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
    const redisUrl = settings.redisUrl ?? '';
    if (!isLoopbackOrTls(redisUrl)) {
      ctx.note(
        'warning: the Redis URL is redis:// to a host that is not loopback: tokens cross the network without TLS; use rediss://',
      );
    }
    // Same key, same AES-256-GCM envelope as the file store (docs/security.md#at-rest).
    const key = readOrCreateStoreKey(settings);
    ctx.redactor.register(key);
    const { createClient } = await import('redis');
    const client = createClient({
      url: redisUrl,
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
    store = redisTokenStore({ client, prefix: 'netsuite-oauth:', keys: [{ id: 'cli', key }], now: ctx.now });
  }
  ctx.defer(async () => {
    await store.close?.();
  });
  return store;
}

/**
 * The origin tokens of these settings are sent to, for store keys: the `--origin` override (an emulator or
 * proxy), or `netsuite` for NetSuite's own hosts, which follow from the account id.
 */
function tokenOrigin(settings: Settings): string {
  if (!settings.origin) return 'netsuite';
  try {
    return new URL(settings.origin).origin;
  } catch {
    return settings.origin;
  }
}

/** One store key from its parts; each part is percent-encoded, so no two sets of parts share a key. */
function storeKey(grant: string, parts: readonly string[]): string {
  return `${grant}:${parts.map(encodeURIComponent).join(':')}`;
}

/**
 * Store key of the client-credentials token of one account + origin + integration + certificate: a token is
 * only ever read back for the origin it was issued by.
 *
 * @example
 * clientCredentialsKey(settings) // 'cc:1234567_SB1:netsuite:<client id>:<certificate id>'
 */
export function clientCredentialsKey(settings: Settings): string {
  return storeKey('cc', [
    need(settings, 'accountId').toUpperCase(),
    tokenOrigin(settings),
    need(settings, 'clientId'),
    need(settings, 'certificateId'),
  ]);
}

/**
 * Store key of the login session of one account + origin + integration.
 *
 * @example
 * sessionKey(settings) // 'session:1234567_SB1:netsuite:<client id>'
 */
export function sessionKey(settings: Settings): string {
  return storeKey('session', [
    need(settings, 'accountId').toUpperCase(),
    tokenOrigin(settings),
    need(settings, 'clientId'),
  ]);
}

/** The confidential (or public) client of the authorization-code flow. */
export function oauthClient(settings: Settings): { clientId: string; clientSecret?: string } {
  const clientId = need(settings, 'clientId');
  return settings.clientSecret ? { clientId, clientSecret: settings.clientSecret } : { clientId };
}

/** Registers every token of a token set with the redactor and returns it. */
export function remember(ctx: Context, tokens: TokenSet): TokenSet {
  ctx.redactor.register(tokens.accessToken);
  ctx.redactor.register(tokens.refreshToken);
  return tokens;
}

/** One command's token managers on one store: the many-key manager and the grant of each key it was given. */
interface StoreManagers {
  readonly managers: TokenManagers;
  readonly grants: Map<string, TokenManagerGrant>;
}

// Per opened store (each command opens its own), so a command that uses both credentials has one manager.
const managersByStore = new WeakMap<TokenStore, StoreManagers>();

/**
 * The token manager of client credentials (`m2m`) or the login session (`session`) on the chosen store: a view
 * of the command's one many-key manager (`createTokenManagers`), which serves both keys. It caches, refreshes
 * ahead, corrects clock skew and, on a store with locks (file, Redis), lets parallel CLI runs share one refresh.
 * The grant is built here, before any request, so a missing setting fails with exit 3 as it always did. Closed
 * when the command ends.
 *
 * @example
 * const manager = await tokenManager(ctx, 'm2m'); const token = await manager.getAccessToken();
 */
export async function tokenManager(
  ctx: Context,
  kind: 'm2m' | 'session',
  store?: TokenStore,
): Promise<TokenManager> {
  const settings = ctx.settings();
  const s = store ?? (await openStore(ctx));
  const key = kind === 'm2m' ? clientCredentialsKey(settings) : sessionKey(settings);
  const grant: TokenManagerGrant =
    kind === 'm2m'
      ? { type: 'client_credentials', ...accountOptions(settings), signer: await createSigner(ctx) }
      : { type: 'refresh_token', ...accountOptions(settings), client: oauthClient(settings) };
  let entry = managersByStore.get(s);
  if (entry === undefined) {
    const { createTokenManagers } = await import('@netsuite-oauth/oauth-flows');
    const grants = new Map<string, TokenManagerGrant>();
    const managers = createTokenManagers({
      store: s,
      resolve: (k) => grants.get(k),
      fetch: ctx.fetch,
      timeoutMs: settings.timeoutMs,
      now: ctx.now,
    });
    entry = { managers, grants };
    managersByStore.set(s, entry);
    ctx.defer(() => managers.close());
  }
  entry.grants.set(key, grant);
  return entry.managers.forKey(key);
}

/**
 * True when the store holds a login session for this account and client.
 *
 * @example
 * if (!(await hasSession(ctx, store))) throw configError('no login session in the token store');
 */
export async function hasSession(ctx: Context, store: TokenStore): Promise<boolean> {
  return (await store.get(sessionKey(ctx.settings()))) !== undefined;
}

/** Fails with exit 3 unless a login session is stored. */
export async function requireSession(ctx: Context, store: TokenStore): Promise<void> {
  if (!(await hasSession(ctx, store))) {
    throw configError('no login session in the token store', 'run "pnpm nso login" first');
  }
}

/**
 * A client-credentials token set through the token manager; `cached` when it came from the store
 * (the store entry was not rewritten). `fresh` drops the current token first.
 *
 * @example
 * const { tokens, cached } = await clientCredentialsToken(ctx, { fresh: false });
 */
export async function clientCredentialsToken(
  ctx: Context,
  options: { fresh?: boolean } = {},
): Promise<{ tokens: TokenSet; cached: boolean }> {
  const store = await openStore(ctx);
  const key = clientCredentialsKey(ctx.settings());
  const manager = await tokenManager(ctx, 'm2m', store);
  const before = await store.get(key);
  let tokens = remember(ctx, await manager.getTokenSet());
  if (options.fresh && before !== undefined) {
    await manager.invalidate(tokens.accessToken);
    tokens = remember(ctx, await manager.getTokenSet());
  }
  const after = await store.get(key);
  const cached = !options.fresh && before !== undefined && after?.version === before.version;
  return { tokens, cached };
}

/** Which credentials an API command uses: `--auth m2m|session`, default m2m when a key is configured. */
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
 * Builds a record client whose token source is the token manager (a 401 invalidates the token once).
 * `concurrency` sizes its limiter (default 5, NetSuite's limit for Standard and development accounts).
 *
 * @example
 * const client = await createClient(ctx); await client.records.get('customer', '1');
 */
export async function createClient(
  ctx: Context,
  options: { concurrency?: number; metadata?: MetadataOptions } = {},
) {
  const settings = ctx.settings();
  const kind = authKind(ctx);
  const store = await openStore(ctx);
  if (kind === 'session') await requireSession(ctx, store);
  const manager = await tokenManager(ctx, kind, store);
  const token = {
    getAccessToken: async () => {
      const t = await manager.getAccessToken();
      ctx.redactor.register(t);
      return t;
    },
    invalidate: (t: string) => manager.invalidate(t),
  };
  const { createNetSuiteClient } = await import('@netsuite-oauth/record-client');
  return createNetSuiteClient({
    ...accountOptions(settings),
    token,
    fetch: ctx.fetch,
    timeoutMs: settings.timeoutMs,
    concurrency: options.concurrency,
    metadata: options.metadata,
  });
}
