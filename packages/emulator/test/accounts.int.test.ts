import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, isEmulatorError, startEmulator } from '../src/index.js';
import { accessToken, assertion, bearer, form, setupM2M } from './helpers.js';

/** GET on `port` with a chosen Host header (fetch cannot set Host). */
function getWithHost(port: number, path: string, host: string, token: string) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { ...bearer(token), host } }, (res) => {
      let body = '';
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A client-credentials token request to `tokenUrl` with `clientAssertion`. */
function tokenRequest(tokenUrl: string, clientAssertion: string): Promise<Response> {
  return fetch(
    tokenUrl,
    form({
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: clientAssertion,
    }),
  );
}

describe('several accounts in one emulator', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({
      seed: { customers: 3 },
      concurrencyLimit: 5,
      accounts: [
        {
          accountId: '7654321_sb2',
          concurrencyLimit: 2,
          seed: { customers: 7 },
          costModel: { requestMs: 60 },
        },
        { accountId: 'TSTDRV1111', seed: false, accessTokenTtlSeconds: 60 },
      ],
    });
  });
  afterAll(() => emu.close());

  it('gives every account its own origin, and finds it by either form of its id', () => {
    expect(emu.accounts.map((a) => a.accountId)).toEqual(['1234567_SB1', '7654321_SB2', 'TSTDRV1111']);
    expect(new Set(emu.accounts.map((a) => a.url)).size).toBe(3);
    expect(emu.account('7654321-sb2')).toBe(emu.accounts[1]);
    expect(emu.account('1234567_SB1').url).toBe(emu.url);
    try {
      emu.account('9999999');
      expect.unreachable();
    } catch (error) {
      expect(isEmulatorError(error) && error.code).toBe('ERR_EMULATOR_UNKNOWN_ACCOUNT');
    }
  });

  it('keeps integrations, records, limits and token lifetimes per account', async () => {
    const a = emu.accounts[0]!;
    const b = emu.accounts[1]!;
    const c = emu.accounts[2]!;
    const tokenB = await accessToken(b as Emulator, await setupM2M(b as Emulator));
    const count = async (acct: typeof a, token: string) => {
      const res = await fetch(`${acct.endpoints.suiteqlUrl}?limit=1`, {
        method: 'POST',
        headers: bearer(token, { prefer: 'transient', 'content-type': 'application/json' }),
        body: JSON.stringify({ q: 'SELECT COUNT(*) AS n FROM customer' }),
      });
      return ((await res.json()) as { items: Array<{ n: string }> }).items[0]?.n;
    };
    expect(await count(b, tokenB)).toBe('7');
    const tokenA = await accessToken(a as Emulator, await setupM2M(a as Emulator));
    expect(await count(a, tokenA)).toBe('3');
    const limits = async (acct: typeof a, token: string) =>
      (await (
        await fetch(`${acct.endpoints.systemUrl}/governanceLimits`, { headers: bearer(token) })
      ).json()) as {
        accountConcurrencyLimit: number;
      };
    expect((await limits(a, tokenA)).accountConcurrencyLimit).toBe(5);
    expect((await limits(b, tokenB)).accountConcurrencyLimit).toBe(2);
    expect(await b.admin.costModel()).toMatchObject({ requestMs: 60 });
    expect(await a.admin.costModel()).toMatchObject({ requestMs: 0 });
    const m2mC = await setupM2M(c as Emulator);
    const res = await tokenRequest(c.endpoints.tokenUrl, await assertion(c as Emulator, m2mC));
    expect(((await res.json()) as { expires_in: number }).expires_in).toBe(60);
  });

  it("refuses one account's token, assertion and integration on another account", async () => {
    const a = emu.accounts[0]!;
    const b = emu.accounts[1]!;
    const m2mA = await setupM2M(a as Emulator);
    const tokenA = await accessToken(a as Emulator, m2mA);
    // A's token on B's host: B never issued it.
    const onB = await fetch(`${b.endpoints.recordUrl}/customer/1`, { headers: bearer(tokenA) });
    expect(onB.status).toBe(401);
    expect(onB.headers.get('www-authenticate')).toContain('realm="7654321_SB2"');
    // A's assertion (audience: A's token URL) at B's token endpoint: B has no such certificate or client.
    const cross = await tokenRequest(b.endpoints.tokenUrl, await assertion(a as Emulator, m2mA));
    expect(cross.status).toBe(400);
    // B's own certificate, but an assertion addressed to A's token URL: the audience is wrong for B.
    const m2mB = await setupM2M(b as Emulator);
    const wrongAud = await tokenRequest(
      b.endpoints.tokenUrl,
      await assertion(b as Emulator, m2mB, { claims: { aud: a.endpoints.tokenUrl } }),
    );
    expect(wrongAud.status).toBe(400);
    expect(wrongAud.headers.get('x-netsuite-emulator-reason')).toBe('InvalidAudience');
    await expect(b.admin.updateIntegration(m2mA.clientId, { enabled: false })).rejects.toMatchObject({
      code: 'ERR_EMULATOR_UNKNOWN_CLIENT',
    });
  });

  it('answers a NetSuite host name on any listener with that account, and 404 for one it does not hold', async () => {
    const a = emu.accounts[0]!;
    const b = emu.accounts[1]!;
    const tokenB = await accessToken(b as Emulator, await setupM2M(b as Emulator));
    const before = (await b.admin.counters()).record;
    const viaA = await getWithHost(
      a.port,
      '/services/rest/record/v1/customer/1',
      '7654321-sb2.suitetalk.api.netsuite.com',
      tokenB,
    );
    expect(viaA.status).toBe(200);
    expect((await b.admin.counters()).record).toBe(before + 1);
    const unknown = await getWithHost(
      a.port,
      '/services/rest/record/v1/customer/1',
      '5555555.suitetalk.api.netsuite.com',
      tokenB,
    );
    expect(unknown.status).toBe(404);
  });

  it("counts and limits each account's requests on its own", async () => {
    const a = emu.accounts[0]!;
    const b = emu.accounts[1]!;
    const tokenA = await accessToken(a as Emulator, await setupM2M(a as Emulator));
    const tokenB = await accessToken(b as Emulator, await setupM2M(b as Emulator));
    const beforeA = await a.admin.counters();
    const beforeB = await b.admin.counters();
    // B: limit 2, and each request held long enough that all 4 overlap → 2 get 429. A: limit 5 → none.
    await b.admin.setLatency({ route: 'record', ms: 1500 });
    const burst = (acct: typeof a, token: string) =>
      Promise.all(
        Array.from({ length: 4 }, () =>
          fetch(`${acct.endpoints.recordUrl}/customer/1`, { headers: bearer(token) }).then((r) => r.status),
        ),
      );
    const [statusA, statusB] = await Promise.all([burst(a, tokenA), burst(b, tokenB)]);
    await b.admin.setLatency({ route: 'record', ms: 0 });
    expect(statusA.filter((s) => s === 429)).toHaveLength(0);
    expect(statusB.filter((s) => s === 429)).toHaveLength(2);
    const afterA = await a.admin.counters();
    const afterB = await b.admin.counters();
    expect(afterA.concurrencyRejected).toBe(beforeA.concurrencyRejected);
    expect(afterB.concurrencyRejected - beforeB.concurrencyRejected).toBe(
      statusB.filter((s) => s === 429).length,
    );
    expect(afterB.maxInFlight).toBeLessThanOrEqual(2);
  });

  it("serves each account's HTTP admin API on its own origin", async () => {
    const b = emu.accounts[1]!;
    const info = (await (await fetch(b.endpoints.adminUrl)).json()) as {
      accountId: string;
      accounts: Array<{ accountId: string; url: string }>;
    };
    expect(info.accountId).toBe('7654321_SB2');
    expect(info.accounts.map((x) => x.accountId)).toEqual(['1234567_SB1', '7654321_SB2', 'TSTDRV1111']);
    const put = await fetch(`${b.endpoints.adminUrl}/concurrency`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ limit: 3 }),
    });
    expect(put.status).toBe(200);
    const tokenB = await accessToken(b as Emulator, await setupM2M(b as Emulator));
    const limits = (await (
      await fetch(`${b.endpoints.systemUrl}/governanceLimits`, { headers: bearer(tokenB) })
    ).json()) as {
      accountConcurrencyLimit: number;
    };
    expect(limits.accountConcurrencyLimit).toBe(3);
    const tokenA = await accessToken(emu, await setupM2M(emu));
    const limitsA = (await (
      await fetch(`${emu.endpoints.systemUrl}/governanceLimits`, { headers: bearer(tokenA) })
    ).json()) as {
      accountConcurrencyLimit: number;
    };
    expect(limitsA.accountConcurrencyLimit).toBe(5);
  });
});

describe('account options', () => {
  it.each([
    ['an account without an id', { accounts: [{}] }],
    ['the same account twice', { accounts: [{ accountId: '1234567-sb1' }] }],
    ['a shared option set per account', { accounts: [{ accountId: '7654321', adminToken: 'abcdefghij' }] }],
    ['a bad per-account limit', { accounts: [{ accountId: '7654321', concurrencyLimit: 0 }] }],
    ['accounts that is not an array', { accounts: 'x' }],
  ])('throws ERR_EMULATOR_INVALID_OPTION synchronously for %s', (_name, options) => {
    try {
      void startEmulator(options as never);
      expect.unreachable();
    } catch (error) {
      expect(isEmulatorError(error) && error.code).toBe('ERR_EMULATOR_INVALID_OPTION');
    }
  });

  it('names the account whose option is bad', () => {
    expect(() => startEmulator({ accounts: [{ accountId: '7654321', concurrencyLimit: 0 }] })).toThrow(
      /accounts\[0\]\.concurrencyLimit/,
    );
  });

  it('releases every port when one account cannot listen', async () => {
    const busy = await startEmulator({ seed: false });
    try {
      await expect(
        startEmulator({ seed: false, accounts: [{ accountId: '7654321', port: busy.port }] }),
      ).rejects.toMatchObject({ code: 'ERR_EMULATOR_START_FAILED' });
    } finally {
      await busy.close();
    }
  });
});
