import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  clearSessionCookie,
  cookie,
  FLASH_COOKIE,
  LOGIN_COOKIE,
  parseCookies,
  SESSION_COOKIE,
  sessionCookie,
} from './cookies.js';
import { isServerError, ServerError } from './errors.js';
import { grantKey, type Names, type NetSuiteGateway } from './gateway.js';
import { LOCAL_TIME_SCRIPT, STYLESHEET } from './html.js';
import { readForm, securityHeaders, send } from './http.js';
import {
  backgroundPage,
  callsPage,
  customerPage,
  customersPage,
  dashboardPage,
  errorPage,
  homePage,
  m2mPage,
  suiteqlPage,
  typedRecordPage,
} from './pages.js';
import { derivedToken, digest, randomId, safeEqual } from './random.js';
import type { RecentCalls } from './recent-calls.js';
import { safeReturnTo } from './return-to.js';
import { type Session, SessionManager } from './session.js';
import type { KeyValueStore } from './store.js';
import { TransactionStore } from './transactions.js';
import { typedFields } from './typed-record.js';

/** Options of {@link createApp}. */
export interface AppOptions {
  /** NetSuite, reached through our packages (see `createNetSuiteGateway`). */
  readonly gateway: NetSuiteGateway;
  /** Where sessions and login transactions live (any token store). */
  readonly store: KeyValueStore;
  /** The origin browsers use to reach this server, e.g. `http://127.0.0.1:3000`. The redirect URI is built from it, never from `Host`. */
  readonly publicOrigin: string;
  /** Session lifetime. @default 8 hours */
  readonly sessionTtlMs?: number | undefined;
  /** Login transaction (state + PKCE verifier) lifetime, at most 15 minutes. @default 10 minutes */
  readonly transactionTtlMs?: number | undefined;
  readonly now?: (() => number) | undefined;
  /** One line per request (method, path without query, status) and per unexpected error (name and code only). */
  readonly log?: ((line: string) => void) | undefined;
  /** The server's recent NetSuite calls, for the `/calls` page. */
  readonly calls?: RecentCalls | undefined;
}

/** The request handler of the demo server. */
export interface App {
  /** The exact redirect URI registered with NetSuite: `<publicOrigin>/callback`. */
  readonly redirectUri: string;
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

interface Reply {
  status: number;
  body?: string | undefined;
  location?: string | undefined;
  contentType?: string | undefined;
}

interface Context {
  readonly req: IncomingMessage;
  readonly url: URL;
  /** A cookie was sent, but its session is unknown or expired. */
  readonly staleCookie: boolean;
  session: Session | undefined;
  /** The sign-in cookie's id (see `LOGIN_COOKIE`), when the browser has one. */
  loginId: string | undefined;
  /** The one-time notice code the browser brought (see `FLASH_COOKIE`). */
  readonly flash: string | undefined;
  setCookies: string[];
}

/** One-time notices for a browser without a session, by the code the flash cookie carries. */
const FLASH_NOTICES: Readonly<Record<string, { text: string; kind: 'notice' | 'warning' }>> = {
  expired: { text: 'Your session has expired. Connect to NetSuite again.', kind: 'warning' },
  ended: { text: 'Your NetSuite connection has ended. Connect again.', kind: 'warning' },
  disconnected: {
    text: 'Disconnected: the tokens were revoked at NetSuite and deleted here.',
    kind: 'notice',
  },
  'disconnected-unrevoked': {
    text: 'Disconnected: the tokens were deleted here, but NetSuite could not be reached to revoke them, so the connection may stay valid at NetSuite until it expires. You can revoke it in NetSuite under OAuth 2.0 Authorized Applications.',
    kind: 'warning',
  },
};
/** Lifetime of the sign-in cookie: long enough for a home page left open, then the form says it expired. */
const LOGIN_COOKIE_SECONDS = 2 * 3600;
const FLASH_SECONDS = 300;

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
    ttlMs: options.sessionTtlMs,
  });
  const transactions = new TransactionStore({
    store: options.store,
    now,
    ttlMs: options.transactionTtlMs,
  });
  const baseHeaders = securityHeaders({
    formActionOrigins: gateway.loginOrigins,
    hsts: origin.startsWith('https:'),
  });
  const log = options.log ?? (() => {});

  // Anonymous visitors cost nothing on the server: no session is created before a sign-in succeeds (the
  // sign-in in progress lives 10 minutes, bound to the sign-in cookie), so no number of anonymous requests
  // grows the store.

  /** The browser's sign-in id, giving it one (a cookie only, nothing stored) when it has none. */
  function ensureLoginId(ctx: Context): string {
    if (ctx.loginId) return ctx.loginId;
    ctx.loginId = randomId();
    ctx.setCookies.push(cookie(LOGIN_COOKIE, ctx.loginId, LOGIN_COOKIE_SECONDS));
    return ctx.loginId;
  }

  /** The CSRF token of the browser's forms: its session's, or, before sign-in, one derived from its sign-in id. */
  function csrfOf(ctx: Context): string {
    return ctx.session?.data.csrf ?? derivedToken(ensureLoginId(ctx), 'nsdemo csrf');
  }

  function setSession(ctx: Context, session: Session): void {
    ctx.session = session;
    ctx.setCookies.push(sessionCookie(session.id, sessions.maxAgeSeconds(session)));
  }

  /** Ends the browser's session (if any) and sends `flash` along to the next page. */
  async function endSession(ctx: Context, flash: keyof typeof FLASH_NOTICES): Promise<void> {
    if (ctx.session) await sessions.destroy(ctx.session.id);
    ctx.session = undefined;
    ctx.setCookies.push(clearSessionCookie(), cookie(FLASH_COOKIE, flash, FLASH_SECONDS));
  }

  /** The one-time notice of a page without a session, from the flash cookie (cleared once shown). */
  function takeFlash(ctx: Context): { text: string; kind: 'notice' | 'warning' } | undefined {
    if (ctx.flash === undefined) return undefined;
    ctx.setCookies.push(cookie(FLASH_COOKIE, '', 0));
    return FLASH_NOTICES[ctx.flash];
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

  /**
   * Checks a form POST before anything else happens (nothing is created or changed for a refused form):
   * same-origin by `Origin` / `Sec-Fetch-Site`, and the synchronizer token of the session (or, before sign-in,
   * the one derived from the sign-in cookie).
   */
  async function checkForm(ctx: Context): Promise<URLSearchParams> {
    const headerOrigin = ctx.req.headers.origin;
    const site = ctx.req.headers['sec-fetch-site'];
    // Under Referrer-Policy no-referrer, browsers send `Origin: null` on same-origin form posts; so do sandboxed
    // frames, data: URLs and cross-site redirects. `null` passes only with Sec-Fetch-Site: same-origin.
    const originOk =
      headerOrigin === undefined ||
      headerOrigin === origin ||
      (headerOrigin === 'null' && site === 'same-origin');
    if (!originOk || (site !== undefined && site !== 'same-origin' && site !== 'none')) {
      throw new ServerError('ERR_SERVER_CSRF', 'this form was sent from another site', { status: 403 });
    }
    const form = await readForm(ctx.req);
    const csrf = form.get('csrf') ?? '';
    const expected = [
      ctx.session?.data.csrf,
      ctx.loginId === undefined ? undefined : derivedToken(ctx.loginId, 'nsdemo csrf'),
    ];
    if (!expected.some((token) => token !== undefined && safeEqual(csrf, token))) {
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
    // An expired or unknown session: the home page says so (a cookie carries the notice, nothing is stored).
    if (ctx.staleCookie)
      ctx.setCookies.push(clearSessionCookie(), cookie(FLASH_COOKIE, 'expired', FLASH_SECONDS));
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
    if (path === '/static/local-time.js' && get) {
      return { status: 200, body: LOCAL_TIME_SCRIPT, contentType: 'text/javascript; charset=utf-8' };
    }
    if (path === '/healthz' && get)
      return { status: 200, body: 'ok\n', contentType: 'text/plain; charset=utf-8' };

    if (path === '/' && get) {
      const returnTo = ctx.url.searchParams.get('returnTo');
      if (ctx.session?.data.connection) return { status: 303, location: safeReturnTo(returnTo) };
      if (ctx.staleCookie) ctx.setCookies.push(clearSessionCookie());
      const flash = takeFlash(ctx) ?? (ctx.staleCookie ? FLASH_NOTICES.expired : undefined);
      const notice = (await takeNotice(ctx)) ?? flash?.text;
      return {
        status: 200,
        body: homePage({
          csrf: csrfOf(ctx),
          returnTo: returnTo === null ? undefined : safeReturnTo(returnTo),
          accountId: gateway.accountId,
          emulator: gateway.usesEmulator,
          notice,
          noticeKind: flash?.kind ?? 'notice',
        }),
      };
    }

    if (path === '/connect' && method === 'POST') {
      const form = await checkForm(ctx);
      // Sign-in started: now (and only now) something is kept, for 10 minutes, bound to the sign-in cookie.
      const loginId = ensureLoginId(ctx);
      const returnTo = safeReturnTo(form.get('returnTo'));
      const request = await gateway.startAuthorization(redirectUri);
      await transactions.put({
        sessionHash: digest(loginId),
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
      let flash: keyof typeof FLASH_NOTICES = 'disconnected';
      const connection = ctx.session?.data.connection;
      if (connection) {
        const { revoked } = await gateway.disconnect(connection.tokenKey);
        if (!revoked) flash = 'disconnected-unrevoked';
      }
      // The session ends with the connection (its id stops working at once).
      await endSession(ctx, flash);
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

    // A record of any type through its metadata: the typed view (/records/customer/7, /records/customrecord_x/1).
    const typed = /^\/records\/([A-Za-z][A-Za-z0-9_]{0,99})\/([0-9]{1,12})$/.exec(path);
    if (typed && get) {
      const redirect = await requireConnection(ctx);
      if (redirect) return redirect;
      const [, type = '', id = ''] = typed;
      const { schema, record } = await gateway.typedRecord(ctx.session!.data.connection!.tokenKey, type, id);
      const { renderRecordTypes } = await import('@netsuite-oauth/typegen');
      const source = await renderRecordTypes({ [type]: schema });
      // The one interface of this type, without the file's banner, prelude and map.
      const start = source.search(
        /^(\/\*\*\n(?: \*.*\n)* \*\/\n)?export interface (?!NsLink|NsRef|NsEnum|NetSuiteRecords)/m,
      );
      return {
        status: 200,
        body: typedRecordPage({
          type,
          id,
          fields: typedFields(schema, record),
          source: source.slice(Math.max(0, start)).replace(/\nexport type NetSuiteRecordsType.*\n?$/, '\n'),
        }),
      };
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
      // A refused form changes nothing: the check comes first, and this page never creates a session.
      if (!get) await checkForm(ctx);
      const m2m = gateway.m2m;
      const connected = ctx.session?.data.connection !== undefined;
      const base = {
        // The run form is shown to connected users only; anonymous visitors get no form and no cookie.
        csrf: connected ? csrfOf(ctx) : '',
        connected,
        now: now(),
        configured: m2m !== undefined,
        details: m2m && {
          clientId: m2m.clientId,
          certificateId: m2m.certificateId,
          algorithm: m2m.algorithm,
        },
      };
      if (get) return { status: 200, body: m2mPage(base) };
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

    if (path === '/background' && get) {
      const redirect = await requireConnection(ctx);
      if (redirect) return redirect;
      const background = gateway.background;
      return {
        status: 200,
        body: backgroundPage({
          csrf: ctx.session!.data.csrf,
          available: background !== undefined,
          access: await background?.status(),
          now: now(),
          notice: await takeNotice(ctx),
        }),
      };
    }

    const backgroundAction = /^\/background\/(enable|rotate|run)$/.exec(path)?.[1];
    if (backgroundAction && method === 'POST') {
      await checkForm(ctx);
      const redirect = await requireConnection(ctx);
      if (redirect) return redirect;
      const session = ctx.session as Session;
      const background = gateway.background;
      if (!background) {
        throw new ServerError('ERR_SERVER_NOT_FOUND', 'background access is not available', { status: 404 });
      }
      const page = (extra: {
        result?: { expiresAt: number; rows: readonly Record<string, unknown>[] };
        error?: string;
      }) =>
        background
          .status()
          .then((access) =>
            backgroundPage({ csrf: session.data.csrf, available: true, access, now: now(), ...extra }),
          );
      try {
        if (backgroundAction === 'run')
          return { status: 200, body: await page({ result: await background.run() }) };
        let notice: string;
        if (backgroundAction === 'enable') {
          const { role, entity } = session.data.connection!;
          if (role === undefined || entity === undefined) {
            throw new ServerError('ERR_SERVER_BAD_REQUEST', 'this login did not report its role and entity', {
              status: 400,
            });
          }
          const access = await background.enable(session.data.connection!.tokenKey, { role, entity });
          notice = `Background access enabled: certificate ${access.certificateId} is mapped to your role and entity.`;
        } else {
          const access = await background.rotate();
          notice = `Certificate rotated: now ${access.certificateId}${access.previous?.revoked ? '; the previous one is revoked' : ''}.`;
        }
        session.data = { ...session.data, notice };
        await sessions.save(session);
        return { status: 303, location: '/background' };
      } catch (error) {
        const described = describeError(error);
        if (described.status >= 500 || described.code === 'ERR_SERVER_NOT_CONNECTED') throw error;
        return { status: described.status, body: await page({ error: described.message }) };
      }
    }

    if (path === '/calls' && get) {
      const redirect = await requireConnection(ctx);
      if (redirect) return redirect;
      return { status: 200, body: callsPage({ calls: options.calls?.list() ?? [] }) };
    }

    const known = [
      '/calls',
      '/',
      '/connect',
      '/callback',
      '/dashboard',
      '/refresh',
      '/disconnect',
      '/customers',
      '/suiteql',
      '/m2m',
      '/background',
      '/background/enable',
      '/background/rotate',
      '/background/run',
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
    // The transaction is deleted on this first use, whatever happens next (RFC 9700 §2.1).
    const taken = await transactions.take(state, ctx.loginId);
    if (!taken.ok) {
      const messages = {
        unknown: 'this sign-in response was already used, or was never started here.',
        expired: 'this sign-in took too long and has expired.',
        foreign: `this sign-in was started in another browser or session (or under another address: use ${origin} throughout).`,
      } as const;
      throw new ServerError('ERR_SERVER_INVALID_STATE', messages[taken.reason], { status: 400 });
    }
    const tx = taken.tx;
    if (tx.tokenUrl !== gateway.tokenUrl || tx.redirectUri !== redirectUri) {
      throw new ServerError('ERR_SERVER_INVALID_STATE', 'this sign-in was started against another server', {
        status: 400,
      });
    }
    // The gateway says what went wrong in the server's own errors: NetSuite's error= (e.g. access denied), a
    // malformed response or another issuer, a refused code.
    const params = gateway.parseCallback(ctx.url, tx.state, tx.issuer);
    // The session this sign-in creates; its grant is stored no longer than the session lives.
    const expiresAt = sessions.expiryOfNew();
    const tokenKey = grantKey(expiresAt);
    // The code is redeemed once and never retried (RFC 6749 §10.5): a refused code means starting again.
    await gateway.connect(tokenKey, params.code, tx.codeVerifier, tx.redirectUri);
    // Named once here (two small SuiteQL reads), so every page shows who is connected without asking again.
    const names = await gateway
      .names(tokenKey, { role: params.role, entity: params.entity })
      .catch(() => ({}) as Names);
    // Connecting again while connected: the previous grant is revoked at NetSuite and deleted here, not left
    // behind for its remaining lifetime. Its session ends too (a new id at every login, against fixation).
    const previous = ctx.session;
    if (previous) {
      await sessions.destroy(previous.id);
      if (previous.data.connection) await gateway.disconnect(previous.data.connection.tokenKey);
    }
    ctx.session = undefined;
    setSession(
      ctx,
      await sessions.create(
        {
          connection: {
            tokenKey,
            accountId: gateway.accountId,
            connectedAt: now(),
            role: params.role,
            entity: params.entity,
            roleName: names.role,
            entityName: names.entity,
            company: params.company,
          },
          notice: 'Connected to NetSuite.',
        },
        expiresAt,
      ),
    );
    // The sign-in is done: its cookie goes (a new one comes with the next sign-in).
    ctx.setCookies.push(cookie(LOGIN_COOKIE, '', 0));
    return { status: 303, location: tx.returnTo };
  }

  async function lostConnection(ctx: Context): Promise<Reply> {
    await endSession(ctx, 'ended');
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
    const cookies = parseCookies(req.headers.cookie);
    const cookieId = cookies.get(SESSION_COOKIE);
    const loginId = cookies.get(LOGIN_COOKIE);
    const flash = cookies.get(FLASH_COOKIE);
    const ctx: Context = {
      req,
      url,
      staleCookie: false,
      session: undefined,
      loginId: loginId !== undefined && /^[A-Za-z0-9_-]{43}$/.test(loginId) ? loginId : undefined,
      flash: flash !== undefined && Object.hasOwn(FLASH_NOTICES, flash) ? flash : undefined,
      setCookies: [],
    };
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
    if (ctx.staleCookie) ctx.setCookies.unshift(clearSessionCookie());
    // One Set-Cookie per cookie name: the last word wins.
    const byName = new Map(ctx.setCookies.map((line) => [line.slice(0, line.indexOf('=')), line]));
    const headers: Record<string, string | string[]> = {};
    if (byName.size > 0) headers['Set-Cookie'] = [...byName.values()];
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
    const signIn =
      error.code === 'ERR_SERVER_INVALID_STATE' ||
      error.code === 'ERR_SERVER_CODE_REJECTED' ||
      error.code === 'ERR_SERVER_INVALID_CALLBACK';
    const byCode: Partial<Record<ServerError['code'], { title: string; hint?: string }>> = {
      ERR_SERVER_AUTHORIZATION_DENIED:
        error.status === 403
          ? {
              title: 'Access was not granted',
              hint: 'Nothing was connected. You can try again and choose Allow on NetSuite’s consent page.',
            }
          : {
              title: 'NetSuite did not authorize the connection',
              hint: 'You can try again from the home page.',
            },
      ERR_SERVER_NOT_CONNECTED: {
        title: 'Connect to NetSuite again',
        hint: 'Connect again from the home page.',
      },
      ERR_SERVER_NETSUITE_REFUSED: { title: 'NetSuite refused the request' },
      ERR_SERVER_NETSUITE_ERROR: {
        title: error.status === 404 ? 'Record not found' : 'NetSuite returned an error',
      },
      ERR_SERVER_NETSUITE_UNREACHABLE: { title: 'NetSuite could not be reached' },
    };
    const known = byCode[error.code];
    return {
      status: error.status,
      title: signIn ? 'This sign-in link cannot be used' : (known?.title ?? titles[error.status] ?? 'Error'),
      message: capitalize(error.message),
      code: error.code,
      hint: signIn
        ? 'For your safety each sign-in link works once, for a few minutes, in the browser that started it. Start again from the home page.'
        : (error.hint ?? known?.hint),
    };
  }
  // The session and token store (Redis, the file store) failed: a clear 503, never a stack trace.
  const storeCode = (error as { code?: unknown } | null)?.code;
  if (
    storeCode === 'ERR_OAUTH_STORE' ||
    storeCode === 'ERR_STORE_UNAVAILABLE' ||
    storeCode === 'ERR_STORE_LOCK_TIMEOUT' ||
    storeCode === 'ERR_STORE_IO'
  ) {
    return {
      status: 503,
      title: 'Temporarily unavailable',
      message: 'The session store cannot be reached right now.',
      code: 'ERR_SERVER_STORE_UNAVAILABLE',
      hint: 'Try again in a moment.',
    };
  }
  // NetSuite's errors arrive translated by the gateway (netsuite-errors.ts): anything else is unexpected.
  return {
    status: 500,
    title: 'Something went wrong',
    message: 'The server hit an unexpected error. Nothing about it is shown here; it was logged.',
  };
}

function capitalize(text: string): string {
  return text.length === 0 ? text : text[0]!.toUpperCase() + text.slice(1);
}
