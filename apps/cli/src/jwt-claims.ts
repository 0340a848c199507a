/**
 * Reads the payload of a JWT without verifying it (for display only: scopes, expiry, subject).
 * NetSuite's tokens are JWTs, but clients must treat them as opaque; undefined when it is not a JWT.
 *
 * @example
 * decodeJwtPayload(token)?.scope // ['rest_webservices', 'restlets']
 */
export function decodeJwtPayload(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) return undefined;
  try {
    const json = Buffer.from(parts[1], 'base64url').toString('utf8');
    const payload: unknown = JSON.parse(json);
    return payload && typeof payload === 'object' && !Array.isArray(payload)
      ? (payload as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The scopes named in a token's `scope` claim (array or space/comma-separated string).
 *
 * @example
 * tokenScopes(accessToken) // ['rest_webservices', 'restlets']
 */
export function tokenScopes(token: string): string[] | undefined {
  const scope = decodeJwtPayload(token)?.scope;
  if (Array.isArray(scope)) return scope.filter((s): s is string => typeof s === 'string');
  if (typeof scope === 'string') return scope.split(/[\s,]+/).filter(Boolean);
  return undefined;
}
