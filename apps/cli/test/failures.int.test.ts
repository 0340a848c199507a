import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateCertificate } from '@netsuite-oauth/jwt-assertion';
import { freePort } from '@netsuite-oauth/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoSecrets, runCli } from './run-cli.js';
import { createFixture, type Fixture, keyLines, loginWithCli } from './setup-emulator.js';

const ESC = '\u001b[';

let fx: Fixture;
let otherKeyPem: string;
const secrets = () => [fx.clientSecret, ...keyLines(fx.privateKeyPem), ...keyLines(otherKeyPem)];

beforeAll(async () => {
  fx = await createFixture();
  otherKeyPem = (await generateCertificate({ keyType: 'ec-p256' })).privateKeyPem;
});
afterAll(async () => {
  await fx?.close();
});

/** One error line, one hint line, nothing on stdout. */
function expectOneLineError(
  result: { code: number | null; stdout: string; stderr: string },
  code: number,
  message: RegExp,
) {
  expect(result.code).toBe(code);
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines[0]).toMatch(message);
  expect(lines[0]).toMatch(/^error: /);
  expect(lines.length).toBeLessThanOrEqual(2);
  if (lines[1] !== undefined) expect(lines[1]).toMatch(/^hint: /);
  expect(result.stdout).toBe('');
}

describe('bad input: clear message, non-zero exit, no secret on screen', () => {
  it('missing configuration → exit 3 with what to set', async () => {
    const noAccount = await runCli(['token'], { env: { HOME: fx.dir } });
    expectOneLineError(noAccount, 3, /missing account id/);
    expect(noAccount.stderr).toContain('NETSUITE_ACCOUNT_ID');

    const noCert = await runCli(['token'], { env: { ...fx.env, NETSUITE_CERTIFICATE_ID: '' } });
    expectOneLineError(noCert, 3, /missing certificate id/);

    const noKeyFile = await runCli(['token', '--fresh'], {
      env: { ...fx.env, NETSUITE_PRIVATE_KEY_FILE: join(fx.dir, 'nope.pem') },
    });
    expectOneLineError(noKeyFile, 3, /cannot read private key file/);

    const badAccount = await runCli(['token', '--account', 'not an account'], { env: fx.env });
    expectOneLineError(badAccount, 3, /accountId must look like/);

    const missingProfile = await runCli(['token', '--profile', 'prod'], { env: fx.env });
    expectOneLineError(missingProfile, 3, /profile "prod" not found/);
  });

  it('a wrong account id is refused by the emulator even with --origin: token exit 4, doctor fails, login refused', async () => {
    const env = { ...fx.env, NETSUITE_ACCOUNT_ID: '7654321' };
    const token = await runCli(['token', '--fresh', '--store', 'memory'], { env });
    expectOneLineError(token, 4, /token endpoint refused the request/);
    const doctor = await runCli(['doctor', '--store', 'memory'], { env });
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toMatch(/✗ token request/);
    expect(doctor.stdout).not.toContain('no problems found');
    const { result } = await loginWithCli({ ...env, HOME: join(fx.dir, 'wrong-account-home') });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(
      `error: you signed in to account ${fx.emu.accountId}, but the configured account is 7654321`,
    );
    expectNoSecrets(doctor, secrets());
  });

  it("wrong key → exit 4, the token endpoint's refusal explained", async () => {
    const wrongKey = join(fx.dir, 'wrong-key.pem');
    writeFileSync(wrongKey, otherKeyPem, { mode: 0o600 });
    const result = await runCli(['token', '--fresh', '--key', wrongKey], { env: fx.env });
    expectOneLineError(result, 4, /token endpoint refused the request: invalid_grant/);
    expect(result.stderr).toContain('the key does not match it');
    expectNoSecrets(result, secrets());

    const doctor = await runCli(['doctor', '--key', wrongKey, '--cert', fx.certFile], { env: fx.env });
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toMatch(/✗ certificate\s+does not match the private key/);
    expectNoSecrets(doctor, secrets());
  });

  it('doctor explains a refused token request, the most likely cause first', async () => {
    const env = { ...fx.env, NETSUITE_CERTIFICATE_ID: 'Zm9yZ2VkLWNlcnRpZmljYXRlLWlkLW5vdC1tYXBwZWQ' };
    const result = await runCli(['doctor'], { env });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/✗ token request\s+token endpoint refused the request: invalid_grant/);
    // One short line, the certificate id first; the clock passed its check above, so it is not named (the key
    // could not be checked against a certificate here, so it is).
    const hint = /✗ token request[^\n]*\n\s+(.*)$/m.exec(result.stdout)?.[1] ?? '';
    expect(hint).toBe(
      `most likely certificate id Zm9yZ2VkLWNlcnRpZmljYXRlLWlkLW5vdC1tYXBwZWQ is not an active certificate of account ${fx.emu.accountId} (revoked, expired, or from another account or sandbox); else the key does not belong to that certificate. The Login Audit Trail names the reason.`,
    );
    expectNoSecrets(result, secrets());
    const json = JSON.parse((await runCli(['doctor', '--json'], { env })).stdout) as {
      ok: boolean;
      checks: { check: string; status: string; hint?: string }[];
    };
    expect(json.ok).toBe(false);
    expect(json.checks.find((c) => c.check === 'token request')).toMatchObject({ status: 'fail' });
  });

  it('a key that is not a key, or an RSA-2048 key → exit 3 / doctor explains', async () => {
    const junk = join(fx.dir, 'junk.pem');
    writeFileSync(junk, 'hello', { mode: 0o600 });
    const result = await runCli(['token', '--fresh', '--key', junk], { env: fx.env });
    expectOneLineError(result, 3, /not a PEM private key/);
  });

  it('expired certificate → cert inspect and doctor say so (exit 1)', async () => {
    const old = await generateCertificate({
      keyType: 'ec-p256',
      validityDays: 1,
      now: () => Date.now() - 3 * 86_400_000,
    });
    const certFile = join(fx.dir, 'expired.pem');
    const keyFile = join(fx.dir, 'expired-key.pem');
    writeFileSync(certFile, old.certificatePem);
    writeFileSync(keyFile, old.privateKeyPem, { mode: 0o600 });
    const inspect = await runCli(['cert', 'inspect', certFile, '--json'], { env: { HOME: fx.dir } });
    expect(inspect.code).toBe(1);
    expect(JSON.parse(inspect.stdout)).toMatchObject({ expired: true });
    const doctor = await runCli(['doctor', '--key', keyFile, '--cert', certFile], { env: fx.env });
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toMatch(/✗ certificate\s+expired on \d{4}-\d{2}-\d{2}/);
    expect(doctor.stdout).toMatch(/- token request\s+skipped/);
    expectNoSecrets(doctor, [...secrets(), ...keyLines(old.privateKeyPem)]);
  });

  it('certificate expired at the server → token refused, exit 4', async () => {
    const short = await createFixture({ validityDays: 1 });
    try {
      await short.emu.admin.advanceClock(2 * 86_400_000);
      const result = await runCli(['token', '--store', 'memory'], { env: short.env });
      expectOneLineError(result, 4, /token endpoint refused the request: invalid_grant/);
      expect(result.stderr).toContain('expired');
      expectNoSecrets(result, [short.clientSecret, ...keyLines(short.privateKeyPem)]);
    } finally {
      await short.close();
    }
  });

  it('revoked certificate → exit 4', async () => {
    const other = await createFixture();
    try {
      await other.emu.admin.revokeCertificate(other.certificateId);
      const result = await runCli(['token', '--store', 'memory'], { env: other.env });
      expectOneLineError(result, 4, /invalid_grant/);
    } finally {
      await other.close();
    }
  });

  it('unreachable host → exit 5, no stack trace', async () => {
    const port = await freePort();
    const env = { ...fx.env, NETSUITE_ORIGIN: `http://127.0.0.1:${port}` };
    const token = await runCli(['token', '--fresh', '--timeout', '5'], { env });
    expectOneLineError(token, 5, /cannot reach NetSuite: connection (refused|failed)/);
    const record = await runCli(['suiteql', 'SELECT id FROM customer', '--store', 'memory'], { env });
    expectOneLineError(record, 5, /cannot reach NetSuite/);
    const doctor = await runCli(['doctor'], { env });
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toMatch(/✗ token endpoint\s+cannot reach NetSuite: connection (refused|failed)/);
    for (const r of [token, record, doctor]) expectNoSecrets(r, secrets());
  });

  it('plain http to a non-loopback host is refused before any request', async () => {
    const result = await runCli(['token', '--origin', 'http://netsuite.example.com'], { env: fx.env });
    expectOneLineError(result, 3, /origin must use https/);
  });

  it('wrong client secret → login refused with invalid_client before the browser step, exit 4', async () => {
    const secretFile = join(fx.dir, 'wrong-secret');
    writeFileSync(secretFile, 'not-the-secret-0000', { mode: 0o600 });
    const { result, loginError } = await loginWithCli(fx.env, ['--client-secret-file', secretFile]);
    expect(loginError).toBeUndefined();
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(
      /^error: token endpoint refused the request: invalid_client \(HTTP 401\)$/m,
    );
    expect(result.stderr).toMatch(/^hint: .*client secret/m);
    // Checked before anyone signs in: no authorization URL was printed.
    expect(result.stderr).not.toContain('authorize.nl');
    expect(result.stdout).toBe('');
    expectNoSecrets(result, [...secrets(), 'not-the-secret-0000']);
  });

  it('consent denied in the browser → exit 4, said plainly', async () => {
    const { result, loginError } = await loginWithCli(fx.env, ['--prompt', 'consent'], 'deny');
    expect(loginError).toBeUndefined();
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/^error: the authorization was refused: access_denied$/m);
    expect(result.stderr).toMatch(/^hint: the user \(or the integration record policy\) refused/m);
    expectNoSecrets(result, secrets());
  });

  it('--debug adds the error chain, still without secrets', async () => {
    const wrongKey = join(fx.dir, 'wrong-key-debug.pem');
    writeFileSync(wrongKey, otherKeyPem, { mode: 0o600 });
    const result = await runCli(['token', '--fresh', '--key', wrongKey, '--debug'], { env: fx.env });
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/^debug: OAuthResponseError ERR_OAUTH_\w+ /m);
    expectNoSecrets(result, secrets());
  });

  it('bad JSON body, unknown record type and bad ids → exit 2', async () => {
    const json = await runCli(['record', 'create', 'customer', '--data', '{nope'], { env: fx.env });
    expectOneLineError(json, 2, /not valid JSON/);
    const id = await runCli(['record', 'get', 'customer', '1;DROP'], { env: fx.env });
    expectOneLineError(id, 2, /is not a record id/);
    const script = await runCli(['restlet', 'not-a-script', 'customdeploy_x', '--store', 'memory'], {
      env: fx.env,
    });
    expectOneLineError(script, 2, /script must be/);
    const query = await runCli(['suiteql', '   '], { env: fx.env });
    expectOneLineError(query, 2, /the query is empty/);
  });

  it('colours only when forced on a non-TTY, and never with NO_COLOR', async () => {
    const plain = await runCli(['token'], { env: { HOME: fx.dir } });
    expect(plain.stderr).not.toContain(ESC);
    const forced = await runCli(['token'], { env: { HOME: fx.dir, FORCE_COLOR: '1' } });
    expect(forced.stderr).toContain(`${ESC}31merror`);
    const noColor = await runCli(['token'], { env: { HOME: fx.dir, FORCE_COLOR: '1', NO_COLOR: '1' } });
    expect(noColor.stderr).not.toContain(ESC);
  });
});

describe('hostile input (files, sizes, names, links)', () => {
  it('refuses a private key or secret file others can read, and a config file others can write (as ssh does)', async () => {
    const loose = join(fx.dir, 'loose-key.pem');
    writeFileSync(loose, readFileSync(fx.keyFile));
    for (const mode of [0o640, 0o644, 0o604]) {
      chmodSync(loose, mode);
      const result = await runCli(['token', '--fresh'], {
        env: { ...fx.env, NETSUITE_PRIVATE_KEY_FILE: loose },
      });
      expectOneLineError(result, 3, /permissions 0\d+ for private key file .* are too open/);
      expect(result.stderr).toContain(`hint: chmod 600 ${loose}`);
      expectNoSecrets(result, secrets());
    }
    const secretFile = join(fx.dir, 'loose-secret.txt');
    writeFileSync(secretFile, fx.clientSecret, { mode: 0o644 });
    chmodSync(secretFile, 0o644);
    expectOneLineError(
      await runCli(['config', 'show', '--client-secret-file', secretFile], { env: fx.env }),
      3,
      /permissions 0644 for client secret file .* are too open/,
    );
    const config = join(fx.dir, 'writable-config.json');
    writeFileSync(config, JSON.stringify({ profiles: { default: { accountId: fx.emu.accountId } } }));
    for (const mode of [0o666, 0o646, 0o664]) {
      chmodSync(config, mode);
      expectOneLineError(
        await runCli(['config', 'show', '--config', config], { env: { HOME: fx.dir } }),
        3,
        /permissions 0\d+ for config file .* are too open/,
      );
    }
    chmodSync(config, 0o644);
    expect((await runCli(['config', 'show', '--config', config], { env: { HOME: fx.dir } })).code).toBe(0);
  });

  it('caps what it reads: --key /dev/zero and --data-file /dev/zero fail at once', async () => {
    const key = await runCli(['token', '--fresh', '--key', '/dev/zero'], { env: fx.env });
    expectOneLineError(key, 3, /private key file \/dev\/zero is larger than 64 KiB/);
    const body = await runCli(['record', 'create', 'customer', '--data-file', '/dev/zero'], { env: fx.env });
    expectOneLineError(body, 3, /--data-file \/dev\/zero is larger than 16 MiB/);
    const stdin = await runCli(['record', 'create', 'customer', '--data-file', '-'], {
      env: fx.env,
      input: ' '.repeat(16 * 1024 * 1024 + 1),
    });
    expectOneLineError(stdin, 3, /the body on stdin is larger than 16 MiB/);
  });

  it('takes no Object property as a profile name', async () => {
    for (const name of ['constructor', '__proto__', 'prototype', 'toString', 'hasOwnProperty']) {
      const result = await runCli(['token', '-p', name], { env: fx.env });
      expect(result.code, name).toBe(3);
      expect(result.stderr).toMatch(/^error: profile (name "[^"]+" is not allowed|"[^"]+" not found)/);
    }
    const config = join(fx.dir, 'proto-config.json');
    writeFileSync(config, '{"profiles":{"__proto__":{"accountId":"1234567"}}}');
    // A profile with such a name is refused when used, and listed as unusable; the default profile still works.
    expectOneLineError(
      await runCli(['config', 'show', '--config', config, '-p', '__proto__'], { env: { HOME: fx.dir } }),
      3,
      /profile name "__proto__" is not allowed/,
    );
    const list = await runCli(['config', 'list', '--config', config], { env: { HOME: fx.dir } });
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/__proto__ .*unusable: profile name "__proto__" in .* is not allowed/);
    expect((await runCli(['config', 'show', '--config', config], { env: { HOME: fx.dir } })).code).toBe(0);
  });

  it('cert generate never writes through a symbolic link, even with --force', async () => {
    const dir = join(fx.dir, 'links');
    mkdirSync(dir, { recursive: true });
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'do not overwrite me');
    const link = join(dir, 'key.pem');
    symlinkSync(victim, link);
    const result = await runCli(
      ['cert', 'generate', '--force', '--out-key', link, '--out-cert', join(dir, 'cert.pem')],
      { env: { HOME: fx.dir } },
    );
    expectOneLineError(result, 3, /key\.pem is a symbolic link/);
    expect(readFileSync(victim, 'utf8')).toBe('do not overwrite me');
  });

  it('an output path in a missing directory is a clear configuration error, not "unexpected error"', async () => {
    const missing = join(fx.dir, 'no-such-dir', 'key.pem');
    const result = await runCli(
      ['cert', 'generate', '--out-key', missing, '--out-cert', join(fx.dir, 'c.pem')],
      {
        env: { HOME: fx.dir },
      },
    );
    expectOneLineError(result, 3, /the directory .*no-such-dir does not exist/);
    expect(result.stderr).not.toContain('unexpected');
    const exported = await runCli(
      ['record', 'export', 'customer', '--out', join(fx.dir, 'no-such-dir', 'c.ndjson')],
      {
        env: fx.env,
      },
    );
    expectOneLineError(exported, 3, /the directory .*no-such-dir does not exist/);
  });
});
