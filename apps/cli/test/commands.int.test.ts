import { chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoSecrets, runCli } from './run-cli.js';
import { createFixture, type Fixture, keyLines, loginWithCli } from './setup-emulator.js';

let fx: Fixture;
const tokens: string[] = [];
const secrets = () => [fx.clientSecret, ...keyLines(fx.privateKeyPem), ...tokens];

beforeAll(async () => {
  fx = await createFixture();
});
afterAll(async () => {
  await fx?.close();
});

describe('token (client credentials)', () => {
  it('prints a masked token, then reuses it from the encrypted file store', async () => {
    const first = await runCli(['token', '--json'], { env: fx.env });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const json = JSON.parse(first.stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ tokenType: 'Bearer', fromStore: false, store: 'file' });
    expect(String(json.accessToken)).toMatch(/^.{2,4}….{2,4} \(\d+ chars\)$/);

    const raw = await runCli(['token', '--reveal'], { env: fx.env });
    expect(raw.code).toBe(0);
    const token = raw.stdout.trim();
    tokens.push(token);
    // The revealed token is the stored one, and it works against the API.
    const response = await fetch(`${fx.emu.url}/services/rest/record/v1/customer?limit=1`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);

    const second = await runCli(['token'], { env: fx.env });
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/fromStore\s+true/);
    expectNoSecrets(second, secrets());
    expectNoSecrets(first, secrets());

    // At rest the store holds no token in clear, and its files are private.
    const storeDir = join(fx.dir, '.config', 'netsuite-oauth', 'tokens.json');
    expect(statSync(storeDir).mode & 0o077).toBe(0);
    for (const name of readdirSync(storeDir)) {
      expect(readFileSync(join(storeDir, name), 'utf8')).not.toContain(token);
      expect(statSync(join(storeDir, name)).mode & 0o077).toBe(0);
    }
    expect(statSync(join(fx.dir, '.config', 'netsuite-oauth', 'store.key')).mode & 0o077).toBe(0);
  });

  it('asks for a new token with --fresh, and keeps nothing with --store memory', async () => {
    const fresh = await runCli(['token', '--fresh', '--json'], { env: fx.env });
    expect(JSON.parse(fresh.stdout)).toMatchObject({ fromStore: false });
    const memory = await runCli(['token', '--store', 'memory', '--json'], { env: fx.env });
    expect(JSON.parse(memory.stdout)).toMatchObject({ fromStore: false, store: 'memory' });
  });
});

describe('records, SuiteQL, RESTlets', () => {
  it('creates, reads, updates, lists and deletes a record', async () => {
    const created = await runCli(
      [
        'record',
        'create',
        'customer',
        '--data',
        '{"companyName":"CLI Test Co","email":"cli@example.com"}',
        '--json',
      ],
      { env: fx.env },
    );
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const { id } = JSON.parse(created.stdout) as { id: string };
    expect(id).toMatch(/^\d+$/);

    const got = await runCli(['record', 'get', 'customer', id, '--json'], { env: fx.env });
    expect(got.code).toBe(0);
    expect(JSON.parse(got.stdout)).toMatchObject({ id, companyName: 'CLI Test Co' });

    const bodyFile = join(fx.dir, 'update.json');
    writeFileSync(bodyFile, '{"email":"changed@example.com"}');
    const updated = await runCli(['record', 'update', 'customer', id, '--data-file', bodyFile], {
      env: fx.env,
    });
    expect(updated.code).toBe(0);
    const table = await runCli(['record', 'get', 'customer', id, '--fields', 'email'], { env: fx.env });
    expect(table.stdout).toMatch(/email\s+changed@example\.com/);

    const listed = await runCli(['record', 'list', 'customer', '--limit', '3', '--csv'], { env: fx.env });
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trim().split('\r\n');
    expect(lines[0]).toBe('id');
    expect(lines).toHaveLength(4);

    const deleted = await runCli(['record', 'delete', 'customer', id], { env: fx.env });
    expect(deleted.code).toBe(0);
    const gone = await runCli(['record', 'get', 'customer', id], { env: fx.env });
    expect(gone.code).toBe(6);
    expect(gone.stderr).toMatch(/^error: NetSuite answered 404 NONEXISTENT_ID/);
    expect(gone.stderr).toContain('hint: there is no record with that id');
    for (const r of [created, got, updated, table, listed, deleted, gone]) expectNoSecrets(r, secrets());
  });

  it('streams SuiteQL rows as a table, JSON and CSV', async () => {
    const query = 'SELECT id, companyname FROM customer';
    const table = await runCli(['suiteql', query, '--limit', '5'], { env: fx.env });
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^id\s+companyname$/);
    expect(table.stdout.trim().split('\n')).toHaveLength(7);
    expect(table.stderr).toMatch(/5 rows in .* \(stopped at --limit 5\)/);

    const json = await runCli(['suiteql', query, '--limit', '7', '--page-size', '5', '--json'], {
      env: fx.env,
    });
    expect(json.code).toBe(0);
    const rows = JSON.parse(json.stdout) as Record<string, unknown>[];
    expect(rows).toHaveLength(7);
    expect(Object.keys(rows[0] ?? {})).toEqual(['id', 'companyname']);

    const csv = await runCli(['suiteql', query, '--limit', '2', '--csv'], { env: fx.env });
    expect(csv.stdout.split('\r\n')[0]).toBe('id,companyname');
    expect(csv.stderr).toBe('');

    const small = await runCli(['suiteql', query, '--page-size', '2'], { env: fx.env });
    expect(small.code).toBe(2);
    expect(small.stderr).toContain('--page-size must be a whole number from 5 to 1000');
  });

  it('never lets escape sequences from NetSuite data reach the terminal; --json stays exact', async () => {
    // OSC 0 (window title), CSI 2J (clear screen), an 8-bit CSI, and a right-to-left override.
    const hostile = 'Evil\u001b]0;pwned\u0007 Co\u001b[2J\u009b31m\u202eoc.live';
    const [id] = await fx.emu.admin.seedRecords('customer', [
      { companyName: hostile, email: 'esc@example.com' },
    ]);
    const query = `SELECT id, companyname FROM customer WHERE id = ${id}`;
    const runs = {
      suiteqlTable: await runCli(['suiteql', query], { env: fx.env }),
      suiteqlCsv: await runCli(['suiteql', query, '--csv'], { env: fx.env }),
      recordTable: await runCli(['record', 'get', 'customer', String(id)], { env: fx.env }),
      recordCsv: await runCli(['record', 'list', 'customer', '--limit', '1', '--csv'], { env: fx.env }),
    };
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the test looks for raw control characters.
    const raw = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e]/;
    for (const [name, run] of Object.entries(runs)) {
      expect(run.code, name).toBe(0);
      expect(raw.test(run.stdout), name).toBe(false);
    }
    // The data is still there, visibly.
    expect(runs.suiteqlTable.stdout).toContain('Evil\\x1b]0;pwned\\x07 Co\\x1b[2J\\x9b31m\\u202eoc.live');
    expect(runs.recordTable.stdout).toContain('Evil\\x1b]0;pwned');
    expect(runs.suiteqlCsv.stdout).toContain('Evil\\x1b]0;pwned\\x07 Co');
    const json = await runCli(['suiteql', query, '--json'], { env: fx.env });
    expect((JSON.parse(json.stdout) as Array<{ companyname: string }>)[0]?.companyname).toBe(hostile);
    const record = await runCli(['record', 'get', 'customer', String(id), '--json'], { env: fx.env });
    expect((JSON.parse(record.stdout) as { companyName: string }).companyName).toBe(hostile);
  });

  it('calls the echo RESTlet with GET and POST', async () => {
    const get = await runCli(
      ['restlet', 'customscript_echo', 'customdeploy_echo', '--query', 'hello=world', '--json'],
      {
        env: fx.env,
      },
    );
    expect(get.code).toBe(0);
    expect(get.stdout).toContain('world');
    const post = await runCli(
      ['restlet', 'customscript_echo', 'customdeploy_echo', '--data', '{"n":42}', '--json'],
      {
        env: fx.env,
      },
    );
    expect(post.code).toBe(0);
    expect(post.stdout).toContain('42');
    expectNoSecrets(post, secrets());
  });
});

describe('login, refresh, revoke', () => {
  it('logs in by pasting the redirected URL, uses the session, refreshes and revokes it', async () => {
    const { result: login, loginError } = await loginWithCli(fx.env, ['--json']);
    expect(loginError).toBeUndefined();
    expect(login.stderr).toContain('Open this URL in a browser');
    expect(login.code).toBe(0);
    const session = JSON.parse(login.stdout) as Record<string, unknown>;
    expect(session).toMatchObject({ loggedIn: true, role: '1000' });
    expect(String(session.refreshToken)).toContain('…');

    const viaSession = await runCli(
      ['suiteql', 'SELECT id FROM customer', '--limit', '1', '--auth', 'session', '--json'],
      {
        env: fx.env,
      },
    );
    expect(viaSession.code).toBe(0);
    expect(JSON.parse(viaSession.stdout)).toHaveLength(1);

    const refreshed = await runCli(['refresh', '--json'], { env: fx.env });
    expect(refreshed.code).toBe(0);
    expect(JSON.parse(refreshed.stdout)).toMatchObject({ refreshed: true });

    const revoked = await runCli(['revoke'], { env: fx.env });
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toMatch(/revoked\s+true/);

    const again = await runCli(['refresh'], { env: fx.env });
    expect(again.code).toBe(3);
    expect(again.stderr).toBe(
      'error: no login session in the token store\nhint: run "pnpm nso login" first\n',
    );
    for (const r of [login, viaSession, refreshed, revoked, again]) expectNoSecrets(r, secrets());
  });

  it('refuses a pasted text that is not a URL (exit 2), and a forged callback (exit 4)', async () => {
    const text = await runCli(['login', '--no-browser'], { env: fx.env, input: 'hello there\n' });
    expect(text.code).toBe(2);
    expect(text.stderr).toContain('error: that is not a URL');
    const forged = await runCli(['login', '--no-browser'], {
      env: fx.env,
      input:
        'https://localhost/netsuite-oauth/callback?state=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA&code=stolen-code-123\n',
    });
    expect(forged.code).toBe(4);
    expect(forged.stderr).toMatch(/^error: callback state does not match the request$/m);
    expectNoSecrets(forged, ['stolen-code-123']);
  });

  it('refuses a callback that names another authorization server in iss (RFC 9207): its code is never exchanged', async () => {
    const before = (await fx.emu.admin.counters()).token;
    const { result, loginError } = await loginWithCli(fx.env, [], 'allow', (url) => {
      const u = new URL(url);
      u.searchParams.set('iss', 'https://evil.example');
      return u.toString();
    });
    expect(loginError).toBeUndefined();
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/^error: callback iss does not match the expected issuer$/m);
    // One token request: the client check before the browser step (a made-up code); the real code is not sent.
    expect((await fx.emu.admin.counters()).token).toBe(before + 1);
  });

  it('fails clearly when nothing is pasted', async () => {
    const result = await runCli(['login', '--no-browser'], { env: fx.env, input: '' });
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('error: no redirect URL was pasted');
  });
});

describe('doctor, config, cert', () => {
  it('doctor passes a good configuration, including clock and scopes', async () => {
    const result = await runCli(['doctor', '--cert', fx.certFile], { env: fx.env });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    for (const check of [
      'account id',
      'client id',
      'certificate id',
      'private key',
      'certificate',
      'clock skew',
      'token endpoint',
      'token request',
    ]) {
      expect(result.stdout).toMatch(new RegExp(`✓ ${check}\\s`));
    }
    expect(result.stdout).toContain('no problems found');
    expectNoSecrets(result, secrets());
    const json = JSON.parse((await runCli(['doctor', '--json'], { env: fx.env })).stdout) as {
      ok: boolean;
      checks: unknown[];
    };
    expect(json.ok).toBe(true);
  });

  it('doctor reports clock skew against the server Date header', async () => {
    await fx.emu.admin.advanceClock(10 * 60_000);
    try {
      const result = await runCli(['doctor'], { env: fx.env });
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/✗ clock skew\s+local clock (599|600|601) s behind the server/);
      expect(result.stdout).toContain('TokenNotAcceptable');
    } finally {
      await fx.emu.admin.advanceClock(-10 * 60_000);
    }
  });

  it('config show tells where each value came from and masks the secret', async () => {
    const configFile = join(fx.dir, 'cfg.json');
    writeFileSync(
      configFile,
      JSON.stringify({ profiles: { emu: { scopes: ['restlets'], store: 'memory' } } }),
    );
    const result = await runCli(['config', 'show', '--config', configFile, '--profile', 'emu', '--json'], {
      env: fx.env,
    });
    expect(result.code).toBe(0);
    const out = JSON.parse(result.stdout) as {
      profile: string;
      settings: Record<string, { value: string; source: string }>;
    };
    expect(out.profile).toBe('emu');
    expect(out.settings.accountId).toEqual({ value: fx.emu.accountId, source: 'env' });
    expect(out.settings.scopes).toEqual({ value: 'restlets', source: 'profile' });
    expect(out.settings.clientSecret?.value).toContain('…');
    expectNoSecrets(result, secrets());
  });

  it('cert generate writes a private key (0600) that cert inspect accepts', async () => {
    const key = join(fx.dir, 'gen-key.pem');
    const cert = join(fx.dir, 'gen-cert.pem');
    const generated = await runCli(
      ['cert', 'generate', '--key-type', 'rsa-3072', '--days', '365', '--out-key', key, '--out-cert', cert],
      {
        env: { HOME: fx.dir },
      },
    );
    expect(generated.code).toBe(0);
    expect(generated.stdout).toMatch(/algorithm\s+PS256/);
    expect(statSync(key).mode & 0o777).toBe(0o600);
    expectNoSecrets(generated, keyLines(readFileSync(key, 'utf8')));

    const inspected = await runCli(['cert', 'inspect', cert, '--key', key, '--json'], {
      env: { HOME: fx.dir },
    });
    expect(inspected.code).toBe(0);
    expect(JSON.parse(inspected.stdout)).toMatchObject({
      acceptedByNetSuite: true,
      matchesPrivateKey: true,
      expired: false,
      keySize: 3072,
    });

    const refused = await runCli(['cert', 'generate', '--out-key', key, '--out-cert', cert], {
      env: { HOME: fx.dir },
    });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('already exists');
    expect(existsSync(key)).toBe(true);

    // --force over a key file someone left world-readable: the new key is written 0600, never 0644.
    chmodSync(key, 0o644);
    const before = readFileSync(key, 'utf8');
    const forced = await runCli(['cert', 'generate', '--force', '--out-key', key, '--out-cert', cert], {
      env: { HOME: fx.dir },
    });
    expect(forced.code).toBe(0);
    expect(readFileSync(key, 'utf8')).not.toBe(before);
    expect(statSync(key).mode & 0o777).toBe(0o600);

    const mismatch = await runCli(['cert', 'inspect', fx.certFile, '--key', key], { env: { HOME: fx.dir } });
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr).toContain('the certificate does not belong to this private key');
  });
});

describe('--verbose', () => {
  it('prints one line per NetSuite call and token acquisition on stderr, stdout unchanged, no secret', async () => {
    const quiet = await runCli(['record', 'list', 'customer', '--limit', '1', '--csv'], { env: fx.env });
    const listed = await runCli(['record', 'list', 'customer', '--limit', '1', '--csv', '--verbose'], {
      env: fx.env,
    });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toBe(quiet.stdout);
    const id = listed.stdout.trim().split('\r\n')[1] ?? '';
    expect(id).toMatch(/^\d+$/);
    expect(listed.stderr).toMatch(/^netsuite GET record\/v1\/customer -> 200 in \d+ ms$/m);

    const missing = await runCli(['record', 'get', 'customer', `9${id}99`, '-v'], { env: fx.env });
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(
      /^netsuite GET record\/v1\/customer\/\{id\} -> 404 ERR_RECORD_API in \d+ ms$/m,
    );
    expectNoSecrets(listed, secrets());
    expectNoSecrets(missing, secrets());
  });

  it('shows a token acquisition from the endpoint when the store has none', async () => {
    const fresh = await runCli(['token', '--verbose', '--store', 'memory'], { env: fx.env });
    expect(fresh.code).toBe(0);
    expect(fresh.stderr).toMatch(/^netsuite token client_credentials -> from endpoint in \d+ ms$/m);
    expectNoSecrets(fresh, secrets());
  });
});
