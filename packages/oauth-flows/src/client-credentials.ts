import { isNetSuiteError } from '@netsuite-oauth/core';
import { OAuthFlowError, OAuthResponseError } from './errors.js';
import { type FormResponse, postForm } from './http.js';
import {
  type AccountOptions,
  checkTransport,
  requireObject,
  resolveEndpoints,
  type TransportOptions,
} from './options.js';
import { parseTokenResponse } from './response.js';
import type { TokenSet } from './token-set.js';

/**
 * Anything that signs a client assertion: `createAssertionSigner()` from `@netsuite-oauth/jwt-assertion`
 * fits. When clock-skew correction is active the signer is called with `{ now }` (epoch ms on the
 * server's clock); a signer that ignores it still works, it just cannot be corrected.
 *
 * @example
 * const signer: AssertionSignerLike = await createAssertionSigner({ key, certificateId, clientId });
 */
export interface AssertionSignerLike {
  sign(...args: never[]): Promise<string>;
  /**
   * Optional: told which assertion NetSuite refused; true when the signer has another certificate to try. The
   * token manager then retries once (`createMultiCertificateSigner()` of `@netsuite-oauth/jwt-assertion` fits).
   */
  refused?(assertion: string): boolean;
}

/**
 * Options of {@link requestClientCredentialsToken}.
 *
 * @example
 * const options: ClientCredentialsOptions = { accountId: '1234567_SB1', signer };
 */
export interface ClientCredentialsOptions extends AccountOptions, TransportOptions {
  /** Signs the JWT client assertion (RFC 7523) for each request. */
  readonly signer: AssertionSignerLike;
}

/** Extra, internal knobs the token manager uses. */
export interface ClientCredentialsInternals {
  /** Epoch ms to sign the assertion at (server clock), when skew correction is active. */
  readonly signAt?: number | undefined;
  readonly onResponse?: ((response: FormResponse) => void) | undefined;
  /** Told the assertion of a request NetSuite answered with an OAuth error. */
  readonly onRefused?: ((assertion: string) => void) | undefined;
}

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export function checkSigner(signer: unknown): AssertionSignerLike {
  if (
    signer === null ||
    typeof signer !== 'object' ||
    typeof (signer as { sign?: unknown }).sign !== 'function'
  ) {
    throw new OAuthFlowError('ERR_OAUTH_INVALID_OPTION', 'signer must have a sign() method');
  }
  return signer as AssertionSignerLike;
}

async function signAssertion(signer: AssertionSignerLike, signAt: number | undefined): Promise<string> {
  let assertion: unknown;
  try {
    const sign = signer.sign as (options?: { now?: number }) => Promise<unknown>;
    assertion = await (signAt === undefined ? sign.call(signer) : sign.call(signer, { now: signAt }));
  } catch (cause) {
    throw new OAuthFlowError('ERR_OAUTH_ASSERTION_FAILED', 'signer failed to sign the client assertion', {
      cause: isNetSuiteError(cause) ? cause : undefined,
    });
  }
  if (
    typeof assertion !== 'string' ||
    !/^[\w-]+\.[\w-]+\.[\w-]+$/.test(assertion) ||
    assertion.length > 16_384
  ) {
    throw new OAuthFlowError('ERR_OAUTH_ASSERTION_FAILED', 'signer did not return a compact jwt');
  }
  return assertion;
}

/**
 * Client Credentials (machine-to-machine) grant: one token request with a JWT client assertion.
 *
 * The response is validated strictly (JSON object, `token_type` Bearer in any case, numeric or numeric-string
 * `expires_in`); redirects are never followed; nothing is retried (the token manager decides retries).
 *
 * @example
 * const signer = await createAssertionSigner({ key, certificateId, clientId, audience: emu.endpoints.tokenUrl,
 *   scope: ['rest_webservices'] });
 * const tokens = await requestClientCredentialsToken({ accountId: emu.accountId, origin: emu.url,
 *   allowInsecureLoopback: true, signer });
 * @throws {OAuthResponseError} when NetSuite answers with an OAuth error (`invalid_client`, `invalid_grant`, …).
 * @throws {OAuthFlowError} `ERR_OAUTH_INVALID_OPTION`, `ERR_OAUTH_ASSERTION_FAILED`, `ERR_OAUTH_NETWORK`,
 *   `ERR_OAUTH_TIMEOUT`, `ERR_OAUTH_REDIRECT`, `ERR_OAUTH_INVALID_RESPONSE`, `ERR_OAUTH_UNEXPECTED_STATUS`, …
 * @see https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_162755359851.html
 */
export async function requestClientCredentialsToken(options: ClientCredentialsOptions): Promise<TokenSet> {
  return await requestClientCredentialsTokenWith(options, {});
}

/** {@link requestClientCredentialsToken} with the token manager's hooks. */
export async function requestClientCredentialsTokenWith(
  options: ClientCredentialsOptions,
  internals: ClientCredentialsInternals,
): Promise<TokenSet> {
  requireObject(options, 'options');
  const endpoints = resolveEndpoints(options);
  checkTransport(options);
  const signer = checkSigner(options.signer);
  const assertion = await signAssertion(signer, internals.signAt);
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_assertion_type: ASSERTION_TYPE,
    client_assertion: assertion,
  });
  const response = await postForm(endpoints.tokenUrl, form, {}, options);
  internals.onResponse?.(response);
  try {
    return parseTokenResponse(response, { secrets: [assertion] });
  } catch (error) {
    if (error instanceof OAuthResponseError) internals.onRefused?.(assertion);
    throw error;
  }
}
