import { type ClientCredentialsGrant, clientCredentialsStrategy } from './client-credentials-strategy.js';
import { OAuthFlowError } from './errors.js';
import type { GrantStrategy, GrantTransport } from './grant-strategy.js';
import { checkFunction, checkTimeout } from './http.js';
import { type AccountOptions, requireObject, resolveEndpoints, type TransportOptions } from './options.js';
import { CONFIDENTIAL_REFRESH_LIFETIME_MS } from './refresh-lifetime.js';
import { type RefreshTokenGrant, refreshTokenStrategy } from './refresh-token-strategy.js';
import { createStoreProtocol } from './store-protocol.js';
import type { TokenStoreLike } from './store-types.js';
import { TokenSet } from './token-set.js';
import type { TokenSlotContext } from './token-slot.js';

/**
 * The options of a token manager that hold for every key it serves: the store, the transport and the refresh
 * timing. `TokenManagerOptions` adds the key and its grant.
 *
 * @example
 * const base: TokenManagerBaseOptions = { store: memoryTokenStore(), refreshAheadMs: 120_000 };
 */
export interface TokenManagerBaseOptions extends Omit<TransportOptions, 'signal'> {
  /** Where tokens live: any `TokenStore` (memory, file, Redis, …). Cross-process single flight needs `lock`. */
  readonly store: TokenStoreLike;
  /** Refresh this long before expiry, in the background, while the old token is still served. @default 300000 */
  readonly refreshAheadMs?: number | undefined;
  /** Up to this much random extra lead per token, so a fleet does not refresh at one instant. @default 60000 */
  readonly refreshJitterMs?: number | undefined;
  /** Never hand out a token with less than this left; callers wait for the refresh instead. @default 30000 */
  readonly minValidityMs?: number | undefined;
  /** Lease of the store lock around a refresh; must exceed `timeoutMs`. @default timeoutMs + 5000 */
  readonly lockTtlMs?: number | undefined;
  /** How long to wait for another process's refresh. @default lockTtlMs + 1000 */
  readonly lockWaitMs?: number | undefined;
  /** First delay before a failed background refresh is tried again (doubles up to 30 s). @default 5000 */
  readonly retryDelayMs?: number | undefined;
  /** Server-minus-local clock difference above which assertions are signed on the server's clock. @default 30000 */
  readonly skewThresholdMs?: number | undefined;
  /** Told about failures of background refreshes (the caller still gets the old, valid token). */
  readonly onError?: ((error: OAuthFlowError) => void) | undefined;
}

/** How grants reach the token endpoint, with the clock-skew threshold of client assertions. */
export type ManagerTransport = GrantTransport & { readonly skewThresholdMs: number };

// Upper bound of every timing option: a week is longer than any token NetSuite issues lives.
const MAX_TIMING_MS = CONFIDENTIAL_REFRESH_LIFETIME_MS;

function checkMs(value: unknown, name: string, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > MAX_TIMING_MS) {
    throw new OAuthFlowError('ERR_OAUTH_INVALID_OPTION', `${name} must be a number of ms`);
  }
  return value;
}

export function checkStore(store: unknown): TokenStoreLike {
  const s = store as Partial<TokenStoreLike> | null;
  if (
    !s ||
    typeof s !== 'object' ||
    typeof s.get !== 'function' ||
    typeof s.set !== 'function' ||
    typeof s.delete !== 'function' ||
    !s.capabilities ||
    typeof s.capabilities !== 'object'
  ) {
    throw new OAuthFlowError(
      'ERR_OAUTH_INVALID_OPTION',
      'store must be a TokenStore (get, set, delete, capabilities)',
    );
  }
  return s as TokenStoreLike;
}

/**
 * The strategy of a grant option, checked (type, account, signer or client).
 *
 * @throws {OAuthFlowError} `ERR_OAUTH_INVALID_OPTION` synchronously.
 */
export function grantStrategy(grant: unknown, transport: ManagerTransport): GrantStrategy {
  requireObject(grant, 'grant');
  if (grant.type !== 'client_credentials' && grant.type !== 'refresh_token') {
    throw new OAuthFlowError(
      'ERR_OAUTH_INVALID_OPTION',
      'grant.type must be client_credentials or refresh_token',
    );
  }
  resolveEndpoints(grant as unknown as AccountOptions);
  return grant.type === 'client_credentials'
    ? clientCredentialsStrategy(grant as unknown as ClientCredentialsGrant, transport)
    : refreshTokenStrategy(grant as unknown as RefreshTokenGrant, transport);
}

/**
 * Checks the options every key of a manager shares and builds what they share.
 *
 * @throws {OAuthFlowError} `ERR_OAUTH_INVALID_OPTION` synchronously.
 */
export function managerContext(
  store: TokenStoreLike,
  options: TokenManagerBaseOptions,
): {
  context: TokenSlotContext;
  transport: ManagerTransport;
} {
  checkFunction(options.fetch, 'fetch');
  checkFunction(options.now, 'now');
  checkFunction(options.onError, 'onError');
  const timeoutMs = checkTimeout(options.timeoutMs);
  const now = options.now ?? Date.now;
  const timing = {
    refreshAheadMs: checkMs(options.refreshAheadMs, 'refreshAheadMs', 300_000),
    jitterMs: checkMs(options.refreshJitterMs, 'refreshJitterMs', 60_000),
    minValidityMs: checkMs(options.minValidityMs, 'minValidityMs', 30_000),
  };
  const lockTtlMs = Math.ceil(checkMs(options.lockTtlMs, 'lockTtlMs', timeoutMs + 5_000, 1));
  if (lockTtlMs <= timeoutMs) {
    throw new OAuthFlowError('ERR_OAUTH_INVALID_OPTION', 'lockTtlMs must be longer than timeoutMs');
  }
  const lockWaitMs = checkMs(options.lockWaitMs, 'lockWaitMs', lockTtlMs + 1_000);
  const retryDelayMs = checkMs(options.retryDelayMs, 'retryDelayMs', 5_000, 1);
  const skewThresholdMs = checkMs(options.skewThresholdMs, 'skewThresholdMs', 30_000);
  return {
    context: {
      store: createStoreProtocol(store),
      timing,
      now,
      timeoutMs,
      lockTtlMs,
      lockWaitMs,
      retryDelayMs,
      onError: options.onError,
    },
    transport: { fetch: options.fetch, timeoutMs, now, skewThresholdMs },
  };
}

/**
 * Refuses a grant whose rotating refresh tokens the store cannot protect: spent from several processes
 * without a lock and compare-and-set, a refresh token is spent twice and the user is logged out.
 *
 * @throws {OAuthFlowError} `ERR_OAUTH_INVALID_OPTION`
 */
export function checkStoreFitsGrant(context: TokenSlotContext, grant: GrantStrategy): void {
  const { store } = context;
  if (grant.rotating && store.crossProcess && !(store.canLock && store.canCompareAndSet)) {
    throw new OAuthFlowError(
      'ERR_OAUTH_INVALID_OPTION',
      'a public client needs a store with lock and compareAndSet when it is shared across processes',
    );
  }
}

/** Longest store key a token manager takes (the `TokenStore` contract's limit). */
export const MAX_KEY_LENGTH = 512;

/** True for a store key a token manager takes: a non-empty string of at most 512 characters. */
export function isTokenKey(key: unknown): key is string {
  return typeof key === 'string' && key.length > 0 && key.length <= MAX_KEY_LENGTH;
}

/** `ERR_OAUTH_INVALID_OPTION` for a key {@link isTokenKey} refuses (the key itself is not echoed). */
export function invalidKeyError(): OAuthFlowError {
  return new OAuthFlowError(
    'ERR_OAUTH_INVALID_OPTION',
    `key must be a non-empty string of at most ${MAX_KEY_LENGTH} characters`,
  );
}

/** `ERR_OAUTH_CLOSED`. */
export function closedError(): OAuthFlowError {
  return new OAuthFlowError('ERR_OAUTH_CLOSED', 'token manager is closed');
}

/** Checks the argument of `invalidate`. @throws {OAuthFlowError} `ERR_OAUTH_INVALID_OPTION` */
export function checkAccessTokenArgument(token: unknown): void {
  if (typeof token !== 'string' || token.length === 0) {
    throw new OAuthFlowError('ERR_OAUTH_INVALID_OPTION', 'token must be a non-empty string');
  }
}

/** Checks the argument of `setTokenSet`. @throws {OAuthFlowError} `ERR_OAUTH_INVALID_OPTION` */
export function checkTokenSetArgument(tokens: unknown): void {
  if (!(tokens instanceof TokenSet)) {
    throw new OAuthFlowError('ERR_OAUTH_INVALID_OPTION', 'tokens must be a TokenSet');
  }
}
