import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '@netsuite-oauth/emulator';
import { generateCertificate } from '@netsuite-oauth/jwt-assertion';
import { headlessLogin } from '../src/form-login.js';
import { type CliResult, runCli } from './run-cli.js';

export const REDIRECT_URI = 'https://localhost/netsuite-oauth/callback';

export type Emulator = Awaited<ReturnType<typeof startEmulator>>;

/** An emulator with one integration (both grants) and a mapped certificate, plus the files and env the CLI needs. */
export interface Fixture {
  readonly emu: Emulator;
  readonly dir: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly certificateId: string;
  readonly privateKeyPem: string;
  readonly keyFile: string;
  readonly certFile: string;
  /** Environment for the CLI: emulator origin, credentials, HOME in a temporary folder. */
  readonly env: Record<string, string>;
  close(): Promise<void>;
}

/** Starts an emulator and registers a client for the CLI. */
export async function createFixture(options: { validityDays?: number } = {}): Promise<Fixture> {
  const emu = await startEmulator({ port: 0 });
  const dir = mkdtempSync(join(tmpdir(), 'cli-int-'));
  const cert = await generateCertificate({ keyType: 'ec-p256', validityDays: options.validityDays ?? 30 });
  const integration = await emu.admin.createIntegration({
    name: 'cli tests',
    grants: ['client_credentials', 'authorization_code'],
    redirectUris: [REDIRECT_URI],
    scopes: ['rest_webservices', 'restlets'],
  });
  const { certificateId } = await emu.admin.addCertificate({
    clientId: integration.clientId,
    certificatePem: cert.certificatePem,
  });
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  writeFileSync(keyFile, cert.privateKeyPem);
  chmodSync(keyFile, 0o600);
  writeFileSync(certFile, cert.certificatePem);
  const clientSecret = integration.clientSecret ?? '';
  return {
    emu,
    dir,
    clientId: integration.clientId,
    clientSecret,
    certificateId,
    privateKeyPem: cert.privateKeyPem,
    keyFile,
    certFile,
    env: {
      HOME: dir,
      NETSUITE_ORIGIN: emu.url,
      NETSUITE_ACCOUNT_ID: emu.accountId,
      NETSUITE_CLIENT_ID: integration.clientId,
      NETSUITE_CERTIFICATE_ID: certificateId,
      NETSUITE_PRIVATE_KEY_FILE: keyFile,
      NETSUITE_CLIENT_SECRET: clientSecret,
      NETSUITE_REDIRECT_URI: REDIRECT_URI,
    },
    async close() {
      await emu.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The lines of a private key PEM body: none of them may reach the screen. */
export function keyLines(pem: string): string[] {
  return pem.split('\n').filter((l) => l.length > 16 && !l.startsWith('-----'));
}

/**
 * Runs `login --no-browser` as a user would: reads the URL it prints, signs in on the emulator's form
 * (plain fetch), and pastes the redirected URL back on stdin.
 */
export async function loginWithCli(
  env: Record<string, string>,
  args: readonly string[] = [],
  decision: 'allow' | 'deny' = 'allow',
  /** Changes the redirected URL before it is pasted (a tampered callback). */
  mangle: (callbackUrl: string) => string = (url) => url,
): Promise<{ result: CliResult; loginError: unknown }> {
  let pasted = false;
  let loginError: unknown;
  const result = await runCli(['login', '--no-browser', ...args], {
    env,
    onStderr: (stderr, write) => {
      const url = /(http:\/\/127\.0\.0\.1:\d+\/app\/login\/oauth2\/authorize\.nl\?\S+)/.exec(stderr)?.[1];
      if (!url || pasted || !stderr.includes('paste')) return;
      pasted = true;
      headlessLogin({
        url,
        redirectUri: REDIRECT_URI,
        email: 'admin@example.com',
        password: 'emulator-password',
        decision,
      })
        .then((callback) => write(`${mangle(callback)}\n`))
        .catch((error: unknown) => {
          loginError = error;
          write('\n');
        });
    },
  });
  return { result, loginError };
}
