import {
  type AssertionSignerLike,
  checkSigner,
  requestClientCredentialsTokenWith,
} from './client-credentials.js';
import { OAuthResponseError } from './errors.js';
import type { GrantStrategy, GrantTransport } from './grant-strategy.js';
import type { AccountOptions } from './options.js';

/**
 * Client Credentials: the manager signs a new assertion whenever it needs a token.
 *
 * @example
 * const grant: ClientCredentialsGrant = { type: 'client_credentials', accountId: '1234567_SB1', signer };
 */
export interface ClientCredentialsGrant extends AccountOptions {
  readonly type: 'client_credentials';
  readonly signer: AssertionSignerLike;
}

/**
 * Client Credentials (RFC 7523 assertion): every token is fetched anew with a fresh assertion, so entries are
 * only a cache. An assertion refused while the server's clock is far from ours is signed again once on the
 * server's clock.
 *
 * @throws {OAuthFlowError} `ERR_OAUTH_INVALID_OPTION` synchronously for a signer without `sign()`.
 */
export function clientCredentialsStrategy(
  grant: ClientCredentialsGrant,
  transport: GrantTransport & { readonly skewThresholdMs: number },
): GrantStrategy {
  const signer = checkSigner(grant.signer);
  const { now, skewThresholdMs } = transport;
  return {
    type: 'client_credentials',
    rotating: false,
    recreatable: true,
    entryExpiresAt: (tokens) => tokens.expiresAt,
    isTerminal: () => false,
    async fetchTokens(_base, { timeoutMs, skew }) {
      let fallback = false;
      const onRefused = (assertion: string) => {
        // A signer holding several certificates passes over the refused one: one retry with the next.
        if (!fallback && typeof signer.refused === 'function') fallback = signer.refused(assertion) === true;
      };
      const request = (signAt: number | undefined) =>
        requestClientCredentialsTokenWith(
          { ...grant, fetch: transport.fetch, timeoutMs, now, signer },
          { signAt, onResponse: skew.observe, onRefused },
        );
      const correctedAt = () => (Math.abs(skew.skewMs) > skewThresholdMs ? now() + skew.skewMs : undefined);
      const signAt = correctedAt();
      try {
        return await request(signAt);
      } catch (error) {
        if (fallback && error instanceof OAuthResponseError) {
          fallback = false;
          return await request(correctedAt());
        }
        // A rejected assertion with a server clock far from ours is retried once on the server's clock.
        const corrected = correctedAt();
        if (
          error instanceof OAuthResponseError &&
          signAt === undefined &&
          corrected !== undefined &&
          (error.status === 400 || error.status === 401)
        ) {
          return await request(corrected);
        }
        throw error;
      }
    },
  };
}
