import { readFileSync } from 'node:fs';
import { ENVIRONMENT, parseServerEnv } from './config.js';
import { isServerError } from './errors.js';
import { startServer } from './server.js';
import { createStoreFromConfig } from './store-setup.js';

// The entry point: the only place that reads process.env and files; everything else takes options.
async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write('netsuite-oauth demo server\n\nEnvironment variables:\n');
    for (const [name, text] of Object.entries(ENVIRONMENT))
      process.stdout.write(`  ${name.padEnd(31)} ${text}\n`);
    return;
  }
  const config = parseServerEnv(process.env);
  for (const warning of config.warnings) process.stderr.write(`${warning}\n`);
  const created = await createStoreFromConfig(config.store);
  const netsuite = config.netsuite && {
    accountId: config.netsuite.accountId,
    clientId: config.netsuite.clientId,
    clientSecret: config.netsuite.clientSecret,
    origin: config.netsuite.origin,
    allowInsecureLoopback: config.netsuite.allowInsecureLoopback,
    scopes: config.netsuite.scopes,
    m2m: config.netsuite.m2m && {
      clientId: config.netsuite.m2m.clientId,
      certificateId: config.netsuite.m2m.certificateId,
      privateKeyPem: readFileSync(config.netsuite.m2m.privateKeyFile, 'utf8'),
    },
  };
  const server = await startServer({
    store: created.store,
    port: config.port,
    host: config.host,
    publicOrigin: config.publicOrigin,
    behindTlsProxy: config.behindTlsProxy,
    tls: config.tls && {
      key: readFileSync(config.tls.keyFile, 'utf8'),
      cert: readFileSync(config.tls.certFile, 'utf8'),
    },
    netsuite,
    sessionTtlMs: config.sessionTtlMs,
    log: (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`),
  });
  process.stdout.write(`\nNetSuite OAuth demo server: ${server.url}\n`);
  process.stdout.write(`  redirect URI: ${server.redirectUri}\n`);
  process.stdout.write(`  token store:  ${created.description}\n`);
  if (server.emulator && server.demoLogin) {
    process.stdout.write(
      `  NetSuite:     built-in emulator at ${server.emulator.url} (NETSUITE_ACCOUNT_ID is unset)\n`,
    );
    process.stdout.write(
      `  log in with:  ${server.demoLogin.email} / ${server.demoLogin.password} (emulator only)\n`,
    );
  } else {
    process.stdout.write(
      `  NetSuite:     account ${netsuite?.accountId}${netsuite?.origin ? ` at ${netsuite.origin}` : ''}\n`,
    );
    process.stdout.write(`  settings:     ${config.netsuiteFrom.join(', ')} from the environment\n`);
    process.stdout.write(`                (the integration must list the redirect URI above)\n`);
  }
  process.stdout.write('Press Ctrl+C to stop.\n\n');
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void server
      .close()
      .then(() => created.close())
      .finally(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  const message = isServerError(error)
    ? `${error.code}: ${error.message}`
    : error instanceof Error
      ? `${error.name}: ${error.message}`
      : 'unknown error';
  process.stderr.write(`could not start the demo server: ${message}\n`);
  process.exit(1);
});
