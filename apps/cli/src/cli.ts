import { parseArgs } from 'node:util';
import type { OAuthErrorContext } from '@netsuite-oauth/oauth-flows';
import { colors, useColor } from './color.js';
import {
  COMMANDS,
  type CommandSpec,
  findCommand,
  GLOBAL_OPTIONS,
  GROUPS,
  type OptionSpec,
} from './commands.js';
import { type Context, createContext, type Io, type OptionValues } from './context.js';
import { describeError, loadErrorHints } from './describe-error.js';
import { CliError, EXIT, usageError } from './errors.js';
import { neutralizeControls, type OutputFormat } from './format.js';
import { commandHelp, groupHelp, mainHelp } from './help.js';
import { createRedactor } from './mask.js';

type ParseOptions = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;

function toParseOptions(options: Readonly<Record<string, OptionSpec>>): ParseOptions {
  const out: ParseOptions = {};
  for (const [name, o] of Object.entries(options)) {
    out[name] = {
      type: o.type,
      ...(o.short ? { short: o.short } : {}),
      ...(o.multiple ? { multiple: true } : {}),
    };
  }
  return out;
}

function parseMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  // node:util adds a long tip about "--" after the first sentence.
  return (text.split(/\.\s/)[0] ?? text).replace(/\.$/, '').replace(/^./, (c) => c.toLowerCase());
}

function closest(word: string): string | undefined {
  const names = [...new Set(COMMANDS.map((c) => c.name.split(' ')[0] ?? ''))];
  let best: string | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const name of names) {
    // Levenshtein distance, small strings only.
    const d: number[][] = Array.from({ length: word.length + 1 }, (_, i) => [i]);
    for (let j = 1; j <= name.length; j++) (d[0] as number[])[j] = j;
    for (let i = 1; i <= word.length; i++) {
      for (let j = 1; j <= name.length; j++) {
        const row = d[i] as number[];
        const prev = d[i - 1] as number[];
        row[j] = Math.min(
          (prev[j] ?? 0) + 1,
          (row[j - 1] ?? 0) + 1,
          (prev[j - 1] ?? 0) + (word[i - 1] === name[j - 1] ? 0 : 1),
        );
      }
    }
    const score = (d[word.length] as number[])[name.length] ?? Number.POSITIVE_INFINITY;
    if (score < bestScore) {
      bestScore = score;
      best = name;
    }
  }
  return bestScore <= 2 ? best : undefined;
}

/** Which grant an OAuth error in this command answered: the causes of `invalid_grant` differ by grant. */
function oauthContext(ctx: Context): OAuthErrorContext {
  const command = ctx.spec.name;
  if (command === 'login') return 'authorization_code';
  if (command === 'refresh' || command === 'revoke' || ctx.string('auth') === 'session')
    return 'refresh_token';
  try {
    return ctx.settings().certificateId ? 'client_credentials' : 'refresh_token';
  } catch {
    return 'client_credentials';
  }
}

/**
 * Runs the CLI on `argv` (without `node` and the script) and returns the exit code. Never throws:
 * every failure becomes one line plus a hint on stderr.
 *
 * @example
 * const code = await runCli(['--version'], { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd() });
 */
export async function runCli(argv: readonly string[], io: Io, version = '0.0.0'): Promise<number> {
  const errColor = colors(
    useColor({ isTTY: io.stderr.isTTY, env: io.env, flag: argv.includes('--no-color') ? false : undefined }),
  );
  const outColor = colors(
    useColor({ isTTY: io.stdout.isTTY, env: io.env, flag: argv.includes('--no-color') ? false : undefined }),
  );
  const redactor = createRedactor();
  const debug = argv.includes('--debug') || io.env.NETSUITE_OAUTH_DEBUG === '1';

  const fail = async (error: unknown, r = redactor, ctx?: Context): Promise<number> => {
    // The packages' meanings of NetSuite's errors; a usage error needs none (and --help loads no package).
    const hints = error instanceof CliError ? undefined : await loadErrorHints().catch(() => undefined);
    const d = describeError(error, { hints, oauthContext: ctx && oauthContext(ctx) });
    if (argv.includes('--json')) {
      // A program asked for JSON: the error is one JSON line on stderr too (stdout stays for results).
      const hint = d.hint === undefined ? {} : { hint: r.redact(d.hint) };
      io.stderr.write(
        `${JSON.stringify({ error: { code: d.code, message: r.redact(d.message), ...hint, exitCode: d.exitCode } })}\n`,
      );
      return d.exitCode;
    }
    // Messages can quote NetSuite's words (and so record data): no control character reaches the terminal.
    io.stderr.write(`${errColor.red('error')}: ${neutralizeControls(r.redact(d.message), '\n')}\n`);
    if (d.hint) io.stderr.write(`${errColor.dim('hint')}: ${neutralizeControls(r.redact(d.hint), '\n')}\n`);
    if (debug) {
      let cause: unknown = error;
      for (let depth = 0; cause && depth < 8; depth++) {
        const c = cause as { name?: unknown; code?: unknown; message?: unknown; cause?: unknown };
        io.stderr.write(
          `${errColor.dim('debug')}: ${neutralizeControls(r.redact(`${String(c.name ?? 'Error')} ${String(c.code ?? '')} ${String(c.message ?? '')}`), '\n')}\n`,
        );
        cause = c.cause;
      }
    }
    return d.exitCode;
  };

  let spec: CommandSpec;
  let rest: string[];
  try {
    const first = parseArgs({
      args: [...argv],
      options: { ...toParseOptions(GLOBAL_OPTIONS), version: { type: 'boolean', short: 'V' } },
      strict: false,
      allowPositionals: true,
    });
    const positionals = first.positionals;
    if (positionals[0] === 'help') {
      positionals.shift();
      first.values.help = true;
    }
    if (positionals.length === 0) {
      if (first.values.version === true) {
        io.stdout.write(`${version}\n`);
        return EXIT.ok;
      }
      io.stdout.write(mainHelp(version, outColor));
      return first.values.help === true || argv.length === 0 ? EXIT.ok : EXIT.usage;
    }
    const found = findCommand(positionals);
    if (!found) {
      const group = groupHelp(positionals[0] ?? '', outColor);
      if (group && (positionals.length === 1 || first.values.help === true)) {
        if (first.values.help === true) {
          io.stdout.write(group);
          return EXIT.ok;
        }
        io.stderr.write(group);
        return EXIT.usage;
      }
      const word = GROUPS.includes(positionals[0] ?? '')
        ? positionals.slice(0, 2).join(' ')
        : (positionals[0] ?? '');
      const guess = closest(positionals[0] ?? '');
      throw usageError(
        `unknown command "${word}"`,
        guess && guess !== positionals[0]
          ? `did you mean "${guess}"? Run "pnpm nso --help"`
          : 'run "pnpm nso --help"',
      );
    }
    spec = found.spec;
    if (spec.passThrough) {
      // Everything but the command word goes to the command's own parser, --help included.
      const at = argv.indexOf(spec.name);
      const ctx = createContext({
        spec,
        values: {},
        positionals: [...argv.slice(0, at), ...argv.slice(at + 1)],
        io,
        format: 'table',
      });
      try {
        return (await (await spec.load()).run(ctx)) ?? EXIT.ok;
      } catch (error) {
        ctx.progress(undefined);
        return await fail(error, ctx.redactor, ctx);
      } finally {
        await ctx.cleanup();
      }
    }
    if (first.values.help === true) {
      io.stdout.write(commandHelp(spec, outColor));
      return EXIT.ok;
    }

    const options: ParseOptions = { ...toParseOptions(GLOBAL_OPTIONS), ...toParseOptions(spec.options) };
    if (spec.formats?.includes('csv')) options.csv = { type: 'boolean' };
    let parsed: { values: OptionValues; positionals: string[] };
    try {
      parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true }) as typeof parsed;
    } catch (error) {
      throw usageError(parseMessage(error), `run "pnpm nso ${spec.name} --help"`);
    }
    // Drop the command words (they are the first positionals, wherever options sit around them).
    rest = parsed.positionals.slice(found.consumed);
    if (rest.length < spec.positionals.min || rest.length > spec.positionals.max) {
      throw usageError(
        rest.length < spec.positionals.min
          ? 'missing argument'
          : `unexpected argument "${rest[spec.positionals.max] ?? ''}"`,
        `usage: pnpm nso ${spec.usage}`,
      );
    }
    const values = parsed.values;
    if (values.json === true && values.csv === true)
      throw usageError('--json and --csv cannot be used together');
    const format: OutputFormat = values.json === true ? 'json' : values.csv === true ? 'csv' : 'table';
    const ctx = createContext({ spec, values, positionals: rest, io, format });
    if (values.verbose === true) {
      // Loaded only with --verbose: the packages it subscribes to stay out of every other start-up.
      const { traceCalls } = await import('./verbose.js');
      ctx.defer(traceCalls((line) => ctx.note(ctx.color.dim(line))));
    }
    try {
      const mod = await spec.load();
      const code = await mod.run(ctx);
      return code ?? EXIT.ok;
    } catch (error) {
      // The context's redactor knows the secrets the command loaded.
      ctx.progress(undefined);
      return await fail(error, ctx.redactor, ctx);
    } finally {
      await ctx.cleanup();
    }
  } catch (error) {
    return await fail(error);
  }
}
