import { createHash, timingSafeEqual } from 'node:crypto';
import { compactVerify } from 'jose';
import { type Call, jsonReply, oauthError } from './call.js';
import { HttpReply, JSON_TYPE, mediaType, parseForm } from './http.js';
import { type Integration, KNOWN_SCOPES } from './integration.js';
import { randomHex } from './random.js';
import type { TokenFamily } from './tokens.js';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const ALLOWED_ALGS = new Set(['PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512']);
const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

async function readForm(call: Call): Promise<Map<string, string>> {
  if (call.method !== 'POST') {
    throw new HttpReply(405, JSON.stringify({ error: 'invalid_request' }), {
      'content-type': JSON_TYPE,
      allow: 'POST',
    });
  }
  if (mediaType(call.req) !== 'application/x-www-form-urlencoded') {
    throw oauthError(call, 400, 'invalid_request', 'InvalidRequest');
  }
  const { params, duplicates } = parseForm(await call.body());
  if (duplicates) throw oauthError(call, 400, 'invalid_request', 'InvalidRequest');
  return params;
}

function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/** Client authentication for the code, refresh and revoke requests (section_158081952044.html). */
function authenticateClient(call: Call, params: Map<string, string>): Integration {
  const state = call.state;
  const header = call.req.headers.authorization;
  const bodySecret = params.get('client_secret');
  const bodyId = params.get('client_id');
  let basic: { id: string; secret: string } | undefined;
  if (typeof header === 'string' && header.length > 0) {
    const m = /^basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header);
    if (!m) throw oauthError(call, 401, 'invalid_client', 'ClientAuthenticationFailed');
    const decoded = Buffer.from(m[1] as string, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw oauthError(call, 401, 'invalid_client', 'ClientAuthenticationFailed');
    basic = {
      id: decodeURIComponentSafe(decoded.slice(0, colon)),
      secret: decodeURIComponentSafe(decoded.slice(colon + 1)),
    };
  }
  if (basic && (bodySecret !== undefined || params.has('client_assertion'))) {
    // "Multiple client authentication approaches are used" (subsect_158521832417.html).
    throw oauthError(call, 400, 'invalid_request', 'MultipleClientAuthentication');
  }
  if (basic && bodyId !== undefined && bodyId !== basic.id)
    throw oauthError(call, 400, 'invalid_request', 'ClientIdMismatch');
  const clientId = basic?.id ?? bodyId;
  if (!clientId) throw oauthError(call, 401, 'invalid_client', 'ClientAuthenticationFailed');
  const integration = state.integrations.get(clientId);
  if (!integration) throw oauthError(call, 401, 'invalid_client', 'UnknownIntegration');
  call.entry.clientId = clientId;
  if (integration.confidential) {
    let secret: string | undefined;
    if (basic) secret = basic.secret;
    else if (bodySecret !== undefined && state.options.allowClientSecretPost) secret = bodySecret;
    if (secret === undefined || !safeEqual(secret, integration.clientSecret ?? '')) {
      throw oauthError(call, 401, 'invalid_client', 'ClientAuthenticationFailed');
    }
  } else if ((basic && basic.secret !== '') || bodySecret !== undefined) {
    throw oauthError(call, 401, 'invalid_client', 'ClientAuthenticationFailed');
  }
  if (!integration.enabled) throw oauthError(call, 400, 'unauthorized_client', 'IntegrationBlocked');
  return integration;
}

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}

/** `POST /services/rest/auth/oauth2/v1/token`. */
export async function handleToken(call: Call): Promise<HttpReply> {
  const params = await readForm(call);
  const grant = params.get('grant_type');
  const counters = call.state.counters;
  if (grant) counters.tokenByGrant[grant] = (counters.tokenByGrant[grant] ?? 0) + 1;
  if (!grant) throw oauthError(call, 400, 'invalid_request', 'InvalidRequest');
  if (grant === 'client_credentials') return clientCredentials(call, params);
  if (grant === 'authorization_code') return authorizationCode(call, params);
  if (grant === 'refresh_token') return refreshToken(call, params);
  throw oauthError(call, 400, 'unsupported_grant_type', 'InvalidGrantType');
}

function b64json(part: string): Record<string, unknown> | undefined {
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(part)) return undefined;
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

async function clientCredentials(call: Call, params: Map<string, string>): Promise<HttpReply> {
  const { state } = call;
  const opts = state.options;
  if (params.get('client_assertion_type') !== ASSERTION_TYPE)
    throw oauthError(call, 400, 'invalid_request', 'InvalidRequest');
  const assertion = params.get('client_assertion');
  if (!assertion) throw oauthError(call, 400, 'invalid_request', 'InvalidRequest');
  const parts = assertion.split('.');
  const header = parts.length === 3 ? b64json(parts[0] as string) : undefined;
  if (!header || assertion.length > 16_384)
    throw oauthError(call, 400, 'invalid_request', 'InvalidTokenType');
  if (header.typ !== 'JWT') throw oauthError(call, 400, 'invalid_request', 'InvalidTokenType');
  if (typeof header.alg !== 'string' || !ALLOWED_ALGS.has(header.alg)) {
    throw oauthError(call, 400, 'invalid_request', 'UnsupportedAlgo');
  }
  if (typeof header.kid !== 'string' || header.kid === '')
    throw oauthError(call, 400, 'invalid_request', 'MissingKeyId');
  const cert = state.certificates.get(header.kid);
  const now = state.now();
  if (!cert || cert.revoked || now > cert.notAfter || now < cert.notBefore) {
    throw oauthError(call, 400, 'invalid_grant', 'MissingKey');
  }
  call.entry.clientId = cert.clientId;
  let payload: Record<string, unknown> | undefined;
  try {
    const verified = await compactVerify(assertion, cert.publicKey, { algorithms: [header.alg] });
    payload = b64json(parts[1] as string);
    if (!verified) payload = undefined;
  } catch {
    throw oauthError(call, 400, 'invalid_grant', 'SignatureValidation');
  }
  if (!payload) throw oauthError(call, 400, 'invalid_request', 'InvalidTokenType');
  if (payload.iss !== cert.clientId) throw oauthError(call, 400, 'invalid_grant', 'InvalidIssuer');
  const integration = state.integrations.get(cert.clientId);
  if (!integration) throw oauthError(call, 400, 'invalid_grant', 'InvalidIntegration');
  if (!integration.enabled) throw oauthError(call, 400, 'unauthorized_client', 'IntegrationBlocked');
  if (!integration.grants.has('client_credentials')) {
    throw oauthError(call, 400, 'unauthorized_client', 'InvalidGrantType');
  }
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  const accepted = new Set([
    `${call.origin}/services/rest/auth/oauth2/v1/token`,
    `https://${opts.hostLabel}.suitetalk.api.netsuite.com/services/rest/auth/oauth2/v1/token`,
    `https://${opts.hostLabel}.restlets.api.netsuite.com/services/rest/auth/oauth2/v1/token`,
  ]);
  if (audiences.length !== 1 || typeof audiences[0] !== 'string' || !accepted.has(audiences[0])) {
    throw oauthError(call, 400, 'invalid_grant', 'InvalidAudience');
  }
  const { iat, exp } = payload;
  if (typeof iat !== 'number' || typeof exp !== 'number' || !Number.isFinite(iat) || !Number.isFinite(exp)) {
    throw oauthError(call, 400, 'invalid_grant', 'TokenNotAcceptable');
  }
  if (exp - iat > opts.maxAssertionLifetimeSeconds || exp <= iat) {
    throw oauthError(call, 400, 'invalid_grant', 'TokenValidityTooBroad');
  }
  const nowSec = now / 1000;
  if (exp <= nowSec) throw oauthError(call, 400, 'invalid_grant', 'TokenExpired');
  if (iat > nowSec + opts.assertionClockSkewSeconds)
    throw oauthError(call, 400, 'invalid_grant', 'TokenNotAcceptable');
  if (payload.jti !== undefined) {
    if (typeof payload.jti !== 'string' || payload.jti.length > 256) {
      throw oauthError(call, 400, 'invalid_grant', 'TokenNotAcceptable');
    }
    const key = `${cert.clientId}:${payload.jti}`;
    if (state.usedJtis.has(key)) throw oauthError(call, 400, 'invalid_grant', 'TokenReplayed');
    state.usedJtis.set(key, exp * 1000);
  }
  let scopes: string[];
  if (Array.isArray(payload.scope)) scopes = payload.scope.filter((s): s is string => typeof s === 'string');
  else if (typeof payload.scope === 'string') {
    const sep = opts.acceptSpaceSeparatedAssertionScope ? /[\s,]+/ : /\s*,\s*/;
    scopes = payload.scope.split(sep);
  } else scopes = [];
  scopes = [...new Set(scopes.map((s) => s.trim()).filter(Boolean))];
  if (
    scopes.length === 0 ||
    (Array.isArray(payload.scope) && scopes.length !== payload.scope.length) ||
    scopes.some((s) => !KNOWN_SCOPES.has(s) || !integration.scopes.has(s))
  ) {
    throw oauthError(call, 400, 'invalid_scope', 'ScopeMismatched');
  }
  const issued = state.issueAccessToken({
    clientId: cert.clientId,
    scopes,
    roleId: cert.roleId,
    entityId: cert.entityId,
    grant: 'client_credentials',
  });
  return jsonReply(
    200,
    { access_token: issued.token, expires_in: issued.expiresIn, token_type: 'Bearer' },
    NO_STORE,
  );
}

const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

async function authorizationCode(call: Call, params: Map<string, string>): Promise<HttpReply> {
  const { state } = call;
  const integration = authenticateClient(call, params);
  if (!integration.grants.has('authorization_code'))
    throw oauthError(call, 400, 'unauthorized_client', 'InvalidGrantType');
  const code = params.get('code');
  const redirectUri = params.get('redirect_uri');
  if (!code || !redirectUri) throw oauthError(call, 400, 'invalid_request', 'InvalidRequest');
  const record = state.codes.get(code);
  const now = state.now();
  if (!record) throw oauthError(call, 400, 'invalid_grant', 'InvalidGrant');
  if (record.used) {
    if (state.options.revokeTokensOnCodeReuse && record.family) state.revokeFamily(record.family);
    throw oauthError(call, 400, 'invalid_grant', 'AuthorizationCodeReused');
  }
  if (record.clientId !== integration.clientId)
    throw oauthError(call, 400, 'invalid_grant', 'ClientIdMismatch');
  if (now > record.expiresAt) throw oauthError(call, 400, 'invalid_grant', 'AuthorizationCodeExpired');
  if (record.redirectUri !== redirectUri) throw oauthError(call, 400, 'invalid_grant', 'InvalidRedirectURI');
  const verifier = params.get('code_verifier');
  if (record.codeChallenge !== undefined) {
    if (verifier === undefined || !VERIFIER.test(verifier))
      throw oauthError(call, 400, 'invalid_request', 'InvalidRequest');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    if (challenge !== record.codeChallenge) throw oauthError(call, 400, 'invalid_grant', 'InvalidGrant');
  }
  record.used = true;
  const family = state.newFamily();
  record.family = family;
  const hours = integration.confidential
    ? state.options.confidentialRefreshTokenValidityHours
    : integration.refreshTokenValidityHours;
  const refresh = state.issueRefreshToken({
    clientId: integration.clientId,
    scopes: record.scopes,
    roleId: record.roleId,
    entityId: record.entityId,
    family,
    chainStart: now,
    expiresAt:
      now + Math.min(hours, integration.confidential ? hours : integration.rotationMaxHours) * 3_600_000,
  });
  const access = state.issueAccessToken({
    clientId: integration.clientId,
    scopes: record.scopes,
    roleId: record.roleId,
    entityId: record.entityId,
    grant: 'authorization_code',
    family,
  });
  return jsonReply(
    200,
    {
      access_token: access.token,
      refresh_token: refresh,
      expires_in: access.expiresIn,
      token_type: 'bearer',
    },
    NO_STORE,
  );
}

async function refreshToken(call: Call, params: Map<string, string>): Promise<HttpReply> {
  const { state } = call;
  const integration = authenticateClient(call, params);
  if (!integration.grants.has('authorization_code'))
    throw oauthError(call, 400, 'unauthorized_client', 'InvalidGrantType');
  const token = params.get('refresh_token');
  if (!token) throw oauthError(call, 400, 'invalid_request', 'InvalidRequest');
  const record = state.refreshTokens.get(token);
  const now = state.now();
  if (!record) {
    throw oauthError(
      call,
      400,
      'invalid_grant',
      state.accessTokens.has(token) ? 'InvalidRefreshToken' : 'InvalidGrant',
    );
  }
  if (record.clientId !== integration.clientId)
    throw oauthError(call, 400, 'invalid_grant', 'ClientIdMismatch');
  if (record.family.revoked) throw oauthError(call, 400, 'invalid_grant', 'RefreshTokenRevoked');
  if (!integration.confidential && record.used) {
    // A rotated public-client refresh token was presented again: treat the chain as stolen.
    state.revokeFamily(record.family);
    throw oauthError(call, 400, 'invalid_grant', 'RefreshTokenReuse');
  }
  if (now >= record.expiresAt) throw oauthError(call, 400, 'invalid_grant', 'RefreshTokenExpired');
  const base = {
    clientId: record.clientId,
    scopes: record.scopes,
    roleId: record.roleId,
    entityId: record.entityId,
  };
  if (integration.confidential) {
    const access = state.issueAccessToken({ ...base, grant: 'refresh_token', family: record.family });
    return jsonReply(
      200,
      { access_token: access.token, expires_in: access.expiresIn, token_type: 'bearer' },
      NO_STORE,
    );
  }
  const chainEnd = record.chainStart + integration.rotationMaxHours * 3_600_000;
  if (now >= chainEnd) throw oauthError(call, 400, 'invalid_grant', 'RotationPeriodExpired');
  record.used = true;
  const family: TokenFamily = record.family;
  const refresh = state.issueRefreshToken({
    ...base,
    family,
    chainStart: record.chainStart,
    expiresAt: Math.min(now + integration.refreshTokenValidityHours * 3_600_000, chainEnd),
  });
  const access = state.issueAccessToken({ ...base, grant: 'refresh_token', family });
  return jsonReply(
    200,
    {
      access_token: access.token,
      refresh_token: refresh,
      expires_in: access.expiresIn,
      token_type: 'bearer',
    },
    NO_STORE,
  );
}

/** `POST /services/rest/auth/oauth2/v1/revoke` (section_161071224088.html; 200 and an empty body per RFC 7009). */
export async function handleRevoke(call: Call): Promise<HttpReply> {
  const { state } = call;
  const params = await readForm(call);
  const integration = authenticateClient(call, params);
  const token = params.get('token');
  if (!token) throw oauthError(call, 400, 'invalid_request', 'InvalidRequest');
  const refresh = state.refreshTokens.get(token);
  const access = state.accessTokens.get(token);
  const owner = refresh?.clientId ?? access?.clientId;
  if (owner !== undefined && owner !== integration.clientId)
    throw oauthError(call, 400, 'invalid_grant', 'ClientIdMismatch');
  if (refresh) state.revokeFamily(refresh.family);
  else if (access) access.revoked = true;
  return new HttpReply(200, '', { ...NO_STORE });
}

/** `GET /services/rest/auth/oauth2/v1/keys`: the public key of the tokens this emulator issues. */
export function handleKeys(call: Call): HttpReply {
  return jsonReply(200, { keys: [call.state.signer.publicJwk] });
}

export function newCode(): string {
  return randomHex(32);
}
