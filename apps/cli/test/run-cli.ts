import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The built CLI: tests run what users run. */
export const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

if (!existsSync(MAIN)) {
  throw new Error(
    'apps/cli/dist/main.js is missing: run "pnpm turbo run build --filter=@netsuite-oauth/cli..." first',
  );
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** Replaces the environment (PATH is always kept); nothing of the caller's NETSUITE_* leaks in. */
  readonly env?: Record<string, string | undefined>;
  readonly input?: string;
  readonly cwd?: string;
  /** Called with stderr as it grows; may write to stdin (e.g. the pasted redirect URL). */
  readonly onStderr?: (stderr: string, write: (text: string) => void) => void;
}

/** Runs `node dist/main.js ...args` and collects its output. */
export function runCli(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string> = { PATH: process.env.PATH ?? '' };
    for (const [k, v] of Object.entries(options.env ?? {})) if (v !== undefined) env[k] = v;
    const child = spawn(process.execPath, [MAIN, ...args], {
      env,
      cwd: options.cwd ?? process.cwd(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      options.onStderr?.(stderr, (text) => child.stdin.write(text));
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    if (options.input !== undefined) child.stdin.end(options.input);
    else if (!options.onStderr) child.stdin.end();
  });
}

/** Throws when any secret appears in the output. */
export function expectNoSecrets(result: CliResult, secrets: readonly (string | undefined)[]): void {
  const text = result.stdout + result.stderr;
  for (const secret of secrets) {
    if (secret && text.includes(secret))
      throw new Error(`a secret leaked into the output (${secret.length} chars)`);
  }
  for (const line of text.split('\n')) {
    if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(line))
      throw new Error('a private key leaked into the output');
    if (/\bat .+:\d+:\d+\)?$/.test(line.trim())) throw new Error(`a stack trace reached the output: ${line}`);
  }
}
