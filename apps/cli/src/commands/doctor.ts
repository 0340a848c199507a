import type { NetSuiteEndpoints } from '@netsuite-oauth/core';
import type { SetupFinding } from '@netsuite-oauth/jwt-assertion';
import type { Settings } from '../config.js';
import type { Context } from '../context.js';
import { describeError, type ErrorHints, isNetworkError, loadErrorHints } from '../describe-error.js';
import { decodeJwtPayload, tokenScopes } from '../jwt-claims.js';
import {
  accountOptions,
  createSigner,
  loadCertificate,
  loadPrivateKey,
  openStore,
  sessionKey,
} from '../runtime.js';

type Status = 'ok' | 'warn' | 'fail' | 'skip';

interface Check {
  readonly check: string;
  readonly status: Status;
  readonly detail: string;
  readonly hint?: string | undefined;
}

/** What the checks share: the settings, what earlier checks found, and where findings go. */
interface Doctor {
  readonly ctx: Context;
  readonly settings: Settings;
  readonly hints: ErrorHints;
  readonly checks: Check[];
  add(check: Check): void;
  /** Client credentials are configured (a certificate id or a key). */
  readonly m2m: boolean;
  /** Login is configured (a redirect URI or a client secret). */
  readonly code: boolean;
  endpoints?: NetSuiteEndpoints | undefined;
  reachable: boolean;
}

const DAY_MS = 24 * 3600 * 1000;

function symbol(ctx: Context, status: Status): string {
  const c = ctx.outColor;
  if (status === 'ok') return c.green('✓');
  if (status === 'warn') return c.yellow('!');
  if (status === 'fail') return c.red('✗');
  return c.dim('-');
}

function failed(d: Doctor): boolean {
  return d.checks.some((c) => c.status === 'fail');
}

/** 1. The account id's form, and the endpoints it (or --origin) gives. */
async function checkAccount(d: Doctor): Promise<void> {
  const { settings } = d;
  const { parseAccountId, netsuiteEndpoints } = await import('@netsuite-oauth/core');
  if (!settings.accountId) {
    d.add({
      check: 'account id',
      status: 'fail',
      detail: 'not set',
      hint: 'set --account or NETSUITE_ACCOUNT_ID (e.g. 1234567 or 1234567_SB1)',
    });
    return;
  }
  let id: string;
  try {
    const parsed = parseAccountId(settings.accountId);
    id = parsed.id;
    const kind = /_SB\d*$/.test(id) ? 'sandbox' : /_RP/.test(id) ? 'release preview' : 'production';
    const form = settings.accountId === id ? 'ok' : 'warn';
    d.add({
      check: 'account id',
      status: form,
      detail: `${id} (${kind}; hosts use ${parsed.hostLabel})`,
      ...(form === 'warn'
        ? {
            hint: `NetSuite shows this id as ${id}; realm and company use that form, host names use ${parsed.hostLabel}`,
          }
        : {}),
    });
  } catch {
    d.add({
      check: 'account id',
      status: 'fail',
      detail: `"${settings.accountId}" is not an account id`,
      hint: 'use the form NetSuite shows at Setup > Company > Company Information: 1234567, 1234567_SB1, TSTDRV1234567',
    });
    return;
  }
  try {
    d.endpoints = netsuiteEndpoints(
      id,
      settings.origin ? { origin: settings.origin, allowInsecureLoopback: true } : {},
    );
    d.add({
      check: 'endpoints',
      status: 'ok',
      detail: `token endpoint ${d.endpoints.tokenUrl}${settings.origin ? ` (--origin; the assertion still names account ${id})` : ''}`,
    });
  } catch (error) {
    d.add({
      check: 'endpoints',
      status: 'fail',
      detail: describeError(error).message,
      hint: '--origin must be https, or http on 127.0.0.1 for the emulator',
    });
  }
}

/** The CLI's words for what the package's setup check says in library terms. */
function cliHint(hint: string | undefined): string | undefined {
  return hint
    ?.replace('(generateCertificate())', '("pnpm nso cert generate")')
    .replace('make a new certificate,', 'make a new certificate ("pnpm nso cert generate"),')
    .replace('give the passphrase of the encrypted key', 'set NETSUITE_KEY_PASSPHRASE');
}

function addFinding(d: Doctor, f: SetupFinding): void {
  const hint = cliHint(f.hint);
  d.add({ check: f.check, status: f.status, detail: f.detail, hint });
}

/**
 * 2–6. The client id, and for client credentials the certificate id, key, algorithm and certificate: judged by
 * jwt-assertion's own rules (the ones its signer enforces). The CLI adds only where the values come from.
 */
async function checkCredentialsSetup(d: Doctor): Promise<void> {
  const { settings } = d;
  const { checkClientCredentialsSetup } = await import('@netsuite-oauth/jwt-assertion');
  let key: string | undefined;
  let keyError: Check | undefined;
  if (d.m2m) {
    try {
      key = loadPrivateKey(d.ctx);
    } catch (error) {
      const described = describeError(error);
      keyError = {
        check: 'private key',
        status: 'fail',
        detail: described.message,
        hint: described.hint ?? 'check --key / NETSUITE_PRIVATE_KEY_FILE',
      };
    }
  }
  let certificate: string | undefined;
  let certificateError: Check | undefined;
  if (d.m2m) {
    try {
      certificate = loadCertificate(settings);
    } catch (error) {
      certificateError = { check: 'certificate', status: 'fail', detail: describeError(error).message };
    }
  }
  const findings = checkClientCredentialsSetup({
    clientId: settings.clientId,
    certificateId: settings.certificateId,
    key,
    passphrase: settings.passphrase,
    algorithm: settings.algorithm,
    certificate,
    now: d.ctx.now,
  });
  for (const f of findings) {
    if (f.check === 'client id') {
      addFinding(
        d,
        f.detail === 'not set'
          ? {
              ...f,
              hint: 'set --client-id or NETSUITE_CLIENT_ID: the Client ID shown once when the integration record was saved',
            }
          : f,
      );
      continue;
    }
    if (!d.m2m) continue;
    if (f.check === 'certificate id' && f.detail === 'not set') {
      addFinding(d, { ...f, hint: `set --certificate-id: ${f.hint ?? ''}` });
    } else if (f.check === 'private key' && keyError) {
      d.add(keyError);
    } else if (f.check === 'certificate' && certificateError) {
      d.add(certificateError);
    } else if (f.check === 'certificate' && f.status === 'skip') {
      d.add({
        check: 'certificate',
        status: 'skip',
        detail: 'no --cert given: expiry and key match not checked',
      });
    } else {
      addFinding(d, f);
    }
  }
}

/** 7. What login needs: a redirect URI NetSuite accepts, and a client secret for a confidential client. */
function checkLoginSettings(d: Doctor): void {
  const { settings } = d;
  if (!d.code) return;
  if (!settings.redirectUri) {
    d.add({
      check: 'redirect URI',
      status: 'warn',
      detail: 'not set (needed by login)',
      hint: 'set --redirect-uri to a URI registered on the integration record',
    });
  } else {
    let scheme = '';
    try {
      scheme = new URL(settings.redirectUri).protocol;
    } catch {
      scheme = 'invalid';
    }
    if (scheme === 'https:') d.add({ check: 'redirect URI', status: 'ok', detail: settings.redirectUri });
    else if (scheme === 'http:')
      d.add({
        check: 'redirect URI',
        status: settings.origin ? 'warn' : 'fail',
        detail: settings.redirectUri,
        hint: 'NetSuite refuses http:// redirect URIs: register an https:// URI or a custom scheme (myapp://callback)',
      });
    else if (scheme === 'invalid')
      d.add({ check: 'redirect URI', status: 'fail', detail: 'not an absolute URI' });
    else d.add({ check: 'redirect URI', status: 'ok', detail: `${settings.redirectUri} (custom scheme)` });
  }
  d.add({
    check: 'client secret',
    status: settings.clientSecret ? 'ok' : 'warn',
    detail: settings.clientSecret
      ? `set (${settings.sources.clientSecret ?? 'env'})`
      : 'not set: only a public client can log in without one',
    ...(settings.clientSecret
      ? {}
      : { hint: 'set NETSUITE_CLIENT_SECRET or --client-secret-file for a confidential client' }),
  });
}

function checkSomethingConfigured(d: Doctor): void {
  if (d.m2m || d.code) return;
  d.add({
    check: 'credentials',
    status: 'fail',
    detail: 'neither client credentials (key + certificate id) nor login (redirect URI) configured',
    hint: 'see "pnpm nso config --help"',
  });
}

function clockCheck(skewS: number): Check {
  const abs = Math.abs(skewS);
  const words = `${abs} s ${skewS > 0 ? 'ahead of' : 'behind'} the server`;
  if (abs <= 5)
    return {
      check: 'clock skew',
      status: 'ok',
      detail: abs <= 1 ? 'in sync with the server (±1 s)' : `local clock ${words}`,
    };
  if (abs <= 60)
    return {
      check: 'clock skew',
      status: 'warn',
      detail: `local clock ${words}`,
      hint: 'sync the clock (NTP): an assertion issued "in the future" is refused as TokenNotAcceptable',
    };
  return {
    check: 'clock skew',
    status: 'fail',
    detail: `local clock ${words}`,
    hint: 'sync the clock (NTP): NetSuite refuses assertions whose iat is in the future (TokenNotAcceptable) or that already expired (TokenExpired)',
  };
}

/** 8. The token endpoint answers, and the local clock against its `Date` header. */
async function checkReachability(d: Doctor): Promise<void> {
  const { ctx, settings, endpoints } = d;
  if (!endpoints) return;
  const before = Date.now();
  try {
    const response = await ctx.fetch(endpoints.tokenUrl, {
      method: 'GET',
      redirect: 'manual',
      signal: AbortSignal.timeout(settings.timeoutMs),
    });
    const after = Date.now();
    await response.body?.cancel();
    d.reachable = true;
    d.add({
      check: 'token endpoint',
      status: 'ok',
      detail: `reachable (HTTP ${response.status} to a GET, in ${after - before} ms)`,
    });
    const date = response.headers.get('date');
    if (!date) {
      d.add({ check: 'clock skew', status: 'skip', detail: 'the server sent no Date header' });
      return;
    }
    const local = ctx.now() - (after - before) / 2;
    d.add(clockCheck(Math.round((local - Date.parse(date)) / 1000)));
  } catch (error) {
    d.add({
      check: 'token endpoint',
      status: 'fail',
      detail: isNetworkError(error)
        ? describeError(error).message
        : `cannot reach: ${describeError(error).message}`,
      hint: 'check the account id (it decides the host name), --origin, DNS, proxy and firewall',
    });
  }
}

/** 9. A real client-credentials token request; returns the access token when one was issued. */
async function checkTokenRequest(d: Doctor): Promise<string | undefined> {
  const { ctx, settings } = d;
  if (!d.m2m) return undefined;
  if (!d.reachable || failed(d)) {
    d.add({ check: 'token request', status: 'skip', detail: 'skipped: fix the failures above first' });
    return undefined;
  }
  try {
    const { requestClientCredentialsToken } = await import('@netsuite-oauth/oauth-flows');
    const tokens = await requestClientCredentialsToken({
      ...accountOptions(settings),
      signer: await createSigner(ctx),
      fetch: ctx.fetch,
      timeoutMs: settings.timeoutMs,
      now: ctx.now,
    });
    ctx.redactor.register(tokens.accessToken);
    d.add({
      check: 'token request',
      status: 'ok',
      detail: `client credentials token issued, expires in ${Math.round((tokens.expiresAt - ctx.now()) / 60000)} min`,
    });
    return tokens.accessToken;
  } catch (error) {
    const described = describeError(error, { hints: d.hints, oauthContext: 'client_credentials' });
    const oauth = (error as { error?: unknown }).error;
    const description = (error as { errorDescription?: unknown }).errorDescription;
    const hint =
      oauth === 'invalid_grant'
        ? invalidGrantHint(d)
        : typeof oauth === 'string'
          ? d.hints.oauth(oauth, 'client_credentials')
          : described.hint;
    d.add({
      check: 'token request',
      status: 'fail',
      detail: `${described.message}${typeof description === 'string' && description ? ` — ${description}` : ''}`,
      hint,
    });
    return undefined;
  }
}

/**
 * `invalid_grant` to a client-credentials request, in one line: the certificate id first (by far the most common
 * cause), then only the causes the checks above did not already rule out (a matching key, a clock in time).
 */
function invalidGrantHint(d: Doctor): string {
  const passed = (name: string) => d.checks.some((c) => c.check === name && c.status === 'ok');
  const rest = [
    ...(passed('certificate') ? [] : ['the key does not belong to that certificate']),
    ...(passed('clock skew') ? [] : ['the clock is off by minutes']),
  ];
  return (
    `most likely certificate id ${d.settings.certificateId ?? '(none)'} is not an active certificate of account ` +
    `${d.settings.accountId ?? '?'} (revoked, expired, or from another account or sandbox)` +
    `${rest.length > 0 ? `; else ${rest.join(', or ')}` : ''}. The Login Audit Trail names the reason.`
  );
}

/** 10. The scopes the token carries, against the ones asked for. */
function checkScopes(d: Doctor, accessToken: string): void {
  const granted = tokenScopes(accessToken);
  if (!granted) {
    d.add({
      check: 'scopes',
      status: 'skip',
      detail: `the token is opaque; requested ${d.settings.scopes.join(', ')}`,
    });
    return;
  }
  const missing = d.settings.scopes.filter((s) => !granted.includes(s));
  d.add({
    check: 'scopes',
    status: missing.length === 0 ? 'ok' : 'warn',
    detail: `granted ${granted.join(', ') || 'none'}`,
    ...(missing.length > 0
      ? { hint: `not granted: ${missing.join(', ')} — enable them on the integration record` }
      : {}),
  });
}

function errorCodeOf(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as {
      'o:errorDetails'?: { 'o:errorCode'?: string }[] | undefined;
      'o:errorCode'?: string | undefined;
    };
    return body['o:errorDetails']?.[0]?.['o:errorCode'] ?? body['o:errorCode'] ?? undefined;
  } catch {
    return undefined;
  }
}

/** 11. One REST call with the token (the system service's serverTime). */
async function checkRestCall(d: Doctor, accessToken: string): Promise<void> {
  const { ctx, settings, endpoints } = d;
  if (!endpoints || !settings.scopes.includes('rest_webservices')) return;
  const sub = decodeJwtPayload(accessToken)?.sub;
  try {
    const response = await ctx.fetch(`${endpoints.systemUrl}/serverTime`, {
      headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
      signal: AbortSignal.timeout(settings.timeoutMs),
    });
    const text = await response.text();
    if (response.ok) {
      d.add({
        check: 'REST call',
        status: 'ok',
        detail: `GET system/v1/serverTime → ${response.status}${typeof sub === 'string' ? ` (token subject ${sub})` : ''}`,
      });
      return;
    }
    const errorCode = errorCodeOf(text);
    const hint = d.hints.api(errorCode, response.status);
    d.add({
      check: 'REST call',
      status: 'fail',
      detail: `GET system/v1/serverTime → ${response.status} ${errorCode ?? ''}`.trim(),
      hint,
    });
  } catch (error) {
    d.add({ check: 'REST call', status: 'fail', detail: describeError(error).message });
  }
}

/**
 * 11b. The integration's certificates at NetSuite (2026.1 endpoint): days left on the one in use, against the 60/30/14
 * day marks at which NetSuite mails administrators, and how many of the 5 active slots are taken.
 */
async function checkCertificates(d: Doctor, accessToken: string): Promise<void> {
  const { ctx, settings } = d;
  if (!d.m2m || !settings.clientId || !settings.scopes.includes('rest_webservices')) return;
  const { createCertificatesClient, certificateExpiry, isCertificatesError } = await import(
    '@netsuite-oauth/certificates'
  );
  let list: Awaited<ReturnType<ReturnType<typeof createCertificatesClient>['list']>>;
  try {
    list = await createCertificatesClient({
      ...accountOptions(settings),
      clientId: settings.clientId,
      accessToken,
      fetch: ctx.fetch,
      timeoutMs: settings.timeoutMs,
    }).list();
  } catch (error) {
    const forbidden = isCertificatesError(error, 'ERR_CERTIFICATES_FORBIDDEN');
    d.add({
      check: 'certificate expiry',
      status: 'skip',
      detail: forbidden
        ? 'the role cannot read the certificate list'
        : `certificate list unavailable: ${describeError(error).message}`,
      ...(forbidden
        ? { hint: 'grant the role "Manage own OAuth 2.0 Client Credentials certificates" to see expiry here' }
        : {}),
    });
    return;
  }
  const active = list.filter((c) => c.status === 'ACTIVE');
  const current = list.find((c) => c.certificateId === settings.certificateId);
  const expiry = certificateExpiry(current?.validUntil, ctx.now());
  const slots = `${active.length} of 5 active`;
  if (!current || expiry.level === 'unknown') {
    d.add({ check: 'certificate expiry', status: 'skip', detail: `not listed with a date (${slots})` });
  } else if (expiry.level === 'expired' || current.status !== 'ACTIVE') {
    d.add({
      check: 'certificate expiry',
      status: 'fail',
      detail: `certificate ${current.status === 'ACTIVE' ? 'expired' : current.status.toLowerCase()} (${slots})`,
      hint: 'map a new certificate: "pnpm nso cert rotate" needs a working one, so use "pnpm nso cert generate" + "cert upload" with a login session',
    });
  } else {
    d.add({
      check: 'certificate expiry',
      status: expiry.level === 'warn' ? 'warn' : 'ok',
      detail: `${expiry.daysLeft} days left, until ${current.validUntil?.toISOString().slice(0, 10)} (${slots})`,
      ...(expiry.level === 'warn'
        ? { hint: `within ${expiry.mark} days of expiry: run "pnpm nso cert rotate"` }
        : {}),
    });
  }
  if (active.length >= 5) {
    d.add({
      check: 'certificate slots',
      status: 'warn',
      detail: '5 of 5 certificates active: a rotation cannot upload a new one',
      hint: 'revoke one you no longer use: "pnpm nso cert list", then "pnpm nso cert revoke <id>"',
    });
  }
}

/** 12. A stored login session, and how long its refresh token still lasts. */
async function checkLoginSession(d: Doctor): Promise<void> {
  const { ctx, settings } = d;
  if (!settings.clientId || !d.endpoints) return;
  try {
    const entry = await (await openStore(ctx)).get(sessionKey(settings));
    if (!entry) {
      if (d.code)
        d.add({ check: 'login session', status: 'skip', detail: 'none stored (run "pnpm nso login")' });
      return;
    }
    // The entry lives as long as the session's refresh token.
    const left = entry.expiresAt - ctx.now();
    d.add({
      check: 'login session',
      status: left > DAY_MS ? 'ok' : 'warn',
      detail: `stored in the ${settings.store} store; usable ${Math.max(0, Math.round(left / 3600000))} h more`,
      ...(left > DAY_MS
        ? {}
        : {
            hint: 'confidential refresh tokens last 7 days from the first login and are not extended: run "pnpm nso login" again soon',
          }),
    });
  } catch (error) {
    const described = describeError(error);
    d.add({
      check: 'token store',
      status: 'fail',
      detail: described.message,
      hint: described.hint,
    });
  }
}

function report(d: Doctor): number {
  const { ctx, checks } = d;
  const failures = checks.filter((c) => c.status === 'fail').length;
  const warnings = checks.filter((c) => c.status === 'warn').length;
  if (ctx.format === 'json') {
    ctx.out(`${JSON.stringify({ ok: failures === 0, failed: failures, warnings, checks }, null, 2)}\n`);
  } else {
    ctx.out(
      `\n${failures === 0 ? ctx.outColor.green('no problems found') : ctx.outColor.red(`${failures} problem${failures === 1 ? '' : 's'} found`)}${warnings ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : ''}\n`,
    );
  }
  return failures === 0 ? 0 : 1;
}

/**
 * `doctor`: checks a configuration the way a NetSuite expert would, one function per check, in order.
 *
 * @example
 * await run(ctx) // exit code
 */
export async function run(ctx: Context): Promise<number> {
  const settings = ctx.settings();
  const checks: Check[] = [];
  const d: Doctor = {
    ctx,
    settings,
    hints: await loadErrorHints(),
    checks,
    m2m: Boolean(settings.certificateId || settings.privateKeyFile || settings.privateKeyPem),
    code: Boolean(settings.redirectUri || settings.clientSecret),
    reachable: false,
    add(check) {
      checks.push({
        ...check,
        detail: ctx.redactor.redact(check.detail),
        ...(check.hint ? { hint: ctx.redactor.redact(check.hint) } : {}),
      });
      if (ctx.format !== 'json') {
        const last = checks[checks.length - 1] as Check;
        ctx.out(`${symbol(ctx, last.status)} ${last.check.padEnd(22)} ${last.detail}\n`);
        if (last.hint && last.status !== 'ok')
          ctx.out(`  ${' '.repeat(22)} ${ctx.outColor.dim(last.hint)}\n`);
      }
    },
  };
  await checkAccount(d);
  await checkCredentialsSetup(d);
  checkLoginSettings(d);
  checkSomethingConfigured(d);
  await checkReachability(d);
  const accessToken = await checkTokenRequest(d);
  if (accessToken) {
    checkScopes(d, accessToken);
    await checkRestCall(d, accessToken);
    await checkCertificates(d, accessToken);
  }
  await checkLoginSession(d);
  return report(d);
}
