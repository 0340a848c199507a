/** Options of {@link headlessLogin}. */
export interface HeadlessLoginOptions {
  /** The authorize URL from `createAuthorizationRequest`. */
  readonly url: string;
  /** The registered redirect URI: the flow ends at the first redirect that starts with it. */
  readonly redirectUri: string;
  readonly email: string;
  readonly password: string;
  readonly fetch?: typeof fetch | undefined;
  /** Form choice on a consent page: `allow` (default) or `deny`. */
  readonly decision?: 'allow' | 'deny' | undefined;
}

interface ParsedForm {
  action: string;
  method: string;
  fields: [string, string][];
  hasPassword: boolean;
  emailField: string | undefined;
  passwordField: string | undefined;
  buttons: [string, string][];
}

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  const raw = m ? (m[1] ?? m[2] ?? m[3]) : undefined;
  return raw === undefined
    ? undefined
    : raw
        .replace(/&quot;/g, '"')
        .replace(/&#39;/g, "'")
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&amp;/g, '&');
}

/**
 * Reads the first HTML form of a page: its action, hidden fields, first option of each select, buttons.
 *
 * @example
 * parseFirstForm(html)?.fields // [['txn', '…'], ['action', 'login']]
 */
export function parseFirstForm(html: string): ParsedForm | undefined {
  const m = /<form\b[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!m) return undefined;
  const formTag = /<form\b[^>]*>/i.exec(m[0])?.[0] ?? '';
  const inner = m[1] ?? '';
  const form: ParsedForm = {
    action: attr(formTag, 'action') ?? '',
    method: (attr(formTag, 'method') ?? 'get').toUpperCase(),
    fields: [],
    hasPassword: false,
    emailField: undefined,
    passwordField: undefined,
    buttons: [],
  };
  for (const input of inner.match(/<input\b[^>]*>/gi) ?? []) {
    const name = attr(input, 'name');
    const type = (attr(input, 'type') ?? 'text').toLowerCase();
    if (!name) continue;
    if (type === 'password') {
      form.hasPassword = true;
      form.passwordField = name;
    } else if (type === 'email' || /email|user/i.test(name)) {
      form.emailField = name;
    } else if (type === 'submit') {
      form.buttons.push([name, attr(input, 'value') ?? '']);
    } else {
      form.fields.push([name, attr(input, 'value') ?? '']);
    }
  }
  for (const select of inner.match(/<select\b[^>]*>[\s\S]*?<\/select>/gi) ?? []) {
    const name = attr(select, 'name');
    const option = /<option\b[^>]*>/i.exec(select)?.[0];
    if (name && option) form.fields.push([name, attr(option, 'value') ?? '']);
  }
  for (const button of inner.match(/<button\b[^>]*>/gi) ?? []) {
    const name = attr(button, 'name');
    if (name) form.buttons.push([name, attr(button, 'value') ?? '']);
  }
  return form;
}

/**
 * Runs the authorize step of the code flow without a browser: follows the login form and the consent
 * form with plain `fetch` until the redirect to `redirectUri`, and returns that URL. Meant for the
 * emulator (its login page is a plain HTML form); real NetSuite needs a person (2FA, SSO).
 *
 * @example
 * const callback = await headlessLogin({ url: request.url, redirectUri, email: 'admin@example.com', password: 'emulator-password' });
 * @throws {Error} when a page is not a form, the credentials are refused, or there are too many steps.
 */
export async function headlessLogin(options: HeadlessLoginOptions): Promise<string> {
  const doFetch = options.fetch ?? globalThis.fetch;
  const cookies = new Map<string, string>();
  let url = options.url;
  let init: RequestInit = { method: 'GET' };
  for (let step = 0; step < 8; step++) {
    const headers = new Headers(init.headers);
    if (cookies.size > 0) headers.set('cookie', [...cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const response = await doFetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie?.() ?? []) {
      const [pair] = line.split(';');
      const eq = pair?.indexOf('=') ?? -1;
      if (pair && eq > 0) cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      const next = new URL(location, url).toString();
      if (next.startsWith(options.redirectUri)) return next;
      url = next;
      init = { method: 'GET' };
      continue;
    }
    const html = await response.text();
    const form = parseFirstForm(html);
    if (!form) throw new Error(`the authorize page answered ${response.status} without a form`);
    if (form.hasPassword && step > 1 && /class="error"/.test(html))
      throw new Error('the login form refused the credentials');
    const body = new URLSearchParams(form.fields);
    if (form.emailField) body.set(form.emailField, options.email);
    if (form.passwordField) body.set(form.passwordField, options.password);
    const decision = options.decision ?? 'allow';
    const button = form.buttons.find(([, v]) => v === decision) ?? form.buttons[0];
    if (button) body.set(button[0], button[1]);
    if (form.hasPassword && response.status === 401)
      throw new Error('the login form refused the credentials');
    url = new URL(form.action || url, url).toString();
    init =
      form.method === 'POST'
        ? {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: body.toString(),
          }
        : { method: 'GET' };
    if (form.method !== 'POST') url = `${url.split('?')[0]}?${body.toString()}`;
  }
  throw new Error('the authorize flow took too many steps');
}
