import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { CliError, EXIT } from './errors.js';

/** Where a loopback redirect URI points: the addresses to listen on, the port and the path. */
export interface LoopbackTarget {
  readonly hosts: readonly string[];
  readonly port: number;
  readonly path: string;
}

/**
 * The listening target of an `http://` redirect URI on a loopback host (`127.0.0.1`, `[::1]`, `localhost`), as
 * native apps use (RFC 8252 §7.3); `undefined` for anything else (https, a custom scheme, another host).
 *
 * @example
 * loopbackTarget('http://127.0.0.1:52300/netsuite-oauth/callback') // { hosts: ['127.0.0.1'], port: 52300, path: '/netsuite-oauth/callback' }
 */
export function loopbackTarget(redirectUri: string): LoopbackTarget | undefined {
  let url: URL;
  try {
    url = new URL(redirectUri);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:') return undefined;
  const hosts =
    url.hostname === '127.0.0.1'
      ? ['127.0.0.1']
      : url.hostname === '[::1]'
        ? ['::1']
        : url.hostname === 'localhost'
          ? // A browser may resolve localhost to either address.
            ['127.0.0.1', '::1']
          : undefined;
  if (!hosts) return undefined;
  return { hosts, port: url.port === '' ? 80 : Number(url.port), path: url.pathname };
}

/** The one callback the listener accepted, and how to answer the browser that brought it. */
export interface LoopbackCallback {
  /** The full callback URL (holds the code: register it with the redactor). */
  readonly url: URL;
  /** Answers the browser with the final page, then stops listening. */
  finish(
    outcome: { ok: true; title: string; detail: string } | { ok: false; title: string; detail: string },
  ): Promise<void>;
}

/** A running loopback listener. */
export interface LoopbackListener {
  /** Resolves with the first callback whose `state` is this login's; rejects on timeout. */
  readonly callback: Promise<LoopbackCallback>;
  /** Stops listening (idempotent). */
  close(): Promise<void>;
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/**
 * The page the browser shows at the end: self-contained (no script, no external resource), so the callback URL
 * with its code is never sent anywhere as a referrer.
 */
export function callbackPage(ok: boolean, title: string, detail: string): string {
  const accent = ok ? '#0a6b2d' : '#a4161a';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · netsuite-oauth</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.4rem;color:${accent}}p{overflow-wrap:anywhere}</style></head>
<body><h1 id="title">${escapeHtml(title)}</h1><p id="detail">${escapeHtml(detail)}</p>
<p id="close">${ok ? 'You can close this tab and return to the terminal.' : 'Close this tab; the terminal says what to do next.'}</p></body></html>
`;
}

const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};

function answer(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { ...PAGE_HEADERS, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function listenOn(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(error);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host, port, exclusive: true });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * Listens on a loopback redirect URI for the authorization response. A request elsewhere gets a 404; a request
 * without this login's `state` gets an error page and is otherwise ignored (another tab, another run, or a page
 * guessing at the port cannot end this login). The first request with the right `state` is handed over and held
 * open until {@link LoopbackCallback.finish} answers it.
 *
 * @throws {CliError} `ERR_CLI_LOOPBACK_PORT` when the port is taken or may not be used.
 * @example
 * const listener = await listenForCallback(target, { state: request.state, timeoutMs: 900_000 });
 * const { url, finish } = await listener.callback;
 */
export async function listenForCallback(
  target: LoopbackTarget,
  options: { state: string; timeoutMs: number; onIgnored?: (reason: string) => void },
): Promise<LoopbackListener> {
  let settle: { resolve: (c: LoopbackCallback) => void; reject: (e: unknown) => void } | undefined;
  const callback = new Promise<LoopbackCallback>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // The caller awaits it later; a timeout before then must not be an unhandled rejection.
  callback.catch(() => {});
  let taken = false;
  const servers: Server[] = [];
  const close = async () => {
    clearTimeout(timer);
    await Promise.all(servers.map(closeServer));
  };
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    if (req.method !== 'GET' || url.pathname !== target.path) {
      answer(res, 404, callbackPage(false, 'Not found', 'This address only receives the NetSuite sign-in.'));
      return;
    }
    if (taken) {
      answer(
        res,
        409,
        callbackPage(false, 'Sign-in already received', 'This login has already received its answer.'),
      );
      return;
    }
    if (url.searchParams.get('state') !== options.state) {
      options.onIgnored?.('a request without this login\u2019s state');
      answer(
        res,
        400,
        callbackPage(
          false,
          'Not this sign-in',
          'This answer does not belong to the login waiting in the terminal (it was started by another run or tab). The terminal keeps waiting.',
        ),
      );
      return;
    }
    taken = true;
    clearTimeout(timer);
    settle?.resolve({
      url,
      finish: async (outcome) => {
        answer(res, outcome.ok ? 200 : 400, callbackPage(outcome.ok, outcome.title, outcome.detail));
        await close();
      },
    });
  };
  const timer = setTimeout(() => {
    settle?.reject(
      new CliError(
        'ERR_CLI_NO_CALLBACK',
        `no sign-in arrived within ${Math.round(options.timeoutMs / 60_000)} minutes`,
        EXIT.auth,
        'run "pnpm nso login" again',
      ),
    );
    void close();
  }, options.timeoutMs);
  timer.unref();
  for (const [i, host] of target.hosts.entries()) {
    const server = createServer(handle);
    try {
      await listenOn(server, host, target.port);
      servers.push(server);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // localhost's second address (::1) may not exist here: the first one is enough.
      if (i > 0 && (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT')) continue;
      await close();
      throw new CliError(
        'ERR_CLI_LOOPBACK_PORT',
        code === 'EADDRINUSE'
          ? `cannot listen on the redirect URI: port ${target.port} on ${host} is in use`
          : `cannot listen on the redirect URI (port ${target.port} on ${host}): ${code ?? 'error'}`,
        EXIT.config,
        code === 'EADDRINUSE'
          ? 'another login (or program) is using that port: stop it, or register another http://127.0.0.1:<port>/… redirect URI and pass it as --redirect-uri'
          : 'register a redirect URI with a port above 1024, e.g. http://127.0.0.1:52300/netsuite-oauth/callback',
        { cause: error },
      );
    }
  }
  return { callback, close };
}
