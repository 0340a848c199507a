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
  --redirect-uri <uri>   redirect URI of the ready-made integration (repeatable;
                         default http://127.0.0.1:3000/callback)
  --seed-customers <n>   customers to seed (default 30; other types keep their defaults)
  --no-seed              seed no records (the login user is still created)
  --concurrency <n>      account concurrency limit (default 5)
  --request-ms <n>       cost model: ms each request holds its slot (default 0)
  --record-ms <n>        cost model: ms per record read or written, also inside
                         async jobs and batches (default 0)
  --admin-token <value>  require X-Emulator-Admin-Token on the /_emulator admin API
                         (without it, the admin API answers only to a loopback Host)
  --json                 print the setup as one JSON line
  -h, --help             show this help
`;

/** What {@link startFromArgs} did: started an emulator (and the text to print), or only produced help. */
export type CliStart =
  | { readonly emulator: Emulator; readonly output: string; readonly warnings: readonly string[] }
  | { readonly emulator?: undefined; readonly output: string; readonly warnings: readonly string[] };

/**
 * The `netsuite-emulator` command without the process around it: parses flags, starts an emulator with a
 * ready-made integration and returns what to print. The bin adds signal handling.
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
    ...(concurrency === undefined ? {} : { concurrencyLimit: concurrency }),
    ...(values['admin-token'] === undefined ? {} : { adminToken: values['admin-token'] }),
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
  const redirectUris = values['redirect-uri'] ?? ['http://127.0.0.1:3000/callback'];
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
