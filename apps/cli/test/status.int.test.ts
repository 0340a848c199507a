import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoSecrets, runCli } from './run-cli.js';
import { createFixture, type Fixture, loginWithCli } from './setup-emulator.js';

let fx: Fixture;

beforeAll(async () => {
  fx = await createFixture();
});
afterAll(async () => {
  await fx?.close();
});

describe('status / whoami', () => {
  it('names the role and entity of client credentials and of the login session, with token expiry', async () => {
    const before = await runCli(['status'], { env: fx.env });
    expect(before.code).toBe(0);
    expect(before.stdout).toContain(`account   ${fx.emu.accountId}`);
    expect(before.stdout).toMatch(
      /^client credentials\n {2}role {11}NetSuite OAuth Integration \(1000\)\n {2}entity {9}Emulator Administrator \(\d+\)\n/m,
    );
    expect(before.stdout).toMatch(/^ {2}access token {3}expires in (59m|1h 0m).* \(new\)$/m);
    expect(before.stdout).toContain('login session  none (run "pnpm nso login")');

    const { result: login } = await loginWithCli(fx.env);
    expect(login.code).toBe(0);
    const after = await runCli(['whoami', '--json'], { env: fx.env });
    expect(after.code).toBe(0);
    const report = JSON.parse(after.stdout) as Record<string, Record<string, unknown>>;
    expect(report.clientCredentials).toMatchObject({
      ok: true,
      cached: true,
      role: { id: '1000', name: 'NetSuite OAuth Integration' },
      entity: { name: 'Emulator Administrator' },
      scopes: ['rest_webservices', 'restlets'],
    });
    expect(report.session).toMatchObject({
      ok: true,
      role: { id: '1000', name: 'NetSuite OAuth Integration' },
      entity: { name: 'Emulator Administrator' },
      refreshTokenExpiresIn: expect.stringMatching(/^6d 23h|7d 0h$/),
    });
    expectNoSecrets(after, [fx.clientSecret]);
  });

  it('shows a failing credential as an error line and exits with its code', async () => {
    const result = await runCli(['status'], {
      env: { ...fx.env, NETSUITE_CERTIFICATE_ID: 'no-such-certificate' },
    });
    expect(result.code).toBe(4);
    expect(result.stdout).toMatch(
      /^client credentials {2}error: token endpoint refused the request: invalid_grant/m,
    );
    expect(result.stdout).toContain(`account   ${fx.emu.accountId}`);
  });
});
