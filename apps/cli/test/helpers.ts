import { PassThrough } from 'node:stream';
import type { Io } from '../src/context.js';

/** An in-memory Io for running the CLI in-process. */
export function memoryIo(
  env: Record<string, string | undefined> = {},
  options: { tty?: boolean; cwd?: string } = {},
) {
  let stdout = '';
  let stderr = '';
  const stdin = new PassThrough();
  const io: Io = {
    stdout: { write: (t: string) => (stdout += t), isTTY: options.tty ?? false },
    stderr: { write: (t: string) => (stderr += t), isTTY: options.tty ?? false },
    stdin,
    env: { HOME: '/nonexistent-home-for-tests', ...env },
    cwd: options.cwd ?? process.cwd(),
  };
  return {
    io,
    stdin,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
  };
}
