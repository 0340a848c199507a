import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findChromium } from '@netsuite-oauth/test-utils';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../src/cookies.js';
import { type Harness, startHarness } from './helpers.js';

const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), '..', '.artifacts');

let h: Harness;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  h = await startHarness();
  browser = await chromium.launch({
    executablePath: findChromium(),
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => {});
  await browser?.close();
  await h?.close();
});

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  contexts.push(context);
  return await context.newPage();
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** From the home page: Connect, then the emulator's login and consent pages. */
async function loginAndConsent(page: Page, decision: 'allow' | 'deny', shots = false): Promise<void> {
  await page.click('#connect');
  // The emulator remembers its own login in this browser context: then it goes straight to consent.
  await page.waitForSelector('#login-form, #consent-form');
  if (await page.locator('#login-form').count()) {
    if (shots) await shot(page, '02-netsuite-login');
    await page.fill('#email', 'admin@example.com');
    await page.fill('#password', 'emulator-password');
    await page.click('#login-submit');
    await page.waitForSelector('#consent-form');
  }
  if (shots) await shot(page, '03-netsuite-consent');
  await Promise.all([
    page.waitForURL((url) => url.origin === h.server.url),
    page.click(decision === 'allow' ? '#allow' : '#deny'),
  ]);
}

/**
 * Opens `html` as a page of another site (`http://localhost:<port>`; the demo runs on 127.0.0.1, a different
 * site) in `page`, served by a throwaway server on loopback.
 */
async function openCrossSitePage(page: Page, html: string): Promise<() => Promise<void>> {
  const attacker = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(html);
  });
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  await page.goto(`http://localhost:${(attacker.address() as AddressInfo).port}/`);
  return async () => {
    await new Promise((resolve) => attacker.close(resolve));
  };
}

async function visibleText(page: Page): Promise<string> {
  return await page.content();
}

function expectNoSecrets(text: string): void {
  for (const secret of h.secrets) expect(text.includes(secret)).toBe(false);
}

describe('the demo in Chromium', () => {
  it("shows times relative and in the reader's language and time zone (de-DE, Asia/Tokyo)", async () => {
    const context = await browser.newContext({
      viewport: { width: 1100, height: 800 },
      locale: 'de-DE',
      timezoneId: 'Asia/Tokyo',
    });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(h.server.url);
    await loginAndConsent(page, 'allow');
    expect(new URL(page.url()).pathname).toBe('/dashboard');
    const expiry = await page.locator('#access-expiry time');
    const at = Date.parse((await expiry.getAttribute('datetime')) ?? '');
    // A 3600 s token reads "in 1 Stunde" while a whole hour is left, then "in 59 Minuten".
    expect(await expiry.textContent()).toMatch(/^in (59 Minuten|60 Minuten|1 Stunde)$/);
    // The exact time is Tokyo's (UTC+9), written the German way.
    const tokyo = new Intl.DateTimeFormat('de-DE', {
      dateStyle: 'medium',
      timeStyle: 'short',
      timeZone: 'Asia/Tokyo',
    });
    expect(await page.textContent('#access-expiry .exact-time')).toBe(`(${tokyo.format(at)})`);
    expect(await expiry.getAttribute('title')).toBe(tokyo.format(at));
    expect(await page.textContent('#refresh-expiry time')).toMatch(/^in (6|7) Tagen$/);
    expect(await page.textContent('#connected-at time')).toMatch(/^jetzt|vor \d+ Sekunden?$/);
    expect(await page.textContent('#role')).toBe('NetSuite OAuth Integration (1000)');
  });

  it('connects, shows customers and a record, runs SuiteQL, refreshes, uses client credentials, disconnects', async () => {
    const page = await newPage();
    await page.goto(h.server.url);
    await expect(page.locator('#connect')).toBeDefined();
    expect(await page.textContent('h1')).toContain('Connect your NetSuite account');
    await shot(page, '01-home');

    await loginAndConsent(page, 'allow', true);
    expect(new URL(page.url()).pathname).toBe('/dashboard');
    expect(await page.textContent('#notice')).toContain('Connected to NetSuite');
    // NetSuite's role and entity ids, named (SuiteQL's role and employee tables), the id beside the name.
    expect(await page.textContent('#role')).toBe('NetSuite OAuth Integration (1000)');
    expect(await page.textContent('#entity')).toMatch(/^Emulator Administrator \(\d+\)$/);
    expect(await page.textContent('#account')).toBe(h.emulator.accountId);
    // Relative and local (this context: en-US); the exact moment stays in the datetime attribute.
    expect(await page.textContent('#access-expiry')).toMatch(
      /^in (59 minutes|60 minutes|1 hour) \(\w{3} \d{1,2}, \d{4}, .+\)$/,
    );
    expect(await page.getAttribute('#access-expiry time', 'datetime')).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
    expect(await page.textContent('#connected-at time')).toMatch(/^now|\d+ seconds? ago$/);
    await shot(page, '04-dashboard');

    // Tokens are on the server only: the browser holds one opaque HttpOnly cookie, and no page shows a token.
    // (Cookies do not isolate ports: the emulator's own login cookie on 127.0.0.1 is in this jar too.)
    const cookies = await page.context().cookies(h.server.url);
    const ours = cookies.filter((c) => c.name !== 'NS_EMU_SESSION');
    expect(ours.map((c) => c.name)).toEqual([SESSION_COOKIE]);
    expect(ours[0]).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax', path: '/' });
    expect(ours[0]!.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(h.secrets.size).toBeGreaterThan(0);
    expectNoSecrets(await visibleText(page));
    expectNoSecrets(JSON.stringify(cookies));

    await page.click('header >> text=Customers');
    await page.waitForURL(/\/customers$/);
    const rows = await page.locator('tbody tr').count();
    expect(rows).toBeGreaterThan(0);
    await shot(page, '05-customers');
    const firstId = (await page.locator('tbody tr td a').first().textContent())!;
    await page.locator('tbody tr td a').first().click();
    await page.waitForURL(/\/customers\/\d+$/);
    expect(await page.textContent('h1')).toBe(`Customer ${firstId}`);
    expect(await page.locator('#record dt').count()).toBeGreaterThan(2);
    await shot(page, '06-customer-record');

    await page.click('header >> text=SuiteQL');
    await page.fill('#query', 'SELECT id, entityid, companyname FROM customer ORDER BY id');
    await page.click('#run');
    await page.waitForSelector('#row-count');
    expect(await page.textContent('#row-count')).toContain('10 row(s)');
    const firstPageIds = await page.locator('tbody tr td:first-child').allTextContents();
    await page.click('#next');
    await page.waitForFunction('document.getElementById("page-number")?.textContent === "Page 2"');
    const secondPageIds = await page.locator('tbody tr td:first-child').allTextContents();
    expect(secondPageIds.length).toBeGreaterThan(0);
    expect(secondPageIds.some((id) => firstPageIds.includes(id))).toBe(false);
    await shot(page, '07-suiteql');

    await page.fill('#query', 'SELECT nosuchcolumn FROM nosuchtable');
    await page.click('#run');
    await page.waitForSelector('#query-error');
    await shot(page, '08-suiteql-error');

    await page.click('header >> text=Dashboard');
    const refreshesBefore = (await h.emulator.admin.counters()).tokenByGrant.refresh_token ?? 0;
    await page.click('#refresh');
    await page.waitForSelector('#notice');
    expect(await page.textContent('#notice')).toContain('Access token refreshed');
    expect((await h.emulator.admin.counters()).tokenByGrant.refresh_token).toBe(refreshesBefore + 1);
    await shot(page, '09-refreshed');

    await page.click('header >> text=Machine to machine');
    await page.click('#m2m-run');
    await page.waitForSelector('#m2m-result');
    expect(await page.locator('tbody tr').count()).toBeGreaterThan(0);
    await shot(page, '10-machine-to-machine');
    expectNoSecrets(await visibleText(page));

    await page.click('header >> text=Dashboard');
    const revokesBefore = (await h.emulator.admin.counters()).revoke;
    await page.click('#disconnect');
    await page.waitForURL((url) => url.pathname === '/');
    expect(await page.textContent('#notice')).toContain('revoked at NetSuite');
    expect((await h.emulator.admin.counters()).revoke).toBe(revokesBefore + 1);
    await shot(page, '11-disconnected');
    await page.goto(`${h.server.url}/dashboard`);
    expect(new URL(page.url()).pathname).toBe('/');
    expect(new URL(page.url()).searchParams.get('returnTo')).toBe('/dashboard');
  }, 120_000); // a dozen page loads and a browser sign-in: a busy 2-core machine needs more than the default 30 s

  it('shows a helpful page when consent is denied', async () => {
    const page = await newPage();
    await page.goto(h.server.url);
    const tokensBefore = (await h.emulator.admin.counters()).token;
    await loginAndConsent(page, 'deny');
    expect(await page.textContent('#error-title')).toBe('Access was not granted');
    expect(await page.textContent('#error-code')).toBe('ERR_SERVER_AUTHORIZATION_DENIED');
    expect((await h.emulator.admin.counters()).token).toBe(tokensBefore);
    await shot(page, '12-consent-denied');
  });

  it('refuses a replayed callback', async () => {
    const page = await newPage();
    let callbackUrl: string | undefined;
    page.on('request', (request) => {
      if (request.url().startsWith(h.server.redirectUri)) callbackUrl ??= request.url();
    });
    await page.goto(h.server.url);
    await loginAndConsent(page, 'allow');
    expect(new URL(page.url()).pathname).toBe('/dashboard');
    expect(callbackUrl).toBeDefined();
    const tokensBefore = (await h.emulator.admin.counters()).token;
    const response = await page.goto(callbackUrl!);
    expect(response?.status()).toBe(400);
    expect(await page.textContent('#error-title')).toBe('This sign-in link cannot be used');
    expect((await h.emulator.admin.counters()).token).toBe(tokensBefore);
    await shot(page, '13-replayed-state');
  });

  it('refuses a callback whose state belongs to another browser', async () => {
    const victim = await newPage();
    let callbackUrl: string | undefined;
    // Stop the victim's browser at NetSuite's redirect back (a redirect cannot be routed; the consent POST can).
    await victim.route(
      (url) => url.pathname === '/app/login/oauth2/authorize.nl',
      async (route) => {
        if (route.request().method() !== 'POST') return await route.continue();
        const response = await route.fetch({ maxRedirects: 0 });
        const location = response.headers().location;
        if (location?.startsWith(`${h.server.redirectUri}?`)) {
          callbackUrl = location;
          return await route.fulfill({ status: 200, contentType: 'text/html', body: '<p>stopped</p>' });
        }
        return await route.fulfill({ response });
      },
    );
    await victim.goto(h.server.url);
    await victim.click('#connect');
    await victim.waitForSelector('#login-form, #consent-form');
    if (await victim.locator('#login-form').count()) {
      await victim.fill('#email', 'admin@example.com');
      await victim.fill('#password', 'emulator-password');
      await victim.click('#login-submit');
      await victim.waitForSelector('#consent-form');
    }
    await victim.click('#allow');
    await expect.poll(() => callbackUrl).toBeDefined();

    const attacker = await newPage();
    await attacker.goto(h.server.url);
    const tokensBefore = (await h.emulator.admin.counters()).token;
    const response = await attacker.goto(callbackUrl!);
    expect(response?.status()).toBe(400);
    expect(await attacker.textContent('#error-message')).toContain('another browser or session');
    expect((await h.emulator.admin.counters()).token).toBe(tokensBefore);
    await shot(attacker, '14-foreign-state');
  });

  it('sends an expired session back to the home page with a notice', async () => {
    const page = await newPage();
    await page.goto(h.server.url);
    await loginAndConsent(page, 'allow');
    expect(new URL(page.url()).pathname).toBe('/dashboard');
    const nineHours = 9 * 3600 * 1000;
    h.clock.advance(nineHours);
    try {
      await page.goto(`${h.server.url}/customers`);
      expect(new URL(page.url()).pathname).toBe('/');
      expect(await page.textContent('#notice')).toContain('Your session has expired');
      await shot(page, '15-session-expired');
      // Connecting again brings the user back where they were going.
      await loginAndConsent(page, 'allow');
      expect(new URL(page.url()).pathname).toBe('/customers');
    } finally {
      h.clock.advance(-nineHours);
    }
  });
});

describe('cross-site pages in Chromium', () => {
  it('a cross-site form posted at the demo is refused and signs nobody out (the session cookie stays)', async () => {
    const page = await newPage();
    await page.goto(h.server.url);
    await loginAndConsent(page, 'allow');
    expect(new URL(page.url()).pathname).toBe('/dashboard');
    const before = (await page.context().cookies(h.server.url)).find((c) => c.name === SESSION_COOKIE);
    expect(before).toBeDefined();
    for (const target of ['/m2m', '/disconnect']) {
      const close = await openCrossSitePage(
        page,
        `<!doctype html><title>attack</title><form id="f" method="post" action="${h.server.url}${target}"><input name="csrf" value="guess"></form>`,
      );
      try {
        const [response] = await Promise.all([
          page.waitForNavigation(),
          page.evaluate('document.getElementById("f").submit()'),
        ]);
        expect(response?.status()).toBe(403);
        expect(await page.textContent('#error-code')).toBe('ERR_SERVER_CSRF');
      } finally {
        await close();
      }
    }
    const after = (await page.context().cookies(h.server.url)).find((c) => c.name === SESSION_COOKIE);
    expect(after?.value).toBe(before!.value);
    await page.goto(`${h.server.url}/dashboard`);
    expect(new URL(page.url()).pathname).toBe('/dashboard');
    await shot(page, '16-cross-site-form-refused');
  });

  it("cannot wipe the in-process emulator's integration through its admin API", async () => {
    const target = `${h.emulator.url}/_emulator/reset`;
    const page = await newPage();
    const close = await openCrossSitePage(
      page,
      `<!doctype html><title>attack</title>
<form id="f" method="post" action="${target}" enctype="text/plain"><input name="x" value="y"></form>
<script>
fetch(${JSON.stringify(target)}, { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: '{}' })
  .then(() => { document.title = 'sent'; }, () => { document.title = 'failed'; });
</script>`,
    );
    try {
      await page.waitForFunction('document.title !== "attack"');
      expect(await page.title()).toBe('sent');
      await Promise.all([page.waitForURL(target), page.evaluate('document.getElementById("f").submit()')]);
      // The server's emulator has an admin token of its own: the browser's POST is refused.
      expect(await page.textContent('body')).toMatch(/ERR_EMULATOR_ADMIN_TOKEN|ERR_EMULATOR_INVALID_OPTION/);
    } finally {
      await close();
    }
    // The demo still works: its integration was not wiped.
    const user = await newPage();
    await user.goto(h.server.url);
    await loginAndConsent(user, 'allow');
    expect(new URL(user.url()).pathname).toBe('/dashboard');
  });
});

/**
 * What a reader sees on the page at this width: horizontal overflow, text spilling off the box that gives it its
 * background, and text below WCAG 2.2 AA contrast (4.5:1, 3:1 for large text; SC 1.4.3). Runs in the page.
 */
async function layoutProblems(page: Page): Promise<string[]> {
  return (await page.evaluate(LAYOUT_PROBLEMS)) as string[];
}

// Plain JavaScript run in the page (the tests' TypeScript has no DOM types).
const LAYOUT_PROBLEMS = `(() => {
  const problems = [];
  const root = document.documentElement;
  if (root.scrollWidth > window.innerWidth)
    problems.push('the page scrolls sideways: ' + root.scrollWidth + 'px wide in a ' + window.innerWidth + 'px window');
  const parse = (css) => {
    const parts = ((/rgba?\\(([^)]+)\\)/.exec(css) || [])[1] || '0,0,0,0').split(/[\\s,/]+/).filter(Boolean).map(Number);
    return { r: parts[0] || 0, g: parts[1] || 0, b: parts[2] || 0, a: parts[3] === undefined ? 1 : parts[3] };
  };
  const luminance = (c) => {
    const f = (v) => { const s = v / 255; return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  for (const el of document.body.querySelectorAll('*')) {
    const text = Array.from(el.childNodes).filter((n) => n.nodeType === 3).map((n) => n.textContent || '').join('').trim();
    if (text === '' || el.offsetParent === null) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden') continue;
    let box = el;
    let background = { r: 255, g: 255, b: 255, a: 1 };
    let clipped = false;
    while (box) {
      const s = getComputedStyle(box);
      const bg = parse(s.backgroundColor);
      if (bg.a > 0) { background = bg; break; }
      if (box !== el && s.overflowX !== 'visible') clipped = true;
      box = box.parentElement;
    }
    const what = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' "' + text.slice(0, 30) + '"';
    if (box && box !== document.body && !clipped) {
      const b = box.getBoundingClientRect();
      const r = el.getBoundingClientRect();
      if (r.right > b.right + 1 || r.left < b.left - 1 || r.bottom > b.bottom + 1)
        problems.push(what + ' spills off its background (' + box.tagName.toLowerCase() + ')');
    }
    const fg = parse(style.color);
    const shown = { r: fg.r * fg.a + background.r * (1 - fg.a), g: fg.g * fg.a + background.g * (1 - fg.a), b: fg.b * fg.a + background.b * (1 - fg.a) };
    const l1 = luminance(shown);
    const l2 = luminance(background);
    const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (Number(style.fontWeight) >= 700 && size >= 18.66);
    if (ratio < (large ? 3 : 4.5)) problems.push(what + ' has contrast ' + ratio.toFixed(2) + ':1');
  }
  return problems;
})()`;

describe('every page at 390 px (a phone), and the widest ones at 1280 px', () => {
  it('has no horizontal scrolling, no text off its background, and WCAG AA contrast', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    contexts.push(context);
    const page = await context.newPage();
    const seen: Record<string, string[]> = {};
    const check = async (name: string, widths: readonly number[] = [390]) => {
      for (const width of widths) {
        await page.setViewportSize({ width, height: 844 });
        const problems = await layoutProblems(page);
        if (problems.length > 0) seen[`${name} @${width}`] = problems;
      }
      await page.setViewportSize({ width: 390, height: 844 });
      await shot(page, `390-${name}`);
    };
    await page.goto(h.server.url);
    await check('home', [390, 1280]);
    await page.goto(`${h.server.url}/m2m`);
    await check('m2m-anonymous');
    await page.goto(`${h.server.url}/no-such-page`);
    await check('not-found');
    await page.goto(h.server.url);
    await loginAndConsent(page, 'allow');
    await check('dashboard', [390, 1280]);
    await page.goto(`${h.server.url}/customers`);
    await check('customers');
    await page.locator('tbody tr td a').first().click();
    await page.waitForURL(/\/customers\/\d+$/);
    await check('customer');
    await page.goto(`${h.server.url}/suiteql`);
    await page.fill(
      '#query',
      'SELECT id, entityid, companyname, email, phone, datecreated FROM customer ORDER BY id',
    );
    await page.click('#run');
    await page.waitForSelector('#row-count');
    await check('suiteql', [390, 1280]);
    await page.fill('#query', 'SELECT nosuchcolumn FROM nosuchtable');
    await page.click('#run');
    await page.waitForSelector('#query-error');
    await check('suiteql-error');
    await page.goto(`${h.server.url}/m2m`);
    await page.click('#m2m-run');
    await page.waitForSelector('#m2m-result');
    await check('m2m');
    expect(seen).toEqual({});
  }, 90_000);
});
