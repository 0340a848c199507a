import type { IncomingMessage, ServerResponse } from 'node:http';
import { clearSessionCookie, parseCookies, SESSION_COOKIE, sessionCookie } from './cookies.js';
import { isServerError, ServerError } from './errors.js';
import type { NetSuiteGateway } from './gateway.js';
import { STYLESHEET } from './html.js';
import { readForm, securityHeaders, send } from './http.js';
import {
  customerPage,
  customersPage,
  dashboardPage,
  errorPage,
  homePage,
  m2mPage,
  suiteqlPage,
} from './pages.js';
import { digest, randomId, safeEqual } from './random.js';
import { safeReturnTo } from './return-to.js';
import { type Session, SessionManager } from './session.js';
import type { KeyValueStore } from './store.js';
import { TransactionStore } from './transactions.js';

/** Options of {@link createApp}. */
export interface AppOptions {
  /** NetSuite, reached through our packages (see `createNetSuiteGateway`). */
  readonly gateway: NetSuiteGateway;
  /** Where sessions and login transactions live (any token store). */
  readonly store: KeyValueStore;
  /** The origin browsers use to reach this server, e.g. `http://127.0.0.1:3000`. The redirect URI is built from it, never from `Host`. */
  readonly publicOrigin: string;
  /** Session lifetime. @default 8 hours */
  readonly sessionTtlMs?: number;
  /** Login transaction (state + PKCE verifier) lifetime, at most 15 minutes. @default 10 minutes */
  readonly transactionTtlMs?: number;
  readonly now?: () => number;
  /** One line per request (method, path without query, status) and per unexpected error (name and code only). */
  readonly log?: (line: string) => void;
}

/** The request handler of the demo server. */
export interface App {
  /** The exact redirect URI registered with NetSuite: `<publicOrigin>/callback`. */
  readonly redirectUri: string;
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

interface Reply {
  status: number;
  body?: string;
  location?: string;
  contentType?: string;
}

interface Context {
  readonly req: IncomingMessage;
  readonly url: URL;
  /** A cookie was sent, but its session is unknown or expired. */
  readonly staleCookie: boolean;
  session: Session | undefined;
  setCookies: string[];
}

const CUSTOMER_PAGE = 20;
const SUITEQL_PAGE = 10;
const MAX_PAGE = 10_000;
const MAX_QUERY = 4000;
const DEFAULT_QUERY = 'SELECT id, entityid, companyname, email FROM customer ORDER BY id';

/**
 * Builds the demo server's request handler.
 *
 * @example
 * const app = createApp({ gateway, store, publicOrigin: 'http://127.0.0.1:3000' });
 * createServer((req, res) => void app.handle(req, res)).listen(3000, '127.0.0.1');
 */
export function createApp(options: AppOptions): App {
  const now = options.now ?? Date.now;
  const origin = new URL(options.publicOrigin).origin;
  const redirectUri = `${origin}/callback`;
  const gateway = options.gateway;
  const sessions = new SessionManager({
    store: options.store,
    now,
    ...(options.sessionTtlMs === undefined ? {} : { ttlMs: options.sessionTtlMs }),
  });
  const transactions = new TransactionStore({
    store: options.store,
    now,
    ...(options.transactionTtlMs === undefined ? {} : { ttlMs: options.transactionTtlMs }),
  });
  const baseHeaders = securityHeaders({
    formActionOrigins: gateway.loginOrigins,
    hsts: origin.startsWith('https:'),
  });
  const log = options.log ?? (() => {});

  async function ensureSession(ctx: Context): Promise<Session> {
    if (ctx.session) return ctx.session;
    const session = await sessions.create(
      ctx.staleCookie ? { notice: 'Your session has expired. Connect to NetSuite again.' } : {},
    );
    setSession(ctx, session);
    return session;
  }

  function setSession(ctx: Context, session: Session): void {
    ctx.session = session;
    ctx.setCookies = [sessionCookie(session.id, sessions.maxAgeSeconds(session))];
  }

  async function takeNotice(ctx: Context): Promise<string | undefined> {
    const session = ctx.session;
    const notice = session?.data.notice;
    if (session && notice !== undefined) {
      const { notice: _, ...rest } = session.data;
      session.data = rest;
      await sessions.save(session);
    }
    return notice;
  }

  async function checkForm(ctx: Context): Promise<URLSearchParams> {
    const headerOrigin = ctx.req.headers.origin;
    // With Referrer-Policy no-referrer, browsers send `Origin: null` on same-origin form posts.
    if (headerOrigin !== undefined && headerOrigin !== origin && headerOrigin !== 'null') {
      throw new ServerError('ERR_SERVER_CSRF', 'this form was sent from another site', { status: 403 });
    }
    const site = ctx.req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') {
      throw new ServerError('ERR_SERVER_CSRF', 'this form was sent from another site', { status: 403 });
    }
    const form = await readForm(ctx.req);
    const csrf = form.get('csrf') ?? '';
    if (!ctx.session || !safeEqual(csrf, ctx.session.data.csrf)) {
      throw new ServerError(
        'ERR_SERVER_CSRF',
        'the form has expired: go back, reload the page and try again',
        {
          status: 403,
        },
      );
    }
    return form;
  }

  async function requireConnection(ctx: Context): Promise<Reply | undefined> {
    if (ctx.session?.data.connection) return undefined;
    // An expired session gets a fresh one now, carrying the notice to the home page.
    if (ctx.staleCookie) await ensureSession(ctx);
    const target = safeReturnTo(ctx.url.pathname + ctx.url.search);
    return { status: 303, location: `/?${new URLSearchParams({ returnTo: target }).toString()}` };
  }

  function pageNumber(value: string | null): number {
    const raw = value ?? '0';
    const page = /^[0-9]{1,6}$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isInteger(page) || page < 0 || page > MAX_PAGE) {
      throw new ServerError('ERR_SERVER_BAD_REQUEST', 'page must be a whole number from 0', { status: 400 });
    }
    return page;
  }

  async function route(ctx: Context): Promise<Reply> {
    const method = ctx.req.method ?? 'GET';
    const path = ctx.url.pathname;
    const get = method === 'GET' || method === 'HEAD';

    if (path === '/static/app.css' && get) {
      return { status: 200, body: STYLESHEET, contentType: 'text/css; charset=utf-8' };
    }
    if (path === '/healthz' && get)
      return { status: 200, body: 'ok\n', contentType: 'text/plain; charset=utf-8' };

    if (path === '/' && get) {
      const returnTo = ctx.url.searchParams.get('returnTo');
      if (ctx.session?.data.connection) return { status: 303, location: safeReturnTo(returnTo) };
      const session = await ensureSession(ctx);
      const notice = await takeNotice(ctx);
      return {
        status: 200,
        body: homePage({
          csrf: session.data.csrf,
          returnTo: returnTo === null ? undefined : safeReturnTo(returnTo),
          accountId: gateway.accountId,
          emulator: gateway.usesEmulator,
          notice,
          noticeKind: notice?.startsWith('Your session has expired') ? 'warning' : 'notice',
        }),
      };
    }

    if (path === '/connect' && method === 'POST') {
      const form = await checkForm(ctx);
      const session = ctx.session as Session;
      const returnTo = safeReturnTo(form.get('returnTo'));
      const request = await gateway.startAuthorization(redirectUri);
      await transactions.put({
        sessionHash: digest(session.id),
        state: request.state,
        codeVerifier: request.codeVerifier,
        redirectUri,
        tokenUrl: gateway.tokenUrl,
        issuer: request.issuer,
        returnTo,
      });
      return { status: 303, location: request.url };
    }

    if (path === '/callback' && get) return await callback(ctx);

    if (path === '/dashboard' && get) {
      const redirect = await requireConnection(ctx);
      if (redirect) return redirect;
      const session = ctx.session as Session;
      const connection = session.data.connection!;
      const info = await gateway.tokenInfo(connection.tokenKey);
      if (!info) return await lostConnection(ctx);
      const notice = await takeNotice(ctx);
      return {
        status: 200,
        body: dashboardPage({
          csrf: session.data.csrf,
          connection,
          accessTokenExpiresAt: info.expiresAt,
          refreshTokenExpiresAt: info.refreshTokenExpiresAt,
          now: now(),
          notice,
        }),
      };
    }

    if (path === '/refresh' && method === 'POST') {
      await checkForm(ctx);
      const redirect = await requireConnection(ctx);
      if (redirect) return redirect;
      const session = ctx.session as Session;
      const info = await gateway.refresh(session.data.connection!.tokenKey);
      session.data = {
        ...session.data,
        notice: `Access token refreshed; it expires at ${new Date(info.expiresAt).toISOString()}.`,
      };
      await sessions.save(session);
      return { status: 303, location: '/dashboard' };
    }

    if (path === '/disconnect' && method === 'POST') {
      await checkForm(ctx);
      const old = ctx.session as Session;
      let notice = 'Disconnected from NetSuite.';
      if (old.data.connection) {
        const { revoked } = await gateway.disconnect(old.data.connection.tokenKey);
        notice = revoked
          ? 'Disconnected: the tokens were revoked at NetSuite and deleted here.'
          : 'Disconnected: the tokens were deleted here, but NetSuite could not be reached to revoke them, so the connection may stay valid at NetSuite until it expires. You can revoke it in NetSuite under OAuth 2.0 Authorized Applications.';
      }
      setSession(ctx, await sessions.rotate(old, { notice }));
      return { status: 303, location: '/' };
    }

    if (path === '/customers' && get) {
      const redirect = await requireConnection(ctx);
      if (redirect) return redirect;
      const page = pageNumber(ctx.url.searchParams.get('page'));
      const result = await gateway.listCustomers(ctx.session!.data.connection!.tokenKey, {
        offset: page * CUSTOMER_PAGE,
        limit: CUSTOMER_PAGE,
      });
      return { status: 200, body: customersPage({ rows: result.rows, page, hasMore: result.hasMore }) };
    }

    const customer = /^\/customers\/([0-9]{1,12})$/.exec(path);
    if (customer && get) {
      const redirect = await requireConnection(ctx);
      if (redirect) return redirect;
      const id = customer[1]!;
      const record = await gateway.getCustomer(ctx.session!.data.connection!.tokenKey, id);
      return { status: 200, body: customerPage({ id, record }) };
    }

    if (path === '/suiteql' && get) {
      const redirect = await requireConnection(ctx);
      if (redirect) return redirect;
      return { status: 200, body: suiteqlPage({ csrf: ctx.session!.data.csrf, query: DEFAULT_QUERY }) };
    }

    if (path === '/suiteql' && method === 'POST') {
      const form = await checkForm(ctx);
      const redirect = await requireConnection(ctx);
      if (redirect) return redirect;
      const csrf = ctx.session!.data.csrf;
      const q = form.get('q') ?? '';
      if (q.trim() === '') return { status: 200, body: suiteqlPage({ csrf, query: DEFAULT_QUERY }) };
      if (q.length > MAX_QUERY) {
        return {
          status: 400,
          body: suiteqlPage({ csrf, query: q.slice(0, MAX_QUERY), error: 'The query is too long.' }),
        };
      }
      const page = pageNumber(form.get('page'));
      try {
        const result = await gateway.suiteql(ctx.session!.data.connection!.tokenKey, q, {
          offset: page * SUITEQL_PAGE,
          limit: SUITEQL_PAGE,
        });
        return { status: 200, body: suiteqlPage({ csrf, query: q, result: { ...result, page } }) };
      } catch (error) {
        const described = describeError(error);
        if (described.status >= 500 || described.code === 'ERR_SERVER_NOT_CONNECTED') throw error;
        return { status: described.status, body: suiteqlPage({ csrf, query: q, error: described.message }) };
      }
    }

    if (path === '/m2m' && (get || method === 'POST')) {
      const session = await ensureSession(ctx);
      const m2m = gateway.m2m;
      const base = {
        csrf: session.data.csrf,
        connected: session.data.connection !== undefined,
        configured: m2m !== undefined,
        details: m2m && {
          clientId: m2m.clientId,
          certificateId: m2m.certificateId,
          algorithm: m2m.algorithm,
        },
      };
      if (get) return { status: 200, body: m2mPage(base) };
      await checkForm(ctx);
      if (!m2m)
        throw new ServerError('ERR_SERVER_NOT_FOUND', 'machine-to-machine access is not configured', {
          status: 404,
        });
      // The server's own credentials are for connected users only, never for anyone who can load a form.
      const redirect = await requireConnection(ctx);
      if (redirect) return redirect;
      try {
        return { status: 200, body: m2mPage({ ...base, result: await m2m.run() }) };
      } catch (error) {
        const described = describeError(error);
        return { status: described.status, body: m2mPage({ ...base, error: described.message }) };
      }
    }

    const known = [
      '/',
      '/connect',
      '/callback',
      '/dashboard',
      '/refresh',
      '/disconnect',
      '/customers',
      '/suiteql',
      '/m2m',
    ];
    if (known.includes(path) || /^\/customers\/[0-9]{1,12}$/.test(path)) {
      throw new ServerError('ERR_SERVER_METHOD_NOT_ALLOWED', `${method} is not allowed here`, {
        status: 405,
      });
    }
    throw new ServerError('ERR_SERVER_NOT_FOUND', 'there is no page at this address', { status: 404 });
  }

  async function callback(ctx: Context): Promise<Reply> {
    const state = ctx.url.searchParams.get('state');
    if (state === null || state === '') {
      throw new ServerError('ERR_SERVER_INVALID_STATE', 'the sign-in response has no state', { status: 400 });
    }
    // The transaction is deleted on this first use, whatever happens next (security checklist R20).
    const taken = await transactions.take(state, ctx.session?.id);
    if (!taken.ok) {
      const messages = {
        unknown: 'this sign-in response was already used, or was never started here.',
        expired: 'this sign-in took too long and has expired.',
        foreign: 'this sign-in was started in another browser or session.',
      } as const;
      throw new ServerError('ERR_SERVER_INVALID_STATE', messages[taken.reason], { status: 400 });
    }
    const tx = taken.tx;
    if (tx.tokenUrl !== gateway.tokenUrl || tx.redirectUri !== redirectUri) {
      throw new ServerError('ERR_SERVER_INVALID_STATE', 'this sign-in was started against another server', {
        status: 400,
      });
    }
    let params: ReturnType<NetSuiteGateway['parseCallback']>;
    try {
      params = gateway.parseCallback(ctx.url, tx.state, tx.issuer);
    } catch (error) {
      // NetSuite's `error=` (e.g. access denied) has its own page; anything else is a bad request, not a 500.
      if ((error as { name?: unknown }).name === 'AuthorizationResponseError') throw error;
      const issuer = (error as { code?: unknown }).code === 'ERR_OAUTH_ISSUER_MISMATCH';
      throw new ServerError(
        'ERR_SERVER_INVALID_CALLBACK',
        issuer
          ? 'this sign-in response names another authorization server (iss)'
          : 'this sign-in response is malformed',
        { status: 400, cause: error },
      );
    }
    const tokenKey = `tokens:${randomId()}`;
    try {
      await gateway.connect(tokenKey, params.code, tx.codeVerifier, tx.redirectUri);
    } catch (error) {
      // The code is redeemed once and never retried (R26): a refused code means starting again.
      const e = error as { name?: unknown; error?: unknown };
      if (e.name === 'OAuthResponseError' && e.error === 'invalid_grant') {
        throw new ServerError(
          'ERR_SERVER_CODE_REJECTED',
          'netsuite refused the sign-in code: it expired or was already used',
          { status: 400, cause: error },
        );
      }
      throw error;
    }
    // New session id at login (security checklist R64): the pre-login id stops working.
    setSession(
      ctx,
      await sessions.rotate(ctx.session, {
        connection: {
          tokenKey,
          accountId: gateway.accountId,
          connectedAt: now(),
          ...(params.role === undefined ? {} : { role: params.role }),
          ...(params.entity === undefined ? {} : { entity: params.entity }),
          ...(params.company === undefined ? {} : { company: params.company }),
        },
        notice: 'Connected to NetSuite.',
      }),
    );
    return { status: 303, location: tx.returnTo };
  }

  async function lostConnection(ctx: Context): Promise<Reply> {
    setSession(
      ctx,
      await sessions.rotate(ctx.session, { notice: 'Your NetSuite connection has ended. Connect again.' }),
    );
    return { status: 303, location: '/' };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    const rawUrl = req.url ?? '/';
    try {
      if (!rawUrl.startsWith('/')) throw new Error('absolute-form request target');
      url = new URL(rawUrl, origin);
    } catch {
      send(res, 400, { 'Content-Type': 'text/plain; charset=utf-8' }, 'bad request\n', baseHeaders);
      return;
    }
    const cookieId = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
    const ctx: Context = { req, url, staleCookie: false, session: undefined, setCookies: [] };
    let reply: Reply;
    try {
      let session: Session | undefined;
      try {
        session = await sessions.load(cookieId);
      } catch (cause) {
        throw new ServerError(
          'ERR_SERVER_STORE_UNAVAILABLE',
          'the session store cannot be reached right now',
          {
            status: 503,
            cause,
          },
        );
      }
      Object.assign(ctx, { session, staleCookie: cookieId !== undefined && session === undefined });
      reply = await route(ctx);
    } catch (error) {
      const described = describeError(error);
      if (described.code === 'ERR_SERVER_NOT_CONNECTED' && ctx.session?.data.connection) {
        try {
          reply = await lostConnection(ctx);
        } catch {
          reply = errorReply(described, ctx);
        }
      } else {
        if (described.status >= 500) log(`error ${errorName(error)} on ${req.method} ${url.pathname}`);
        reply = errorReply(described, ctx);
      }
    }
    if (ctx.staleCookie && ctx.setCookies.length === 0) ctx.setCookies = [clearSessionCookie()];
    const headers: Record<string, string | string[]> = {};
    if (ctx.setCookies.length > 0) headers['Set-Cookie'] = ctx.setCookies;
    if (reply.location !== undefined) headers.Location = reply.location;
    headers['Content-Type'] = reply.contentType ?? 'text/html; charset=utf-8';
    const body = req.method === 'HEAD' ? '' : (reply.body ?? '');
    send(res, reply.status, headers, body, baseHeaders);
    log(`${req.method} ${url.pathname} ${reply.status}`);
  }

  function errorReply(described: DescribedError, ctx: Context): Reply {
    return {
      status: described.status,
      body: errorPage({ ...described, connected: ctx.session?.data.connection !== undefined }),
    };
  }

  return { redirectUri, handle };
}

/** What an error page says about an error. */
export interface DescribedError {
  readonly status: number;
  readonly title: string;
  readonly message: string;
  readonly code?: string | undefined;
  readonly hint?: string | undefined;
}

function errorName(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${error.name} ${code}` : error.name;
  }
  return typeof error;
}

/**
 * Turns any error into a page a user can act on: status, title, a safe message, the stable code and a hint.
 * Unknown errors become a generic 500 with no detail (details go to the log by name and code only).
 *
 * @example
 * describeError(new ServerError('ERR_SERVER_CSRF', 'the form has expired', { status: 403 })).status // 403
 */
export function describeError(error: unknown): DescribedError {
  if (isServerError(error)) {
    const titles: Record<number, string> = {
      400: 'The request could not be used',
      403: 'Not allowed',
      404: 'Page not found',
      405: 'Method not allowed',
      413: 'Too large',
      503: 'Temporarily unavailable',
      415: 'Unsupported form',
    };
    const hint =
      error.code === 'ERR_SERVER_INVALID_STATE' ||
      error.code === 'ERR_SERVER_CODE_REJECTED' ||
      error.code === 'ERR_SERVER_INVALID_CALLBACK'
        ? 'For your safety each sign-in link works once, for a few minutes, in the browser that started it. Start again from the home page.'
        : error.code === 'ERR_SERVER_AUTHORIZATION_DENIED'
          ? 'Nothing was connected. You can try again and choose Allow on NetSuite’s consent page.'
          : undefined;
    return {
      status: error.status,
      title:
        error.code === 'ERR_SERVER_INVALID_STATE' ||
        error.code === 'ERR_SERVER_CODE_REJECTED' ||
        error.code === 'ERR_SERVER_INVALID_CALLBACK'
          ? 'This sign-in link cannot be used'
          : (titles[error.status] ?? 'Error'),
      message: capitalize(error.message),
      code: error.code,
      hint,
    };
  }
  // record-client wraps token-source failures: describe what actually went wrong.
  if (
    error instanceof Error &&
    (error as { code?: unknown }).code === 'ERR_RECORD_TOKEN' &&
    error.cause instanceof Error
  ) {
    return describeError(error.cause);
  }
  if (error instanceof Error) {
    const e = error as Error & {
      code?: unknown;
      status?: unknown;
      error?: unknown;
      errorDescription?: unknown;
      title?: unknown;
      detail?: unknown;
      errorCode?: unknown;
    };
    const code = typeof e.code === 'string' ? e.code : undefined;
    if (e.name === 'AuthorizationResponseError' || code === 'ERR_OAUTH_AUTHORIZATION_ERROR') {
      const denied = e.error === 'access_denied';
      return {
        status: denied ? 403 : 400,
        title: denied ? 'Access was not granted' : 'NetSuite did not authorize the connection',
        message: denied
          ? 'You declined the request on NetSuite’s consent page, so nothing was connected.'
          : `NetSuite answered with the error “${String(e.error)}”.`,
        code: 'ERR_SERVER_AUTHORIZATION_DENIED',
        hint: 'You can try again from the home page.',
      };
    }
    if (
      code === 'ERR_OAUTH_REAUTHENTICATION_REQUIRED' ||
      (e.name === 'OAuthResponseError' && e.error === 'invalid_grant')
    ) {
      return {
        status: 401,
        title: 'Connect to NetSuite again',
        message: 'NetSuite no longer accepts this connection’s tokens (they expired or were revoked).',
        code: 'ERR_SERVER_NOT_CONNECTED',
        hint: 'Connect again from the home page.',
      };
    }
    if (e.name === 'OAuthResponseError') {
      return {
        status: 502,
        title: 'NetSuite refused the request',
        message: `NetSuite’s token endpoint answered “${String(e.error)}”${typeof e.status === 'number' ? ` (HTTP ${e.status})` : ''}.`,
        code: code,
        hint:
          e.error === 'invalid_client'
            ? 'Check the integration record: client id, secret, and that the grant is enabled.'
            : 'Try again; if it keeps failing, check the integration record in NetSuite.',
      };
    }
    if (e.name === 'NetSuiteApiError') {
      const status = typeof e.status === 'number' ? e.status : 502;
      const detail =
        typeof e.detail === 'string'
          ? e.detail
          : typeof e.title === 'string'
            ? e.title
            : 'NetSuite returned an error';
      if (status === 401) {
        return {
          status: 401,
          title: 'Connect to NetSuite again',
          message: 'NetSuite did not accept the access token.',
          code: 'ERR_SERVER_NOT_CONNECTED',
          hint: 'Connect again from the home page.',
        };
      }
      return {
        status: status === 404 ? 404 : status >= 500 || status === 429 ? 502 : 400,
        title: status === 404 ? 'Record not found' : 'NetSuite returned an error',
        message: `${detail}${typeof e.errorCode === 'string' ? ` (${e.errorCode})` : ''}`.slice(0, 600),
        code: code,
        hint: status === 429 ? 'NetSuite is busy (concurrency limit); try again in a moment.' : undefined,
      };
    }
    if (
      code?.startsWith('ERR_OAUTH_') ||
      code?.startsWith('ERR_RECORD_') ||
      code?.startsWith('ERR_CLIENT_')
    ) {
      const network = /NETWORK|TIMEOUT|ABORTED|CIRCUIT/.test(code);
      return {
        status: network ? 502 : 500,
        title: network ? 'NetSuite could not be reached' : 'The request to NetSuite failed',
        message: network
          ? 'The server could not reach NetSuite in time.'
          : 'The request to NetSuite failed; see the code below.',
        code,
        hint: 'Try again in a moment.',
      };
    }
  }
  return {
    status: 500,
    title: 'Something went wrong',
    message: 'The server hit an unexpected error. Nothing about it is shown here; it was logged.',
  };
}

function capitalize(text: string): string {
  return text.length === 0 ? text : text[0]!.toUpperCase() + text.slice(1);
}
