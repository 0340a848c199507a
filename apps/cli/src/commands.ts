import type { Context } from './context.js';

/** One option of a command, in node:util parseArgs form plus help text. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string | undefined;
  readonly multiple?: boolean | undefined;
  readonly description: string;
  readonly valueName?: string | undefined;
}

/** A command: its help text, options and a lazy loader, so start-up never imports what it does not run. */
export interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly description?: string | undefined;
  readonly positionals: { readonly min: number; readonly max: number };
  readonly options: Readonly<Record<string, OptionSpec>>;
  readonly examples: readonly string[];
  /** Accepts --json / --csv. */
  readonly formats?: readonly ('json' | 'csv')[] | undefined;
  /** Takes its arguments as they are (they go to another command's parser, e.g. the emulator's), `--help` included. */
  readonly passThrough?: boolean | undefined;
  load(): Promise<{ run(ctx: Context): Promise<number | undefined> }>;
}

// `status` and `whoami` are one command under two names.
const STATUS_DESCRIPTION =
  'For client credentials and the stored login session: the role and entity each acts as (named by SuiteQL\n' +
  'where the role may read the role and employee tables, else their ids), the scopes and when the tokens\n' +
  'expire. Gets or refreshes a token as any command would. Exit 0, or the exit code of a credential that fails.';

/** Options every command accepts. */
export const GLOBAL_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  help: { type: 'boolean', short: 'h', description: 'show help for the command' },
  profile: {
    type: 'string',
    short: 'p',
    valueName: 'name',
    description: 'profile in the config file (default: the one "config use" chose, else "default")',
  },
  config: {
    type: 'string',
    valueName: 'file',
    description: 'config file (default: ~/.config/netsuite-oauth/config.json)',
  },
  account: {
    type: 'string',
    short: 'a',
    valueName: 'id',
    description: 'NetSuite account id, e.g. 1234567 or 1234567_SB1',
  },
  origin: {
    type: 'string',
    valueName: 'url',
    description: 'serve every NetSuite host from this origin (the emulator, a proxy); http only on loopback',
  },
  'client-id': {
    type: 'string',
    valueName: 'id',
    description: 'integration record client id (consumer key)',
  },
  'client-secret-file': { type: 'string', valueName: 'file', description: 'file holding the client secret' },
  'certificate-id': {
    type: 'string',
    valueName: 'id',
    description: 'certificate id from the M2M setup page (JWT kid)',
  },
  key: { type: 'string', valueName: 'file', description: 'private key PEM file for client credentials' },
  cert: { type: 'string', valueName: 'file', description: 'certificate PEM file (checked against the key)' },
  scopes: {
    type: 'string',
    valueName: 'list',
    description: 'scopes, comma-separated (default: rest_webservices,restlets)',
  },
  'redirect-uri': {
    type: 'string',
    valueName: 'uri',
    description: 'redirect URI registered on the integration (https or custom scheme)',
  },
  algorithm: {
    type: 'string',
    valueName: 'alg',
    description: 'assertion algorithm (PS256…PS512, ES256…ES512; default from the key)',
  },
  store: { type: 'string', valueName: 'kind', description: 'token store: memory, file (default) or redis' },
  'store-path': {
    type: 'string',
    valueName: 'file',
    description: 'file store path (default: ~/.config/netsuite-oauth/tokens.json)',
  },
  'redis-url': { type: 'string', valueName: 'url', description: 'Redis URL for --store redis' },
  timeout: {
    type: 'string',
    valueName: 'seconds',
    description: 'timeout of each HTTP request (default: 30)',
  },
  json: { type: 'boolean', description: 'machine-readable JSON output' },
  'no-color': { type: 'boolean', description: 'no colours (also: NO_COLOR=1)' },
  debug: {
    type: 'boolean',
    description: 'on failure, also print the error code and cause chain (secrets still masked)',
  },
  verbose: {
    type: 'boolean',
    short: 'v',
    description: 'one line per NetSuite call on stderr: route, status, time, attempts and retries',
  },
};

const AUTH_EXAMPLE_ENV =
  'export NETSUITE_ACCOUNT_ID=1234567_SB1 NETSUITE_CLIENT_ID=<client id> NETSUITE_CERTIFICATE_ID=<certificate id>';

/** Every command, in help order. */
export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'demo',
    summary: 'start a local emulator and run every flow against it, step by step',
    usage: 'demo [--json]',
    description:
      'Starts the bundled NetSuite emulator in this process, generates a key pair and certificate, registers it,\n' +
      'gets a token by client credentials, reads a customer, runs SuiteQL, calls a RESTlet, runs the\n' +
      'authorization-code flow headlessly against the login form, refreshes and revokes. Needs no account.',
    positionals: { min: 0, max: 0 },
    options: {
      'key-type': {
        type: 'string',
        valueName: 'type',
        description: 'rsa-3072, rsa-4096, ec-p256 (default), ec-p384, ec-p521',
      },
    },
    examples: ['pnpm nso demo', 'pnpm nso demo --json | jq .steps'],
    load: () => import('./commands/demo.js'),
  },
  {
    name: 'emulator',
    summary: 'run a local NetSuite emulator with a ready integration, for trying every command',
    usage: 'emulator [netsuite-emulator flags]',
    description:
      'The emulator package\'s own command (netsuite-emulator), with the same flags: "pnpm nso emulator --help" lists\n' +
      'them (--port, --account, --seed-customers, --concurrency, --env-file, ...). It writes the settings, client secret\n' +
      'and key to ~/.config/netsuite-oauth/emulator/emulator.env (mode 0600) unless --env-file names another file.\n' +
      'In another shell: source that file, then run any command. Stops on Ctrl-C. Sign-in for "login":\n' +
      'admin@example.com / emulator-password.',
    positionals: { min: 0, max: 0 },
    options: {},
    passThrough: true,
    examples: [
      'pnpm nso emulator --port 4000 --seed-customers 1000',
      '. ~/.config/netsuite-oauth/emulator/emulator.env && pnpm nso suiteql "SELECT id, companyname FROM customer"',
    ],
    load: () => import('./commands/emulator.js'),
  },
  {
    name: 'cert generate',
    summary: 'generate a private key and a self-signed certificate NetSuite accepts',
    usage:
      'cert generate [--key-type ec-p256] [--days 730] [--cn name] [--out-key file] [--out-cert file] [--force]',
    description:
      'Writes the private key (mode 0600) and the certificate to files; prints only the certificate facts.\n' +
      'Upload the certificate at Setup > Integration > Manage Authentication > OAuth 2.0 Client Credentials (M2M) Setup,\n' +
      'then use the certificate id NetSuite shows as --certificate-id.',
    positionals: { min: 0, max: 0 },
    options: {
      'key-type': {
        type: 'string',
        valueName: 'type',
        description: 'rsa-3072, rsa-4096, ec-p256 (default), ec-p384, ec-p521',
      },
      days: { type: 'string', valueName: 'n', description: 'validity in days, at most 730 (default: 730)' },
      cn: {
        type: 'string',
        valueName: 'name',
        description: 'certificate common name (default: netsuite-oauth)',
      },
      'out-key': {
        type: 'string',
        valueName: 'file',
        description: 'private key file (default: ./netsuite-key.pem)',
      },
      'out-cert': {
        type: 'string',
        valueName: 'file',
        description: 'certificate file (default: ./netsuite-cert.pem)',
      },
      force: { type: 'boolean', description: 'overwrite existing files' },
    },
    examples: [
      'pnpm nso cert generate',
      'pnpm nso cert generate --key-type rsa-4096 --days 365 --out-key keys/prod.pem --out-cert keys/prod.cer',
    ],
    load: () => import('./commands/cert.js'),
  },
  {
    name: 'cert inspect',
    summary: 'check a certificate the way NetSuite will (key type and size, expiry, key match)',
    usage: 'cert inspect [file] [--key file] [--json]',
    description: 'Exits 1 when NetSuite would refuse the certificate or it does not match the key.',
    positionals: { min: 0, max: 1 },
    options: {},
    examples: [
      'pnpm nso cert inspect netsuite-cert.pem',
      'pnpm nso cert inspect netsuite-cert.pem --key netsuite-key.pem --json',
    ],
    load: () => import('./commands/cert.js'),
  },
  {
    name: 'cert list',
    summary: "list the integration's certificates at NetSuite (status, role, entity, days left)",
    usage: 'cert list [--auth m2m|session] [--json|--csv]',
    description:
      "Calls NetSuite's certificate endpoint (2026.1, article_0209112025). The token's role needs the\n" +
      '"Manage own OAuth 2.0 Client Credentials certificates" permission. Warns about active certificates\n' +
      'that expire within 60, 30 or 14 days (the marks at which NetSuite mails administrators).',
    positionals: { min: 0, max: 0 },
    options: {
      auth: { type: 'string', valueName: 'kind', description: 'm2m (client credentials) or session (login)' },
    },
    formats: ['json', 'csv'],
    examples: ['pnpm nso cert list', 'pnpm nso cert list --json'],
    load: () => import('./commands/cert-remote.js'),
  },
  {
    name: 'cert upload',
    summary: 'map a certificate to the integration, a role and an entity',
    usage: 'cert upload <file> [--role id] [--entity id] [--json]',
    description:
      'Sends {"fileContent","role","entity"} as Oracle documents it. Without --role/--entity, the role and entity of\n' +
      'the certificate this profile signs with. At most 5 certificates can be active per integration.',
    positionals: { min: 1, max: 1 },
    options: {
      role: { type: 'string', valueName: 'id', description: 'role internal id' },
      entity: { type: 'string', valueName: 'id', description: 'entity (employee) internal id' },
      auth: { type: 'string', valueName: 'kind', description: 'm2m (client credentials) or session (login)' },
    },
    formats: ['json'],
    examples: [
      'pnpm nso cert upload netsuite-cert.pem',
      'pnpm nso cert upload new.pem --role 3 --entity -5 --json',
    ],
    load: () => import('./commands/cert-remote.js'),
  },
  {
    name: 'cert revoke',
    summary: 'revoke one certificate of the integration',
    usage: 'cert revoke [--force] [--json] [--] <certificate id>',
    description:
      'Refuses to revoke the certificate this profile signs with unless --force. Certificate ids may begin with "-":\n' +
      'put -- before one.',
    positionals: { min: 1, max: 1 },
    options: {
      force: { type: 'boolean', description: 'revoke even the certificate in use' },
      auth: { type: 'string', valueName: 'kind', description: 'm2m (client credentials) or session (login)' },
    },
    formats: ['json'],
    examples: ['pnpm nso cert revoke -- HRril7VwkkW2y0wAzFR9GKk1LVTHSZPeq5EeWT2Fgks'],
    load: () => import('./commands/cert-remote.js'),
  },
  {
    name: 'cert rotate',
    summary:
      'rotate the certificate without downtime (resumable; run again after the overlap to revoke the old one)',
    usage:
      'cert rotate [--key-type ec-p256] [--overlap-hours 24] [--out-dir dir] [--role id] [--entity id] [--json]',
    description:
      'Generates a key and certificate (the key is written 0600 to --out-dir), uploads it, proves a token with the new\n' +
      'certificate id, and prints the settings to switch to. The old certificate is revoked by a later run once\n' +
      '--overlap-hours have passed. Each step is recorded in the token store: a run that was interrupted continues.',
    positionals: { min: 0, max: 0 },
    options: {
      'key-type': {
        type: 'string',
        valueName: 'type',
        description: 'rsa-3072, rsa-4096, ec-p256 (default), ec-p384, ec-p521',
      },
      'overlap-hours': {
        type: 'string',
        valueName: 'n',
        description: 'hours the old certificate stays active after the switch (default: 24)',
      },
      'out-dir': {
        type: 'string',
        valueName: 'dir',
        description: "where the new key and certificate go (default: the current key's directory)",
      },
      role: {
        type: 'string',
        valueName: 'id',
        description: 'role of the new mapping (default: the current one)',
      },
      entity: {
        type: 'string',
        valueName: 'id',
        description: 'entity of the new mapping (default: the current one)',
      },
      auth: { type: 'string', valueName: 'kind', description: 'm2m (client credentials) or session (login)' },
    },
    formats: ['json'],
    examples: ['pnpm nso cert rotate', 'pnpm nso cert rotate --overlap-hours 0 --out-dir keys --json'],
    load: () => import('./commands/cert-remote.js'),
  },
  {
    name: 'token',
    summary: 'get an access token by client credentials (masked unless --reveal)',
    usage: 'token [--reveal] [--fresh] [--json]',
    description:
      'Signs a client assertion with the private key and asks the token endpoint for an access token.\n' +
      'A token still valid for more than a minute is reused from the token store unless --fresh.',
    positionals: { min: 0, max: 0 },
    options: {
      reveal: { type: 'boolean', description: 'print the token itself (for piping into another tool)' },
      fresh: { type: 'boolean', description: 'ignore a cached token and ask for a new one' },
    },
    examples: [
      AUTH_EXAMPLE_ENV,
      'pnpm nso token --key netsuite-key.pem',
      'curl -H "Authorization: Bearer $(pnpm nso token --reveal)" "$URL"',
    ],
    load: () => import('./commands/token.js'),
  },
  {
    name: 'login',
    summary: 'sign in by authorization code + PKCE and keep the session in the token store',
    usage: 'login [--no-browser] [--json]',
    description:
      'Checks the client id and secret first, then opens the NetSuite login page in a browser when there is one\n' +
      '(otherwise prints its URL). With a loopback redirect URI (http://127.0.0.1:<port>/…, [::1] or localhost, as\n' +
      "Oracle's own tools use) it listens there, receives NetSuite's redirect itself and shows \"you can close this\n" +
      'tab". With an https:// or custom-scheme URI (nothing listens there) you paste back the URL you were sent to.\n' +
      'Needs the client secret in NETSUITE_CLIENT_SECRET or --client-secret-file (never on the command line).',
    positionals: { min: 0, max: 0 },
    options: {
      'no-browser': { type: 'boolean', description: 'do not open a browser; print the URL' },
      prompt: { type: 'string', valueName: 'value', description: 'prompt parameter: login, consent, none' },
    },
    examples: [
      'export NETSUITE_CLIENT_SECRET_FILE=~/.secrets/netsuite-client-secret',
      'pnpm nso login --redirect-uri http://127.0.0.1:52300/netsuite-oauth/callback',
      'pnpm nso login --redirect-uri https://localhost/netsuite-oauth/callback',
      'pnpm nso login --no-browser --profile sandbox',
    ],
    load: () => import('./commands/session.js'),
  },
  {
    name: 'status',
    summary: 'the account, and the role, entity, scopes and token expiry of each credential',
    usage: 'status [--json]',
    description: STATUS_DESCRIPTION,
    positionals: { min: 0, max: 0 },
    options: {},
    formats: ['json'],
    examples: ['pnpm nso status', 'pnpm nso status --profile prod --json'],
    load: () => import('./commands/status.js'),
  },
  {
    name: 'whoami',
    summary: 'who the CLI acts as: the same as status',
    usage: 'whoami [--json]',
    description: STATUS_DESCRIPTION,
    positionals: { min: 0, max: 0 },
    options: {},
    formats: ['json'],
    examples: ['pnpm nso whoami', 'pnpm nso whoami --profile prod --json'],
    load: () => import('./commands/status.js'),
  },
  {
    name: 'refresh',
    summary: 'refresh the access token of the stored login session',
    usage: 'refresh [--json]',
    positionals: { min: 0, max: 0 },
    options: {},
    examples: ['pnpm nso refresh', 'pnpm nso refresh --json'],
    load: () => import('./commands/session.js'),
  },
  {
    name: 'revoke',
    summary: 'revoke the stored login session at NetSuite and forget it',
    usage: 'revoke [--json]',
    positionals: { min: 0, max: 0 },
    options: {},
    examples: ['pnpm nso revoke', 'pnpm nso revoke --profile sandbox'],
    load: () => import('./commands/session.js'),
  },
  {
    name: 'record get',
    summary: 'read one record',
    usage: 'record get <type> <id> [--fields a,b] [--expand] [--json]',
    positionals: { min: 2, max: 2 },
    options: {
      fields: { type: 'string', valueName: 'list', description: 'only these fields, comma-separated' },
      expand: { type: 'boolean', description: 'expand sublists and subrecords' },
      auth: {
        type: 'string',
        valueName: 'kind',
        description: 'm2m (client credentials) or session (login); default: m2m when a key is set',
      },
    },
    formats: ['json'],
    examples: [
      'pnpm nso record get customer 107',
      'pnpm nso record get customer 107 --fields companyName,email --json',
    ],
    load: () => import('./commands/record.js'),
  },
  {
    name: 'record list',
    summary: 'list record ids (and optionally filter with q)',
    usage: 'record list <type> [--q "<query>"] [--limit n] [--json|--csv]',
    positionals: { min: 1, max: 1 },
    options: {
      q: { type: 'string', valueName: 'query', description: 'filter, e.g. \'email START_WITH "a"\'' },
      limit: { type: 'string', valueName: 'n', description: 'stop after n ids (default: 100)' },
      auth: { type: 'string', valueName: 'kind', description: 'm2m or session' },
    },
    formats: ['json', 'csv'],
    examples: [
      'pnpm nso record list customer --limit 10',
      'pnpm nso record list customer --q \'companyName CONTAIN "Acme"\' --csv',
    ],
    load: () => import('./commands/record.js'),
  },
  {
    name: 'record create',
    summary: 'create a record from JSON (prints its new id)',
    usage: "record create <type> (--data '<json>' | --data-file <file|->)",
    positionals: { min: 1, max: 1 },
    options: {
      data: { type: 'string', valueName: 'json', description: 'the record body as JSON' },
      'data-file': {
        type: 'string',
        valueName: 'file',
        description: 'read the body from a file (- for stdin)',
      },
      auth: { type: 'string', valueName: 'kind', description: 'm2m or session' },
    },
    formats: ['json'],
    examples: [
      'pnpm nso record create customer --data \'{"companyName":"Acme","subsidiary":{"id":"1"}}\'',
      'pnpm nso record create customer --data-file customer.json --json',
    ],
    load: () => import('./commands/record.js'),
  },
  {
    name: 'record update',
    summary: 'update fields of a record from JSON',
    usage: "record update <type> <id> (--data '<json>' | --data-file <file|->)",
    positionals: { min: 2, max: 2 },
    options: {
      data: { type: 'string', valueName: 'json', description: 'the fields to change, as JSON' },
      'data-file': {
        type: 'string',
        valueName: 'file',
        description: 'read the body from a file (- for stdin)',
      },
      auth: { type: 'string', valueName: 'kind', description: 'm2m or session' },
    },
    formats: ['json'],
    examples: ['pnpm nso record update customer 107 --data \'{"email":"ap@acme.example"}\''],
    load: () => import('./commands/record.js'),
  },
  {
    name: 'record delete',
    summary: 'delete a record',
    usage: 'record delete <type> <id> [--yes]',
    description:
      'On a terminal it asks you to type the id back first; --yes (or no terminal, e.g. a script) skips that.',
    positionals: { min: 2, max: 2 },
    options: {
      auth: { type: 'string', valueName: 'kind', description: 'm2m or session' },
      yes: { type: 'boolean', short: 'y', description: 'delete without asking' },
    },
    formats: ['json'],
    examples: ['pnpm nso record delete customer 107', 'pnpm nso record delete customer 107 --yes'],
    load: () => import('./commands/record.js'),
  },
  {
    name: 'record import',
    summary: 'import records from NDJSON or CSV through REST batches (resumable, rejects to a file)',
    usage:
      'record import <type> --file <path.ndjson|.csv> [--upsert-by externalId | --update-by id|externalId] [--resume]',
    description:
      'Sends the records in batches of up to 100 (NetSuite 2026.1 REST batch), keeping every concurrency slot busy.\n' +
      'NDJSON: one JSON object per line. CSV: the first row names the fields (a.b for nested: subsidiary.id), empty\n' +
      'cells are left out, values are strings. A malformed line is reported with its line number and skipped.\n' +
      '--update-by id changes existing records named by their internal id (each row carries id; PATCH in batches),\n' +
      '--update-by externalId those named by externalId; a row without that key is rejected, nothing sent for it.\n' +
      'Records NetSuite rejects, and malformed lines, go to <file>.rejects.ndjson with their line and the error.\n' +
      'While it runs, <file>.import-state.json records how far it got: after a crash or Ctrl-C, --resume finishes\n' +
      'the import without writing any record twice. Exit 0 only when every record landed; 7 when some did not.',
    positionals: { min: 1, max: 1 },
    options: {
      file: { type: 'string', valueName: 'path', description: 'the input file (.ndjson, .jsonl or .csv)' },
      format: {
        type: 'string',
        valueName: 'kind',
        description: 'ndjson or csv (default: from the extension)',
      },
      'upsert-by': {
        type: 'string',
        valueName: 'field',
        description: 'externalId: create or update each record by its externalId (PUT) instead of creating',
      },
      'update-by': {
        type: 'string',
        valueName: 'field',
        description:
          'id or externalId: update the existing record each row names (PATCH) instead of creating',
      },
      resume: { type: 'boolean', description: 'continue the unfinished import of this file' },
      'chunk-size': {
        type: 'string',
        valueName: 'n',
        description: 'records per request, 1–100 (default: 100)',
      },
      concurrency: {
        type: 'string',
        valueName: 'n',
        description: "your share of the account's concurrency limit (default: 5)",
      },
      auth: { type: 'string', valueName: 'kind', description: 'm2m or session' },
    },
    formats: ['json'],
    examples: [
      'pnpm nso record import customer --file customers.ndjson',
      'pnpm nso record import customer --file customers.csv --upsert-by externalId --concurrency 10',
      'pnpm nso record import customer --file customers.csv --upsert-by externalId --resume',
      'pnpm nso record import customer --file changes.ndjson --update-by id',
    ],
    load: () => import('./commands/record-import.js'),
  },
  {
    name: 'record export',
    summary: "export a record type's or table's rows in id order to NDJSON or CSV (parallel keyset reads)",
    usage:
      'record export <type> --out <path.ndjson|.csv> [--where "<SuiteQL condition>"] [--columns a,b] [--table]',
    description:
      '<type> is a REST record type (customer, salesOrder, invoice, vendorBill, inventoryItem, customrecord_x, …),\n' +
      "read from its SuiteQL table (a transaction type from transaction with its type = '…' code), or a SuiteQL\n" +
      'table (transaction, item, entity, account, …); --table takes any other table as given. Splits the id range\n' +
      'across the concurrency slots and writes rows in id order as they arrive, memory flat however many rows\n' +
      'there are. Written to <path>.partial and renamed when complete. CSV: the header is --columns, else the\n' +
      'columns of the first rows (NetSuite omits empty values); a cell starting with =, +, -, @ gets a leading\n' +
      "' (as suiteql --csv).",
    positionals: { min: 1, max: 1 },
    options: {
      out: { type: 'string', valueName: 'path', description: 'the output file (.ndjson, .jsonl or .csv)' },
      format: {
        type: 'string',
        valueName: 'kind',
        description: 'ndjson or csv (default: from the extension)',
      },
      where: {
        type: 'string',
        valueName: 'condition',
        description: 'a SuiteQL condition, e.g. "isinactive = \'F\'"',
      },
      columns: { type: 'string', valueName: 'list', description: 'columns, comma-separated (default: all)' },
      table: { type: 'boolean', description: '<type> is a SuiteQL table, taken as given' },
      'page-size': {
        type: 'string',
        valueName: 'n',
        description: 'rows per request, 1–1000 (default: 1000)',
      },
      concurrency: {
        type: 'string',
        valueName: 'n',
        description: "requests in flight: your share of the account's concurrency limit (default: 5)",
      },
      auth: { type: 'string', valueName: 'kind', description: 'm2m or session' },
    },
    formats: ['json'],
    examples: [
      'pnpm nso record export customer --out customers.ndjson',
      'pnpm nso record export salesOrder --out orders.csv --columns id,tranid,entity,trandate',
      'pnpm nso record export customer --out active.csv --columns id,companyname,email --where "isinactive = \'F\'"',
    ],
    load: () => import('./commands/record-export.js'),
  },
  {
    name: 'suiteql',
    summary: 'run a SuiteQL query and stream its rows (table, --json, --csv)',
    usage: 'suiteql "<query>" [--limit n] [--page-size n] [--json|--csv]',
    description:
      "Rows are printed as they arrive; stderr shows a progress bar with NetSuite's total (totalResults) and an ETA.",
    positionals: { min: 1, max: 1 },
    options: {
      limit: { type: 'string', valueName: 'n', description: 'stop after n rows' },
      'page-size': {
        type: 'string',
        valueName: 'n',
        description: 'rows per request, 5–1000 (default: 1000)',
      },
      auth: { type: 'string', valueName: 'kind', description: 'm2m or session' },
    },
    formats: ['json', 'csv'],
    examples: [
      'pnpm nso suiteql "SELECT id, companyname FROM customer" --limit 20',
      'pnpm nso suiteql "SELECT id, email FROM customer" --csv > customers.csv',
    ],
    load: () => import('./commands/suiteql.js'),
  },
  {
    name: 'types generate',
    summary: "write TypeScript types for the account's record types (custom fields included)",
    usage: 'types generate (--records <a,b> | --all) --out <file.ts> [--map-name Name]',
    description:
      'Reads the JSON Schema of each record type from the REST metadata catalog (in parallel, within the\n' +
      'concurrency limit) and writes one file: an interface per type and the map for\n' +
      'createNetSuiteClient<NetSuiteRecords>(). --all covers every type of the catalog (slow on a real account:\n' +
      'minutes); a progress bar shows on a TTY. The file is written to a temporary name and renamed.',
    positionals: { min: 0, max: 0 },
    options: {
      records: { type: 'string', valueName: 'list', description: 'record types, comma-separated' },
      all: { type: 'boolean', description: 'every record type in the metadata catalog' },
      out: { type: 'string', valueName: 'file.ts', description: 'the TypeScript file to write' },
      'map-name': {
        type: 'string',
        valueName: 'Name',
        description: 'name of the record map interface (default: NetSuiteRecords)',
      },
      cache: {
        type: 'string',
        valueName: 'file',
        description:
          'keep the catalog answers in this JSON file: a rerun reads them instead of asking NetSuite',
      },
      'cache-hours': {
        type: 'string',
        valueName: 'n',
        description: 'how long --cache answers stay valid (default: 24)',
      },
      concurrency: {
        type: 'string',
        valueName: 'n',
        description: "requests in flight: your share of the account's concurrency limit (default: 5)",
      },
      auth: { type: 'string', valueName: 'kind', description: 'm2m or session' },
    },
    formats: ['json'],
    examples: [
      'pnpm nso types generate --records customer,salesOrder --out src/netsuite-records.ts',
      'pnpm nso types generate --all --out src/netsuite-records.ts --cache .netsuite-oauth/metadata.json',
    ],
    load: () => import('./commands/types.js'),
  },
  {
    name: 'restlet',
    summary: 'call a RESTlet',
    usage: "restlet <script> <deploy> [--method GET|POST|PUT|DELETE] [--data '<json>'] [--query k=v]",
    positionals: { min: 2, max: 2 },
    options: {
      method: {
        type: 'string',
        short: 'X',
        valueName: 'method',
        description: 'HTTP method (default: GET, or POST with --data)',
      },
      data: { type: 'string', valueName: 'json', description: 'JSON body' },
      'data-file': {
        type: 'string',
        valueName: 'file',
        description: 'read the body from a file (- for stdin)',
      },
      query: {
        type: 'string',
        multiple: true,
        valueName: 'k=v',
        description: 'query parameter (repeatable)',
      },
      auth: { type: 'string', valueName: 'kind', description: 'm2m or session' },
    },
    formats: ['json'],
    examples: [
      'pnpm nso restlet customscript_echo customdeploy_echo --query hello=world',
      'pnpm nso restlet customscript_orders customdeploy_1 -X POST --data \'{"id":42}\'',
    ],
    load: () => import('./commands/restlet.js'),
  },
  {
    name: 'doctor',
    summary: 'check a configuration the way a NetSuite expert would, and explain failures',
    usage: 'doctor [--json]',
    description:
      'Checks the account id form, client and certificate ids, key type and size, algorithm, certificate expiry,\n' +
      'clock skew against the server Date header, that the token endpoint is reachable, a real token request,\n' +
      'the granted scopes and a REST call — and explains each INVALID_LOGIN-style failure in plain words.',
    positionals: { min: 0, max: 0 },
    options: {},
    examples: ['pnpm nso doctor', 'pnpm nso doctor --profile prod --json'],
    load: () => import('./commands/doctor.js'),
  },
  {
    name: 'config show',
    summary: 'show the resolved configuration and where each value came from (secrets masked)',
    usage: 'config show [--json]',
    description:
      'Configuration comes from flags, then environment variables, then the profile in the config file:\n' +
      '{ "profiles": { "default": { "accountId": "1234567_SB1", "clientId": "…", "certificateId": "…",\n' +
      '  "privateKeyFile": "keys/netsuite-key.pem", "scopes": ["rest_webservices"], "store": "file" } } }\n' +
      'Secrets never go in the file: use privateKeyFile / clientSecretFile, or environment variables.',
    positionals: { min: 0, max: 0 },
    options: {},
    examples: ['pnpm nso config show', 'pnpm nso config show --profile sandbox --json'],
    load: () => import('./commands/config.js'),
  },
  {
    name: 'config list',
    summary: 'list the profiles in the config file, the current one marked, and any that cannot be used',
    usage: 'config list [--json]',
    positionals: { min: 0, max: 0 },
    options: {},
    formats: ['json'],
    examples: ['pnpm nso config list', 'pnpm nso config list --json'],
    load: () => import('./commands/config.js'),
  },
  {
    name: 'config set',
    summary: 'set one key of a profile (created as needed); an empty value removes the key',
    usage: 'config set <key> <value> [--profile name]',
    description:
      'Keys: accountId, origin, clientId, certificateId, privateKeyFile, certificateFile, clientSecretFile, scopes,\n' +
      'redirectUri, algorithm, store, storePath, redisUrl. Secrets are refused: point at a file instead. Relative\n' +
      'paths are taken from the current folder. The profile is --profile, else the current one, else "default".\n' +
      'Each profile is checked on its own: a broken profile never stops the others from working.',
    positionals: { min: 2, max: 2 },
    options: {},
    formats: ['json'],
    examples: [
      'pnpm nso config set accountId 1234567_SB1 --profile sandbox',
      'pnpm nso config set privateKeyFile keys/sandbox.pem --profile sandbox',
      'pnpm nso config set origin "" --profile sandbox',
    ],
    load: () => import('./commands/config.js'),
  },
  {
    name: 'config use',
    summary: 'choose the profile commands use when --profile and NETSUITE_OAUTH_PROFILE are not set',
    usage: 'config use <name>',
    positionals: { min: 1, max: 1 },
    options: {},
    formats: ['json'],
    examples: ['pnpm nso config use sandbox'],
    load: () => import('./commands/config.js'),
  },
  {
    name: 'config remove',
    summary: 'delete a profile from the config file',
    usage: 'config remove <name>',
    positionals: { min: 1, max: 1 },
    options: {},
    formats: ['json'],
    examples: ['pnpm nso config remove old-sandbox'],
    load: () => import('./commands/config.js'),
  },
  {
    name: 'completion',
    summary: 'print the shell completion script for bash, zsh or fish',
    usage: 'completion <bash|zsh|fish>',
    description:
      'Completes commands, subcommands and options for `netsuite-oauth` (the linked bin) and `nso`, an alias of\n' +
      '`pnpm nso`. Add one line to your shell start-up file:\n' +
      '  bash (~/.bashrc):  alias nso="pnpm nso"; eval "$(pnpm nso completion bash)"\n' +
      '  zsh (~/.zshrc):    alias nso="pnpm nso"; eval "$(pnpm nso completion zsh)"\n' +
      '  fish (config.fish): alias nso "pnpm nso"; pnpm nso completion fish | source',
    positionals: { min: 1, max: 1 },
    options: {},
    examples: ['pnpm nso completion bash > ~/.local/share/bash-completion/completions/nso'],
    load: () => import('./commands/completion.js'),
  },
];

/** Top-level groups whose subcommands are listed together. */
export const GROUPS: readonly string[] = ['cert', 'record', 'config'];

/**
 * Finds the command named by the leading positionals (`record get …` or `token …`).
 *
 * @example
 * findCommand(['record', 'get', 'customer', '1'])?.spec.name // 'record get'
 */
export function findCommand(
  positionals: readonly string[],
): { spec: CommandSpec; consumed: number } | undefined {
  const two = positionals.slice(0, 2).join(' ');
  const spec2 = COMMANDS.find((c) => c.name === two);
  if (spec2) return { spec: spec2, consumed: 2 };
  const spec1 = COMMANDS.find((c) => c.name === positionals[0]);
  if (spec1) return { spec: spec1, consumed: 1 };
  return undefined;
}
