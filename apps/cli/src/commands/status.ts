import type { TokenSet } from '@netsuite-oauth/oauth-flows';
import type { Context } from '../context.js';
import { describeError, loadErrorHints } from '../describe-error.js';
import { EXIT, type ExitCode } from '../errors.js';
import { neutralizeControls } from '../format.js';
import { decodeJwtPayload } from '../jwt-claims.js';
import { duration } from '../output.js';
import {
  accountOptions,
  authKind,
  clientCredentialsToken,
  hasSession,
  need,
  openStore,
  remember,
  tokenManager,
} from '../runtime.js';

/** An id and, when NetSuite names it, its name. */
interface Named {
  readonly id: string;
  readonly name: string | undefined;
}

/** What one credential acts as. */
interface Identity {
  readonly role: Named | undefined;
  readonly entity: Named | undefined;
  readonly scopes: readonly string[];
  readonly expiresAt: string;
  readonly expiresIn: string;
  readonly refreshTokenExpiresIn?: string | undefined;
  readonly cached?: boolean | undefined;
}

type Section =
  | { readonly state: 'ok'; readonly identity: Identity }
  | { readonly state: 'none'; readonly why: string }
  | { readonly state: 'error'; readonly code: string; readonly message: string; readonly exitCode: ExitCode };

/**
 * The role and entity a NetSuite access token acts as, from its `sub`: `"<role>;<entity>"` in code-grant tokens,
 * `"<account>;0;<role>;<entity>;N"` in Oracle's client-credentials example (a display aid: tokens are opaque).
 */
function subject(accessToken: string): { role?: string; entity?: string } {
  const sub = decodeJwtPayload(accessToken)?.sub;
  if (typeof sub !== 'string') return {};
  const parts = sub.split(';');
  const pick = (i: number) => (parts[i] && /^-?\d{1,12}$/.test(parts[i] ?? '') ? parts[i] : undefined);
  const [role, entity] = parts.length >= 4 ? [pick(2), pick(3)] : [pick(0), pick(1)];
  return { ...(role ? { role } : {}), ...(entity ? { entity } : {}) };
}

/** Looks up the role's and entity's names with SuiteQL, using the token itself; a failed lookup keeps the ids. */
async function names(
  ctx: Context,
  accessToken: string,
  ids: { role?: string; entity?: string },
): Promise<{ role?: string; entity?: string }> {
  const { createNetSuiteClient } = await import('@netsuite-oauth/record-client');
  const settings = ctx.settings();
  const client = createNetSuiteClient({
    ...accountOptions(settings),
    token: { getAccessToken: async () => accessToken, invalidate: async () => {} },
    fetch: ctx.fetch,
    timeoutMs: settings.timeoutMs,
  });
  const first = async (query: string, id: string | undefined) => {
    if (id === undefined) return undefined;
    try {
      for await (const row of client.suiteql(query, { params: [id], pageSize: 5 })) return row;
    } catch {
      // No permission to read the table (or another refusal): the id alone is shown.
    }
    return undefined;
  };
  const [role, entity] = await Promise.all([
    first('SELECT name FROM role WHERE id = ?', ids.role),
    first('SELECT entityid, firstname, lastname FROM employee WHERE id = ?', ids.entity),
  ]);
  const person = [entity?.firstname, entity?.lastname].filter((v) => typeof v === 'string').join(' ');
  const entityName = person || (typeof entity?.entityid === 'string' ? entity.entityid : undefined);
  return {
    ...(typeof role?.name === 'string' ? { role: role.name } : {}),
    ...(entityName ? { entity: entityName } : {}),
  };
}

async function identity(ctx: Context, tokens: TokenSet, cached?: boolean): Promise<Identity> {
  const ids = subject(tokens.accessToken);
  const found = await names(ctx, tokens.accessToken, ids);
  const now = ctx.now();
  const scope = decodeJwtPayload(tokens.accessToken)?.scope;
  return {
    role: ids.role === undefined ? undefined : { id: ids.role, name: found.role },
    entity: ids.entity === undefined ? undefined : { id: ids.entity, name: found.entity },
    scopes: Array.isArray(scope)
      ? scope.filter((s): s is string => typeof s === 'string')
      : (tokens.scope?.split(/[\s,]+/).filter(Boolean) ?? []),
    expiresAt: new Date(tokens.expiresAt).toISOString(),
    expiresIn: duration(tokens.expiresAt - now),
    ...(tokens.refreshToken && tokens.refreshTokenExpiresAt
      ? { refreshTokenExpiresIn: duration(tokens.refreshTokenExpiresAt - now) }
      : {}),
    ...(cached === undefined ? {} : { cached }),
  };
}

async function failed(
  ctx: Context,
  error: unknown,
  context: 'client_credentials' | 'refresh_token',
): Promise<Section> {
  const hints = await loadErrorHints().catch(() => undefined);
  const d = describeError(error, { hints, oauthContext: context });
  return { state: 'error', code: d.code, message: ctx.redactor.redact(d.message), exitCode: d.exitCode };
}

function named(value: Named | undefined): string {
  if (!value) return 'unknown';
  return value.name ? `${neutralizeControls(value.name)} (${value.id})` : value.id;
}

function sectionLines(title: string, section: Section): string[] {
  if (section.state === 'none') return [`${title}  ${section.why}`];
  if (section.state === 'error') return [`${title}  error: ${neutralizeControls(section.message)}`];
  const i = section.identity;
  return [
    title,
    `  role           ${named(i.role)}`,
    `  entity         ${named(i.entity)}`,
    `  scopes         ${i.scopes.join(', ') || 'unknown'}`,
    `  access token   expires in ${i.expiresIn}${i.cached === undefined ? '' : i.cached ? ' (cached)' : ' (new)'}`,
    ...(i.refreshTokenExpiresIn ? [`  refresh token  expires in ${i.refreshTokenExpiresIn}`] : []),
  ];
}

/**
 * `status` / `whoami`: the account, and for client credentials and the login session the role and entity they
 * act as (by name where NetSuite gives it), their scopes and when their tokens expire. Gets or refreshes a token
 * as any command would; exit code of the first credential that fails, else 0.
 *
 * @example
 * await run(ctx) // exit code
 */
export async function run(ctx: Context): Promise<number> {
  const settings = ctx.settings();
  const accountId = need(settings, 'accountId');
  const store = await openStore(ctx);
  const m2mConfigured = Boolean(settings.privateKeyFile || settings.privateKeyPem || settings.certificateId);
  let m2m: Section;
  if (!m2mConfigured) {
    m2m = { state: 'none', why: 'not configured (no certificate id or private key)' };
  } else {
    try {
      const { tokens, cached } = await clientCredentialsToken(ctx);
      m2m = { state: 'ok', identity: await identity(ctx, tokens, cached) };
    } catch (error) {
      m2m = await failed(ctx, error, 'client_credentials');
    }
  }
  let session: Section;
  if (settings.clientId === undefined || !(await hasSession(ctx, store))) {
    session = { state: 'none', why: 'none (run "pnpm nso login")' };
  } else {
    try {
      const manager = await tokenManager(ctx, 'session', store);
      const tokens = remember(ctx, await manager.getTokenSet());
      session = { state: 'ok', identity: await identity(ctx, tokens) };
    } catch (error) {
      session = await failed(ctx, error, 'refresh_token');
    }
  }
  const uses = m2mConfigured || session.state !== 'none' ? authKind(ctx) : undefined;
  if (ctx.format === 'json') {
    const json = (s: Section) =>
      s.state === 'ok'
        ? { ok: true, ...s.identity }
        : s.state === 'none'
          ? { ok: false, configured: false, detail: s.why }
          : { ok: false, error: { code: s.code, message: s.message } };
    ctx.out(
      `${JSON.stringify(
        {
          profile: settings.profile,
          account: accountId,
          origin: settings.origin ?? null,
          apiCommandsUse: uses ?? null,
          clientCredentials: json(m2m),
          session: json(session),
        },
        null,
        2,
      )}\n`,
    );
  } else {
    const lines = [
      `profile   ${settings.profile}`,
      `account   ${accountId}`,
      `origin    ${settings.origin ?? 'NetSuite (from the account id)'}`,
      ...(uses
        ? [
            `API commands use ${uses === 'm2m' ? 'client credentials' : 'the login session'} (--auth to choose)`,
          ]
        : []),
      '',
      ...sectionLines('client credentials', m2m),
      ...sectionLines('login session', session),
    ];
    ctx.out(`${lines.join('\n')}\n`);
  }
  const failure = [m2m, session].find((s) => s.state === 'error');
  return failure?.state === 'error' ? failure.exitCode : EXIT.ok;
}
