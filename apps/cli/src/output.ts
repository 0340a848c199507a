import type { Context } from './context.js';
import { cellText, neutralizeControls } from './format.js';

/**
 * Prints one result: pretty JSON with --json (exact), else aligned `key  value` lines (nested objects as JSON,
 * control characters neutralised).
 *
 * @example
 * printObject(ctx, { accountId: '1234567_SB1', expiresIn: '59m 58s' });
 */
export function printObject(ctx: Context, value: Record<string, unknown>): void {
  if (ctx.format === 'json') {
    ctx.out(`${JSON.stringify(value, null, 2)}\n`);
    return;
  }
  const entries = Object.entries(value)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => [neutralizeControls(k), neutralizeControls(cellText(v))] as const);
  const width = Math.max(0, ...entries.map(([k]) => k.length));
  ctx.out(`${entries.map(([k, v]) => `${ctx.outColor.dim(k.padEnd(width))}  ${v}`).join('\n')}\n`);
}

/**
 * `3600000` → `1h 0m`, `59000` → `59s`, negative → `expired`.
 *
 * @example
 * duration(3_600_000) // '1h 0m'
 */
export function duration(ms: number): string {
  if (ms <= 0) return 'expired';
  const s = Math.round(ms / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s % 60}s`;
  return `${s}s`;
}

/**
 * Milliseconds as a short human figure: `12 ms`, `1.3 s`.
 *
 * @example
 * elapsed(1250) // '1.3 s'
 */
export function elapsed(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
