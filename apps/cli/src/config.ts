import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { type CliError, configError } from './errors.js';
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
const SECRET_KEYS = new Set(['clientSecret', 'privateKey', 'passphrase']);

/** Keys a profile may hold. */
export const PROFILE_KEYS: ReadonlySet<string> = new Set([
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

/** The config file as read: its valid profiles, the problem of each one that is not, and the current profile. */
export interface ConfigFile {
  /** Profiles that passed every check. */
  readonly profiles: Record<string, Profile>;
  /** Why each other profile is refused: one bad profile never breaks the others. */
  readonly problems: Record<string, CliError>;
  /** The profile `config use` chose (the `current` key), if any. */
  readonly current: string | undefined;
  /** The parsed file, so `config set|use|remove` rewrite only what they change. */
  readonly raw: { profiles: Record<string, unknown>; current?: unknown; [key: string]: unknown };
}

/** The problem of one profile, or undefined when it is fine. */
function profileProblem(name: string, profile: unknown, path: string): CliError | undefined {
  if (!validProfileName(name)) {
    return configError(
      `profile name "${name.slice(0, 64)}" in ${path} is not allowed`,
      'use letters, digits, _, . and - (not __proto__, constructor or prototype)',
    );
  }
  if (typeof profile !== 'object' || profile === null || Array.isArray(profile)) {
    return configError(`profile "${name}" in ${path} is not an object`);
  }
  for (const [key, value] of Object.entries(profile)) {
    if (SECRET_KEYS.has(key)) {
      return configError(
        `profile "${name}" holds a secret ("${key}")`,
        'keep secrets out of the config file: use clientSecretFile / privateKeyFile or environment variables',
      );
    }
    if (!PROFILE_KEYS.has(key)) {
      return configError(
        `profile "${name}" has an unknown key "${key.slice(0, 64)}"`,
        `known keys: ${[...PROFILE_KEYS].join(', ')}`,
      );
    }
    const ok =
      key === 'scopes'
        ? typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string'))
        : typeof value === 'string';
    if (!ok) return configError(`profile "${name}": "${key}" must be a string`);
  }
  return undefined;
}

/**
 * Reads and checks the config file. A missing file is `undefined` unless it was named explicitly. Each profile is
 * checked on its own: a bad one is listed in `problems` and refused only when it is used.
 *
 * @throws {CliError} exit 3 on unreadable or invalid JSON, no `profiles` object, or a file named but not found.
 *
 * @example
 * readConfig('/home/me/.config/netsuite-oauth/config.json', false)?.profiles.default?.accountId
 */
export function readConfig(path: string, explicit: boolean): ConfigFile | undefined {
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
  const good: Record<string, Profile> = Object.create(null) as Record<string, Profile>;
  const problems: Record<string, CliError> = Object.create(null) as Record<string, CliError>;
  for (const [name, profile] of Object.entries(profiles as Record<string, unknown>)) {
    const problem = profileProblem(name, profile, path);
    if (problem) problems[name] = problem;
    else good[name] = profile as Profile;
  }
  const current = (parsed as { current?: unknown }).current;
  return {
    profiles: good,
    problems,
    current: typeof current === 'string' && current !== '' ? current : undefined,
    raw: parsed as ConfigFile['raw'],
  };
}

/**
 * The config file's path: `--config`, else `NETSUITE_OAUTH_CONFIG`, else `config.json` in {@link configDirectory}.
 *
 * @example
 * configPath({}, { HOME: '/home/me' }, '/tmp').path // '/home/me/.config/netsuite-oauth/config.json'
 */
export function configPath(
  flags: { readonly config?: string | undefined },
  env: Env,
  cwd: string,
): { path: string; explicit: boolean } {
  const explicitConfig = nonEmpty(flags.config) ?? nonEmpty(env.NETSUITE_OAUTH_CONFIG);
  return explicitConfig
    ? { path: resolve(cwd, explicitConfig), explicit: true }
    : { path: join(configDirectory(env), 'config.json'), explicit: false };
}

/**
 * Writes the config file (mode 0600, its folder 0700) through a new file renamed into place, so a crash never
 * leaves half a file.
 *
 * @example
 * writeConfig(path, { profiles: { default: { accountId: '1234567_SB1' } } });
 */
export function writeConfig(path: string, raw: ConfigFile['raw']): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  try {
    writeFileSync(temp, `${JSON.stringify(raw, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    renameSync(temp, path);
  } catch (cause) {
    rmSync(temp, { force: true });
    throw configError(`cannot write the config file ${path}`, 'check the folder and its permissions', cause);
  }
}

/**
 * Whether a profile name is allowed (letters, digits, `_`, `.`, `-`; never `__proto__`).
 *
 * @example
 * isProfileName('prod') // true
 */
export function isProfileName(name: string): boolean {
  return validProfileName(name);
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
  const { path: configFile, explicit } = configPath(flags, env, cwd);
  const file = readConfig(configFile, explicit);
  const profiles = file?.profiles;
  const explicitProfile = nonEmpty(flags.profile) ?? nonEmpty(env.NETSUITE_OAUTH_PROFILE);
  const profileName = explicitProfile ?? file?.current ?? 'default';
  if (!validProfileName(profileName)) {
    throw configError(
      `profile name "${profileName.slice(0, 64)}" is not allowed`,
      'use letters, digits, _, . and - (not __proto__, constructor or prototype)',
    );
  }
  const problem = file && Object.hasOwn(file.problems, profileName) ? file.problems[profileName] : undefined;
  if (problem) throw problem;
  const known = profiles !== undefined && Object.hasOwn(profiles, profileName);
  const profile: Profile = (known ? profiles[profileName] : undefined) ?? {};
  if ((explicitProfile || file?.current !== undefined) && !known) {
    const names = file ? [...Object.keys(file.profiles), ...Object.keys(file.problems)] : [];
    throw configError(
      explicitProfile
        ? `profile "${profileName}" not found in ${configFile}`
        : `the current profile "${profileName}" (set by "config use") is not in ${configFile}`,
      `known profiles: ${file ? names.join(', ') || 'none' : 'no config file'}${explicitProfile ? '' : '; run "pnpm nso config use <name>"'}`,
    );
  }
  const profileDir = dirname(configFile);
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
    configPath: configFile,
    configFound: file !== undefined,
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
