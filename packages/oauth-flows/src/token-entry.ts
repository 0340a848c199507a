import { TokenSet } from './token-set.js';

/**
 * A token set as the token manager keeps it in a store: the tokens, when they were obtained (the refresh
 * schedule counts from there), and the store version the entry was read at.
 */
export interface StoredTokens {
  readonly tokens: TokenSet;
  readonly obtainedAt: number;
  readonly version: number;
}

// The wire form of a stored entry: short keys, versioned so a future layout can be told apart.
interface Serialized {
  v: 1;
  a?: string | undefined;
  e: number;
  o: number;
  r?: string | undefined;
  re?: number | undefined;
  s?: string | undefined;
}

/** Placeholder access token of an entry whose access token was dropped but whose refresh token lives on. */
export const NO_ACCESS = '-';

/** True when the stored entry still carries an access token (not only a refresh token). */
export function hasAccessToken(stored: StoredTokens | undefined): stored is StoredTokens {
  return stored !== undefined && stored.tokens.accessToken !== NO_ACCESS;
}

/**
 * Serialises a token set for a store's opaque `value`. Without `withAccess` only the refresh token (and its
 * expiry) is kept: the access token was invalidated or the grant retired.
 */
export function encodeTokenEntry(tokens: TokenSet, obtainedAt: number, withAccess = true): string {
  const out: Serialized = { v: 1, e: withAccess ? tokens.expiresAt : 0, o: obtainedAt };
  if (withAccess) out.a = tokens.accessToken;
  if (tokens.refreshToken !== undefined) out.r = tokens.refreshToken;
  if (tokens.refreshTokenExpiresAt !== undefined) out.re = tokens.refreshTokenExpiresAt;
  if (tokens.scope !== undefined) out.s = tokens.scope;
  return JSON.stringify(out);
}

/** Reads a store entry written by {@link encodeTokenEntry}; anything else (another layout, garbage) is a miss. */
export function decodeTokenEntry(
  entry: { readonly value: string; readonly version: number } | undefined,
): StoredTokens | undefined {
  if (!entry) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(entry.value);
  } catch {
    return undefined;
  }
  const s = raw as Partial<Serialized> | null;
  if (s?.v !== 1 || typeof s.e !== 'number' || typeof s.o !== 'number') return undefined;
  if (s.a !== undefined && typeof s.a !== 'string') return undefined;
  if (s.r !== undefined && typeof s.r !== 'string') return undefined;
  return {
    tokens: new TokenSet({
      accessToken: s.a ?? NO_ACCESS,
      tokenType: 'Bearer',
      expiresAt: s.a === undefined ? 0 : s.e,
      refreshToken: s.r,
      refreshTokenExpiresAt: typeof s.re === 'number' ? s.re : undefined,
      scope: typeof s.s === 'string' ? s.s : undefined,
    }),
    obtainedAt: s.o,
    version: entry.version,
  };
}
