import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findChromium } from '@netsuite-oauth/test-utils';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './helpers.js';

const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), '..', '.artifacts');

let h: Harness;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  h = await startHarness();
  browser = await chromium.launch({
    executablePath: findChromium(),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-dev-shm-usage'],
  });
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

async function connect(page: Page): Promise<void> {
  await page.goto(h.server.url);
  await page.click('#connect');
  await page.waitForSelector('#login-form, #consent-form');
  if (await page.locator('#login-form').count()) {
    await page.fill('#email', 'admin@example.com');
    await page.fill('#password', 'emulator-password');
    await page.click('#login-submit');
    await page.waitForSelector('#consent-form');
  }
  await Promise.all([page.waitForURL((url) => url.origin === h.server.url), page.click('#allow')]);
}

/** Active certificates of the demo's integration at the emulator, as NetSuite would list them. */
async function active(): Promise<string[]> {
  const integrations = new Set(
    (await h.emulator.admin.requestLog()).map((e) => e.clientId).filter((c): c is string => c !== undefined),
  );
  const ids: string[] = [];
  for (const clientId of integrations) {
    for (const c of await h.emulator.admin.listCertificates(clientId)) {
      if (!c.revoked) ids.push(c.certificateId);
    }
  }
  return ids;
}

describe('background access in Chromium', () => {
  it('enables background access from the login, shows the certificate and its expiry, rotates it, and runs on client credentials', async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
    try {
      const page = await context.newPage();
      await connect(page);
      await page.click('header >> text=Background access');
      await page.waitForURL(/\/background$/);
      const before = await active();
      await Promise.all([page.waitForURL(/\/background$/), page.click('#enable-background')]);
      expect(await page.textContent('#background-notice')).toContain('Background access enabled');
      const first = (await page.textContent('#certificate-id'))!.trim();
      expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
      // The emulator's default certificate validity: two years, so far from the 60-day mark.
      expect(Number(await page.textContent('#days-left'))).toBeGreaterThan(700);
      expect(await page.locator('#expiry-warning').count()).toBe(0);
      expect(await active()).toEqual([...before, first]);
      await page.screenshot({ path: join(ARTIFACTS, 'background-01-enabled.png'), fullPage: true });

      await page.click('#background-run');
      await page.waitForSelector('#background-result');
      expect(await page.locator('tbody tr').count()).toBeGreaterThan(0);

      await page.goto(`${h.server.url}/background`);
      await Promise.all([page.waitForURL(/\/background$/), page.click('#rotate')]);
      expect(await page.textContent('#background-notice')).toContain('the previous one is revoked');
      const second = (await page.textContent('#certificate-id'))!.trim();
      expect(second).not.toBe(first);
      expect(await page.textContent('#previous-certificate')).toContain(`${first} (revoked)`);
      expect(await active()).toEqual([...before, second]);
      await page.screenshot({ path: join(ARTIFACTS, 'background-02-rotated.png'), fullPage: true });

      // The rotated credentials work on their own.
      await page.click('#background-run');
      await page.waitForSelector('#background-result');
      // No private key or token ever reaches a page.
      const content = await page.content();
      expect(content).not.toContain('PRIVATE KEY');
      for (const secret of h.secrets) expect(content.includes(secret)).toBe(false);
    } finally {
      await context.close();
    }
  });

  it('the background pages need a connection and a valid form', async () => {
    const anonymous = await fetch(`${h.server.url}/background`, { redirect: 'manual' });
    expect(anonymous.status).toBe(303);
    const forged = await fetch(`${h.server.url}/background/rotate`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://evil.example' },
      body: 'csrf=x',
    });
    expect(forged.status).toBe(403);
  });
});
