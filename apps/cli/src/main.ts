import pkg from '../package.json' with { type: 'json' };
import { runCli } from './cli.js';

// EPIPE (output piped into `head`) is not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

const code = await runCli(
  process.argv.slice(2),
  {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
  },
  pkg.version,
);
process.exitCode = code;
// Every command closes what it opened; this only guards against a stray handle keeping the process alive.
setTimeout(() => process.exit(code), 3000).unref();
