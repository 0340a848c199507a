import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_USER_EMAIL, DEFAULT_USER_PASSWORD, type Emulator, startEmulator } from '../src/index.js';
import { form } from './helpers.js';

let emu: Emulator;
let browser: Browser;
let callbackServer: Server;
let redirectUri: string;
const callbacks: URL[] = [];

beforeAll(async () => {
  emu = await startEmulator({ port: 0, seed: { customers: 2 } });
  callbackServer = createServer((req, res) => {
    const url = new URL(req.url ?? '/', redirectUri);
    if (url.pathname === '/callback') callbacks.push(url);
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<p id="done">done</p>');
  });
  await new Promise<void>((r) => callbackServer.listen(0, '127.0.0.1', r));
  redirectUri = `http://127.0.0.1:${(callbackServer.address() as AddressInfo).port}/callback`;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
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
  await browser?.close();
  await emu?.close();
  await new Promise((r) => callbackServer?.close(r));
});

describe('authorize page in Chromium', () => {
  it('logs in, consents and lands on the redirect URI with a code that exchanges', async () => {
    const integration = await emu.admin.createIntegration({
      name: 'Browser app',
      redirectUris: [redirectUri],
    });
    const verifier = randomBytes(32).toString('base64url');
    const state = randomBytes(24).toString('base64url');
    const url = new URL(emu.endpoints.authorizeUrl);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: integration.clientId,
      redirect_uri: redirectUri,
      scope: 'rest_webservices restlets',
      state,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    }).toString();
    const page = await browser.newPage();
    await page.goto(url.toString());
    await page.fill('#email', DEFAULT_USER_EMAIL);
    await page.fill('#password', DEFAULT_USER_PASSWORD);
    await page.click('#login-submit');
    await page.waitForSelector('#consent-form');
    expect(await page.textContent('body')).toContain('Browser app');
    await page.click('#allow');
    await page.waitForSelector('#done');
    const back = callbacks.at(-1);
    expect(back?.searchParams.get('state')).toBe(state);
    const init = form({
      grant_type: 'authorization_code',
      code: back?.searchParams.get('code') ?? '',
      redirect_uri: redirectUri,
      code_verifier: verifier,
    });
    const basic = Buffer.from(`${integration.clientId}:${integration.clientSecret}`).toString('base64');
    const res = await fetch(emu.endpoints.tokenUrl, {
      ...init,
      headers: { ...init.headers, authorization: `Basic ${basic}` },
    });
    expect(res.status).toBe(200);
    // The session cookie skips the login next time; consent (Always Ask) is shown again.
    await page.goto(url.toString().replace(state, randomBytes(24).toString('base64url')));
    await page.waitForSelector('#consent-form');
    await page.click('#deny');
    await page.waitForSelector('#done');
    expect(callbacks.at(-1)?.searchParams.get('error')).toBe('access_denied');
    await page.close();
  });
});

describe('admin API against a cross-site page in Chromium', () => {
  it('a page on another site cannot reset the emulator with a text/plain fetch or a form POST', async () => {
    const { clientId } = await emu.admin.createIntegration({ name: 'kept across the attack' });
    const target = `${emu.url}/_emulator/reset`;
    const attack = `<!doctype html><title>attack</title>
<form id="f" method="post" action="${target}" enctype="text/plain"><input name="x" value="y"></form>
<script>
fetch(${JSON.stringify(target)}, { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: '{}' })
  .then(() => { document.title = 'sent'; }, () => { document.title = 'failed'; });
</script>`;
    const attacker = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(attack);
    });
    await new Promise<void>((r) => attacker.listen(0, '127.0.0.1', r));
    const page = await browser.newPage();
    try {
      // localhost and 127.0.0.1 are different sites: this is a cross-site request, as from any web page.
      await page.goto(`http://localhost:${(attacker.address() as AddressInfo).port}/`);
      await page.waitForFunction('document.title !== "attack"');
      // The fetch reached the emulator (an opaque answer, not a network error) ...
      expect(await page.title()).toBe('sent');
      // ... and so does the form, whose answer the browser shows: refused.
      await Promise.all([page.waitForURL(target), page.evaluate('document.getElementById("f").submit()')]);
      expect(await page.textContent('body')).toContain('ERR_EMULATOR_INVALID_OPTION');
      // Nothing was reset: the integration made before the attack is still there.
      await expect(emu.admin.updateIntegration(clientId, { name: 'still here' })).resolves.toBeDefined();
    } finally {
      await page.close();
      await new Promise((r) => attacker.close(r));
    }
  });
});
