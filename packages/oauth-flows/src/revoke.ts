import { OAuthFlowError } from './errors.js';
import { errorFromResponse, postForm } from './http.js';
import {
  type AccountOptions,
  applyClientAuth,
  checkClient,
  checkString,
  checkTransport,
  type OAuthClient,
  requireObject,
  resolveEndpoints,
  type TransportOptions,
} from './options.js';

/**
 * Options of {@link revokeToken}.
 *
 * @example
 * const options: RevokeOptions = { accountId, client: { clientId, clientSecret }, token: refreshToken };
 */
export interface RevokeOptions extends AccountOptions, TransportOptions {
  readonly client: OAuthClient;
  /** The refresh token to revoke; NetSuite revokes its access tokens with it. */
  readonly token: string;
  /** RFC 7009 hint; NetSuite documents none, so none is sent by default. */
  readonly tokenTypeHint?: 'refresh_token' | 'access_token' | undefined;
}

/**
 * Revokes a refresh token and the access tokens issued from it (RFC 7009). Any 200 is success, whatever the
 * body; a 503 rejects with `retryAfterMs` set when the server sent `Retry-After` (the token is still valid).
 * Delete your local copy whatever this returns.
 *
 * @example
 * await revokeToken({ accountId, client: { clientId, clientSecret }, token: tokens.refreshToken });
 * @throws {OAuthResponseError} e.g. `unsupported_token_type`, `invalid_client`.
 * @throws {OAuthFlowError} `ERR_OAUTH_UNEXPECTED_STATUS` (with `status`, `retryAfterMs`), transport errors.
 * @see https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_161071224088.html
 */
export async function revokeToken(options: RevokeOptions): Promise<void> {
  requireObject(options, 'options');
  const endpoints = resolveEndpoints(options);
  checkTransport(options);
  const client = checkClient(options.client);
  const token = checkString(options.token, 'token');
  if (
    options.tokenTypeHint !== undefined &&
    options.tokenTypeHint !== 'refresh_token' &&
    options.tokenTypeHint !== 'access_token'
  ) {
    throw new OAuthFlowError(
      'ERR_OAUTH_INVALID_OPTION',
      'tokenTypeHint must be refresh_token or access_token',
    );
  }
  const form = new URLSearchParams({ token });
  if (options.tokenTypeHint !== undefined) form.set('token_type_hint', options.tokenTypeHint);
  const headers = applyClientAuth(client, form);
  const response = await postForm(endpoints.revokeUrl, form, headers, options);
  if (response.status === 200) return;
  throw errorFromResponse(response, [token, client.clientSecret]);
}
