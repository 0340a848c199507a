import { isAbsolute, resolve } from 'node:path';
import {
  type ConfigFile,
  configPath,
  isProfileName,
  PROFILE_KEYS,
  parseScopes,
  readConfig,
  writeConfig,
} from '../config.js';
import type { Context } from '../context.js';
import { configError, usageError } from '../errors.js';
import { formatTable } from '../format.js';
import { maskSecret } from '../mask.js';
import { printObject } from '../output.js';

const PATH_KEYS = new Set(['privateKeyFile', 'certificateFile', 'clientSecretFile', 'storePath']);
const SECRET_HINTS: Record<string, string> = {
  clientSecret: 'set clientSecretFile to a file holding it (mode 0600), or NETSUITE_CLIENT_SECRET',
  privateKey: 'set privateKeyFile to the PEM file (mode 0600), or NETSUITE_PRIVATE_KEY',
  passphrase: 'use NETSUITE_KEY_PASSPHRASE',
};

/**
 * `config show|list|set|use|remove`.
 *
 * @example
 * await run(ctx) // exit code
 */
export async function run(ctx: Context): Promise<number> {
  const sub = ctx.spec.name.split(' ')[1];
  if (sub === 'list') return list(ctx);
  if (sub === 'set') return set(ctx);
  if (sub === 'use') return use(ctx);
  if (sub === 'remove') return remove(ctx);
  return show(ctx);
}

function location(ctx: Context): { path: string; explicit: boolean } {
  return configPath({ config: ctx.string('config') }, ctx.io.env, ctx.io.cwd);
}

function profileArgument(name: string | undefined): string {
  if (!name || !isProfileName(name)) {
    throw usageError(
      `"${(name ?? '').slice(0, 64)}" is not a profile name`,
      'use letters, digits, _, . and - (not __proto__, constructor or prototype)',
    );
  }
  return name;
}

function empty(): ConfigFile['raw'] {
  return { profiles: {} };
}

function has(file: ConfigFile | undefined, name: string): boolean {
  return file !== undefined && Object.hasOwn(file.raw.profiles, name);
}

/** `config list`: every profile, the current one marked, and what is wrong with any that cannot be used. */
function list(ctx: Context): number {
  const { path } = location(ctx);
  const file = readConfig(path, false);
  const current = file?.current ?? 'default';
  const names = file ? Object.keys(file.raw.profiles) : [];
  const rows = names.map((name) => {
    const profile = file?.profiles[name];
    const problem = file?.problems[name];
    return {
      name,
      current: name === current,
      accountId: profile?.accountId ?? null,
      origin: profile?.origin ?? null,
      store: profile?.store ?? null,
      problem: problem ? problem.message : null,
    };
  });
  if (ctx.format === 'json') {
    ctx.out(`${JSON.stringify({ configFile: path, current, profiles: rows }, null, 2)}\n`);
    return 0;
  }
  if (rows.length === 0) {
    ctx.note(
      `no profiles in ${path}${file ? '' : ' (not found)'}; create one with "pnpm nso config set accountId <id> --profile <name>"`,
    );
    return 0;
  }
  ctx.out(
    formatTable(
      rows.map((r) => ({
        '': r.current ? '*' : '',
        profile: r.name,
        account: r.accountId ?? '-',
        origin: r.origin ?? '-',
        status: r.problem ? `unusable: ${r.problem}` : 'ok',
      })),
      { maxWidth: 120 },
    ),
  );
  ctx.note(ctx.color.dim(`config file: ${path}`));
  return 0;
}

/** `config set <key> <value>`: one key of a profile (created as needed); an empty value removes the key. */
async function set(ctx: Context): Promise<number> {
  const [key = '', rawValue = ''] = ctx.positionals;
  if (Object.hasOwn(SECRET_HINTS, key)) {
    throw usageError(`secrets never go in the config file ("${key}")`, SECRET_HINTS[key]);
  }
  if (!PROFILE_KEYS.has(key)) {
    throw usageError(
      `unknown profile key "${key.slice(0, 64)}"`,
      `known keys: ${[...PROFILE_KEYS].join(', ')}`,
    );
  }
  const { path } = location(ctx);
  // A file named by --config that does not exist yet is created.
  const file = readConfig(path, false);
  const name = profileArgument(
    ctx.string('profile') ?? ctx.io.env.NETSUITE_OAUTH_PROFILE ?? file?.current ?? 'default',
  );
  const value = rawValue.trim();
  let stored: string | string[] | undefined = value === '' ? undefined : value;
  if (stored !== undefined) {
    if (key === 'scopes') stored = parseScopes(value);
    else if (PATH_KEYS.has(key) && !isAbsolute(value)) stored = resolve(ctx.io.cwd, value);
    else if (key === 'store' && !['memory', 'file', 'redis'].includes(value))
      throw usageError(`unknown token store "${value.slice(0, 32)}"`, 'use memory, file or redis');
    else if (key === 'accountId') {
      const { parseAccountId } = await import('@netsuite-oauth/core');
      try {
        stored = parseAccountId(value).id;
      } catch (cause) {
        throw configError(
          `"${value.slice(0, 64)}" is not a NetSuite account id`,
          'use the form NetSuite shows at Setup > Company > Company Information: 1234567, 1234567_SB1',
          cause,
        );
      }
    } else if (key === 'origin' || key === 'redirectUri' || key === 'redisUrl') {
      if (!URL.canParse(value)) throw usageError(`${key} must be a URL`);
    }
  }
  const raw = file?.raw ?? empty();
  const before = Object.hasOwn(raw.profiles, name) ? raw.profiles[name] : undefined;
  const profile: Record<string, unknown> =
    before && typeof before === 'object' && !Array.isArray(before)
      ? { ...(before as Record<string, unknown>) }
      : {};
  if (stored === undefined) delete profile[key];
  else profile[key] = stored;
  raw.profiles[name] = profile;
  writeConfig(path, raw);
  const problem = readConfig(path, true)?.problems[name];
  if (problem)
    ctx.note(`${ctx.color.yellow('warning')}: profile "${name}" cannot be used yet: ${problem.message}`);
  printObject(ctx, {
    profile: name,
    [key]: stored === undefined ? '(removed)' : Array.isArray(stored) ? stored.join(',') : stored,
    configFile: path,
  });
  return 0;
}

/** `config use <name>`: the profile commands take when neither --profile nor NETSUITE_OAUTH_PROFILE names one. */
function use(ctx: Context): number {
  const name = profileArgument(ctx.positionals[0]);
  const { path } = location(ctx);
  const file = readConfig(path, false);
  if (!has(file, name) || !file) {
    const names = file ? Object.keys(file.raw.profiles).join(', ') || 'none' : 'no config file';
    throw configError(`profile "${name}" not found in ${path}`, `known profiles: ${names}`);
  }
  const problem = file.problems[name];
  if (problem) throw configError(`profile "${name}" cannot be used: ${problem.message}`, problem.hint);
  file.raw.current = name;
  writeConfig(path, file.raw);
  printObject(ctx, { current: name, configFile: path });
  return 0;
}

/** `config remove <name>`: deletes one profile (the others, good or bad, stay as they are). */
function remove(ctx: Context): number {
  const name = profileArgument(ctx.positionals[0]);
  const { path } = location(ctx);
  const file = readConfig(path, false);
  if (!has(file, name) || !file) throw configError(`profile "${name}" not found in ${path}`);
  delete file.raw.profiles[name];
  const wasCurrent = file.raw.current === name;
  if (wasCurrent) delete file.raw.current;
  writeConfig(path, file.raw);
  printObject(ctx, { removed: name, ...(wasCurrent ? { current: 'default' } : {}), configFile: path });
  return 0;
}

function show(ctx: Context): number {
  const s = ctx.settings();
  const src = (name: string) => s.sources[name] ?? 'unset';
  const rows: { setting: string; value: string | undefined; source: string }[] = [
    { setting: 'accountId', value: s.accountId, source: src('accountId') },
    { setting: 'origin', value: s.origin, source: src('origin') },
    { setting: 'clientId', value: s.clientId, source: src('clientId') },
    {
      setting: 'clientSecret',
      value: s.clientSecret && maskSecret(s.clientSecret),
      source: src('clientSecret'),
    },
    { setting: 'certificateId', value: s.certificateId, source: src('certificateId') },
    {
      setting: 'privateKey',
      value: s.privateKeyFile ?? (s.privateKeyPem ? 'NETSUITE_PRIVATE_KEY' : undefined),
      source: s.privateKeyFile ? src('privateKeyFile') : src('privateKey'),
    },
    {
      setting: 'keyPassphrase',
      value: s.passphrase ? 'set' : undefined,
      source: s.passphrase ? 'env' : 'unset',
    },
    { setting: 'certificateFile', value: s.certificateFile, source: src('certificateFile') },
    { setting: 'scopes', value: s.scopes.join(','), source: src('scopes') },
    { setting: 'redirectUri', value: s.redirectUri, source: src('redirectUri') },
    { setting: 'algorithm', value: s.algorithm, source: src('algorithm') },
    { setting: 'store', value: s.store, source: src('store') },
  ];
  if (s.store === 'file') {
    rows.push({ setting: 'storePath', value: s.storePath, source: src('storePath') });
    rows.push({
      setting: 'storeKey',
      value: s.storeKey ? 'NETSUITE_OAUTH_STORE_KEY' : s.storeKeyFile,
      source: s.storeKey ? 'env' : 'key file',
    });
  }
  if (s.store === 'redis') {
    rows.push({
      setting: 'redisUrl',
      value: s.redisUrl?.replace(/\/\/[^@/]*@/, '//***@'),
      source: src('redisUrl'),
    });
  }
  rows.push({ setting: 'timeout', value: `${s.timeoutMs / 1000}s`, source: src('timeout') });
  if (ctx.format === 'json') {
    const settings: Record<string, { value: string | null; source: string }> = {};
    for (const r of rows) settings[r.setting] = { value: r.value ?? null, source: r.source };
    ctx.out(
      `${JSON.stringify({ configFile: s.configPath, configFound: s.configFound, profile: s.profile, settings }, null, 2)}\n`,
    );
    return 0;
  }
  ctx.out(
    `config file: ${s.configPath}${s.configFound ? '' : ' (not found)'}\nprofile:     ${s.profile}\n\n`,
  );
  ctx.out(
    formatTable(
      rows.map((r) => ({ ...r, value: r.value ?? '-' })),
      { maxWidth: 100 },
    ),
  );
  return 0;
}
