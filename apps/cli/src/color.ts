/** Colour functions: identity when colour is off. */
export interface Colors {
  readonly enabled: boolean;
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

/**
 * Decides whether to colour a stream: only on a TTY, never when `NO_COLOR` is set (any value,
 * https://no-color.org), never with `--no-color` or `TERM=dumb`; `FORCE_COLOR` (not `0`) forces it on.
 *
 * @example
 * useColor({ isTTY: process.stderr.isTTY, env: process.env, flag: undefined })
 */
export function useColor(options: {
  isTTY: boolean | undefined;
  env: Readonly<Record<string, string | undefined>>;
  flag?: boolean | undefined;
}): boolean {
  if (options.flag === false) return false;
  if (options.env.NO_COLOR !== undefined && options.env.NO_COLOR !== '') return false;
  const force = options.env.FORCE_COLOR;
  if (force !== undefined && force !== '' && force !== '0' && force !== 'false') return true;
  if (options.env.TERM === 'dumb') return false;
  return options.isTTY === true;
}

/**
 * ANSI colour helpers, or identity functions when `enabled` is false.
 *
 * @example
 * const c = colors(true); console.log(c.green('ok'))
 */
export function colors(enabled: boolean): Colors {
  const wrap = (open: number, close: number) => (text: string) =>
    enabled ? `\u001b[${open}m${text}\u001b[${close}m` : text;
  return {
    enabled,
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    red: wrap(31, 39),
    green: wrap(32, 39),
    yellow: wrap(33, 39),
    cyan: wrap(36, 39),
  };
}
