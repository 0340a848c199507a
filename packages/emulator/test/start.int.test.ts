import { describe, expect, it } from 'vitest';
import { isEmulatorError, startEmulator } from '../src/index.js';
import { accessToken, bearer, setupM2M } from './helpers.js';

describe('startEmulator', () => {
  it.each([
    ['a bad account id', { accountId: 'bad host.evil' }],
    ['a negative port', { port: -1 }],
    ['a zero concurrency limit', { concurrencyLimit: 0 }],
    ['an unknown seed key', { seed: { planets: 3 } }],
    ['a huge seed', { seed: { customers: 10_000_000 } }],
    ['a non-function clock', { now: 5 }],
    ['a short admin token', { adminToken: 'x' }],
    ['an idempotency status of 418', { idempotencyConflictStatus: 418 }],
    ['a non-boolean flag', { allowHttpLoopbackRedirectUris: 'yes' }],
  ])('throws ERR_EMULATOR_INVALID_OPTION synchronously for %s', (_name, options) => {
    try {
      void startEmulator(options as never);
      expect.unreachable();
    } catch (error) {
      expect(isEmulatorError(error) && error.code).toBe('ERR_EMULATOR_INVALID_OPTION');
    }
  });

  it('rejects with ERR_EMULATOR_START_FAILED when the port is taken', async () => {
    const first = await startEmulator({ port: 0, seed: false });
    try {
      await expect(startEmulator({ port: first.port, seed: false })).rejects.toMatchObject({
        code: 'ERR_EMULATOR_START_FAILED',
      });
    } finally {
      await first.close();
    }
  });

  it('normalises the account id, serves its NetSuite host names and refuses another account', async () => {
    const emu = await startEmulator({ port: 0, accountId: '7654321-sb2', seed: { customers: 1 } });
    try {
      expect(emu.accountId).toBe('7654321_SB2');
      const token = await accessToken(emu, await setupM2M(emu));
      const { request } = await import('node:http');
      const get = (host: string) =>
        new Promise<number>((resolve, reject) => {
          const req = request(
            {
              host: '127.0.0.1',
              port: emu.port,
              path: '/services/rest/record/v1/customer/1',
              headers: { ...bearer(token), host },
            },
            (res) => {
              res.resume();
              resolve(res.statusCode ?? 0);
            },
          );
          req.on('error', reject);
          req.end();
        });
      expect(await get('7654321-sb2.suitetalk.api.netsuite.com')).toBe(200);
      expect(await get('1111111.suitetalk.api.netsuite.com')).toBe(404);
      const res = await fetch(`${emu.endpoints.recordUrl}/customer/1`, {
        headers: { authorization: 'Bearer nope' },
      });
      expect(res.headers.get('www-authenticate')).toContain('realm="7654321_SB2"');
    } finally {
      await emu.close();
    }
  });

  it('uses the injected clock for Date headers', async () => {
    const fixed = Date.now() + 86_400_000;
    const emu = await startEmulator({ port: 0, seed: false, now: () => fixed });
    try {
      const res = await fetch(`${emu.url}/_emulator`);
      expect(res.headers.get('date')).toBe(new Date(fixed).toUTCString());
      await emu.close();
      await emu.close();
    } finally {
      await emu.close();
    }
  });

  it('can refuse http loopback redirect URIs like strict NetSuite', async () => {
    const emu = await startEmulator({ port: 0, seed: false, allowHttpLoopbackRedirectUris: false });
    try {
      await expect(
        emu.admin.createIntegration({ redirectUris: ['http://127.0.0.1:3000/cb'] }),
      ).rejects.toMatchObject({ code: 'ERR_EMULATOR_INVALID_OPTION' });
      await expect(
        emu.admin.createIntegration({ redirectUris: ['https://app.example.com/cb', 'myapp://cb'] }),
      ).resolves.toBeDefined();
    } finally {
      await emu.close();
    }
  });
});
