/** Which request an OAuth error answered: the causes of one `error` value differ by grant. */
export type OAuthErrorContext = 'client_credentials' | 'authorization_code' | 'refresh_token' | 'authorize';

const AUDIT_TRAIL =
  'NetSuite says no more on the wire; its Login Audit Trail (Setup > Users/Roles > User Management > View Login Audit Trail) names the reason.';

const HINTS: Readonly<Record<string, string | Partial<Record<OAuthErrorContext | 'any', string>>>> = {
  invalid_client: {
    client_credentials: `the client assertion was not accepted: most likely the certificate id (kid) is not an active certificate mapped to this integration in this account; else the client id is not the integration's Client ID, or the key does not belong to the certificate. ${AUDIT_TRAIL}`,
    any: 'the client was not accepted: most likely the client secret is wrong (or missing for a confidential client); else the client id is not the integration record’s Client ID.',
  },
  invalid_grant: {
    client_credentials: `most likely the certificate id (kid) matches no active certificate in this account (wrong id, revoked, expired, or mapped in another account or sandbox); else the key does not match it, or the clock is off by minutes. ${AUDIT_TRAIL}`,
    authorization_code:
      'the authorization code expired, was already used, or the redirect URI or PKCE verifier differs from the authorization request: sign in again.',
    refresh_token:
      'the refresh token expired (7 days after sign-in for a confidential client), was revoked or was already used: sign in again.',
    any: 'the grant was refused: it expired, was revoked or already used, or does not belong to this client.',
  },
  invalid_scope:
    'a requested scope is not enabled on the integration record (Setup > Integration > Manage Integrations).',
  unauthorized_client:
    'the integration record does not allow this grant, or is not enabled: tick "Client Credentials (Machine to Machine) Grant" or "Authorization Code Grant" and check its State.',
  unsupported_grant_type: 'the token endpoint does not support this grant type.',
  invalid_request:
    'the request was malformed: a parameter is missing or sent twice (e.g. two client authentication methods).',
  access_denied: 'the user (or the integration record policy) refused the authorization.',
  server_error: {
    client_credentials:
      'for client credentials this usually means the iss holds the Application ID instead of the Client ID, or the assertion is signed with RS256 (use PS256 or ES256).',
    any: 'NetSuite hit an error of its own; try again shortly.',
  },
  temporarily_unavailable: 'NetSuite is temporarily unavailable; try again shortly.',
  invalid_token:
    'the access token was refused (expired, revoked, or issued for another account): get a new one.',
};

/**
 * What an OAuth `error` value from NetSuite means, in plain words with the most likely cause first, for the
 * request it answered; `undefined` for a value NetSuite does not document. Apps print it under the error
 * (the `error` of an {@link OAuthResponseError} or {@link AuthorizationResponseError}).
 *
 * @example
 * if (isOAuthFlowError(e) && e instanceof OAuthResponseError) console.error(oauthErrorHint(e.error, 'client_credentials'));
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 * @see https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_162790605110.html
 */
export function oauthErrorHint(error: string, context?: OAuthErrorContext): string | undefined {
  if (typeof error !== 'string' || !Object.hasOwn(HINTS, error)) return undefined;
  const hint = HINTS[error];
  if (typeof hint === 'string') return hint;
  return (context === undefined ? undefined : hint?.[context]) ?? hint?.any;
}
