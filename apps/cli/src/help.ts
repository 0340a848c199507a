import type { Colors } from './color.js';
import { COMMANDS, type CommandSpec, GLOBAL_OPTIONS, GROUPS, type OptionSpec } from './commands.js';

// The CLI is private to this repository: `pnpm nso` (a root script) runs it from a fresh clone, built on demand.
const BIN = 'pnpm nso';

function optionLines(options: Readonly<Record<string, OptionSpec>>, c: Colors): string[] {
  const entries = Object.entries(options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.valueName ? ` <${o.valueName}>` : ''}`;
    return [flag, o.description] as const;
  });
  const width = Math.min(34, Math.max(...entries.map(([f]) => f.length)));
  return entries.map(([f, d]) => `  ${c.cyan(f.padEnd(width))}  ${d}`);
}

/**
 * Top-level help: every command, configuration and exit codes.
 *
 * @example
 * process.stdout.write(mainHelp('1.0.0', colors(false)));
 */
export function mainHelp(version: string, c: Colors): string {
  const width = Math.max(...COMMANDS.map((cmd) => cmd.name.length));
  return [
    `${c.bold('netsuite-oauth')} ${version} — NetSuite OAuth 2.0 from the command line (client credentials, auth code + PKCE,`,
    'records, SuiteQL, RESTlets). Runs against the bundled emulator, or a real account by configuration alone.',
    '',
    c.bold('Usage'),
    `  ${BIN} <command> [options]`,
    `  ${BIN} <command> --help`,
    '',
    c.bold('Commands'),
    ...COMMANDS.map((cmd) => `  ${c.cyan(cmd.name.padEnd(width))}  ${cmd.summary}`),
    '',
    c.bold('Configuration (flags > environment > profile in the config file)'),
    '  NETSUITE_ACCOUNT_ID, NETSUITE_CLIENT_ID, NETSUITE_CERTIFICATE_ID, NETSUITE_PRIVATE_KEY_FILE (or NETSUITE_PRIVATE_KEY),',
    '  NETSUITE_KEY_PASSPHRASE, NETSUITE_CLIENT_SECRET (or NETSUITE_CLIENT_SECRET_FILE), NETSUITE_SCOPES,',
    '  NETSUITE_REDIRECT_URI, NETSUITE_ORIGIN, NETSUITE_OAUTH_PROFILE, NETSUITE_OAUTH_CONFIG, NETSUITE_OAUTH_STORE,',
    '  NETSUITE_OAUTH_STORE_PATH, NETSUITE_OAUTH_STORE_KEY, NETSUITE_OAUTH_REDIS_URL, NO_COLOR',
    '',
    c.bold('Options for every command'),
    ...optionLines(GLOBAL_OPTIONS, c),
    `  ${c.cyan('-V, --version'.padEnd(34))}  print the version`,
    '',
    c.bold('Exit codes'),
    '  0 ok · 1 failure · 2 bad usage · 3 configuration · 4 credentials refused · 5 network · 6 NetSuite API error',
    '',
    c.bold('Examples'),
    `  ${BIN} demo                                   # everything, against a local emulator`,
    `  ${BIN} cert generate                          # key + certificate to upload to NetSuite`,
    `  ${BIN} doctor --profile sandbox               # check a real account's configuration`,
    `  ${BIN} suiteql "SELECT id FROM customer" --csv`,
    '',
  ].join('\n');
}

/**
 * Help of one command: usage, description, its options, examples.
 *
 * @example
 * process.stdout.write(commandHelp(COMMANDS[0], colors(false)));
 */
export function commandHelp(spec: CommandSpec, c: Colors): string {
  const own = { ...spec.options };
  if (spec.formats?.includes('csv')) {
    own.csv = { type: 'boolean', description: 'CSV output (RFC 4180)' };
  }
  const lines = [`${c.bold('Usage')}: ${BIN} ${spec.usage}`, '', spec.summary];
  if (spec.description) lines.push('', spec.description);
  if (Object.keys(own).length > 0) lines.push('', c.bold('Options'), ...optionLines(own, c));
  lines.push(
    '',
    c.bold('Common options'),
    '  --profile, --config, --account, --origin, --client-id, --certificate-id, --key, --cert, --scopes,',
    '  --redirect-uri, --store, --store-path, --redis-url, --timeout, --json, --no-color, --debug',
    `  (see "${BIN} --help")`,
    '',
    c.bold('Examples'),
    ...spec.examples.map((e) => `  ${e}`),
    '',
  );
  return lines.join('\n');
}

/**
 * Help of a group (`cert`, `record`, `config`): its subcommands.
 *
 * @example
 * groupHelp('record', colors(false)) // lists record get, list, create, update, delete
 */
export function groupHelp(group: string, c: Colors): string | undefined {
  if (!GROUPS.includes(group)) return undefined;
  const subs = COMMANDS.filter((cmd) => cmd.name.startsWith(`${group} `));
  const width = Math.max(...subs.map((s) => s.name.length));
  return [
    `${c.bold('Usage')}: ${BIN} ${group} <subcommand> [options]`,
    '',
    ...subs.map((s) => `  ${c.cyan(s.name.padEnd(width))}  ${s.summary}`),
    '',
    `Run "${BIN} ${group} <subcommand> --help" for details.`,
    '',
  ].join('\n');
}
