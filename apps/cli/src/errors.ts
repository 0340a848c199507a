/**
 * Exit codes of the CLI. Stable: scripts may branch on them.
 *
 * @example
 * pnpm nso token --json || [ $? -eq 4 ] && echo "credentials rejected"
 */
export const EXIT = {
  ok: 0,
  /** Anything not covered below (and failed `doctor` checks). */
  failure: 1,
  /** Bad command line: unknown command or option, missing argument. */
  usage: 2,
  /** Missing or invalid configuration (account id, key file, profile, store). */
  config: 3,
  /** NetSuite (or the emulator) refused the credentials: `invalid_client`, `invalid_grant`, `INVALID_LOGIN`. */
  auth: 4,
  /** The host could not be reached, or did not answer in time. */
  network: 5,
  /** NetSuite answered with an error to an API call (record, SuiteQL, RESTlet). */
  api: 6,
  /**
   * A bulk command finished, but not every item made it: records NetSuite rejected, malformed input lines
   * (`record import`, see the rejects file), or row columns a CSV export could not hold.
   */
  partial: 7,
  /** Interrupted (Ctrl-C). */
  interrupted: 130,
} as const;

/** One of {@link EXIT}'s values. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * An error the CLI reports as one line plus a hint, with a chosen exit code.
 *
 * Its message never contains a secret: it is written by the CLI, not copied from a response.
 *
 * @example
 * throw new CliError('ERR_CLI_MISSING_CONFIG', 'missing account id', EXIT.config, 'set --account or NETSUITE_ACCOUNT_ID');
 */
export class CliError extends Error {
  readonly code: string;
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;

  constructor(
    code: string,
    message: string,
    exitCode: ExitCode,
    hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CliError';
    this.code = code;
    this.exitCode = exitCode;
    this.hint = hint;
  }
}

/**
 * A bad command line (exit 2).
 *
 * @example
 * throw usageError('unknown option --x', 'run "pnpm nso token --help"');
 */
export function usageError(message: string, hint?: string): CliError {
  return new CliError('ERR_CLI_USAGE', message, EXIT.usage, hint);
}

/**
 * Missing or invalid configuration (exit 3).
 *
 * @example
 * throw configError('missing client id', 'set --client-id or NETSUITE_CLIENT_ID');
 */
export function configError(message: string, hint?: string, cause?: unknown): CliError {
  return new CliError(
    'ERR_CLI_CONFIG',
    message,
    EXIT.config,
    hint,
    cause === undefined ? undefined : { cause },
  );
}
