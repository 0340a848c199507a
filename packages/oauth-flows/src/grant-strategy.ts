import type { ClockSkew } from './clock-skew.js';
import { OAuthFlowError } from './errors.js';
import type { FetchLike } from './http.js';
import type { StoredTokens } from './token-entry.js';
import type { TokenSet } from './token-set.js';

/** How the token manager reaches the token endpoint: the same for every grant of one manager. */
export interface GrantTransport {
  readonly fetch?: FetchLike | typeof globalThis.fetch | undefined;
  /** Longest time one token request may take, ms. */
  readonly timeoutMs: number;
  readonly now: () => number;
}

/** What one token request gets from the manager. */
export interface GrantRequest {
  /** Deadline of this request, ms (at most the transport's `timeoutMs`; shorter under a lock lease). */
  readonly timeoutMs: number;
  /** The server's clock as seen so far; the request updates it from the response's `Date` header. */
  readonly skew: ClockSkew;
}

/**
 * One grant type's part of the token manager: how to get new tokens, what a failure means, how long a stored
 * entry lives. The manager's caching, scheduling and store protocol are the same for every grant.
 */
export interface GrantStrategy {
  readonly type: 'client_credentials' | 'refresh_token';
  /**
   * Refresh tokens are single-use (a public client's rotation): a refresh must hold the store lock, fail closed
   * when it cannot, and write with compare-and-set, since one refresh token spent twice logs the user out.
   */
  readonly rotating: boolean;
  /**
   * Entries only cache what the grant can fetch again: one the store cannot read (key rotated away, tampered,
   * corrupt) is dropped and treated as a miss. Otherwise reads fail closed: the grant in the entry cannot be
   * re-created, an operator may recover it.
   */
  readonly recreatable: boolean;
  /** When the store may forget an entry holding `tokens`, epoch ms. */
  entryExpiresAt(tokens: TokenSet, obtainedAt: number): number;
  /** Asks the authorization server for new tokens, starting from the stored state `base`. */
  fetchTokens(base: StoredTokens | undefined, request: GrantRequest): Promise<TokenSet>;
  /** True when `error` means the grant is dead: the user must log in again. */
  isTerminal(error: unknown): boolean;
  /** Revokes a token of this grant at the server; absent when the grant has nothing to revoke. */
  readonly revoke?: ((token: string) => Promise<void>) | undefined;
}

/** `ERR_OAUTH_REAUTHENTICATION_REQUIRED`: the session has no usable refresh token left. */
export function reauthenticationRequired(cause?: unknown): OAuthFlowError {
  return new OAuthFlowError(
    'ERR_OAUTH_REAUTHENTICATION_REQUIRED',
    'the session has no usable refresh token; log in again',
    { cause },
  );
}
