import { type Colors, colors, useColor } from './color.js';
import type { CommandSpec } from './commands.js';
import { type ConfigFlags, resolveSettings, type Settings } from './config.js';
import type { OutputFormat } from './format.js';
import { createRedactor, type Redactor } from './mask.js';

/** A writable text stream (process.stdout or a test double). */
export interface TextOut {
  write(text: string): unknown;
  readonly isTTY?: boolean | undefined;
}

/** The process around the CLI, injected so tests can run it in-process. */
export interface Io {
  readonly stdout: TextOut;
  readonly stderr: TextOut;
  readonly stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly fetch?: typeof fetch | undefined;
  readonly now?: (() => number) | undefined;
}

/** Parsed option values of one command. */
export type OptionValues = Readonly<Record<string, string | boolean | string[] | undefined>>;

/** What a command gets to work with. */
export interface Context {
  readonly spec: CommandSpec;
  readonly values: OptionValues;
  readonly positionals: readonly string[];
  readonly io: Io;
  readonly format: OutputFormat;
  /** Colours for stderr (notes, progress, errors). */
  readonly color: Colors;
  /** Colours for stdout (tables); off whenever stdout is not a TTY. */
  readonly outColor: Colors;
  readonly redactor: Redactor;
  readonly fetch: typeof fetch;
  readonly now: () => number;
  /** Write to stdout, with every known secret masked. */
  out(text: string): void;
  /** Write raw to stdout: only for a value the user asked to see (`token --reveal`). */
  outRaw(text: string): void;
  /** A line on stderr (masked). */
  note(text: string): void;
  /** A transient status on stderr, only on a TTY; `undefined` clears it. */
  progress(text: string | undefined): void;
  /** The resolved settings (flags > env > profile), read once. */
  settings(): Settings;
  /** A string option, or undefined. */
  string(name: string): string | undefined;
  /** A boolean option. */
  flag(name: string): boolean;
  /** Run at the end of the command, in reverse order, even on failure. */
  defer(cleanup: () => Promise<void> | void): void;
  /** Runs the deferred clean-ups. */
  cleanup(): Promise<void>;
}

/**
 * Builds the {@link Context} of one command run.
 *
 * @example
 * const ctx = createContext({ spec, values, positionals: [], io, format: 'table' });
 */
export function createContext(options: {
  spec: CommandSpec;
  values: OptionValues;
  positionals: readonly string[];
  io: Io;
  format: OutputFormat;
}): Context {
  const { io, values } = options;
  const noColorFlag = values['no-color'] === true ? false : undefined;
  const color = colors(useColor({ isTTY: io.stderr.isTTY, env: io.env, flag: noColorFlag }));
  const outColor = colors(
    options.format === 'table' && useColor({ isTTY: io.stdout.isTTY, env: io.env, flag: noColorFlag }),
  );
  const redactor = createRedactor();
  let settings: Settings | undefined;
  let progressShown = false;
  const cleanups: (() => Promise<void> | void)[] = [];
  const str = (name: string): string | undefined => {
    const v = values[name];
    return typeof v === 'string' ? v : undefined;
  };
  const clearProgress = () => {
    if (progressShown) {
      io.stderr.write('\r\u001b[2K');
      progressShown = false;
    }
  };
  return {
    spec: options.spec,
    values,
    positionals: options.positionals,
    io,
    format: options.format,
    color,
    outColor,
    redactor,
    fetch: io.fetch ?? globalThis.fetch,
    now: io.now ?? Date.now,
    out(text) {
      clearProgress();
      io.stdout.write(redactor.redact(text));
    },
    outRaw(text) {
      clearProgress();
      io.stdout.write(text);
    },
    note(text) {
      clearProgress();
      io.stderr.write(`${redactor.redact(text)}\n`);
    },
    progress(text) {
      if (io.stderr.isTTY !== true) return;
      if (text === undefined) return clearProgress();
      io.stderr.write(`\r\u001b[2K${redactor.redact(text)}`);
      progressShown = true;
    },
    settings() {
      if (!settings) {
        settings = resolveSettings(values as ConfigFlags, io.env, io.cwd);
        redactor.register(settings.clientSecret);
        redactor.register(settings.passphrase);
        redactor.register(settings.storeKey);
      }
      return settings;
    },
    string: str,
    flag: (name) => values[name] === true,
    defer(cleanup) {
      cleanups.push(cleanup);
    },
    async cleanup() {
      clearProgress();
      while (cleanups.length > 0) {
        const fn = cleanups.pop();
        try {
          await fn?.();
        } catch {
          // Clean-up failures must not hide the command's own result.
        }
      }
    },
  };
}
