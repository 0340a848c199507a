import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli.js';
import { memoryIo } from './helpers.js';

let home: string;
let configFile: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'cli-profiles-'));
  configFile = join(home, '.config', 'netsuite-oauth', 'config.json');
});
afterEach(() => {
  rmSync(home, { recursive: true, force: true });
});

async function nso(argv: string[], env: Record<string, string> = {}) {
  const m = memoryIo({ HOME: home, NO_COLOR: '1', ...env }, { cwd: home });
  const code = await runCli(argv, m.io);
  return { code, stdout: m.stdout, stderr: m.stderr };
}

function file(): { current?: string; profiles: Record<string, Record<string, unknown>> } {
  return JSON.parse(readFileSync(configFile, 'utf8')) as ReturnType<typeof file>;
}

describe('config set|use|list|remove', () => {
  it('creates profiles key by key (0600), lists them and switches with use', async () => {
    expect((await nso(['config', 'set', 'accountId', '1234567-sb1', '--profile', 'sandbox'])).code).toBe(0);
    expect((await nso(['config', 'set', 'privateKeyFile', 'keys/sb.pem', '-p', 'sandbox'])).code).toBe(0);
    expect((await nso(['config', 'set', 'scopes', 'rest_webservices, restlets', '-p', 'sandbox'])).code).toBe(
      0,
    );
    expect((await nso(['config', 'set', 'accountId', '7654321'])).code).toBe(0);
    expect(statSync(configFile).mode & 0o077).toBe(0);
    expect(file().profiles).toEqual({
      // The account id is stored in NetSuite's form, a relative path from where the command ran.
      sandbox: {
        accountId: '1234567_SB1',
        privateKeyFile: join(home, 'keys', 'sb.pem'),
        scopes: ['rest_webservices', 'restlets'],
      },
      default: { accountId: '7654321' },
    });

    const before = await nso(['config', 'show', '--json']);
    expect(JSON.parse(before.stdout)).toMatchObject({
      profile: 'default',
      settings: { accountId: { value: '7654321' } },
    });

    expect((await nso(['config', 'use', 'sandbox'])).code).toBe(0);
    expect(file().current).toBe('sandbox');
    const after = await nso(['config', 'show', '--json']);
    expect(JSON.parse(after.stdout)).toMatchObject({
      profile: 'sandbox',
      settings: { accountId: { value: '1234567_SB1', source: 'profile' } },
    });
    // --profile and NETSUITE_OAUTH_PROFILE still win over the current profile.
    const flag = await nso(['config', 'show', '--json', '--profile', 'default']);
    expect(JSON.parse(flag.stdout)).toMatchObject({ profile: 'default' });
    const env = await nso(['config', 'show', '--json'], { NETSUITE_OAUTH_PROFILE: 'default' });
    expect(JSON.parse(env.stdout)).toMatchObject({ profile: 'default' });

    const list = await nso(['config', 'list', '--json']);
    expect(JSON.parse(list.stdout)).toMatchObject({
      current: 'sandbox',
      profiles: [
        { name: 'sandbox', current: true, accountId: '1234567_SB1', problem: null },
        { name: 'default', current: false, accountId: '7654321', problem: null },
      ],
    });
    const table = await nso(['config', 'list']);
    expect(table.stdout).toMatch(/^\*\s+sandbox\s+1234567_SB1\s+-\s+ok\s*$/m);

    // An empty value removes a key; remove deletes a profile and forgets it as current.
    await nso(['config', 'set', 'scopes', '', '-p', 'sandbox']);
    expect(file().profiles.sandbox).not.toHaveProperty('scopes');
    const removed = await nso(['config', 'remove', 'sandbox']);
    expect(removed.code).toBe(0);
    expect(file()).toEqual({ profiles: { default: { accountId: '7654321' } } });
  });

  it('one bad profile never breaks the others: it is listed as unusable and refused only when used', async () => {
    writeFileSync(
      join(home, 'config.json'),
      JSON.stringify({
        profiles: {
          good: { accountId: '1111111' },
          typo: { acount: '2' },
          leaky: { clientSecret: 'do-not-print-me' },
          default: { accountId: '3333333' },
        },
      }),
      { mode: 0o600 },
    );
    const env = { NETSUITE_OAUTH_CONFIG: join(home, 'config.json') };
    const good = await nso(['config', 'show', '--json', '-p', 'good'], env);
    expect(good.code).toBe(0);
    expect(JSON.parse(good.stdout)).toMatchObject({ settings: { accountId: { value: '1111111' } } });
    expect((await nso(['config', 'show', '--json'], env)).code).toBe(0);

    const typo = await nso(['config', 'show', '-p', 'typo'], env);
    expect(typo.code).toBe(3);
    expect(typo.stderr).toMatch(/^error: profile "typo" has an unknown key "acount"$/m);

    const list = await nso(['config', 'list'], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/typo .*unusable: profile "typo" has an unknown key "acount"/);
    expect(list.stdout).toMatch(/leaky .*unusable: profile "leaky" holds a secret \("clientSecret"\)/);
    expect(list.stdout + list.stderr).not.toContain('do-not-print-me');

    const use = await nso(['config', 'use', 'leaky'], env);
    expect(use.code).toBe(3);
    expect(use.stderr).toMatch(/^error: profile "leaky" cannot be used: profile "leaky" holds a secret/m);
    // Fixing the bad profile with set works, and leaves the others as they were.
    expect((await nso(['config', 'set', 'accountId', '2222222', '-p', 'typo'], env)).code).toBe(0);
  });

  it('refuses secrets, unknown keys, bad values and unknown profiles', async () => {
    const secret = await nso(['config', 'set', 'clientSecret', 'abc']);
    expect(secret.code).toBe(2);
    expect(secret.stderr).toMatch(/^error: secrets never go in the config file \("clientSecret"\)$/m);
    expect(secret.stderr).toMatch(/^hint: set clientSecretFile/m);
    const unknown = await nso(['config', 'set', 'acount', '1']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^hint: known keys: accountId, /m);
    expect((await nso(['config', 'set', 'store', 'sqlite'])).code).toBe(2);
    expect((await nso(['config', 'set', 'accountId', 'not an id'])).code).toBe(3);
    expect((await nso(['config', 'set', 'origin', 'nope'])).code).toBe(2);
    expect((await nso(['config', 'set', 'accountId', '1', '-p', '__proto__'])).code).toBe(2);
    const use = await nso(['config', 'use', 'nope']);
    expect(use.code).toBe(3);
    expect(use.stderr).toMatch(/^error: profile "nope" not found in /m);
    expect((await nso(['config', 'remove', 'nope'])).code).toBe(3);
  });

  it('a current profile that was deleted by hand is said plainly', async () => {
    await nso(['config', 'set', 'accountId', '1111111', '-p', 'a']);
    await nso(['config', 'use', 'a']);
    const raw = file();
    delete raw.profiles.a;
    writeFileSync(configFile, JSON.stringify(raw), { mode: 0o600 });
    const show = await nso(['config', 'show']);
    expect(show.code).toBe(3);
    expect(show.stderr).toMatch(/^error: the current profile "a" \(set by "config use"\) is not in /m);
  });
});
