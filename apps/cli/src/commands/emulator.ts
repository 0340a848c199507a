import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { configDirectory } from '../config.js';
import type { Context } from '../context.js';
import { usageError } from '../errors.js';

const REDIRECT_URI = 'https://localhost/netsuite-oauth/callback';

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, "'\\''")}'`;
}

/**
 * `emulator`: a local emulator with a registered integration, until Ctrl-C.
 *
 * @example
 * await run(ctx) // exit code
 */
export async function run(ctx: Context): Promise<number> {
  const portText = ctx.string('port');
  const port = portText === undefined ? 0 : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw usageError('--port must be a whole number from 0 to 65535');
  const dir = ctx.string('dir')
    ? resolve(ctx.io.cwd, ctx.string('dir') ?? '')
    : join(configDirectory(ctx.io.env), 'emulator');

  const [{ startEmulator }, { generateCertificate }] = await Promise.all([
    import('@netsuite-oauth/emulator'),
    import('@netsuite-oauth/jwt-assertion'),
  ]);
  const emu = await startEmulator({ port });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await emu.close();
  };
  ctx.defer(close);

  const cert = await generateCertificate({ keyType: 'ec-p256', commonName: 'netsuite-oauth emulator' });
  ctx.redactor.register(cert.privateKeyPem);
  const integration = await emu.admin.createIntegration({
    name: 'netsuite-oauth cli',
    grants: ['client_credentials', 'authorization_code'],
    redirectUris: [REDIRECT_URI],
    scopes: ['rest_webservices', 'restlets'],
  });
  ctx.redactor.register(integration.clientSecret);
  const { certificateId } = await emu.admin.addCertificate({
    clientId: integration.clientId,
    certificatePem: cert.certificatePem,
  });

  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const keyFile = join(dir, 'emulator-key.pem');
  const certFile = join(dir, 'emulator-cert.pem');
  const envFile = join(dir, 'emulator.env');
  writeFileSync(keyFile, cert.privateKeyPem, { mode: 0o600 });
  chmodSync(keyFile, 0o600);
  writeFileSync(certFile, cert.certificatePem);
  const settings: Record<string, string> = {
    NETSUITE_ORIGIN: emu.url,
    NETSUITE_ACCOUNT_ID: emu.accountId,
    NETSUITE_CLIENT_ID: integration.clientId,
    NETSUITE_CERTIFICATE_ID: certificateId,
    NETSUITE_PRIVATE_KEY_FILE: keyFile,
    NETSUITE_CERTIFICATE_FILE: certFile,
    NETSUITE_REDIRECT_URI: REDIRECT_URI,
  };
  const lines = Object.entries(settings).map(([k, v]) => `export ${k}=${shellQuote(v)}`);
  lines.push(`export NETSUITE_CLIENT_SECRET=${shellQuote(integration.clientSecret ?? '')}`);
  writeFileSync(envFile, `${lines.join('\n')}\n`, { mode: 0o600 });
  chmodSync(envFile, 0o600);

  if (ctx.format === 'json') {
    ctx.out(`${JSON.stringify({ url: emu.url, accountId: emu.accountId, envFile, settings })}\n`);
  } else {
    ctx.out(
      `NetSuite emulator on ${emu.url} (account ${emu.accountId})\n\n` +
        `In another shell:\n  . ${envFile}\n  pnpm nso doctor\n  pnpm nso suiteql "SELECT id, companyname FROM customer" --limit 5\n\n` +
        `login signs in as admin@example.com / emulator-password. Ctrl-C stops the emulator.\n`,
    );
  }
  await new Promise<void>((resolveStop) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolveStop();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await close();
  ctx.note('emulator stopped');
  return 0;
}
