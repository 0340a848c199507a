import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type CliStart, startFromArgs } from '../src/cli.js';
import { isEmulatorError } from '../src/index.js';
import { bearer, clientCredentialsToken } from './helpers.js';

let started: CliStart | undefined;
afterEach(async () => {
  await started?.emulator?.close();
  started = undefined;
});

describe('netsuite-emulator command', () => {
  it('prints help without starting anything', async () => {
    started = await startFromArgs(['--help']);
    expect(started.emulator).toBeUndefined();
    expect(started.output).toContain('Usage: netsuite-emulator');
  });

  it('prints a ready-made integration whose key and certificate id get a token', async () => {
    started = await startFromArgs([
      '--port',
      '0',
      '--account',
      '7654321_sb1',
      '--seed-customers',
      '3',
      '--json',
    ]);
    const setup = JSON.parse(started.output) as Record<string, string>;
    const emu = started.emulator!;
    expect(setup).toMatchObject({ url: emu.url, accountId: '7654321_SB1', tokenUrl: emu.endpoints.tokenUrl });
    const res = await clientCredentialsToken(emu, {
      clientId: setup.clientId ?? '',
      clientSecret: setup.clientSecret,
      certificateId: setup.certificateId ?? '',
      privateKeyPem: setup.privateKeyPem ?? '',
      algorithm: setup.algorithm ?? '',
    });
    const { access_token } = (await res.json()) as { access_token: string };
    const list = (await (
      await fetch(`${emu.endpoints.recordUrl}/customer`, { headers: bearer(access_token) })
    ).json()) as { totalResults: number };
    expect(list.totalResults).toBe(3);
  });

  it('starts one more account per repeated --account, each with a ready-made integration of its own', async () => {
    started = await startFromArgs([
      '--port',
      '0',
      '--account',
      '1111111',
      '--account',
      '2222222_SB1',
      '--json',
    ]);
    const setup = JSON.parse(started.output) as {
      privateKeyPem: string;
      algorithm: string;
      accounts: Array<{ accountId: string; url: string; clientId: string; certificateId: string }>;
    };
    const emu = started.emulator!;
    expect(emu.accounts.map((a) => a.accountId)).toEqual(['1111111', '2222222_SB1']);
    const second = setup.accounts[0]!;
    expect(second).toMatchObject({ accountId: '2222222_SB1', url: emu.accounts[1]?.url });
    const account = emu.account(second.accountId) as typeof emu;
    const res = await clientCredentialsToken(account, {
      clientId: second.clientId,
      clientSecret: undefined,
      certificateId: second.certificateId,
      privateKeyPem: setup.privateKeyPem,
      algorithm: setup.algorithm,
    });
    expect(res.status).toBe(200);
  });

  it('warns on a non-loopback bind without --admin-token, not with one, not on loopback', async () => {
    started = await startFromArgs(['--port', '0', '--no-seed', '--host', '0.0.0.0']);
    expect(started.warnings).toHaveLength(1);
    expect(started.warnings[0]).toMatch(
      /^warning: --host 0\.0\.0\.0 is not a loopback address .*--admin-token/,
    );
    await started.emulator?.close();
    started = await startFromArgs([
      '--port',
      '0',
      '--no-seed',
      '--host',
      '0.0.0.0',
      '--admin-token',
      'x'.repeat(24),
    ]);
    expect(started.warnings).toEqual([]);
    await started.emulator?.close();
    started = await startFromArgs(['--port', '0', '--no-seed']);
    expect(started.warnings).toEqual([]);
  });

  it('--env-file writes the settings (0600, key beside it) and prints neither the secret nor the key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emu-env-'));
    try {
      const envFile = join(dir, 'sub', 'emulator.env');
      started = await startFromArgs(['--port', '0', '--no-seed', '--env-file', envFile]);
      const text = readFileSync(envFile, 'utf8');
      const secret = /NETSUITE_CLIENT_SECRET='([^']+)'/.exec(text)?.[1] ?? 'missing';
      expect(statSync(envFile).mode & 0o077).toBe(0);
      expect(statSync(join(dir, 'sub', 'emulator-key.pem')).mode & 0o077).toBe(0);
      expect(text).toContain(`export NETSUITE_ORIGIN='${started.emulator?.url}'`);
      // The CLI's loopback login redirect URI is registered by default, next to the demo server's.
      expect(text).toContain("export NETSUITE_REDIRECT_URI='http://127.0.0.1:52300/netsuite-oauth/callback'");
      expect(started.output).not.toContain(secret);
      expect(started.output).not.toContain('PRIVATE KEY');
      expect(started.output).toContain(envFile);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prints a human summary by default', async () => {
    started = await startFromArgs(['--port', '0', '--no-seed', '--redirect-uri', 'myapp://cb']);
    expect(started.output).toMatch(
      /^NetSuite emulator listening on http:\/\/127\.0\.0\.1:\d+ \(account 1234567_SB1\)/,
    );
    expect(started.output).toContain('redirect URIs  myapp://cb');
    expect(started.output).toContain('BEGIN PRIVATE KEY');
  });

  it('sets the cost model from --request-ms and --record-ms', async () => {
    started = await startFromArgs(['--port', '0', '--no-seed', '--request-ms', '100', '--record-ms', '2']);
    expect(await started.emulator?.admin.costModel()).toMatchObject({
      requestMs: 100,
      recordMs: 2,
      jobHoldsSlot: true,
    });
  });

  it.each([
    [['--port', 'abc'], /--port must be a whole number/],
    [['--port', '0', '--record-ms', '1.5'], /--record-ms must be a whole number/],
    [['--bogus'], /Unknown option/],
    [['--account', 'bad acct', '--port', '0'], /accountId/],
  ])('refuses %j', async (argv, message) => {
    const error = await startFromArgs(argv).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(String((error as Error).message)).toMatch(message);
    if (argv[0] !== '--bogus') expect(isEmulatorError(error)).toBe(true);
  });
});
