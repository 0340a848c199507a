import type { OAuthErrorContext } from '@netsuite-oauth/oauth-flows';
import { CliError, EXIT, type ExitCode } from './errors.js';

/** How the CLI reports one failure. */
export interface DescribedError {
  readonly code: string;
  readonly message: string;
  readonly hint: string | undefined;
  readonly exitCode: ExitCode;
}

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  status?: unknown;
  error?: unknown;
  errorCode?: unknown;
  cause?: unknown;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
]);

/** The packages' plain-words meanings of NetSuite's errors, loaded only when an error is printed. */
export interface ErrorHints {
  oauth(error: string, context?: OAuthErrorContext): string | undefined;
  api(errorCode: string | undefined, status?: number): string | undefined;
}

/**
 * Loads {@link ErrorHints} from oauth-flows and record-client (not at start-up: `--help` imports no package).
 *
 * @example
 * describeError(error, { hints: await loadErrorHints() })
 */
export async function loadErrorHints(): Promise<ErrorHints> {
  const [{ oauthErrorHint }, { apiErrorHint }] = await Promise.all([
    import('@netsuite-oauth/oauth-flows'),
    import('@netsuite-oauth/record-client'),
  ]);
  return { oauth: oauthErrorHint, api: apiErrorHint };
}

/** How {@link describeError} explains an error: the packages' hints and which grant an OAuth error answered. */
export interface DescribeOptions {
  readonly hints?: ErrorHints | undefined;
  readonly oauthContext?: OAuthErrorContext | undefined;
}

const DOCTOR = ' Run "pnpm nso doctor".';

function causes(error: unknown): ErrorLike[] {
  const chain: ErrorLike[] = [];
  let current: unknown = error;
  while (current && typeof current === 'object' && chain.length < 8) {
    chain.push(current as ErrorLike);
    current = (current as ErrorLike).cause;
  }
  return chain;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * True when an error (or its cause chain) is a connection or timeout failure.
 *
 * @example
 * isNetworkError(new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } })) // true
 */
export function isNetworkError(error: unknown): boolean {
  return causes(error).some((e) => {
    const code = str(e.code) ?? '';
    const name = str(e.name) ?? '';
    return (
      NETWORK_CODES.has(code) ||
      /_(NETWORK|TIMEOUT|UNREACHABLE)$/.test(code) ||
      name === 'TimeoutError' ||
      (name === 'TypeError' && str(e.message) === 'fetch failed')
    );
  });
}

function networkCode(error: unknown): string | undefined {
  for (const e of causes(error)) {
    const code = str(e.code);
    if (code && NETWORK_CODES.has(code)) return code;
  }
  return undefined;
}

/**
 * Turns any failure into one line, a hint and an exit code. Messages of our own packages are trusted
 * (they never hold secrets); others are still passed through the redactor by the caller.
 *
 * @example
 * describeError(new CliError('ERR_CLI_USAGE', 'unknown command "x"', 2)).exitCode // 2
 */
export function describeError(error: unknown, options: DescribeOptions = {}): DescribedError {
  if (error instanceof CliError) {
    return { code: error.code, message: error.message, hint: error.hint, exitCode: error.exitCode };
  }
  const e = (error ?? {}) as ErrorLike;
  const code = str(e.code) ?? 'ERR_CLI_UNEXPECTED';
  // A token source that failed inside the record client: the cause is the real story.
  if (code === 'ERR_RECORD_TOKEN' && e.cause) return describeError(e.cause, options);
  const hints = options.hints;
  const message = str(e.message) || String(error);

  if (isNetworkError(error) && typeof e.status !== 'number') {
    const net = networkCode(error);
    const what =
      net === 'ENOTFOUND' || net === 'EAI_AGAIN'
        ? 'host name not found'
        : net === 'ECONNREFUSED'
          ? 'connection refused'
          : /TIMEOUT|ETIMEDOUT/.test(net ?? code) || causes(error).some((c) => c.name === 'TimeoutError')
            ? 'no answer in time'
            : 'connection failed';
    return {
      code,
      message: `cannot reach NetSuite: ${what}`,
      hint: 'check --account / --origin, your network and proxy; "pnpm nso doctor" tests the endpoints one by one',
      exitCode: EXIT.network,
    };
  }

  const oauthError = str(e.error);
  if (oauthError && code === 'ERR_OAUTH_AUTHORIZATION_ERROR') {
    return {
      code,
      message: `the authorization was refused: ${oauthError}`,
      hint: hints?.oauth(oauthError, 'authorize') ?? 'run "pnpm nso login" again',
      exitCode: EXIT.auth,
    };
  }
  if (oauthError && !('errorCode' in e && str(e.errorCode))) {
    const status = typeof e.status === 'number' ? ` (HTTP ${e.status})` : '';
    return {
      code,
      message: `token endpoint refused the request: ${oauthError}${status}`,
      hint: withDoctor(oauthError, hints?.oauth(oauthError, options.oauthContext)),
      exitCode:
        oauthError === 'server_error' || oauthError === 'temporarily_unavailable' ? EXIT.failure : EXIT.auth,
    };
  }

  const apiCode = str(e.errorCode);
  if (typeof e.status === 'number' && (apiCode || e.name === 'NetSuiteApiError')) {
    const auth = e.status === 401 || e.status === 403 || apiCode === 'INVALID_LOGIN';
    const detail = str((e as { detail?: unknown }).detail);
    const what = str((e as { path?: unknown }).path)
      ? ` to ${str((e as { method?: unknown }).method) ?? ''} ${str((e as { path?: unknown }).path)}`.replace(
          '  ',
          ' ',
        )
      : '';
    return {
      code,
      message: `NetSuite answered ${e.status}${apiCode ? ` ${apiCode}` : ''}${what}${detail ? `: ${detail.slice(0, 300)}` : ''}`,
      hint: hints?.api(apiCode, e.status),
      exitCode: auth ? EXIT.auth : EXIT.api,
    };
  }

  if (code.startsWith('ERR_CORE_') || code.startsWith('ERR_ASSERTION_') || code.startsWith('ERR_STORE_')) {
    return { code, message, hint: configHint(code), exitCode: EXIT.config };
  }
  if (/_INVALID_ARGUMENT$/.test(code)) {
    return { code, message, hint: "check the arguments: see the command's --help", exitCode: EXIT.usage };
  }
  if (/_INVALID_OPTION$/.test(code)) {
    return {
      code,
      message,
      hint: 'check the configuration: "pnpm nso config show"',
      exitCode: EXIT.config,
    };
  }
  if (code.startsWith('ERR_OAUTH_') || code.startsWith('ERR_RECORD_') || code.startsWith('ERR_NETSUITE_')) {
    const auth = /STATE|CALLBACK|ISSUER|REFRESH|SESSION|TOKEN|GRANT|DENIED/.test(code);
    return { code, message, hint: undefined, exitCode: auth ? EXIT.auth : EXIT.api };
  }
  if (str(e.code)?.startsWith('ERR_')) return { code, message, hint: undefined, exitCode: EXIT.failure };
  return {
    code,
    message: `unexpected error: ${message}`,
    hint: 'run again with --debug for details',
    exitCode: EXIT.failure,
  };
}

function withDoctor(oauthError: string, hint: string | undefined): string | undefined {
  if (hint === undefined) return undefined;
  return /^(invalid_client|invalid_grant|server_error)$/.test(oauthError) ? `${hint}${DOCTOR}` : hint;
}

function configHint(code: string): string | undefined {
  if (code === 'ERR_CORE_INVALID_ACCOUNT_ID')
    return 'use the account id as NetSuite shows it: 1234567, 1234567_SB1 or TSTDRV1234567';
  if (code === 'ERR_CORE_INSECURE_ORIGIN' || code === 'ERR_CORE_INVALID_ORIGIN')
    return '--origin must be a bare https origin, or http://127.0.0.1:<port> for a local emulator';
  if (code.startsWith('ERR_ASSERTION_'))
    return 'check the private key file (PEM, RSA 3072/4096 or EC P-256/384/521), NETSUITE_KEY_PASSPHRASE and --algorithm; "pnpm nso cert inspect" helps';
  if (code === 'ERR_STORE_INTEGRITY' || code === 'ERR_STORE_KEY_NOT_FOUND' || code === 'ERR_STORE_CORRUPT')
    return 'the token store cannot be read with this key: set the NETSUITE_OAUTH_STORE_KEY (or store.key) it was written with, or move the store file aside to start over (see "pnpm nso config show")';
  if (code.startsWith('ERR_STORE_'))
    return 'check the token store: --store, --store-path, NETSUITE_OAUTH_STORE_KEY (the file store key) or --redis-url';
  return undefined;
}
