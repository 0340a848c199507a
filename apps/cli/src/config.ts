import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { configError } from './errors.js';
import { FILE_LIMITS, readLimitedFile } from './files.js';

/** Profile names: letters, digits, `_`, `.` and `-` (never a name like `__proto__` or `constructor`). */
const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const RESERVED_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

function validProfileName(name: string): boolean {
  return PROFILE_NAME.test(name) && !RESERVED_NAMES.has(name);
}

/** Where a setting came from, shown by `config show` and in error hints. */
export type SettingSource = 'flag' | 'env' | 'profile' | 'default';

/** Token stores the CLI can use. */
export type StoreKind = 'memory' | 'file' | 'redis';

/** One named profile in the config file. Paths are relative to the config file. Secrets are never stored here, only paths to them. */
export interface Profile {
  readonly accountId?: string | undefined;
  readonly origin?: string | undefined;
  readonly clientId?: string | undefined;
  readonly certificateId?: string | undefined;
  readonly privateKeyFile?: string | undefined;
  readonly certificateFile?: string | undefined;
  readonly clientSecretFile?: string | undefined;
  readonly scopes?: string | readonly string[] | undefined;
  readonly redirectUri?: string | undefined;
  readonly algorithm?: string | undefined;
  readonly store?: StoreKind | undefined;
  readonly storePath?: string | undefined;
  readonly redisUrl?: string | undefined;
}

/** Everything a command may need, resolved from flags, then environment, then the profile, then defaults. */
export interface Settings {
  readonly profile: string;
  readonly configPath: string;
  readonly configFound: boolean;
  readonly configDir: string;
  readonly accountId: string | undefined;
  readonly origin: string | undefined;
  readonly clientId: string | undefined;
  readonly certificateId: string | undefined;
  readonly privateKeyFile: string | undefined;
  /** PEM from `NETSUITE_PRIVATE_KEY` (CI secrets), when no key file is set. */
  readonly privateKeyPem: string | undefined;
  readonly passphrase: string | undefined;
  readonly certificateFile: string | undefined;
  readonly clientSecret: string | undefined;
  readonly scopes: readonly string[];
  readonly redirectUri: string | undefined;
  readonly algorithm: string | undefined;
  readonly store: StoreKind;
  readonly storePath: string;
  /** Base64 of a 32-byte key from `NETSUITE_OAUTH_STORE_KEY`; otherwise a key file next to the store is used. */
  readonly storeKey: string | undefined;
  readonly storeKeyFile: string;
  readonly redisUrl: string | undefined;
  readonly timeoutMs: number;
  readonly sources: Readonly<Record<string, SettingSource>>;
}

/** The config-related flags every command accepts. */
export interface ConfigFlags {
  readonly profile?: string | undefined;
  readonly config?: string | undefined;
  readonly account?: string | undefined;
  readonly origin?: string | undefined;
  readonly 'client-id'?: string | undefined;
  readonly 'client-secret-file'?: string | undefined;
  readonly 'certificate-id'?: string | undefined;
  readonly key?: string | undefined;
  readonly cert?: string | undefined;
  readonly scopes?: string | undefined;
  readonly 'redirect-uri'?: string | undefined;
  readonly algorithm?: string | undefined;
  readonly store?: string | undefined;
  readonly 'store-path'?: string | undefined;
  readonly 'redis-url'?: string | undefined;
  readonly timeout?: string | undefined;
}

type Env = Readonly<Record<string, string | undefined>>;

const STORES: readonly StoreKind[] = ['memory', 'file', 'redis'];
const PROFILE_KEYS = new Set([
  'accountId',
  'origin',
  'clientId',
  'certificateId',
  'privateKeyFile',
  'certificateFile',
  'clientSecretFile',
  'scopes',
  'redirectUri',
  'algorithm',
  'store',
  'storePath',
  'redisUrl',
]);

/**
 * The CLI's configuration folder: `$XDG_CONFIG_HOME/netsuite-oauth` or `~/.config/netsuite-oauth`.
 *
 * @example
 * configDirectory({ HOME: '/home/me' }) // '/home/me/.config/netsuite-oauth'
 */
export function configDirectory(env: Env): string {
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'netsuite-oauth');
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/**
 * Reads and checks the config file. A missing file is an empty config unless it was named explicitly.
 *
 * @throws {CliError} exit 3 on unreadable JSON, unknown keys or a file named but not found.
 *
 * @example
 * readConfigFile('/home/me/.config/netsuite-oauth/config.json', false)?.default?.accountId
 */
export function readConfigFile(path: string, explicit: boolean): Record<string, Profile> | undefined {
  let text: string;
  try {
    // Settings point at keys and commands' targets: a file others can write is refused, as ssh does.
    text = readLimitedFile(path, {
      what: 'config file',
      maxBytes: FILE_LIMITS.config,
      hint: 'check --config or NETSUITE_OAUTH_CONFIG',
      trusted: true,
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: unknown } }).cause;
    if (!explicit && cause?.code === 'ENOENT') return undefined;
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw configError(
      `config file ${path} is not valid JSON`,
      'see "pnpm nso config --help" for the format',
      cause,
    );
  }
  const profiles = (parsed as { profiles?: unknown } | null)?.profiles;
  if (typeof profiles !== 'object' || profiles === null || Array.isArray(profiles)) {
    throw configError(
      `config file ${path} has no "profiles" object`,
      'expected { "profiles": { "default": { ... } } }',
    );
  }
  // No prototype: a profile named like an Object property is just a (refused) name, never a lookup hit.
  const out: Record<string, Profile> = Object.create(null) as Record<string, Profile>;
  for (const [name, profile] of Object.entries(profiles as Record<string, unknown>)) {
    if (!validProfileName(name)) {
      throw configError(
        `profile name "${name.slice(0, 64)}" in ${path} is not allowed`,
        'use letters, digits, _, . and - (not __proto__, constructor or prototype)',
      );
    }
    if (typeof profile !== 'object' || profile === null || Array.isArray(profile)) {
      throw configError(`profile "${name}" in ${path} is not an object`);
    }
    for (const [key, value] of Object.entries(profile)) {
      if (key === 'clientSecret' || key === 'privateKey' || key === 'passphrase') {
        throw configError(
          `profile "${name}" holds a secret ("${key}")`,
          'keep secrets out of the config file: use clientSecretFile / privateKeyFile or environment variables',
        );
      }
      if (!PROFILE_KEYS.has(key)) {
        throw configError(
          `profile "${name}" has an unknown key "${key}"`,
          `known keys: ${[...PROFILE_KEYS].join(', ')}`,
        );
      }
      const ok =
        key === 'scopes' ? typeof value === 'string' || Array.isArray(value) : typeof value === 'string';
      if (!ok) throw configError(`profile "${name}": "${key}" must be a string`);
    }
    out[name] = profile as Profile;
  }
  return out;
}

/**
 * Splits a scope list given as `a,b`, `a b` or an array.
 *
 * @example
 * parseScopes('rest_webservices, restlets') // ['rest_webservices', 'restlets']
 */
export function parseScopes(value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  const parts = typeof value === 'string' ? value.split(/[\s,]+/) : value.flatMap((v) => v.split(/[\s,]+/));
  return [...new Set(parts.map((s) => s.trim()).filter(Boolean))];
}

function readSecretFile(path: string, what: string): string {
  return readLimitedFile(path, {
    what: `${what} file`,
    maxBytes: FILE_LIMITS.secret,
    hint: 'check the path and its permissions',
    secret: true,
  }).trim();
}

/**
 * Resolves the settings for one run: flags win over environment variables, which win over the profile.
 *
 * @example
 * resolveSettings({ account: '1234567_SB1' }, process.env, process.cwd())
 * @throws {CliError} exit 3 on a bad config file, unknown profile, bad store or timeout.
 */
export function resolveSettings(flags: ConfigFlags, env: Env, cwd: string): Settings {
  const dir = configDirectory(env);
  const explicitConfig = nonEmpty(flags.config) ?? nonEmpty(env.NETSUITE_OAUTH_CONFIG);
  const configPath = explicitConfig ? resolve(cwd, explicitConfig) : join(dir, 'config.json');
  const profiles = readConfigFile(configPath, explicitConfig !== undefined);
  const explicitProfile = nonEmpty(flags.profile) ?? nonEmpty(env.NETSUITE_OAUTH_PROFILE);
  const profileName = explicitProfile ?? 'default';
  if (!validProfileName(profileName)) {
    throw configError(
      `profile name "${profileName.slice(0, 64)}" is not allowed`,
      'use letters, digits, _, . and - (not __proto__, constructor or prototype)',
    );
  }
  const known = profiles !== undefined && Object.hasOwn(profiles, profileName);
  const profile: Profile = (known ? profiles[profileName] : undefined) ?? {};
  if (explicitProfile && !known) {
    const known = profiles ? Object.keys(profiles).join(', ') || 'none' : 'no config file';
    throw configError(`profile "${profileName}" not found in ${configPath}`, `known profiles: ${known}`);
  }
  const profileDir = dirname(configPath);
  const sources: Record<string, SettingSource> = {};

  const pick = (
    name: string,
    flag: string | undefined,
    envNames: readonly string[],
    fromProfile: string | undefined,
    options: { path?: boolean } = {},
  ): string | undefined => {
    const f = nonEmpty(flag);
    if (f !== undefined) {
      sources[name] = 'flag';
      return options.path ? resolve(cwd, f) : f;
    }
    for (const e of envNames) {
      const v = nonEmpty(env[e]);
      if (v !== undefined) {
        sources[name] = 'env';
        return options.path ? resolve(cwd, v) : v;
      }
    }
    const p = nonEmpty(fromProfile);
    if (p !== undefined) {
      sources[name] = 'profile';
      return options.path && !isAbsolute(p) ? resolve(profileDir, p) : p;
    }
    return undefined;
  };

  const accountId = pick('accountId', flags.account, ['NETSUITE_ACCOUNT_ID'], profile.accountId);
  const origin = pick('origin', flags.origin, ['NETSUITE_ORIGIN'], profile.origin);
  const clientId = pick('clientId', flags['client-id'], ['NETSUITE_CLIENT_ID'], profile.clientId);
  const certificateId = pick(
    'certificateId',
    flags['certificate-id'],
    ['NETSUITE_CERTIFICATE_ID'],
    profile.certificateId,
  );
  // The environment beats the profile for the key and the secret in both their forms: a PEM or secret value in
  // the environment wins over a profile's file, as every other setting does (flags > environment > profile).
  const keyPemFromEnv =
    nonEmpty(flags.key) === undefined && nonEmpty(env.NETSUITE_PRIVATE_KEY_FILE) === undefined
      ? nonEmpty(env.NETSUITE_PRIVATE_KEY)
      : undefined;
  const privateKeyFile = pick(
    'privateKeyFile',
    flags.key,
    ['NETSUITE_PRIVATE_KEY_FILE'],
    keyPemFromEnv === undefined ? profile.privateKeyFile : undefined,
    { path: true },
  );
  const certificateFile = pick(
    'certificateFile',
    flags.cert,
    ['NETSUITE_CERTIFICATE_FILE'],
    profile.certificateFile,
    {
      path: true,
    },
  );
  const redirectUri = pick(
    'redirectUri',
    flags['redirect-uri'],
    ['NETSUITE_REDIRECT_URI'],
    profile.redirectUri,
  );
  const algorithm = pick('algorithm', flags.algorithm, ['NETSUITE_ALGORITHM'], profile.algorithm);
  const scopesText = pick(
    'scopes',
    flags.scopes,
    ['NETSUITE_SCOPES'],
    Array.isArray(profile.scopes) ? profile.scopes.join(',') : (profile.scopes as string | undefined),
  );
  let scopes = parseScopes(scopesText);
  if (scopes.length === 0) {
    scopes = ['rest_webservices', 'restlets'];
    sources.scopes = 'default';
  }

  let privateKeyPem: string | undefined;
  if (keyPemFromEnv !== undefined) {
    privateKeyPem = keyPemFromEnv.replace(/\\n/g, '\n');
    sources.privateKey = 'env';
  }

  let clientSecret: string | undefined;
  const secretFromEnv =
    nonEmpty(flags['client-secret-file']) === undefined &&
    nonEmpty(env.NETSUITE_CLIENT_SECRET_FILE) === undefined
      ? nonEmpty(env.NETSUITE_CLIENT_SECRET)
      : undefined;
  const secretFile = pick(
    'clientSecretFile',
    flags['client-secret-file'],
    ['NETSUITE_CLIENT_SECRET_FILE'],
    secretFromEnv === undefined ? profile.clientSecretFile : undefined,
    { path: true },
  );
  if (secretFile) {
    clientSecret = readSecretFile(secretFile, 'client secret');
    sources.clientSecret = sources.clientSecretFile ?? 'flag';
  } else if (secretFromEnv !== undefined) {
    clientSecret = secretFromEnv;
    sources.clientSecret = 'env';
  }

  const storeText = pick('store', flags.store, ['NETSUITE_OAUTH_STORE'], profile.store) ?? 'file';
  sources.store ??= 'default';
  if (!STORES.includes(storeText as StoreKind)) {
    throw configError(`unknown token store "${storeText}"`, 'use --store memory, file or redis');
  }
  const storePath =
    pick('storePath', flags['store-path'], ['NETSUITE_OAUTH_STORE_PATH'], profile.storePath, {
      path: true,
    }) ?? join(dir, 'tokens.json');
  sources.storePath ??= 'default';
  const redisUrl = pick(
    'redisUrl',
    flags['redis-url'],
    ['NETSUITE_OAUTH_REDIS_URL', 'REDIS_URL'],
    profile.redisUrl,
  );
  if (storeText === 'redis' && !redisUrl) {
    throw configError(
      '--store redis needs a Redis URL',
      'set --redis-url or NETSUITE_OAUTH_REDIS_URL (redis://host:port)',
    );
  }

  let timeoutMs = 30_000;
  const timeoutText = nonEmpty(flags.timeout) ?? nonEmpty(env.NETSUITE_OAUTH_TIMEOUT);
  sources.timeout =
    nonEmpty(flags.timeout) !== undefined ? 'flag' : timeoutText !== undefined ? 'env' : 'default';
  if (timeoutText !== undefined) {
    const seconds = Number(timeoutText);
    if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 600) {
      throw configError('--timeout must be a number of seconds between 0 and 600');
    }
    timeoutMs = Math.round(seconds * 1000);
  }

  return {
    profile: profileName,
    configPath,
    configFound: profiles !== undefined,
    configDir: dir,
    accountId,
    origin,
    clientId,
    certificateId,
    privateKeyFile,
    privateKeyPem,
    passphrase: nonEmpty(env.NETSUITE_KEY_PASSPHRASE),
    certificateFile,
    clientSecret,
    scopes,
    redirectUri,
    algorithm,
    store: storeText as StoreKind,
    storePath,
    storeKey: nonEmpty(env.NETSUITE_OAUTH_STORE_KEY),
    storeKeyFile: join(dirname(storePath), 'store.key'),
    redisUrl,
    timeoutMs,
    sources,
  };
}
