import { createPrivateKey } from 'node:crypto';
import type { Context } from '../context.js';
import { describeError, isNetworkError, OAUTH_HINTS } from '../describe-error.js';
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
  readonly hint?: string;
}

const CLIENT_ID = /^[0-9a-f]{64}$/i;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CERT_ID = /^[A-Za-z0-9_-]{20,128}$/;
const EC_ALG: Record<string, string> = { prime256v1: 'ES256', secp384r1: 'ES384', secp521r1: 'ES512' };
const EC_NAME: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

// NetSuite says only invalid_client or invalid_grant on the wire (which one for which cause is not documented);
// the Login Audit Trail names the reason.
const M2M_REFUSED =
  'The Login Audit Trail (Setup > Users/Roles > User Management > View Login Audit Trail) names the reason: MissingKey ' +
  '(the certificate id matches no active certificate: wrong --certificate-id, revoked, expired, or mapped in another ' +
  'account or sandbox), InvalidSignature/SignatureValidation (the key does not belong to the uploaded certificate), ' +
  "ClientIdMismatch/InvalidIssuer (iss is not this integration's client id), TokenNotAcceptable (iat in the future: your " +
  'clock is ahead), TokenExpired (your clock is behind), UnsupportedAlgo (RS256), EntityOrRoleDisabled.';

/** Plain-words causes of a refused client-credentials token request (subsect_158521885412, section_162790605110). */
const M2M_CAUSES: Record<string, string> = {
  invalid_client: `NetSuite did not accept the client assertion. ${M2M_REFUSED}`,
  invalid_grant: `NetSuite refused the assertion. ${M2M_REFUSED}`,
  unauthorized_client:
    'the integration record does not allow the Client Credentials grant, or it is not Enabled (IntegrationBlocked).',
  invalid_scope: 'a scope in the assertion is not enabled on the integration record (ScopeMismatched).',
  server_error:
    'a server_error on the token endpoint usually means the iss holds the Application ID (a GUID) instead of the client ID, ' +
    'or the assertion is signed with RS256.',
};

function symbol(ctx: Context, status: Status): string {
  const c = ctx.outColor;
  if (status === 'ok') return c.green('✓');
  if (status === 'warn') return c.yellow('!');
  if (status === 'fail') return c.red('✗');
  return c.dim('-');
}

/**
 * `doctor`: checks a configuration the way a NetSuite expert would.
 *
 * @example
 * await run(ctx) // exit code
 */
export async function run(ctx: Context): Promise<number> {
  const checks: Check[] = [];
  const add = (check: Check) => {
    checks.push({
      ...check,
      detail: ctx.redactor.redact(check.detail),
      ...(check.hint ? { hint: ctx.redactor.redact(check.hint) } : {}),
    });
    if (ctx.format !== 'json') {
      const last = checks[checks.length - 1] as Check;
      ctx.out(`${symbol(ctx, last.status)} ${last.check.padEnd(22)} ${last.detail}\n`);
      if (last.hint && last.status !== 'ok') ctx.out(`  ${' '.repeat(22)} ${ctx.outColor.dim(last.hint)}\n`);
    }
  };
  const settings = ctx.settings();

  // 1. Account id.
  const { parseAccountId, netsuiteEndpoints } = await import('@netsuite-oauth/core');
  let accountOk = false;
  if (!settings.accountId) {
    add({
      check: 'account id',
      status: 'fail',
      detail: 'not set',
      hint: 'set --account or NETSUITE_ACCOUNT_ID (e.g. 1234567 or 1234567_SB1)',
    });
  } else {
    try {
      const parsed = parseAccountId(settings.accountId);
      accountOk = true;
      const kind = /_SB\d*$/.test(parsed.id)
        ? 'sandbox'
        : /_RP/.test(parsed.id)
          ? 'release preview'
          : 'production';
      const form = settings.accountId === parsed.id ? 'ok' : 'warn';
      add({
        check: 'account id',
        status: form,
        detail: `${parsed.id} (${kind}; hosts use ${parsed.hostLabel})`,
        ...(form === 'warn'
          ? {
              hint: `NetSuite shows this id as ${parsed.id}; realm and company use that form, host names use ${parsed.hostLabel}`,
            }
          : {}),
      });
    } catch {
      add({
        check: 'account id',
        status: 'fail',
        detail: `"${settings.accountId}" is not an account id`,
        hint: 'use the form NetSuite shows at Setup > Company > Company Information: 1234567, 1234567_SB1, TSTDRV1234567',
      });
    }
  }
  let endpoints: ReturnType<typeof netsuiteEndpoints> | undefined;
  if (accountOk) {
    try {
      endpoints = netsuiteEndpoints(
        settings.accountId ?? '',
        settings.origin ? { origin: settings.origin, allowInsecureLoopback: true } : {},
      );
      add({ check: 'endpoints', status: 'ok', detail: `token endpoint ${endpoints.tokenUrl}` });
    } catch (error) {
      add({
        check: 'endpoints',
        status: 'fail',
        detail: describeError(error).message,
        hint: '--origin must be https, or http on 127.0.0.1 for the emulator',
      });
    }
  }

  // 2. Client id.
  if (!settings.clientId) {
    add({
      check: 'client id',
      status: 'fail',
      detail: 'not set',
      hint: 'set --client-id or NETSUITE_CLIENT_ID: the Client ID shown once when the integration record was saved',
    });
  } else if (GUID.test(settings.clientId)) {
    add({
      check: 'client id',
      status: 'fail',
      detail: 'looks like the Application ID (a GUID)',
      hint: 'the JWT iss must be the Client ID (64 hex characters), not the Application ID; NetSuite answers server_error or invalid_client otherwise',
    });
  } else if (CLIENT_ID.test(settings.clientId)) {
    add({
      check: 'client id',
      status: 'ok',
      detail: `${settings.clientId.slice(0, 8)}… (64 hex characters)`,
    });
  } else {
    add({
      check: 'client id',
      status: 'warn',
      detail: 'not the usual 64 hex characters',
      hint: 'copy the Client ID (consumer key) from the integration record',
    });
  }

  const m2m = Boolean(settings.certificateId || settings.privateKeyFile || settings.privateKeyPem);
  const code = Boolean(settings.redirectUri || settings.clientSecret);
  let keyInfo: { type: string; detail: string; algorithm?: string } | undefined;
  let keyPem: string | undefined;

  if (m2m) {
    // 3. Certificate id.
    if (!settings.certificateId) {
      add({
        check: 'certificate id',
        status: 'fail',
        detail: 'not set',
        hint: 'set --certificate-id: the Certificate ID from Setup > Integration > Manage Authentication > OAuth 2.0 Client Credentials (M2M) Setup',
      });
    } else if (
      /^[0-9a-f]{40}$|^[0-9a-f]{64}$/i.test(settings.certificateId) ||
      settings.certificateId === settings.clientId
    ) {
      add({
        check: 'certificate id',
        status: 'fail',
        detail: 'looks like a fingerprint or the client id',
        hint: 'the kid is the Certificate ID NetSuite generated when the certificate was mapped (43 characters), not a thumbprint',
      });
    } else if (CERT_ID.test(settings.certificateId)) {
      add({ check: 'certificate id', status: 'ok', detail: settings.certificateId });
    } else {
      add({
        check: 'certificate id',
        status: 'warn',
        detail: 'unusual form',
        hint: 'NetSuite certificate ids are ~43 base64url characters',
      });
    }

    // 4. Private key: type and size.
    try {
      keyPem = loadPrivateKey(ctx);
      const key = createPrivateKey({
        key: keyPem,
        ...(settings.passphrase ? { passphrase: settings.passphrase } : {}),
      });
      const type = key.asymmetricKeyType ?? 'unknown';
      const details = key.asymmetricKeyDetails ?? {};
      if (type === 'rsa' || type === 'rsa-pss') {
        const bits = details.modulusLength ?? 0;
        keyInfo = { type: 'rsa', detail: `RSA ${bits} bits`, algorithm: 'PS256' };
        if (bits === 3072 || bits === 4096)
          add({ check: 'private key', status: 'ok', detail: `RSA ${bits} bits` });
        else
          add({
            check: 'private key',
            status: 'fail',
            detail: `RSA ${bits} bits`,
            hint: 'NetSuite accepts RSA keys of 3072 or 4096 bits only: "pnpm nso cert generate --key-type rsa-3072"',
          });
      } else if (type === 'ec') {
        const curve = EC_NAME[details.namedCurve ?? ''] ?? details.namedCurve ?? 'unknown';
        const alg = EC_ALG[details.namedCurve ?? ''];
        keyInfo = { type: 'ec', detail: `EC ${curve}`, ...(alg ? { algorithm: alg } : {}) };
        if (alg) add({ check: 'private key', status: 'ok', detail: `EC ${curve}` });
        else
          add({
            check: 'private key',
            status: 'fail',
            detail: `EC ${curve}`,
            hint: 'NetSuite accepts EC P-256, P-384 or P-521 only',
          });
      } else {
        add({
          check: 'private key',
          status: 'fail',
          detail: `${type} key`,
          hint: 'NetSuite accepts RSA (3072/4096) or EC (P-256/384/521) keys only',
        });
      }
    } catch (error) {
      const d = describeError(error);
      const passphrase = /passphrase|decrypt|bad decrypt/i.test(String((error as Error).message));
      add({
        check: 'private key',
        status: 'fail',
        detail: passphrase ? 'cannot decrypt the key' : d.message,
        hint: passphrase
          ? 'set NETSUITE_KEY_PASSPHRASE'
          : (d.hint ?? 'check --key / NETSUITE_PRIVATE_KEY_FILE'),
      });
    }

    // 5. Algorithm.
    if (keyInfo) {
      const chosen = settings.algorithm;
      if (!chosen) {
        add({ check: 'algorithm', status: 'ok', detail: `${keyInfo.algorithm ?? '?'} (from the key)` });
      } else if (/^RS/i.test(chosen)) {
        add({
          check: 'algorithm',
          status: 'fail',
          detail: chosen,
          hint: 'NetSuite no longer accepts RS256/384/512 (PKCS#1 v1.5); use PS256 with RSA or ES256/384/512 with EC',
        });
      } else if (
        (keyInfo.type === 'rsa' && !/^PS(256|384|512)$/.test(chosen)) ||
        (keyInfo.type === 'ec' && chosen !== keyInfo.algorithm)
      ) {
        add({
          check: 'algorithm',
          status: 'fail',
          detail: `${chosen} does not fit ${keyInfo.detail}`,
          hint:
            keyInfo.type === 'rsa'
              ? 'use PS256, PS384 or PS512 with an RSA key'
              : `use ${keyInfo.algorithm ?? 'the matching ES algorithm'} with this curve`,
        });
      } else {
        add({ check: 'algorithm', status: 'ok', detail: chosen });
      }
    }

    // 6. Certificate.
    const certPem = (() => {
      try {
        return loadCertificate(settings);
      } catch (error) {
        add({ check: 'certificate', status: 'fail', detail: describeError(error).message });
        return undefined;
      }
    })();
    if (certPem) {
      try {
        const { inspectCertificate } = await import('@netsuite-oauth/jwt-assertion');
        const info = inspectCertificate(certPem, {
          ...(keyPem ? { privateKey: keyPem } : {}),
          ...(settings.passphrase ? { passphrase: settings.passphrase } : {}),
          now: ctx.now,
        });
        const until = info.notAfter.toISOString().slice(0, 10);
        if (info.expired) {
          add({
            check: 'certificate',
            status: 'fail',
            detail: `expired on ${until}`,
            hint: 'generate a new certificate ("pnpm nso cert generate"), upload and map it, and use its new certificate id',
          });
        } else if (info.matchesPrivateKey === false) {
          add({
            check: 'certificate',
            status: 'fail',
            detail: 'does not match the private key',
            hint: 'the key signs, NetSuite verifies with the uploaded certificate: they must be one pair',
          });
        } else if (!info.acceptedByNetSuite) {
          add({
            check: 'certificate',
            status: 'fail',
            detail: info.problems.map(String).join('; ') || 'NetSuite would refuse it',
          });
        } else if (info.daysLeft < 30) {
          add({
            check: 'certificate',
            status: 'warn',
            detail: `expires in ${info.daysLeft} days (${until})`,
            hint: 'rotate it now: NetSuite allows up to 5 active certificates per integration',
          });
        } else {
          add({
            check: 'certificate',
            status: 'ok',
            detail: `valid until ${until} (${info.daysLeft} days)${info.matchesPrivateKey ? ', matches the key' : ''}`,
          });
        }
      } catch (error) {
        add({ check: 'certificate', status: 'fail', detail: describeError(error).message });
      }
    } else if (!settings.certificateFile) {
      add({
        check: 'certificate',
        status: 'skip',
        detail: 'no --cert given: expiry and key match not checked',
      });
    }
  }

  if (code) {
    if (!settings.redirectUri) {
      add({
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
      if (scheme === 'https:') add({ check: 'redirect URI', status: 'ok', detail: settings.redirectUri });
      else if (scheme === 'http:')
        add({
          check: 'redirect URI',
          status: settings.origin ? 'warn' : 'fail',
          detail: settings.redirectUri,
          hint: 'NetSuite refuses http:// redirect URIs: register an https:// URI or a custom scheme (myapp://callback)',
        });
      else if (scheme === 'invalid')
        add({ check: 'redirect URI', status: 'fail', detail: 'not an absolute URI' });
      else add({ check: 'redirect URI', status: 'ok', detail: `${settings.redirectUri} (custom scheme)` });
    }
    add({
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
  if (!m2m && !code) {
    add({
      check: 'credentials',
      status: 'fail',
      detail: 'neither client credentials (key + certificate id) nor login (redirect URI) configured',
      hint: 'see "pnpm nso config --help"',
    });
  }

  // 7. Reachability and clock skew, from the token endpoint's Date header.
  let reachable = false;
  if (endpoints) {
    const before = Date.now();
    try {
      const response = await ctx.fetch(endpoints.tokenUrl, {
        method: 'GET',
        redirect: 'manual',
        signal: AbortSignal.timeout(settings.timeoutMs),
      });
      const after = Date.now();
      await response.body?.cancel();
      reachable = true;
      add({
        check: 'token endpoint',
        status: 'ok',
        detail: `reachable (HTTP ${response.status} to a GET, in ${after - before} ms)`,
      });
      const date = response.headers.get('date');
      if (date) {
        const server = Date.parse(date);
        const local = ctx.now() - (after - before) / 2;
        const skewS = Math.round((local - server) / 1000);
        const abs = Math.abs(skewS);
        const words = `${abs} s ${skewS > 0 ? 'ahead of' : 'behind'} the server`;
        if (abs <= 5)
          add({
            check: 'clock skew',
            status: 'ok',
            detail: abs <= 1 ? 'in sync with the server (±1 s)' : `local clock ${words}`,
          });
        else if (abs <= 60)
          add({
            check: 'clock skew',
            status: 'warn',
            detail: `local clock ${words}`,
            hint: 'sync the clock (NTP): an assertion issued "in the future" is refused as TokenNotAcceptable',
          });
        else
          add({
            check: 'clock skew',
            status: 'fail',
            detail: `local clock ${words}`,
            hint: 'sync the clock (NTP): NetSuite refuses assertions whose iat is in the future (TokenNotAcceptable) or that already expired (TokenExpired)',
          });
      } else {
        add({ check: 'clock skew', status: 'skip', detail: 'the server sent no Date header' });
      }
    } catch (error) {
      const d = describeError(error);
      add({
        check: 'token endpoint',
        status: 'fail',
        detail: isNetworkError(error) ? d.message : `cannot reach: ${d.message}`,
        hint: 'check the account id (it decides the host name), --origin, DNS, proxy and firewall',
      });
    }
  }

  // 8. A real token request, then scopes and a REST call with it.
  const ready = reachable && m2m && checks.every((c) => c.status !== 'fail');
  if (m2m && !ready) {
    add({ check: 'token request', status: 'skip', detail: 'skipped: fix the failures above first' });
  } else if (ready && endpoints) {
    let accessToken: string | undefined;
    try {
      const { requestClientCredentialsToken } = await import('@netsuite-oauth/oauth-flows');
      const signer = await createSigner(ctx);
      const tokens = await requestClientCredentialsToken({
        ...accountOptions(settings),
        signer,
        fetch: ctx.fetch,
        timeoutMs: settings.timeoutMs,
        now: ctx.now,
      });
      accessToken = tokens.accessToken;
      ctx.redactor.register(accessToken);
      add({
        check: 'token request',
        status: 'ok',
        detail: `client credentials token issued, expires in ${Math.round((tokens.expiresAt - ctx.now()) / 60000)} min`,
      });
    } catch (error) {
      const d = describeError(error);
      const oauth = (error as { error?: unknown }).error;
      const description = (error as { errorDescription?: unknown }).errorDescription;
      const cause = typeof oauth === 'string' ? (M2M_CAUSES[oauth] ?? OAUTH_HINTS[oauth]) : d.hint;
      add({
        check: 'token request',
        status: 'fail',
        detail: `${d.message}${typeof description === 'string' && description ? ` — ${description}` : ''}`,
        ...(cause ? { hint: cause } : {}),
      });
    }
    if (accessToken) {
      const granted = tokenScopes(accessToken);
      if (granted) {
        const missing = settings.scopes.filter((s) => !granted.includes(s));
        add({
          check: 'scopes',
          status: missing.length === 0 ? 'ok' : 'warn',
          detail: `granted ${granted.join(', ') || 'none'}`,
          ...(missing.length > 0
            ? { hint: `not granted: ${missing.join(', ')} — enable them on the integration record` }
            : {}),
        });
      } else {
        add({
          check: 'scopes',
          status: 'skip',
          detail: `the token is opaque; requested ${settings.scopes.join(', ')}`,
        });
      }
      const sub = decodeJwtPayload(accessToken)?.sub;
      if (settings.scopes.includes('rest_webservices')) {
        try {
          const response = await ctx.fetch(`${endpoints.systemUrl}/serverTime`, {
            headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
            signal: AbortSignal.timeout(settings.timeoutMs),
          });
          const text = await response.text();
          if (response.ok) {
            add({
              check: 'REST call',
              status: 'ok',
              detail: `GET system/v1/serverTime → ${response.status}${typeof sub === 'string' ? ` (token subject ${sub})` : ''}`,
            });
          } else {
            let errorCode = '';
            try {
              const body = JSON.parse(text) as {
                'o:errorDetails'?: { 'o:errorCode'?: string }[];
                'o:errorCode'?: string;
              };
              errorCode = body['o:errorDetails']?.[0]?.['o:errorCode'] ?? body['o:errorCode'] ?? '';
            } catch {
              // not JSON
            }
            const d = describeError(
              Object.assign(new Error('rest call failed'), {
                status: response.status,
                errorCode: errorCode || undefined,
                name: 'NetSuiteApiError',
              }),
            );
            add({
              check: 'REST call',
              status: 'fail',
              detail: `GET system/v1/serverTime → ${response.status} ${errorCode}`.trim(),
              ...(d.hint ? { hint: d.hint } : {}),
            });
          }
        } catch (error) {
          add({ check: 'REST call', status: 'fail', detail: describeError(error).message });
        }
      }
    }
  }

  // 9. A stored login session, if any.
  if (settings.clientId && settings.accountId && accountOk) {
    try {
      const store = await openStore(ctx);
      const entry = await store.get(sessionKey(settings));
      if (entry) {
        // The entry lives as long as the session's refresh token.
        const left = entry.expiresAt - ctx.now();
        add({
          check: 'login session',
          status: left > 24 * 3600 * 1000 ? 'ok' : 'warn',
          detail: `stored in the ${settings.store} store; usable ${Math.max(0, Math.round(left / 3600000))} h more`,
          ...(left > 24 * 3600 * 1000
            ? {}
            : {
                hint: 'confidential refresh tokens last 7 days from the first login and are not extended: run "pnpm nso login" again soon',
              }),
        });
      } else if (code) {
        add({ check: 'login session', status: 'skip', detail: 'none stored (run "pnpm nso login")' });
      }
    } catch (error) {
      add({
        check: 'token store',
        status: 'fail',
        detail: describeError(error).message,
        ...(describeError(error).hint ? { hint: describeError(error).hint as string } : {}),
      });
    }
  }

  const failed = checks.filter((c) => c.status === 'fail').length;
  const warned = checks.filter((c) => c.status === 'warn').length;
  if (ctx.format === 'json') {
    ctx.out(`${JSON.stringify({ ok: failed === 0, failed, warnings: warned, checks }, null, 2)}\n`);
  } else {
    ctx.out(
      `\n${failed === 0 ? ctx.outColor.green('no problems found') : ctx.outColor.red(`${failed} problem${failed === 1 ? '' : 's'} found`)}${warned ? `, ${warned} warning${warned === 1 ? '' : 's'}` : ''}\n`,
    );
  }
  return failed === 0 ? 0 : 1;
}
