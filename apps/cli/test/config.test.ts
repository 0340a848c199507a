import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configDirectory, parseScopes, resolveSettings } from '../src/config.js';
import { CliError } from '../src/errors.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cli-config-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function writeConfig(profiles: unknown): string {
  const path = join(dir, 'config.json');
  writeFileSync(path, JSON.stringify({ profiles }));
  return path;
}

function expectConfigError(fn: () => unknown, message: RegExp): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(3);
    expect((error as CliError).message).toMatch(message);
    return;
  }
  throw new Error('expected a configuration error');
}

describe('resolveSettings', () => {
  it('takes flags over env over profile, and remembers where each came from', () => {
    const config = writeConfig({
      default: {
        accountId: '111',
        clientId: 'from-profile',
        certificateId: 'cert-profile',
        privateKeyFile: 'keys/k.pem',
      },
    });
    const s = resolveSettings(
      { config, account: '333' },
      { HOME: dir, NETSUITE_ACCOUNT_ID: '222', NETSUITE_CLIENT_ID: 'from-env' },
      dir,
    );
    expect(s.accountId).toBe('333');
    expect(s.clientId).toBe('from-env');
    expect(s.certificateId).toBe('cert-profile');
    expect(s.privateKeyFile).toBe(join(dir, 'keys/k.pem'));
    expect(s.sources).toMatchObject({ accountId: 'flag', clientId: 'env', certificateId: 'profile' });
  });

  it('reads a named profile and the default scopes and store', () => {
    const config = writeConfig({ sandbox: { accountId: '1234567_SB1', scopes: ['restlets'] } });
    const s = resolveSettings({ config, profile: 'sandbox' }, { HOME: dir }, dir);
    expect(s.accountId).toBe('1234567_SB1');
    expect(s.scopes).toEqual(['restlets']);
    expect(s.store).toBe('file');
    expect(s.storePath).toBe(join(dir, '.config', 'netsuite-oauth', 'tokens.json'));
    const defaults = resolveSettings({}, { HOME: dir }, dir);
    expect(defaults.scopes).toEqual(['rest_webservices', 'restlets']);
    expect(defaults.configFound).toBe(false);
  });

  it('refuses an unknown profile, unknown keys and secrets in the file', () => {
    const config = writeConfig({ default: { accountId: '1' } });
    expectConfigError(
      () => resolveSettings({ config, profile: 'nope' }, { HOME: dir }, dir),
      /profile "nope" not found/,
    );
    const bad = writeConfig({ default: { acount: '1' } });
    expectConfigError(() => resolveSettings({ config: bad }, { HOME: dir }, dir), /unknown key "acount"/);
    const secret = writeConfig({ default: { clientSecret: 'x' } });
    expectConfigError(() => resolveSettings({ config: secret }, { HOME: dir }, dir), /holds a secret/);
  });

  it('refuses broken JSON and a named file that does not exist', () => {
    const path = join(dir, 'broken.json');
    writeFileSync(path, '{ nope');
    expectConfigError(() => resolveSettings({ config: path }, { HOME: dir }, dir), /not valid JSON/);
    expectConfigError(
      () => resolveSettings({ config: join(dir, 'missing.json') }, { HOME: dir }, dir),
      /cannot read/,
    );
  });

  it('reads the client secret from a file or env, never from a flag value', () => {
    const file = join(dir, 'secret');
    writeFileSync(file, 'file-secret\n', { mode: 0o600 });
    expect(resolveSettings({ 'client-secret-file': file }, { HOME: dir }, dir).clientSecret).toBe(
      'file-secret',
    );
    expect(resolveSettings({}, { HOME: dir, NETSUITE_CLIENT_SECRET: 'env-secret' }, dir).clientSecret).toBe(
      'env-secret',
    );
  });

  it('checks the store kind, the redis url and the timeout', () => {
    expectConfigError(() => resolveSettings({ store: 'sqlite' }, { HOME: dir }, dir), /unknown token store/);
    expectConfigError(() => resolveSettings({ store: 'redis' }, { HOME: dir }, dir), /needs a Redis URL/);
    expect(
      resolveSettings({ store: 'redis', 'redis-url': 'redis://127.0.0.1:1' }, { HOME: dir }, dir).redisUrl,
    ).toBe('redis://127.0.0.1:1');
    expectConfigError(() => resolveSettings({ timeout: 'soon' }, { HOME: dir }, dir), /--timeout/);
    expect(resolveSettings({ timeout: '2.5' }, { HOME: dir }, dir).timeoutMs).toBe(2500);
  });

  it("takes the key and the secret from the environment over a profile's files, as the README says", () => {
    const secretFile = join(dir, 'secret');
    writeFileSync(secretFile, 'profile-secret\n', { mode: 0o600 });
    const config = writeConfig({
      default: { privateKeyFile: 'profile-key.pem', clientSecretFile: 'secret' },
    });
    const env = { HOME: dir, NETSUITE_OAUTH_CONFIG: config };
    const fromEnv = resolveSettings(
      {},
      { ...env, NETSUITE_PRIVATE_KEY: 'env-pem', NETSUITE_CLIENT_SECRET: 'env-secret' },
      dir,
    );
    expect(fromEnv.privateKeyPem).toBe('env-pem');
    expect(fromEnv.privateKeyFile).toBeUndefined();
    expect(fromEnv.clientSecret).toBe('env-secret');
    expect(fromEnv.sources).toMatchObject({ privateKey: 'env', clientSecret: 'env' });
    // Without the environment the profile's files apply; a flag beats the environment.
    const fromProfile = resolveSettings({}, env, dir);
    expect(fromProfile.privateKeyFile).toBe(join(dir, 'profile-key.pem'));
    expect(fromProfile.clientSecret).toBe('profile-secret');
    const fromFlag = resolveSettings({ key: 'flag.pem' }, { ...env, NETSUITE_PRIVATE_KEY: 'env-pem' }, dir);
    expect(fromFlag.privateKeyFile).toBe(join(dir, 'flag.pem'));
    expect(fromFlag.privateKeyPem).toBeUndefined();
  });

  it('turns \\n in NETSUITE_PRIVATE_KEY into newlines (CI secrets)', () => {
    const s = resolveSettings({}, { HOME: dir, NETSUITE_PRIVATE_KEY: 'a\\nb' }, dir);
    expect(s.privateKeyPem).toBe('a\nb');
  });
});

describe('helpers', () => {
  it('parseScopes accepts commas, spaces and arrays, without duplicates', () => {
    expect(parseScopes('a, b c,a')).toEqual(['a', 'b', 'c']);
    expect(parseScopes(['a', 'b,c'])).toEqual(['a', 'b', 'c']);
    expect(parseScopes(undefined)).toEqual([]);
  });

  it('configDirectory follows XDG_CONFIG_HOME', () => {
    expect(configDirectory({ XDG_CONFIG_HOME: '/x' })).toBe(join('/x', 'netsuite-oauth'));
    expect(configDirectory({ HOME: '/h' })).toBe(join('/h', '.config', 'netsuite-oauth'));
  });
});
