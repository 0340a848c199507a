import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { AuthorizationPrompt } from '@netsuite-oauth/oauth-flows';
import type { Context } from '../context.js';
import { CliError, configError, EXIT } from '../errors.js';
import { tokenScopes } from '../jwt-claims.js';
import { maskSecret } from '../mask.js';
import { duration, printObject } from '../output.js';
import {
  accountOptions,
  type CliTokenStore,
  need,
  oauthClient,
  openStore,
  parseSession,
  type StoredSession,
  sessionExpiry,
  sessionKey,
  sessionValue,
} from '../runtime.js';

const PASTE_TIMEOUT_MS = 15 * 60 * 1000;

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

/** Reads one non-empty line from stdin (the pasted redirect URL). */
function readLine(ctx: Context): Promise<string | undefined> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: ctx.io.stdin, terminal: false });
    let done = false;
    const finish = (value: string | undefined) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      rl.close();
      // A pipe left open would keep the process alive after the command is done.
      (ctx.io.stdin as { destroy?: () => void }).destroy?.();
      resolve(value);
    };
    const timer = setTimeout(() => finish(undefined), PASTE_TIMEOUT_MS);
    timer.unref();
    rl.on('line', (line) => {
      if (line.trim() !== '') finish(line.trim());
    });
    rl.once('close', () => finish(undefined));
  });
}

function summary(
  ctx: Context,
  session: StoredSession,
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

async function saveSession(ctx: Context, store: CliTokenStore, session: StoredSession): Promise<void> {
  ctx.redactor.register(session.accessToken);
  ctx.redactor.register(session.refreshToken);
  await store.set(sessionKey(ctx.settings()), {
    value: sessionValue(session),
    expiresAt: sessionExpiry(session, ctx.now()),
  });
}

async function login(ctx: Context): Promise<number> {
  const settings = ctx.settings();
  const redirectUri = need(settings, 'redirectUri');
  if (/^http:/i.test(redirectUri) && !settings.origin) {
    ctx.note(
      `${ctx.color.yellow('warning')}: NetSuite refuses http:// redirect URIs; register an https:// URI or a custom scheme (see "netsuite-oauth login --help")`,
    );
  }
  const client = oauthClient(settings);
  const store = await openStore(ctx);
  const { createAuthorizationRequest, parseAuthorizationCallback, exchangeAuthorizationCode } = await import(
    '@netsuite-oauth/oauth-flows'
  );
  const prompt = ctx.string('prompt');
  const request = await createAuthorizationRequest({
    ...accountOptions(settings),
    clientId: client.clientId,
    redirectUri,
    scopes: [...settings.scopes],
    ...(prompt ? { prompt: prompt as AuthorizationPrompt } : {}),
  });
  ctx.redactor.register(request.codeVerifier);

  const browser = ctx.flag('no-browser') ? undefined : browserCommand(ctx.io.env);
  const opened = browser ? await openBrowser(browser, request.url) : false;
  ctx.note(
    opened
      ? `Opened your browser. If nothing appears, open this URL:\n\n  ${request.url}\n`
      : `Open this URL in a browser, sign in and approve:\n\n  ${request.url}\n`,
  );
  ctx.note(`Then paste the full URL you were sent to (it starts with ${redirectUri}):`);
  const pasted = await readLine(ctx);
  if (!pasted) {
    throw new CliError(
      'ERR_CLI_NO_CALLBACK',
      'no redirect URL was pasted',
      EXIT.auth,
      'run "netsuite-oauth login" again',
    );
  }
  ctx.redactor.register(pasted);
  let callbackUrl: URL;
  try {
    callbackUrl = new URL(pasted);
  } catch {
    throw new CliError(
      'ERR_CLI_BAD_CALLBACK',
      'that is not a URL',
      EXIT.usage,
      `paste the whole URL starting with ${redirectUri}`,
    );
  }
  const code = callbackUrl.searchParams.get('code');
  ctx.redactor.register(code ?? undefined);
  const callback = parseAuthorizationCallback(callbackUrl, { expectedState: request.state });
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
  const session: StoredSession = {
    accessToken: tokens.accessToken,
    expiresAt: tokens.expiresAt,
    refreshToken: tokens.refreshToken,
    refreshTokenExpiresAt: tokens.refreshTokenExpiresAt,
    scope: tokens.scope,
  };
  await saveSession(ctx, store, session);
  printObject(
    ctx,
    summary(ctx, session, {
      loggedIn: true,
      account: callback.company ?? settings.accountId,
      role: callback.role,
      entity: callback.entity,
    }),
  );
  return 0;
}

async function loadSession(ctx: Context, store: CliTokenStore): Promise<StoredSession> {
  const entry = await store.get(sessionKey(ctx.settings()));
  const session = entry ? parseSession(entry.value) : undefined;
  if (!session) throw configError('no login session in the token store', 'run "netsuite-oauth login" first');
  ctx.redactor.register(session.accessToken);
  ctx.redactor.register(session.refreshToken);
  return session;
}

async function refresh(ctx: Context): Promise<number> {
  const settings = ctx.settings();
  const store = await openStore(ctx);
  const session = await loadSession(ctx, store);
  if (!session.refreshToken)
    throw configError('the stored session has no refresh token', 'run "netsuite-oauth login" again');
  const { refreshAccessToken } = await import('@netsuite-oauth/oauth-flows');
  const tokens = await refreshAccessToken({
    ...accountOptions(settings),
    client: oauthClient(settings),
    refreshToken: session.refreshToken,
    ...(session.refreshTokenExpiresAt ? { refreshTokenExpiresAt: session.refreshTokenExpiresAt } : {}),
    fetch: ctx.fetch,
    timeoutMs: settings.timeoutMs,
    now: ctx.now,
  });
  const next: StoredSession = {
    accessToken: tokens.accessToken,
    expiresAt: tokens.expiresAt,
    refreshToken: tokens.refreshToken ?? session.refreshToken,
    refreshTokenExpiresAt: tokens.refreshToken ? tokens.refreshTokenExpiresAt : session.refreshTokenExpiresAt,
    scope: tokens.scope ?? session.scope,
  };
  await saveSession(ctx, store, next);
  printObject(
    ctx,
    summary(ctx, next, {
      refreshed: true,
      rotated: tokens.refreshToken !== undefined && tokens.refreshToken !== session.refreshToken,
    }),
  );
  return 0;
}

async function revoke(ctx: Context): Promise<number> {
  const settings = ctx.settings();
  const store = await openStore(ctx);
  const session = await loadSession(ctx, store);
  const { revokeToken } = await import('@netsuite-oauth/oauth-flows');
  try {
    await revokeToken({
      ...accountOptions(settings),
      client: oauthClient(settings),
      token: session.refreshToken ?? session.accessToken,
      fetch: ctx.fetch,
      timeoutMs: settings.timeoutMs,
      now: ctx.now,
    });
  } finally {
    // Forget the tokens locally even when NetSuite could not be told (R45).
    await store.delete(sessionKey(settings));
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
