import { timingSafeEqual } from 'node:crypto';
import type { Call } from './call.js';
import { HttpReply, htmlEscape, mediaType, parseForm } from './http.js';
import { type Integration, KNOWN_SCOPES } from './integration.js';
import { newCode } from './oauth.js';
import { randomToken } from './random.js';
import type { AuthTxn } from './tokens.js';
import { hashPassword, type User } from './user.js';

const HTML = 'text/html; charset=UTF-8';
// The login and consent pages must not be framed (clickjacking) and run no script.
const PAGE_HEADERS = {
  'content-type': HTML,
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
};
const COOKIE = 'NS_EMU_SESSION';
const TXN_TTL_MS = 15 * 60_000;
const STATE = /^[\x20-\x7e]{22,1024}$/;
const CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
const PROMPTS = new Set(['none', 'login', 'consent']);

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${htmlEscape(title)} - NetSuite emulator</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}label{display:block;margin:.8rem 0 .2rem}input,select{width:100%;padding:.4rem}button{margin-top:1rem;padding:.5rem 1.2rem}.error{color:#b00020}</style>
</head><body><h1>${htmlEscape(title)}</h1>${body}</body></html>`;
}

function errorPage(call: Call, status: number, message: string, reason: string): HttpReply {
  call.entry.reason = reason;
  return new HttpReply(
    status,
    page('Error', `<p class="error" id="error">${htmlEscape(message)}</p>`),
    PAGE_HEADERS,
  );
}

function redirect(url: string, headers: Record<string, string> = {}): HttpReply {
  return new HttpReply(302, '', { location: url, 'cache-control': 'no-store', ...headers });
}

function redirectBack(
  call: Call,
  txn: Pick<AuthTxn, 'redirectUri'> & { state?: string | undefined },
  params: Record<string, string>,
  reason?: string,
): HttpReply {
  if (reason) call.entry.reason = reason;
  const url = new URL(txn.redirectUri);
  if (txn.state !== undefined) url.searchParams.append('state', txn.state);
  for (const [k, v] of Object.entries(params)) url.searchParams.append(k, v);
  return redirect(url.toString());
}

function loginPage(txn: AuthTxn, integration: Integration, error?: string): HttpReply {
  const body = `<p>Sign in to authorize <strong>${htmlEscape(integration.name)}</strong>.</p>
${error ? `<p class="error" id="error">${htmlEscape(error)}</p>` : ''}
<form method="post" action="/app/login/oauth2/authorize.nl" id="login-form">
<input type="hidden" name="txn" value="${htmlEscape(txn.id)}"><input type="hidden" name="action" value="login">
<label for="email">Email address</label><input id="email" name="email" type="email" autocomplete="username" required>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit" id="login-submit">Log In</button></form>`;
  return new HttpReply(error ? 401 : 200, page('NetSuite login', body), PAGE_HEADERS);
}

function consentPage(
  txn: AuthTxn,
  integration: Integration,
  user: User,
  headers: Record<string, string> = {},
): HttpReply {
  const roles = user.roles
    .map((r) => `<option value="${r.id}">${htmlEscape(r.name)} (${r.id})</option>`)
    .join('');
  const body = `<p><strong>${htmlEscape(integration.name)}</strong> asks to access your NetSuite account as
${htmlEscape(user.name)} with: ${txn.scopes.map((s) => `<code>${htmlEscape(s)}</code>`).join(', ')}.</p>
<form method="post" action="/app/login/oauth2/authorize.nl" id="consent-form">
<input type="hidden" name="txn" value="${htmlEscape(txn.id)}"><input type="hidden" name="action" value="consent">
<label for="role">Role</label><select id="role" name="role">${roles}</select>
<button type="submit" name="decision" value="allow" id="allow">Allow</button>
<button type="submit" name="decision" value="deny" id="deny">Deny</button></form>`;
  return new HttpReply(200, page('Authorize application', body), { ...PAGE_HEADERS, ...headers });
}

function sessionUser(call: Call): User | undefined {
  const cookie = call.req.headers.cookie;
  if (typeof cookie !== 'string') return undefined;
  const m = new RegExp(`(?:^|;\\s*)${COOKIE}=([A-Za-z0-9_-]+)`).exec(cookie);
  const session = m ? call.state.sessions.get(m[1] as string) : undefined;
  return session ? call.state.users.get(session.entityId) : undefined;
}

function consentKey(txn: AuthTxn, entityId: number): string {
  return `${txn.clientId}|${entityId}|${[...txn.scopes].sort().join(' ')}`;
}

function needsConsent(call: Call, txn: AuthTxn, integration: Integration, user: User): boolean {
  if (txn.prompt.includes('consent') || user.roles.length > 1) return true;
  if (integration.consentPolicy === 'always') return true;
  if (integration.consentPolicy === 'first_time')
    return !call.state.consents.has(consentKey(txn, user.entityId));
  return false;
}

function issueCode(call: Call, txn: AuthTxn, user: User, roleId: number): HttpReply {
  const { state } = call;
  const code = newCode();
  state.codes.set(code, {
    clientId: txn.clientId,
    redirectUri: txn.redirectUri,
    scopes: txn.scopes,
    roleId,
    entityId: user.entityId,
    codeChallenge: txn.codeChallenge,
    expiresAt: state.now() + state.options.authorizationCodeTtlSeconds * 1000,
    used: false,
    family: undefined,
  });
  state.consents.add(consentKey(txn, user.entityId));
  state.authTxns.delete(txn.id);
  return redirectBack(call, txn, {
    role: String(roleId),
    entity: String(user.entityId),
    company: state.options.accountId,
    code,
  });
}

/** `GET /app/login/oauth2/authorize.nl` (section_158081944642.html). */
export function handleAuthorizeGet(call: Call): HttpReply {
  const { state } = call;
  const q = call.url.searchParams;
  const clientId = q.get('client_id') ?? '';
  const integration = state.integrations.get(clientId);
  if (!integration)
    return errorPage(call, 400, 'The client_id is not a known integration.', 'UnknownIntegration');
  call.entry.clientId = clientId;
  const redirectUri = q.get('redirect_uri') ?? '';
  if (!integration.redirectUris.includes(redirectUri)) {
    // No redirect to an unregistered URI: NetSuite shows an error page instead.
    return errorPage(
      call,
      400,
      'The redirect_uri does not match the integration record.',
      'InvalidRedirectURI',
    );
  }
  const rawState = q.get('state');
  const validState = rawState !== null && STATE.test(rawState) ? rawState : undefined;
  const back = (error: string, reason: string): HttpReply =>
    redirectBack(call, { redirectUri, state: validState }, { error }, reason);
  if (validState === undefined) return back('invalid_request', 'InvalidState');
  if (q.get('response_type') !== 'code') return back('unsupported_response_type', 'UnsupportedResponseType');
  if (!integration.enabled) return back('unauthorized_client', 'IntegrationBlocked');
  if (!integration.grants.has('authorization_code')) return back('unauthorized_client', 'InvalidGrantType');
  const scopes = [...new Set((q.get('scope') ?? '').split(/[\s+]+/).filter(Boolean))];
  if (
    scopes.length === 0 ||
    scopes.some((s) => !KNOWN_SCOPES.has(s) || !integration.scopes.has(s)) ||
    (scopes.includes('mcp') && scopes.length > 1)
  ) {
    return back('invalid_scope', 'InvalidScope');
  }
  const challenge = q.get('code_challenge') ?? undefined;
  const method = q.get('code_challenge_method') ?? undefined;
  if (method !== undefined && method !== 'S256') return back('invalid_request', 'InvalidRequest');
  if (challenge !== undefined && (method !== 'S256' || !CHALLENGE.test(challenge)))
    return back('invalid_request', 'InvalidRequest');
  if (challenge === undefined && (!integration.confidential || scopes.includes('mcp'))) {
    return back('invalid_request', 'InvalidRequest');
  }
  const prompt = (q.get('prompt') ?? '').split(/[\s+]+/).filter(Boolean);
  if (prompt.some((p) => !PROMPTS.has(p)) || (prompt.includes('none') && prompt.length > 1)) {
    return back('invalid_request', 'InvalidRequest');
  }
  const txn: AuthTxn = {
    id: randomToken(24),
    clientId,
    redirectUri,
    scopes,
    state: validState,
    codeChallenge: challenge,
    prompt,
    createdAt: state.now(),
    entityId: undefined,
  };
  const user = prompt.includes('login') ? undefined : sessionUser(call);
  if (prompt.includes('none')) {
    if (!user) return back('login_required', 'LoginRequired');
    if (needsConsent(call, txn, integration, user)) return back('consent_required', 'ConsentRequired');
    return issueCode(call, txn, user, user.roles[0]?.id ?? 0);
  }
  state.authTxns.set(txn.id, txn);
  if (!user) return loginPage(txn, integration);
  txn.entityId = user.entityId;
  if (needsConsent(call, txn, integration, user)) return consentPage(txn, integration, user);
  return issueCode(call, txn, user, user.roles[0]?.id ?? 0);
}

/** `POST /app/login/oauth2/authorize.nl`: the login and consent forms. */
export async function handleAuthorizePost(call: Call): Promise<HttpReply> {
  const { state } = call;
  if (mediaType(call.req) !== 'application/x-www-form-urlencoded') {
    return errorPage(
      call,
      415,
      'The form must be sent as application/x-www-form-urlencoded.',
      'InvalidRequest',
    );
  }
  const { params } = parseForm(await call.body());
  const txn = state.authTxns.get(params.get('txn') ?? '');
  if (!txn || state.now() - txn.createdAt > TXN_TTL_MS) {
    return errorPage(
      call,
      400,
      'This sign-in request has expired. Start again from the application.',
      'InvalidRequest',
    );
  }
  const integration = state.integrations.get(txn.clientId);
  if (!integration) return errorPage(call, 400, 'The integration no longer exists.', 'UnknownIntegration');
  call.entry.clientId = txn.clientId;
  const action = params.get('action');
  if (action === 'login') {
    const email = (params.get('email') ?? '').trim().toLowerCase();
    const user = state.usersByEmail.get(email);
    const given = Buffer.from(hashPassword(params.get('password') ?? ''));
    const expected = Buffer.from(user?.passwordHash ?? hashPassword('\u0000no-user'));
    if (!user || !timingSafeEqual(given, expected)) {
      call.entry.reason = 'InvalidCredentials';
      return loginPage(
        txn,
        integration,
        'You have entered an invalid email address or password. Please try again.',
      );
    }
    const sessionId = randomToken(24);
    state.sessions.set(sessionId, { entityId: user.entityId, createdAt: state.now() });
    const cookie = `${COOKIE}=${sessionId}; Path=/; HttpOnly; SameSite=Lax`;
    txn.entityId = user.entityId;
    if (needsConsent(call, txn, integration, user))
      return consentPage(txn, integration, user, { 'set-cookie': cookie });
    const reply = issueCode(call, txn, user, user.roles[0]?.id ?? 0);
    return new HttpReply(reply.status, reply.body, { ...reply.headers, 'set-cookie': cookie });
  }
  if (action === 'consent') {
    const user = txn.entityId === undefined ? undefined : state.users.get(txn.entityId);
    if (!user) return errorPage(call, 400, 'Sign in first.', 'InvalidRequest');
    const roleParam = params.get('role');
    const role =
      roleParam === null || roleParam === undefined
        ? user.roles[0]
        : user.roles.find((r) => String(r.id) === roleParam);
    if (!role)
      return errorPage(call, 400, 'That role is not available to this user.', 'EntityOrRoleDisabled');
    if (params.get('decision') !== 'allow') {
      state.authTxns.delete(txn.id);
      return redirectBack(
        call,
        txn,
        {
          role: String(role.id),
          entity: String(user.entityId),
          company: state.options.accountId,
          error: 'access_denied',
        },
        'AuthorizationExplicitlyDenied',
      );
    }
    return issueCode(call, txn, user, role.id);
  }
  return errorPage(call, 400, 'Unknown form action.', 'InvalidRequest');
}
