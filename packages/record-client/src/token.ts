import { RecordClientError } from './errors.js';

/**
 * An object that hands out access tokens and can be told one was rejected (an oauth-flows `TokenManager` fits).
 *
 * @example
 * const provider: TokenProvider = { getAccessToken: async () => token, invalidate: async () => {} }
 */
export interface TokenProvider {
  getAccessToken(): Promise<string>;
  invalidate?(token: string): Promise<void>;
}

/**
 * Where the client gets its bearer token: a function, or a {@link TokenProvider}.
 *
 * @example
 * const token: TokenSource = () => Promise.resolve(process.env.NS_TOKEN ?? '');
 * const token2: TokenSource = createTokenManager({ ... }); // @netsuite-oauth/oauth-flows
 */
export type TokenSource = (() => Promise<string>) | TokenProvider;

/** The normalised token source. */
export interface ResolvedTokenSource {
  get(): Promise<string>;
  /** Tells the source `token` was rejected; the next get() should return a fresh one. */
  invalidate(token: string): Promise<void>;
}

const TOKEN_SHAPE = /^[\x21-\x7e]+$/;

/** Checks `token` at construction and wraps it. */
export function resolveTokenSource(token: TokenSource): ResolvedTokenSource {
  let get: () => Promise<string>;
  let invalidate: (token: string) => Promise<void> = async () => {};
  if (typeof token === 'function') {
    get = token;
  } else if (token !== null && typeof token === 'object' && typeof token.getAccessToken === 'function') {
    get = () => token.getAccessToken();
    if (typeof token.invalidate === 'function') {
      invalidate = (value) => (token.invalidate as (t: string) => Promise<void>).call(token, value);
    }
  } else {
    throw new RecordClientError(
      'ERR_RECORD_INVALID_OPTION',
      'token must be a function returning a promise of a string, or an object with getAccessToken()',
    );
  }
  // The last token that passed the shape check: a cached token comes back on every call, and checking a
  // kilobyte-long JWT each time is measurable per request.
  let lastChecked: string | undefined;
  return {
    async get() {
      let value: unknown;
      try {
        value = await get();
      } catch (cause) {
        throw new RecordClientError('ERR_RECORD_TOKEN', 'token source failed', { cause });
      }
      if (lastChecked !== undefined && value === lastChecked) return lastChecked;
      if (typeof value !== 'string' || !TOKEN_SHAPE.test(value)) {
        throw new RecordClientError(
          'ERR_RECORD_TOKEN',
          'token source returned something that is not a bearer token',
        );
      }
      lastChecked = value;
      return value;
    },
    async invalidate(value) {
      try {
        await invalidate(value);
      } catch (cause) {
        throw new RecordClientError(
          'ERR_RECORD_TOKEN',
          'token source failed to invalidate a rejected token',
          {
            cause,
          },
        );
      }
    },
  };
}
