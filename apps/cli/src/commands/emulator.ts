import { join } from 'node:path';
import { configDirectory } from '../config.js';
import type { Context } from '../context.js';
import { usageError } from '../errors.js';

/**
 * `emulator`: the emulator package's own `netsuite-emulator` command, with the same flags, run until Ctrl-C. The
 * only difference is a default: the settings go to `~/.config/netsuite-oauth/emulator/emulator.env` (mode 0600)
 * unless `--env-file` names another file, so the secret and key are never printed.
 *
 * @example
 * await run(ctx) // exit code
 */
export async function run(ctx: Context): Promise<number> {
  const args = [...ctx.positionals];
  const named = (flag: string) => args.some((a) => a === flag || a.startsWith(`${flag}=`));
  if (!named('--env-file') && !named('--help') && !named('-h')) {
    args.push('--env-file', join(configDirectory(ctx.io.env), 'emulator', 'emulator.env'));
  }
  const { startFromArgs } = await import('@netsuite-oauth/emulator');
  let started: Awaited<ReturnType<typeof startFromArgs>>;
  try {
    started = await startFromArgs(args);
  } catch (error) {
    // node:util's parseArgs errors (unknown flag, missing value) are usage errors here too.
    if ((error as { code?: unknown }).code?.toString().startsWith('ERR_PARSE_ARGS')) {
      throw usageError(
        ((error as Error).message.split(/\.\s/)[0] ?? 'bad flag').replace(/^./, (c) => c.toLowerCase()),
        'run "pnpm nso emulator --help"',
      );
    }
    throw error;
  }
  for (const warning of started.warnings) ctx.note(warning);
  const emulator = started.emulator;
  if (!emulator) {
    ctx.out(started.output);
    return 0;
  }
  ctx.defer(() => emulator.close());
  ctx.out(started.output);
  if (!named('--json'))
    ctx.out('Then: pnpm nso doctor · pnpm nso token · pnpm nso login. Ctrl-C stops the emulator.\n');
  await new Promise<void>((resolveStop) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolveStop();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await emulator.close();
  ctx.note('emulator stopped');
  return 0;
}
