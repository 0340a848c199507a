import type { Context } from './context.js';
import { duration } from './output.js';

const COUNT = new Intl.NumberFormat('en-US');

/**
 * One progress line: a bar (when the total is known), done/total, percent, rate and ETA.
 *
 * @example
 * progressLine({ done: 4200, total: 10000, elapsedMs: 4000, unit: 'records' })
 * // '[██████████░░░░░░░░░░░░░░] 4,200/10,000 records  42%  1,050/s ETA 6s'
 */
export function progressLine(options: {
  done: number;
  total: number | undefined;
  elapsedMs: number;
  unit: string;
  width?: number | undefined;
}): string {
  const { done, total, elapsedMs, unit } = options;
  const width = options.width ?? 24;
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  const rateText = `${COUNT.format(Math.round(rate))}/s`;
  if (total === undefined || total <= 0) return `${COUNT.format(done)} ${unit}  ${rateText}`;
  const fraction = Math.min(1, done / total);
  const filled = Math.round(fraction * width);
  const bar = `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]`;
  const left = Math.max(0, total - done);
  const etaMs = rate > 0 ? (left / rate) * 1000 : undefined;
  const eta = etaMs === undefined ? '' : ` ETA ${etaMs < 1000 ? '<1s' : duration(etaMs)}`;
  return `${bar} ${COUNT.format(done)}/${COUNT.format(total)} ${unit}  ${Math.floor(fraction * 100)}%  ${rateText}${eta}`;
}

/**
 * How many items a stream will give: NetSuite's total, capped by `--limit`; `undefined` when neither is known.
 *
 * @example
 * expected(20_000, 500) // 500
 */
export function expected(total: number | undefined, limit: number | undefined): number | undefined {
  if (total === undefined) return undefined;
  return limit === undefined ? total : Math.min(total, limit);
}

/** A progress display for a long command. */
export interface Progress {
  /** Reports how many are done; redraws at most every 100 ms. */
  update(done: number): void;
  /** Clears the line (a TTY) so the summary follows. */
  finish(): void;
}

/**
 * A progress display: a redrawn line on a TTY (stderr), and on anything else a plain line at most every
 * `plainEveryMs` (no escape codes), so logs stay readable.
 *
 * @example
 * const progress = createProgress(ctx, { total: 10_000, unit: 'records' }); progress.update(4200); progress.finish();
 */
export function createProgress(
  ctx: Context,
  options: { total: number | undefined; unit: string; plainEveryMs?: number },
): Progress {
  const started = ctx.now();
  const tty = ctx.io.stderr.isTTY === true;
  const plainEvery = options.plainEveryMs ?? 10_000;
  let drawnAt = Number.NEGATIVE_INFINITY;
  return {
    update(done) {
      const now = ctx.now();
      if (now - drawnAt < (tty ? 100 : plainEvery)) return;
      if (!tty && now - started < plainEvery) return;
      drawnAt = now;
      const line = progressLine({ done, total: options.total, elapsedMs: now - started, unit: options.unit });
      if (tty) ctx.progress(line);
      else ctx.note(line.replace(/^\[[█░]*\] /, ''));
    },
    finish() {
      ctx.progress(undefined);
    },
  };
}
