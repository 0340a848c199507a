import { createInterface } from 'node:readline';
import type { Context } from './context.js';

/**
 * Reads one non-empty line from stdin (a pasted redirect URL, a confirmation), or undefined when stdin ends or
 * `timeoutMs` passes.
 *
 * @example
 * const answer = await readLine(ctx, 60_000);
 */
export function readLine(ctx: Context, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: ctx.io.stdin, terminal: false });
    let done = false;
    const finish = (value: string | undefined) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      rl.close();
      // A pipe left open would keep the process alive after the command is done.
      (ctx.io.stdin as { destroy?: () => void }).destroy?.();
      resolve(value);
    };
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    timer.unref();
    rl.on('line', (line) => {
      if (line.trim() !== '') finish(line.trim());
    });
    rl.once('close', () => finish(undefined));
  });
}
