import type { RouteName } from './routes.js';

/** One entry of the request log. Holds no token, secret, code or body. */
export interface RequestLogEntry {
  readonly seq: number;
  /** Emulator clock, ISO 8601. */
  time: string;
  /** Emulator clock, epoch ms (the ISO `time` is filled in when the log is read). */
  at?: number | undefined;
  readonly method: string;
  readonly route: RouteName;
  /** Path without the query string. */
  readonly path: string;
  status: number;
  durationMs: number;
  clientId?: string | undefined;
  /** Login-audit-trail style reason for a refusal (`MissingKey`, `AccessTokenExpired`, …). */
  reason?: string | undefined;
  fault?: boolean | undefined;
}
