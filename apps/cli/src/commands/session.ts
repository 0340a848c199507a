import { spawn } from 'node:child_process';
import type { AuthorizationPrompt, TokenSet } from '@netsuite-oauth/oauth-flows';
import type { Settings } from '../config.js';
import type { Context } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { tokenScopes } from '../jwt-claims.js';
import { type LoopbackCallback, listenForCallback, loopbackTarget } from '../loopback.js';
import { maskSecret } from '../mask.js';
import { duration, printObject } from '../output.js';
import { readLine } from '../prompt.js';
import {
  accountOptions,
  need,
  oauthClient,
  openStore,
  remember,
  requireSession,
  tokenManager,
} from '../runtime.js';

const CALLBACK_TIMEOUT_MS = 15 * 60 * 1000;

function browserCommand(env: Context['io']['env']): [string, string[]] | undefined {
  if (process.platform === 'darwin') return ['open', []];
  if (process.platform === 'win32') return ['cmd', ['/c', 'start', '""']];
  if (env.DISPLAY || env.WAYLAND_DISPLAY) return ['xdg-open', []];
  return undefined;
}

function openBrowser(command: [string, string[]], url: string): Promise<boolean> {
  return new Promise((resolve) => {
    try {
      const child = spawn(command[0], [...command[1], url], { stdio: 'ignore', detached: true });
      child.once('error', () => resolve(false));
      child.once('spawn', () => {
        child.unref();
        resolve(true);
      });
    } catch {
      resolve(false);
    }
  });
}

function summary(
  ctx: Context,
  session: TokenSet,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const now = ctx.now();
  return {
    ...extra,
    accessToken: maskSecret(session.accessToken),
    expiresIn: duration(session.expiresAt - now),
    refreshToken: session.refreshToken ? maskSecret(session.refreshToken) : undefined,
    refreshTokenExpiresIn:
      session.refreshToken && session.refreshTokenExpiresAt
        ? duration(session.refreshTokenExpiresAt - now)
        : undefined,
    scopes: tokenScopes(session.accessToken)?.join(',') ?? session.scope,
    store: ctx.settings().store,
  };
}

/**
 * Checks the client before anyone signs in: a code exchange with a made-up code is refused with `invalid_client`
 * when the client id or secret is wrong (client authentication comes first, RFC 6749 §3.2.1), and with
 * `invalid_grant` when the client is fine. Only a refusal of the client stops the login here.
 */
async function checkClient(
  ctx: Context,
  settings: Settings,
  client: { clientId: string; clientSecret?: string },
  redirectUri: string,
): Promise<void> {
  const { exchangeAuthorizationCode, OAuthResponseError } = await import('@netsuite-oauth/oauth-flows');
  const { randomBytes } = await import('node:crypto');
  try {
    await exchangeAuthorizationCode({
      ...accountOptions(settings),
      client,
      code: `client-check-${randomBytes(16).toString('hex')}`,
      redirectUri,
      codeVerifier: randomBytes(32).toString('base64url'),
      fetch: ctx.fetch,
      timeoutMs: settings.timeoutMs,
      now: ctx.now,
    });
  } catch (error) {
    if (
      error instanceof OAuthResponseError &&
      (error.error === 'invalid_client' || error.error === 'unauthorized_client')
    ) {
      throw error;
    }
    // invalid_grant is the expected answer; anything else is left for the real exchange to report.
  }
}

async function login(ctx: Context): Promise<number> {
  const settings = ctx.settings();
  const redirectUri = need(settings, 'redirectUri');
  const loopback = loopbackTarget(redirectUri);
  if (/^http:/i.test(redirectUri) && !loopback) {
    ctx.note(
      `${ctx.color.yellow('warning')}: an http:// redirect URI must be on 127.0.0.1, [::1] or localhost to be received here; NetSuite wants https:// or a custom scheme otherwise (see "pnpm nso login --help")`,
    );
  }
  const client = oauthClient(settings);
  const store = await openStore(ctx);
  const { createAuthorizationRequest, parseAuthorizationCallback, exchangeAuthorizationCode } = await import(
    '@netsuite-oauth/oauth-flows'
  );
  // A wrong client secret fails now, not after the user has signed in.
  await checkClient(ctx, settings, client, redirectUri);
  const prompt = ctx.string('prompt');
  const request = await createAuthorizationRequest({
    ...accountOptions(settings),
    clientId: client.clientId,
    redirectUri,
    scopes: [...settings.scopes],
    ...(prompt ? { prompt: prompt as AuthorizationPrompt } : {}),
  });
  ctx.redactor.register(request.codeVerifier);

  // Listen before the browser opens, so the redirect cannot arrive first.
  const listener = loopback
    ? await listenForCallback(loopback, {
        state: request.state,
        timeoutMs: CALLBACK_TIMEOUT_MS,
        onIgnored: (reason) => ctx.note(ctx.color.dim(`ignored ${reason}; still waiting`)),
      })
    : undefined;
  if (listener) ctx.defer(() => listener.close());

  const browser = ctx.flag('no-browser') ? undefined : browserCommand(ctx.io.env);
  const opened = browser ? await openBrowser(browser, request.url) : false;
  ctx.note(
    opened
      ? `Opened your browser. If nothing appears, open this URL:\n\n  ${request.url}\n`
      : `Open this URL in a browser, sign in and approve:\n\n  ${request.url}\n`,
  );
  let callbackUrl: URL;
  let finish: LoopbackCallback['finish'] | undefined;
  if (listener) {
    ctx.note(`Waiting for NetSuite to redirect to ${redirectUri} …`);
    const received = await listener.callback;
    callbackUrl = received.url;
    finish = received.finish;
    ctx.redactor.register(callbackUrl.toString());
  } else {
    callbackUrl = await pastedCallback(ctx, redirectUri);
  }
  const code = callbackUrl.searchParams.get('code');
  ctx.redactor.register(code ?? undefined);
  try {
    // NetSuite sends no iss; one that is present must be the server this login went to (RFC 9207 §2.4).
    const callback = parseAuthorizationCallback(callbackUrl, {
      expectedState: request.state,
      expectedIssuer: request.issuer,
    });
    await checkCompany(callback.company, accountOptions(settings).accountId);
    const tokens = await exchangeAuthorizationCode({
      ...accountOptions(settings),
      client,
      code: callback.code,
      redirectUri,
      codeVerifier: request.codeVerifier,
      fetch: ctx.fetch,
      timeoutMs: settings.timeoutMs,
      now: ctx.now,
    });
    remember(ctx, tokens);
    const manager = await tokenManager(ctx, 'session', store);
    await manager.setTokenSet(tokens);
    const account = callback.company ?? settings.accountId;
    await finish?.({
      ok: true,
      title: 'Signed in to NetSuite',
      detail: `The terminal now holds a session for account ${String(account)}.`,
    });
    printObject(
      ctx,
      summary(ctx, tokens, {
        loggedIn: true,
        account,
        role: callback.role,
        entity: callback.entity,
      }),
    );
    return 0;
  } catch (error) {
    if (finish) {
      const { describeError, loadErrorHints } = await import('../describe-error.js');
      const hints = await loadErrorHints().catch(() => undefined);
      const d = describeError(error, { hints, oauthContext: 'authorization_code' });
      await finish({ ok: false, title: 'Sign-in failed', detail: ctx.redactor.redact(d.message) });
    }
    throw error;
  }
}

async function pastedCallback(ctx: Context, redirectUri: string): Promise<URL> {
  ctx.note(`Then paste the full URL you were sent to (it starts with ${redirectUri}):`);
  const pasted = await readLine(ctx, CALLBACK_TIMEOUT_MS);
  if (!pasted) {
    throw new CliError(
      'ERR_CLI_NO_CALLBACK',
      'no redirect URL was pasted',
      EXIT.auth,
      'run "pnpm nso login" again',
    );
  }
  ctx.redactor.register(pasted);
  try {
    return new URL(pasted);
  } catch {
    throw new CliError(
      'ERR_CLI_BAD_CALLBACK',
      'that is not a URL',
      EXIT.usage,
      `paste the whole URL starting with ${redirectUri}`,
    );
  }
}

/** NetSuite names the account the user signed in to (`company`); a code for another account is never exchanged. */
async function checkCompany(company: string | undefined, accountId: string): Promise<void> {
  if (company === undefined) return;
  const { parseAccountId } = await import('@netsuite-oauth/core');
  let signedIn: string;
  try {
    signedIn = parseAccountId(company).id;
  } catch {
    signedIn = company.slice(0, 32);
  }
  const configured = parseAccountId(accountId).id;
  if (signedIn !== configured) {
    throw new CliError(
      'ERR_CLI_WRONG_ACCOUNT',
      `you signed in to account ${signedIn}, but the configured account is ${configured}`,
      EXIT.config,
      `set --account or NETSUITE_ACCOUNT_ID to ${signedIn}, or sign in to ${configured}`,
    );
  }
}

async function refresh(ctx: Context): Promise<number> {
  const store = await openStore(ctx);
  await requireSession(ctx, store);
  const manager = await tokenManager(ctx, 'session', store);
  const current = remember(ctx, await manager.getTokenSet());
  // Drop the access token (the refresh token stays), so the next read refreshes now.
  await manager.invalidate(current.accessToken);
  const next = remember(ctx, await manager.getTokenSet());
  printObject(
    ctx,
    summary(ctx, next, {
      refreshed: next.accessToken !== current.accessToken,
      rotated: next.refreshToken !== undefined && next.refreshToken !== current.refreshToken,
    }),
  );
  return 0;
}

async function revoke(ctx: Context): Promise<number> {
  const settings = ctx.settings();
  const store = await openStore(ctx);
  await requireSession(ctx, store);
  const manager = await tokenManager(ctx, 'session', store);
  const { revokeToken } = await import('@netsuite-oauth/oauth-flows');
  try {
    const tokens = remember(ctx, await manager.getTokenSet());
    await revokeToken({
      ...accountOptions(settings),
      client: oauthClient(settings),
      token: tokens.refreshToken ?? tokens.accessToken,
      fetch: ctx.fetch,
      timeoutMs: settings.timeoutMs,
      now: ctx.now,
    });
  } finally {
    // Forget the tokens locally even when NetSuite could not be told (RFC 7009 §2, docs/security.md#refresh-and-revocation).
    await manager.clear();
  }
  printObject(ctx, { revoked: true, account: need(settings, 'accountId'), forgotten: true });
  return 0;
}

/**
 * `login`, `refresh`, `revoke`.
 *
 * @example
 * await run(ctx) // exit code
 */
export async function run(ctx: Context): Promise<number> {
  if (ctx.spec.name === 'login') return await login(ctx);
  if (ctx.spec.name === 'refresh') return await refresh(ctx);
  return await revoke(ctx);
}
