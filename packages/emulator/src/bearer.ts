import type { Call } from './call.js';
import { HttpReply, JSON_TYPE, NS_ERROR_TYPE, nsErrorBody } from './http.js';
import type { AccessTokenInfo } from './tokens.js';

const INVALID_LOGIN =
  'Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at Setup > Users/Roles > User Management > View Login Audit Trail.';

/**
 * Checks `Authorization: Bearer …` for REST or RESTlet routes (subsect_158521885412.html): 401 with
 * `INVALID_LOGIN` and `WWW-Authenticate: Bearer realm=…, error="invalid_token"` for a missing, unknown, expired
 * or revoked token or a missing scope; 400 `invalid_request` for a header that cannot be parsed.
 */
export function authenticateBearer(call: Call, scope: 'rest_webservices' | 'restlets'): AccessTokenInfo {
  const { state } = call;
  const realm = state.options.accountId;
  const restlet = scope === 'restlets';
  const fail = (reason: string): never => {
    call.entry.reason = reason;
    const headers: Record<string, string> = {
      'www-authenticate': `Bearer realm="${realm}", error="invalid_token", error_description="Invalid login attempt."`,
      'content-type': restlet ? JSON_TYPE : NS_ERROR_TYPE,
    };
    if (state.options.exposeReasons) headers['x-netsuite-emulator-reason'] = reason;
    const body = restlet
      ? JSON.stringify({ error: { code: 'INVALID_LOGIN_ATTEMPT', message: 'Invalid login attempt.' } })
      : nsErrorBody(401, 'INVALID_LOGIN', INVALID_LOGIN);
    throw new HttpReply(401, body, headers);
  };
  const header = call.req.headers.authorization;
  if (typeof header !== 'string' || header === '') return fail('MissingAuthorization');
  const space = header.indexOf(' ');
  const scheme = space < 0 ? header : header.slice(0, space);
  if (scheme.toLowerCase() !== 'bearer') return fail('UnsupportedAuthorizationScheme');
  const token = header.slice(space + 1);
  if (space < 0 || !/^[A-Za-z0-9\-._~+/]+=*$/.test(token)) {
    call.entry.reason = 'MalformedAuthorization';
    const headers: Record<string, string> = {
      'www-authenticate': `Bearer realm="${realm}", error="invalid_request", error_description="The request could not be understood by the server due to malformed syntax."`,
      'content-type': restlet ? JSON_TYPE : NS_ERROR_TYPE,
    };
    const body = restlet
      ? JSON.stringify({
          error: {
            code: 'INVALID_REQUEST',
            message: 'The request could not be understood by the server due to malformed syntax.',
          },
        })
      : nsErrorBody(
          400,
          'INVALID_REQUEST',
          'The request could not be understood by the server due to malformed syntax.',
        );
    throw new HttpReply(400, body, headers);
  }
  const info = state.accessTokens.get(token);
  if (!info) return fail(state.refreshTokens.has(token) ? 'TokenRejected' : 'InvalidToken');
  call.entry.clientId = info.clientId;
  if (info.revoked || info.family?.revoked) return fail('TokenRevoked');
  if (state.now() >= info.expiresAt) return fail('AccessTokenExpired');
  const integration = state.integrations.get(info.clientId);
  if (!integration?.enabled) return fail('IntegrationBlocked');
  if (!info.scopes.includes(scope)) return fail('ScopeMismatched');
  return info;
}
