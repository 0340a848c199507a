import type { BackgroundAccess } from './gateway.js';
import { html, type SafeHtml } from './html.js';
import type { RecentCall } from './recent-calls.js';
import type { Connection } from './session.js';

/** What the layout needs to know about the visitor. */
export interface LayoutContext {
  readonly connected: boolean;
  readonly notice?: string | undefined;
  readonly noticeKind?: 'notice' | 'warning' | 'error' | undefined;
}

/** Renders a complete page. */
export function layout(title: string, ctx: LayoutContext, body: SafeHtml): string {
  const nav = ctx.connected
    ? html`<a href="/dashboard">Dashboard</a><a href="/customers">Customers</a><a href="/suiteql">SuiteQL</a><a href="/m2m">Machine to machine</a><a href="/background">Background access</a><a href="/calls">Recent calls</a>`
    : html`<a href="/">Home</a><a href="/m2m">Machine to machine</a>`;
  const notice = ctx.notice
    ? html`<p class="${ctx.noticeKind ?? 'notice'}" role="status" id="notice">${ctx.notice}</p>`
    : html``;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title} · NetSuite OAuth demo</title>
<link rel="stylesheet" href="/static/app.css">
<script src="/static/local-time.js" defer></script>
</head>
<body>
<header><a class="brand" href="/">NetSuite OAuth demo</a>${nav}</header>
<main>
${notice}
${body}
</main>
</body>
</html>
`.html;
}

function csrfField(csrf: string): SafeHtml {
  return html`<input type="hidden" name="csrf" value="${csrf}">`;
}

/** The home page: what the demo does and the "Connect to NetSuite" button. */
export function homePage(options: {
  csrf: string;
  returnTo: string | undefined;
  accountId: string;
  emulator: boolean;
  notice?: string | undefined;
  noticeKind?: LayoutContext['noticeKind'] | undefined;
}): string {
  return layout(
    'Home',
    { connected: false, notice: options.notice, noticeKind: options.noticeKind },
    html`<h1>Connect your NetSuite account</h1>
<p>This demo connects a NetSuite account with OAuth 2.0 (authorization code grant with PKCE).
Tokens stay on the server; your browser only holds an opaque session cookie.</p>
<p>Account: <code>${options.accountId}</code>${options.emulator ? html` <span class="muted">(local emulator)</span>` : html``}</p>
<form method="post" action="/connect">
${csrfField(options.csrf)}
${options.returnTo ? html`<input type="hidden" name="returnTo" value="${options.returnTo}">` : html``}
<button type="submit" id="connect">Connect to NetSuite</button>
</form>`,
  );
}

function time(epochMs: number | undefined): string {
  return epochMs === undefined ? 'unknown' : new Date(epochMs).toISOString();
}

/**
 * `in 59 minutes`, `3 days ago`: how far `epochMs` is from `now`, in the largest whole unit (English, as the page).
 *
 * @example
 * relativeTime(now + 3_540_000, now) // 'in 59 minutes'
 */
export function relativeTime(epochMs: number, now: number): string {
  const seconds = Math.round((epochMs - now) / 1000);
  const abs = Math.abs(seconds);
  const [value, unit] =
    abs < 60
      ? [abs, 'second']
      : abs < 3600
        ? [Math.round(abs / 60), 'minute']
        : abs < 172_800
          ? [Math.round(abs / 3600), 'hour']
          : [Math.round(abs / 86_400), 'day'];
  if (abs < 5) return 'just now';
  const words = `${value} ${unit}${value === 1 ? '' : 's'}`;
  return seconds >= 0 ? `in ${words}` : `${words} ago`;
}

/**
 * A moment as people read it (relative), with the exact time beside it and in its tooltip: in UTC from the server,
 * then in the reader's language and time zone once `/static/local-time.js` runs.
 */
function when(epochMs: number | undefined, now: number): SafeHtml {
  if (epochMs === undefined) return html`unknown`;
  const iso = time(epochMs);
  const utc = `${iso.slice(0, 16).replace('T', ' ')} UTC`;
  return html`<time datetime="${iso}" title="${utc}" data-relative>${relativeTime(epochMs, now)}</time> <span class="muted exact-time">(${utc})</span>`;
}

/** A role or entity as people read it: its name and, quieter, its id; the id alone when NetSuite gave no name. */
function named(id: string | undefined, name: string | undefined): SafeHtml {
  if (id === undefined) return html`unknown`;
  return name ? html`${name} <span class="muted">(${id})</span>` : html`${id}`;
}

/** The dashboard: the connected account, role and token expiry (never the token). */
export function dashboardPage(options: {
  csrf: string;
  connection: Connection;
  accessTokenExpiresAt: number | undefined;
  refreshTokenExpiresAt: number | undefined;
  now: number;
  notice?: string | undefined;
}): string {
  const c = options.connection;
  return layout(
    'Dashboard',
    { connected: true, notice: options.notice },
    html`<h1>Connected to NetSuite</h1>
<dl id="connection">
<dt>Account</dt><dd id="account">${c.company ?? c.accountId}</dd>
<dt>Role</dt><dd id="role">${named(c.role, c.roleName)}</dd>
<dt>Entity</dt><dd id="entity">${named(c.entity, c.entityName)}</dd>
<dt>Connected</dt><dd id="connected-at">${when(c.connectedAt, options.now)}</dd>
<dt>Access token expires</dt><dd id="access-expiry">${when(options.accessTokenExpiresAt, options.now)}</dd>
<dt>Refresh token expires</dt><dd id="refresh-expiry">${when(options.refreshTokenExpiresAt, options.now)}</dd>
</dl>
<p class="muted">Tokens are kept on the server in an encrypted token store; they are never sent to the browser.</p>
<p>
<form class="inline" method="post" action="/refresh">${csrfField(options.csrf)}<button type="submit" id="refresh" class="secondary">Refresh access token</button></form>
<form class="inline" method="post" action="/disconnect">${csrfField(options.csrf)}<button type="submit" id="disconnect" class="danger">Disconnect</button></form>
</p>`,
  );
}

/** Renders rows of objects as a table (columns: union of keys, `links` left out). */
export function table(
  rows: readonly Record<string, unknown>[],
  link?: (row: Record<string, unknown>) => string,
): SafeHtml {
  const columns: string[] = [];
  for (const row of rows) {
    for (const key of Object.keys(row)) if (key !== 'links' && !columns.includes(key)) columns.push(key);
  }
  return html`<div class="scroll"><table>
<thead><tr>${columns.map((c) => html`<th>${c}</th>`)}</tr></thead>
<tbody>${rows.map(
    (row) =>
      html`<tr>${columns.map((c, i) => {
        const text = cell(row[c]);
        return i === 0 && link ? html`<td><a href="${link(row)}">${text}</a></td>` : html`<td>${text}</td>`;
      })}</tr>`,
  )}</tbody>
</table></div>`;
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function pager(base: string, page: number, hasMore: boolean, extra: Record<string, string> = {}): SafeHtml {
  const href = (p: number) => `${base}?${new URLSearchParams({ ...extra, page: String(p) }).toString()}`;
  return html`<nav class="pager">${page > 0 ? html`<a id="prev" href="${href(page - 1)}">← Previous</a>` : html``}<span>Page ${page + 1}</span>${hasMore ? html`<a id="next" href="${href(page + 1)}">Next →</a>` : html``}</nav>`;
}

/** The customer list. */
export function customersPage(options: {
  rows: readonly Record<string, unknown>[];
  page: number;
  hasMore: boolean;
}): string {
  return layout(
    'Customers',
    { connected: true },
    html`<h1>Customers</h1>
<p class="muted">Read with SuiteQL through the record client.</p>
${options.rows.length === 0 ? html`<p>No customers on this page.</p>` : table(options.rows, (row) => `/customers/${encodeURIComponent(String(row.id ?? ''))}`)}
${pager('/customers', options.page, options.hasMore)}`,
  );
}

/** One customer record. */
export function customerPage(options: { id: string; record: Record<string, unknown> }): string {
  const fields = Object.entries(options.record).filter(([key]) => key !== 'links');
  return layout(
    `Customer ${options.id}`,
    { connected: true },
    html`<h1>Customer ${options.id}</h1>
<p class="muted">Read with the REST Record API through the record client.</p>
<dl id="record">${fields.map(([key, value]) => html`<dt>${key}</dt><dd>${cell(value)}</dd>`)}</dl>
<p><a href="/records/customer/${options.id}">Typed view (fields and types from the metadata catalog)</a></p>
<p><a href="/customers">← All customers</a></p>`,
  );
}

/** The SuiteQL console. */
export function suiteqlPage(options: {
  csrf: string;
  query: string;
  result?: { rows: readonly Record<string, unknown>[]; page: number; hasMore: boolean } | undefined;
  error?: string | undefined;
}): string {
  // Queries run only from a POST carrying the session's CSRF token: a link on another site cannot make a
  // signed-in user run one. Paging re-posts the query.
  const pageButton = (id: string, label: string, page: number) =>
    html`<form method="post" action="/suiteql" class="inline">${csrfField(options.csrf)}<input type="hidden" name="q" value="${options.query}"><input type="hidden" name="page" value="${String(page)}"><button type="submit" id="${id}">${label}</button></form>`;
  const result = options.result;
  return layout(
    'SuiteQL',
    { connected: true },
    html`<h1>SuiteQL console</h1>
<form method="post" action="/suiteql">
${csrfField(options.csrf)}
<textarea name="q" id="query" aria-label="SuiteQL query">${options.query}</textarea>
<p><button type="submit" id="run">Run query</button></p>
</form>
${options.error ? html`<p class="error" id="query-error">${options.error}</p>` : html``}
${
  result
    ? html`<p id="row-count">${result.rows.length} row(s) on this page</p>
${table(result.rows)}
<nav class="pager">${result.page > 0 ? pageButton('prev', '← Previous', result.page - 1) : html``}<span id="page-number">Page ${String(result.page + 1)}</span>${result.hasMore ? pageButton('next', 'Next →', result.page + 1) : html``}</nav>`
    : html``
}`,
  );
}

/** The machine-to-machine panel (client credentials with a certificate). */
export function m2mPage(options: {
  csrf: string;
  connected: boolean;
  now: number;
  configured: boolean;
  details?: { clientId: string; certificateId: string; algorithm?: string | undefined } | undefined;
  result?: { expiresAt: number; rows: readonly Record<string, unknown>[] } | undefined;
  error?: string | undefined;
}): string {
  return layout(
    'Machine to machine',
    { connected: options.connected },
    html`<h1>Machine to machine</h1>
<p>Server-to-server access with the client credentials grant: the server signs a JWT client assertion with
its certificate's private key; no user is involved.</p>
${
  options.configured && options.details
    ? html`<dl><dt>Client</dt><dd>${options.details.clientId.slice(0, 8)}…</dd><dt>Certificate id</dt><dd>${options.details.certificateId}</dd>${options.details.algorithm ? html`<dt>Algorithm</dt><dd>${options.details.algorithm}</dd>` : html``}</dl>
${
  options.connected
    ? html`<form method="post" action="/m2m">${csrfField(options.csrf)}<button type="submit" id="m2m-run">Get a token and read customers</button></form>`
    : html`<p class="notice" id="m2m-connect-first"><a href="/?returnTo=%2Fm2m">Connect to NetSuite</a> first to try it.</p>`
}`
    : html`<p class="warning">Machine-to-machine access is not configured (set NETSUITE_M2M_CLIENT_ID, NETSUITE_M2M_CERTIFICATE_ID and NETSUITE_M2M_PRIVATE_KEY_FILE).</p>`
}
${options.error ? html`<p class="error" id="m2m-error">${options.error}</p>` : html``}
${
  options.result
    ? html`<p id="m2m-result">Token obtained; it expires ${when(options.result.expiresAt, options.now)}.</p>${table(options.result.rows)}`
    : html``
}`,
  );
}

/**
 * Background access: onboard client credentials from this login (a certificate uploaded with the user's token),
 * then the certificate, its expiry against NetSuite's 60/30/14-day marks, and a rotate button.
 */
export function backgroundPage(options: {
  csrf: string;
  available: boolean;
  access?: BackgroundAccess | undefined;
  now: number;
  notice?: string | undefined;
  result?: { expiresAt: number; rows: readonly Record<string, unknown>[] } | undefined;
  error?: string | undefined;
}): string {
  const a = options.access;
  const daysLeft = a ? Math.floor((a.notAfter - options.now) / 86_400_000) : 0;
  const mark = [14, 30, 60].find((d) => daysLeft <= d);
  return layout(
    'Background access',
    { connected: true },
    html`<h1>Background access</h1>
<p>Let this app keep working without you: it generates its own key, uploads the certificate to NetSuite with your
login's token (for your role and entity), and from then on runs on the client credentials grant, with no
refresh token to renew every 7 days.</p>
${options.notice ? html`<p class="notice" id="background-notice">${options.notice}</p>` : html``}
${options.error ? html`<p class="error" id="background-error">${options.error}</p>` : html``}
${
  !options.available
    ? html`<p class="warning">Background access is not available on this server.</p>`
    : a
      ? html`<dl id="background-certificate"><dt>Certificate id</dt><dd id="certificate-id">${a.certificateId}</dd><dt>Algorithm</dt><dd>${a.algorithm}</dd><dt>Role / entity</dt><dd>${String(a.role)} / ${String(a.entity)}</dd><dt>Expires</dt><dd id="certificate-expiry">${when(a.notAfter, options.now)} (<span id="days-left">${String(daysLeft)}</span> days left)</dd>${a.previous ? html`<dt>Previous certificate</dt><dd id="previous-certificate">${a.previous.certificateId} (${a.previous.revoked ? 'revoked' : 'still active during the overlap'})</dd>` : html``}</dl>
${mark !== undefined ? html`<p class="warning" id="expiry-warning">The certificate expires within ${String(mark)} days: rotate it.</p>` : html``}
<form method="post" action="/background/rotate">${csrfField(options.csrf)}<button type="submit" id="rotate">Rotate certificate</button></form>
<form method="post" action="/background/run">${csrfField(options.csrf)}<button type="submit" id="background-run">Run a background call</button></form>`
      : html`<form method="post" action="/background/enable">${csrfField(options.csrf)}<button type="submit" id="enable-background">Enable background access</button></form>`
}
${options.result ? html`<p id="background-result">Client-credentials token obtained; it expires ${when(options.result.expiresAt, options.now)}.</p>${table(options.result.rows)}` : html``}`,
  );
}

/** The server's last calls to NetSuite (route templates, statuses, times, retries), newest first. */
export function callsPage(options: { calls: readonly RecentCall[] }): string {
  const rows = options.calls.map((call) => ({
    time: new Date(call.at).toISOString().slice(11, 23),
    call: `${call.method} ${call.route}`,
    outcome: call.outcome,
    ms: call.ms,
    attempts: call.attempts,
    retries: call.retries.join(', '),
  }));
  return layout(
    'Recent calls',
    { connected: true },
    html`<h1>Recent calls to NetSuite</h1>
<p>The last ${String(options.calls.length)} calls this server made to NetSuite, newest first, from the record
client's diagnostics events: the route with ids left out, the status, the time and any retries. No id, token or
data is kept.</p>
${rows.length > 0 ? html`<div id="calls">${table(rows)}</div>` : html`<p id="calls-none">No calls yet.</p>`}`,
  );
}

/** An error page: what happened and what to do, never a stack trace. */
export function errorPage(options: {
  status: number;
  title: string;
  message: string;
  code?: string | undefined;
  hint?: string | undefined;
  connected: boolean;
}): string {
  return layout(
    options.title,
    { connected: options.connected },
    html`<h1 id="error-title">${options.title}</h1>
<p class="error" id="error-message">${options.message}</p>
${options.hint ? html`<p id="error-hint">${options.hint}</p>` : html``}
<p class="muted">HTTP ${options.status}${options.code ? html` · <code id="error-code">${options.code}</code>` : html``}</p>
<p><a href="/">Back to the home page</a></p>`,
  );
}

/** One field of a typed record: its name, its TypeScript type from the metadata catalog, its value. */
export interface TypedField {
  readonly name: string;
  readonly tsType: string;
  readonly value: unknown;
  readonly custom: boolean;
  readonly readOnly: boolean;
}

/** A record shown through its type: every field the catalog describes, with its TypeScript type and value. */
export function typedRecordPage(options: {
  type: string;
  id: string;
  fields: readonly TypedField[];
  source: string;
}): string {
  const { type, id } = options;
  return layout(
    `${type} ${id} (typed)`,
    { connected: true },
    html`<h1>${type} ${id} <span class="muted">typed</span></h1>
<p class="muted">Fields and types from the REST metadata catalog (custom fields included); the interface below is what
<code>netsuite-oauth types generate</code> writes for this type.</p>
<table id="typed-record"><thead><tr><th>Field</th><th>Type</th><th>Value</th></tr></thead><tbody>
${options.fields.map(
  (f) =>
    html`<tr${f.custom ? html` class="custom"` : html``}><td>${f.name}${f.custom ? html` <span class="badge">custom</span>` : html``}${f.readOnly ? html` <span class="muted">read-only</span>` : html``}</td><td><code>${f.tsType}</code></td><td>${cell(f.value)}</td></tr>`,
)}
</tbody></table>
<h2>Generated interface</h2>
<pre id="interface">${options.source}</pre>`,
  );
}
