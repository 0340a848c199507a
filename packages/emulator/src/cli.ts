import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isLoopbackHost } from '@netsuite-oauth/core';
import { generateTestCertificate } from './certificate.js';
import { EmulatorError } from './errors.js';
import { DEFAULT_USER_EMAIL, DEFAULT_USER_PASSWORD, type Emulator, startEmulator } from './server.js';

const HELP = `netsuite-emulator: a local NetSuite (OAuth 2.0, REST Record API, SuiteQL, RESTlets)

Usage: netsuite-emulator [options]

  --port <n>             port to listen on (default 4010; 0 = any free port)
  --host <addr>          address to bind (default 127.0.0.1)
  --account <id>         account id, e.g. 1234567_SB1 (default); repeat it for more
                         accounts, each on the next port (or any free port with
                         --port 0), with its own ready-made integration
  --redirect-uri <uri>   redirect URI of the ready-made integration (repeatable; default
                         http://127.0.0.1:3000/callback (the demo server),
                         http://127.0.0.1:52300/netsuite-oauth/callback (the CLI's
                         login, which listens there) and
                         https://localhost/netsuite-oauth/callback (its paste-back form))
  --seed-customers <n>   customers to seed (default 30; other types keep their defaults)
  --no-seed              seed no records (the login user is still created)
  --concurrency <n>      account concurrency limit (default 5)
  --request-ms <n>       cost model: ms each request holds its slot (default 0)
  --record-ms <n>        cost model: ms per record read or written, also inside
                         async jobs and batches (default 0)
  --admin-token <value>  require X-Emulator-Admin-Token on the /_emulator admin API
                         (without it, the admin API answers only to a loopback Host)
  --env-file <file>      write the setup as shell exports to <file> (mode 0600; the
                         key and certificate beside it) instead of printing the
                         client secret and private key; source it in another shell
  --json                 print the setup as one JSON line
  -h, --help             show this help
`;

/** What {@link startFromArgs} did: started an emulator (and the text to print), or only produced help. */
export type CliStart =
  | { readonly emulator: Emulator; readonly output: string; readonly warnings: readonly string[] }
  | { readonly emulator?: undefined; readonly output: string; readonly warnings: readonly string[] };

/**
 * The `netsuite-emulator` command without the process around it: parses flags, starts an emulator with a
 * ready-made integration and returns what to print. The bin adds signal handling; the repository's CLI
 * (`pnpm nso emulator`) runs the same function with the same flags, writing `--env-file` by default.
 *
 * @example
 * const { emulator, output } = await startFromArgs(['--port', '0', '--json']);
 * @throws {EmulatorError} or `TypeError` (from node:util parseArgs) for bad flags.
 */
export async function startFromArgs(argv: readonly string[]): Promise<CliStart> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      port: { type: 'string', default: '4010' },
      host: { type: 'string', default: '127.0.0.1' },
      account: { type: 'string', multiple: true },
      'redirect-uri': { type: 'string', multiple: true },
      'seed-customers': { type: 'string' },
      'no-seed': { type: 'boolean', default: false },
      concurrency: { type: 'string' },
      'request-ms': { type: 'string' },
      'record-ms': { type: 'string' },
      'admin-token': { type: 'string' },
      'env-file': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return { output: HELP, warnings: [] };
  const int = (raw: string | undefined, name: string): number | undefined => {
    if (raw === undefined) return undefined;
    if (!/^\d+$/.test(raw))
      throw new EmulatorError('ERR_EMULATOR_INVALID_OPTION', `--${name} must be a whole number`);
    return Number(raw);
  };
  const customers = int(values['seed-customers'], 'seed-customers');
  const concurrency = int(values.concurrency, 'concurrency');
  const requestMs = int(values['request-ms'], 'request-ms');
  const recordMs = int(values['record-ms'], 'record-ms');
  const [accountId = '1234567_SB1', ...others] = values.account ?? [];
  const port = int(values.port, 'port') ?? 4010;
  const emu = await startEmulator({
    port,
    host: values.host,
    accountId,
    accounts: others.map((id, i) => ({ accountId: id, port: port === 0 ? 0 : port + i + 1 })),
    seed: values['no-seed'] ? false : customers === undefined ? {} : { customers },
    concurrencyLimit: concurrency,
    adminToken: values['admin-token'],
    costModel: {
      ...(requestMs === undefined ? {} : { requestMs }),
      ...(recordMs === undefined ? {} : { recordMs }),
    },
  });
  const warnings: string[] = [];
  if (!isLoopbackHost(values.host) && values['admin-token'] === undefined) {
    warnings.push(
      `warning: --host ${values.host} is not a loopback address and no --admin-token is set: the test credentials and data are reachable from the network, and the admin API answers only to a loopback Host until --admin-token is set`,
    );
  }
  const redirectUris = values['redirect-uri'] ?? [...DEFAULT_REDIRECT_URIS];
  const cert = generateTestCertificate({ keyType: 'ec-p256' });
  const ready = await Promise.all(
    emu.accounts.map(async (account) => {
      const made = await account.admin.createIntegration({ name: 'Ready-made integration', redirectUris });
      const { certificateId } = await account.admin.addCertificate({
        clientId: made.clientId,
        certificatePem: cert.certificatePem,
      });
      return { account, integration: made, certificateId };
    }),
  );
  const { integration, certificateId } = ready[0] as (typeof ready)[number];
  // Every account maps the same test key; each has its own integration and certificate id.
  const more = ready.slice(1).map((r) => ({
    accountId: r.account.accountId,
    url: r.account.url,
    tokenUrl: r.account.endpoints.tokenUrl,
    clientId: r.integration.clientId,
    clientSecret: r.integration.clientSecret,
    certificateId: r.certificateId,
  }));
  const setup = {
    url: emu.url,
    accountId: emu.accountId,
    tokenUrl: emu.endpoints.tokenUrl,
    authorizeUrl: emu.endpoints.authorizeUrl,
    clientId: integration.clientId,
    clientSecret: integration.clientSecret,
    redirectUris,
    certificateId,
    algorithm: cert.algorithm,
    privateKeyPem: cert.privateKeyPem,
    user: { email: DEFAULT_USER_EMAIL, password: DEFAULT_USER_PASSWORD },
    ...(more.length > 0 ? { accounts: more } : {}),
  };
  const envFile = values['env-file'];
  if (envFile !== undefined) {
    const files = writeEnvFile(resolve(envFile), setup, cert.certificatePem);
    const { clientSecret: _secret, privateKeyPem: _key, ...shown } = setup;
    if (values.json) {
      return { emulator: emu, output: `${JSON.stringify({ ...shown, ...files })}\n`, warnings };
    }
    return {
      emulator: emu,
      warnings,
      output: [
        `NetSuite emulator listening on ${emu.url} (account ${emu.accountId})`,
        `  token URL      ${emu.endpoints.tokenUrl}`,
        `  login user     ${DEFAULT_USER_EMAIL} / ${DEFAULT_USER_PASSWORD}`,
        `Ready-made integration: its settings, client secret and key are in ${files.envFile} (mode 0600).`,
        `In another shell:  . ${shellQuote(files.envFile)}`,
        '',
      ].join('\n'),
    };
  }
  if (values.json) return { emulator: emu, output: `${JSON.stringify(setup)}\n`, warnings };
  return {
    emulator: emu,
    warnings,
    output: [
      `NetSuite emulator listening on ${emu.url} (account ${emu.accountId})`,
      `  admin API      ${emu.endpoints.adminUrl}`,
      `  token URL      ${emu.endpoints.tokenUrl}`,
      `  authorize URL  ${emu.endpoints.authorizeUrl}`,
      'Ready-made integration (test credentials, this process only):',
      `  client id      ${integration.clientId}`,
      `  client secret  ${integration.clientSecret}`,
      `  redirect URIs  ${redirectUris.join(' ')}`,
      `  certificate id ${certificateId} (sign assertions with ${cert.algorithm} and the key below)`,
      `  login user     ${DEFAULT_USER_EMAIL} / ${DEFAULT_USER_PASSWORD}`,
      ...more.flatMap((m) => [
        `Account ${m.accountId} on ${m.url} (same key and login user):`,
        `  client id      ${m.clientId}`,
        `  client secret  ${m.clientSecret}`,
        `  certificate id ${m.certificateId}`,
      ]),
      cert.privateKeyPem.trimEnd(),
      'Press Ctrl+C to stop.',
      '',
    ].join('\n'),
  };
}

/** The ready-made integration's redirect URIs: the demo server's, the CLI login's loopback one and its paste-back one. */
const DEFAULT_REDIRECT_URIS = [
  'http://127.0.0.1:3000/callback',
  'http://127.0.0.1:52300/netsuite-oauth/callback',
  'https://localhost/netsuite-oauth/callback',
];

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, "'\\''")}'`;
}

/**
 * Writes the setup as `export NETSUITE_…=` lines (what the CLI reads) to `envFile`, mode 0600, with the key
 * (0600) and certificate beside it: the secret and key go to files, never to the terminal.
 */
function writeEnvFile(
  envFile: string,
  setup: {
    url: string;
    accountId: string;
    clientId: string;
    clientSecret?: string | undefined;
    certificateId: string;
    privateKeyPem: string;
    redirectUris: readonly string[];
  },
  certificatePem: string,
): { envFile: string; keyFile: string; certificateFile: string; settings: Record<string, string> } {
  const dir = dirname(envFile);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const keyFile = join(dir, 'emulator-key.pem');
  const certificateFile = join(dir, 'emulator-cert.pem');
  writeFileSync(keyFile, setup.privateKeyPem, { mode: 0o600 });
  chmodSync(keyFile, 0o600);
  writeFileSync(certificateFile, certificatePem);
  // The CLI login's URI: its own callback path (the loopback one first), else one that is not http.
  const redirectUri =
    setup.redirectUris.find((u) => u.endsWith('/netsuite-oauth/callback')) ??
    setup.redirectUris.find((u) => !u.startsWith('http://')) ??
    setup.redirectUris[0] ??
    '';
  const settings: Record<string, string> = {
    NETSUITE_ORIGIN: setup.url,
    NETSUITE_ACCOUNT_ID: setup.accountId,
    NETSUITE_CLIENT_ID: setup.clientId,
    NETSUITE_CERTIFICATE_ID: setup.certificateId,
    NETSUITE_PRIVATE_KEY_FILE: keyFile,
    NETSUITE_CERTIFICATE_FILE: certificateFile,
    NETSUITE_REDIRECT_URI: redirectUri,
  };
  const lines = Object.entries(settings).map(([k, v]) => `export ${k}=${shellQuote(v)}`);
  lines.push(`export NETSUITE_CLIENT_SECRET=${shellQuote(setup.clientSecret ?? '')}`);
  writeFileSync(envFile, `${lines.join('\n')}\n`, { mode: 0o600 });
  chmodSync(envFile, 0o600);
  return { envFile, keyFile, certificateFile, settings };
}
