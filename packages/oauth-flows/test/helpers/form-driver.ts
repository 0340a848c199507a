// Drives an authorization server's HTML pages with plain fetch: follows redirects by hand, keeps cookies,
// fills and posts the first form on each page, until the browser would land on the redirect URI.

function decodeHtml(value: string): string {
  return value
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#x2F;/g, '/');
}

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}\\s*=\\s*("([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  const raw = m?.[2] ?? m?.[3] ?? m?.[4];
  return raw === undefined ? undefined : decodeHtml(raw);
}

export interface FormDriverOptions {
  /** Values for visible inputs by name (e.g. email/password, login/password). */
  readonly fill: Readonly<Record<string, string>>;
  /** Which submit button to press when a form has several (by name=value), e.g. { action: 'allow' }. */
  readonly press?: Readonly<Record<string, string>>;
  /** Stop when a Location starts with this. */
  readonly redirectUri: string;
  readonly maxSteps?: number;
}

/** Returns the final callback URL the AS redirected to. */
export async function driveAuthorization(startUrl: string, options: FormDriverOptions): Promise<string> {
  const jar = new Map<string, string>();
  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const remember = (res: Response) => {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair?.indexOf('=') ?? -1;
      if (pair && eq > 0) jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  };
  let url = startUrl;
  let method = 'GET';
  let body: URLSearchParams | undefined;
  for (let step = 0; step < (options.maxSteps ?? 20); step++) {
    if (url.startsWith(options.redirectUri)) return url;
    const res = await fetch(url, {
      method,
      redirect: 'manual',
      headers: {
        cookie: cookieHeader(),
        ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(body ? { body } : {}),
    });
    remember(res);
    if (res.status >= 300 && res.status < 400) {
      await res.arrayBuffer();
      const location = res.headers.get('location');
      if (!location) throw new Error(`redirect without location at step ${step}`);
      url = new URL(location, url).toString();
      method = 'GET';
      body = undefined;
      continue;
    }
    const html = await res.text();
    const formMatch = /<form\b[^>]*>([\s\S]*?)<\/form>/i.exec(html);
    if (!formMatch)
      throw new Error(`no form on page at step ${step} (http ${res.status}): ${html.slice(0, 300)}`);
    const formTag = /<form\b[^>]*>/i.exec(formMatch[0])?.[0] ?? '';
    const action = attr(formTag, 'action') ?? url;
    const fields = new URLSearchParams();
    for (const input of formMatch[1]?.match(/<input\b[^>]*>/gi) ?? []) {
      const name = attr(input, 'name');
      if (!name) continue;
      const type = (attr(input, 'type') ?? 'text').toLowerCase();
      if (type === 'submit') continue;
      if ((type === 'checkbox' || type === 'radio') && !/\schecked\b/i.test(input)) continue;
      fields.set(name, options.fill[name] ?? attr(input, 'value') ?? '');
    }
    for (const select of formMatch[1]?.match(/<select\b[\s\S]*?<\/select>/gi) ?? []) {
      const name = attr(select, 'name');
      const option = /<option\b[^>]*>/i.exec(select)?.[0];
      if (name) fields.set(name, options.fill[name] ?? (option ? (attr(option, 'value') ?? '') : ''));
    }
    const buttons = formMatch[1]?.match(/<button\b[^>]*>/gi) ?? [];
    for (const [name, value] of Object.entries(options.press ?? {})) {
      if (buttons.some((b) => attr(b, 'name') === name && attr(b, 'value') === value))
        fields.set(name, value);
    }
    url = new URL(action, url).toString();
    method = (attr(formTag, 'method') ?? 'get').toUpperCase();
    body = method === 'POST' ? fields : undefined;
    if (method === 'GET') {
      const u = new URL(url);
      for (const [k, v] of fields) u.searchParams.set(k, v);
      url = u.toString();
    }
  }
  throw new Error('authorization did not reach the redirect uri');
}
