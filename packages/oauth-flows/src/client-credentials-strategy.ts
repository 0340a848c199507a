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
      let refusedAssertion: string | undefined;
      const request = (signAt: number | undefined) => {
        refusedAssertion = undefined;
        return requestClientCredentialsTokenWith(
          { ...grant, fetch: transport.fetch, timeoutMs, now, signer },
          {
            signAt,
            onResponse: skew.observe,
            onRefused: (assertion) => {
              refusedAssertion = assertion;
            },
          },
        );
      };
      const correctedAt = () => (Math.abs(skew.skewMs) > skewThresholdMs ? now() + skew.skewMs : undefined);
      const signAt = correctedAt();
      try {
        return await request(signAt);
      } catch (first) {
        let error = first;
        // A rejected assertion signed far from the server's clock (as the refusal's Date header shows) is retried
        // once on the server's clock; only then is the certificate itself suspected.
        const corrected = correctedAt();
        if (
          error instanceof OAuthResponseError &&
          (error.status === 400 || error.status === 401) &&
          corrected !== undefined &&
          Math.abs(corrected - (signAt ?? now())) > skewThresholdMs
        ) {
          try {
            return await request(corrected);
          } catch (second) {
            error = second;
          }
        }
        // A signer holding several certificates passes over the refused one: one retry with the next.
        if (
          error instanceof OAuthResponseError &&
          refusedAssertion !== undefined &&
          typeof signer.refused === 'function' &&
          signer.refused(refusedAssertion) === true
        ) {
          return await request(correctedAt());
        }
        throw error;
      }
    },
  };
}
