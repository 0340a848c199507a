import { OAuthFlowError } from './errors.js';
import type { OAuthClient } from './options.js';

/** NetSuite's refresh-token lifetime for a confidential client: 7 days (section_158082518856.html). */
export const CONFIDENTIAL_REFRESH_LIFETIME_MS = 7 * 24 * 3600 * 1000;
/** NetSuite's default refresh-token lifetime for a public client: 48 hours (section_158082518856.html). */
export const PUBLIC_REFRESH_LIFETIME_MS = 48 * 3600 * 1000;

/** The refresh-token lifetime to assume for `client` when nothing says: `lifetimeMs` if given, else NetSuite's. */
export function defaultRefreshLifetime(client: OAuthClient, lifetimeMs?: number | undefined): number {
  return (
    lifetimeMs ??
    (client.clientSecret === undefined ? PUBLIC_REFRESH_LIFETIME_MS : CONFIDENTIAL_REFRESH_LIFETIME_MS)
  );
}

/** Checks a `refreshTokenLifetimeMs` option. @throws {OAuthFlowError} `ERR_OAUTH_INVALID_OPTION` */
export function checkLifetime(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new OAuthFlowError('ERR_OAUTH_INVALID_OPTION', 'refreshTokenLifetimeMs must be a positive number');
  }
  return value;
}
