import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headlessLogin } from '../src/form-login.js';
import { type CliResult, expectNoSecrets, runCli } from './run-cli.js';
import { createFixture, type Fixture, REDIRECT_URI } from './setup-emulator.js';

let fx: Fixture;

beforeAll(async () => {
  fx = await createFixture();
});
afterAll(async () => {
  await fx?.close();
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Registers a loopback redirect URI on a free port next to the https one. */
async function loopbackUri(host = '127.0.0.1'): Promise<string> {
  const uri = `http://${host}:${await freePort()}/netsuite-oauth/callback`;
  await fx.emu.admin.updateIntegration(fx.clientId, { redirectUris: [REDIRECT_URI, uri] });
  return uri;
}

interface BrowserStep {
  /** The page the CLI's listener served at the end. */
  page?: { status: number; text: string };
  error?: unknown;
}

/**
 * Runs `login` with a loopback redirect URI and plays the browser with plain HTTP: it signs in on the emulator's
 * form, then follows NetSuite's redirect to the CLI's listener (optionally sending `before` requests first).
 */
async function loopbackLogin(
  redirectUri: string,
  options: {
    args?: readonly string[];
    decision?: 'allow' | 'deny';
    before?: (callback: URL) => Promise<void>;
    mangle?: (callback: URL) => void;
  } = {},
): Promise<{ result: CliResult; browser: BrowserStep }> {
  const browser: BrowserStep = {};
  let started = false;
  const result = await runCli(
    ['login', '--no-browser', '--redirect-uri', redirectUri, ...(options.args ?? [])],
    {
      env: fx.env,
      onStderr: (stderr) => {
        const url = /(http:\/\/127\.0\.0\.1:\d+\/app\/login\/oauth2\/authorize\.nl\?\S+)/.exec(stderr)?.[1];
        if (!url || started || !stderr.includes('Waiting for NetSuite')) return;
        started = true;
        (async () => {
          const callback = new URL(
            await headlessLogin({
              url,
              redirectUri,
              email: 'admin@example.com',
              password: 'emulator-password',
              decision: options.decision ?? 'allow',
            }),
          );
          await options.before?.(callback);
          options.mangle?.(callback);
          const response = await fetch(callback);
          browser.page = { status: response.status, text: await response.text() };
        })().catch((error: unknown) => {
          browser.error = error;
        });
      },
    },
  );
  return { result, browser };
}

function secrets(): string[] {
  return [fx.clientSecret];
}

describe('login with a loopback redirect URI', () => {
  it('listens on it, finishes by itself and shows "you can close this tab"', async () => {
    const uri = await loopbackUri();
    const { result, browser } = await loopbackLogin(uri, { args: ['--json'] });
    expect(browser.error).toBeUndefined();
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`Waiting for NetSuite to redirect to ${uri}`);
    expect(result.stderr).not.toContain('paste');
    const session = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(session).toMatchObject({ loggedIn: true, account: fx.emu.accountId });
    expect(browser.page?.status).toBe(200);
    expect(browser.page?.text).toContain('Signed in to NetSuite');
    expect(browser.page?.text).toContain('You can close this tab');
    // The session is in the store: refresh works from it.
    const refreshed = await runCli(['refresh', '--json'], { env: fx.env });
    expect(refreshed.code).toBe(0);
    expectNoSecrets(result, secrets());
    // The listener is gone once the login is done.
    await expect(fetch(uri)).rejects.toThrow();
  });

  it("ignores a request without this login's state (error page, keeps waiting), then completes", async () => {
    const uri = await loopbackUri();
    let forged: { status: number; text: string } | undefined;
    const { result, browser } = await loopbackLogin(uri, {
      before: async (callback) => {
        const bad = new URL(callback);
        bad.searchParams.set('state', 'A'.repeat(43));
        bad.searchParams.set('code', 'stolen-code-123');
        const response = await fetch(bad);
        forged = { status: response.status, text: await response.text() };
      },
    });
    expect(forged?.status).toBe(400);
    expect(forged?.text).toContain('Not this sign-in');
    expect(result.stderr).toContain('ignored a request without this login\u2019s state; still waiting');
    expect(result.code).toBe(0);
    expect(browser.page?.text).toContain('You can close this tab');
  });

  it('refuses consent: exit 4 and a clear error page in the browser', async () => {
    const uri = await loopbackUri();
    const { result, browser } = await loopbackLogin(uri, { args: ['--prompt', 'consent'], decision: 'deny' });
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/^error: the authorization was refused: access_denied$/m);
    expect(browser.page?.status).toBe(400);
    expect(browser.page?.text).toContain('Sign-in failed');
    expect(browser.page?.text).toContain('access_denied');
    expect(browser.page?.text).not.toContain('You can close this tab and return');
  });

  it('checks iss as the paste path does: another issuer is refused and its code never exchanged', async () => {
    const uri = await loopbackUri();
    let tokenBefore = 0;
    const { result, browser } = await loopbackLogin(uri, {
      before: async () => {
        tokenBefore = (await fx.emu.admin.counters()).token;
      },
      mangle: (callback) => callback.searchParams.set('iss', 'https://evil.example'),
    });
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/^error: callback iss does not match the expected issuer$/m);
    expect(browser.page?.status).toBe(400);
    expect(browser.page?.text).toContain('callback iss does not match');
    expect((await fx.emu.admin.counters()).token).toBe(tokenBefore);
  });

  it('works with localhost as the host', async () => {
    const uri = await loopbackUri('localhost');
    const { result, browser } = await loopbackLogin(uri);
    expect(browser.error).toBeUndefined();
    expect(result.code).toBe(0);
    expect(browser.page?.text).toContain('You can close this tab');
  });

  it('says plainly when the port is taken (exit 3), before printing a URL', async () => {
    const uri = await loopbackUri();
    const port = Number(new URL(uri).port);
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      const result = await runCli(['login', '--no-browser', '--redirect-uri', uri], {
        env: fx.env,
        input: '',
      });
      expect(result.code).toBe(3);
      expect(result.stderr).toMatch(
        new RegExp(
          `^error: cannot listen on the redirect URI: port ${port} on 127\\.0\\.0\\.1 is in use$`,
          'm',
        ),
      );
      expect(result.stderr).toMatch(/^hint: another login \(or program\) is using that port/m);
      expect(result.stderr).not.toContain('authorize.nl');
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});
