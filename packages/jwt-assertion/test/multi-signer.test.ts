import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { inspect } from 'node:util';
import { decodeProtectedHeader } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type CertificateExpiryWarning,
  createMultiCertificateSigner,
  type GeneratedCertificate,
  generateCertificate,
  jwtAssertionChannels,
  type SignerCertificate,
} from '../src/index.js';
import { CLIENT_ID, TOKEN_URL } from './helpers.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);
const OLD_ID = 'oldOLDoldOLDoldOLDoldOLDoldOLDoldOLDoldOLD1';
const NEW_ID = 'newNEWnewNEWnewNEWnewNEWnewNEWnewNEWnewNEW1';
let older: GeneratedCertificate;
let newer: GeneratedCertificate;

beforeAll(async () => {
  older = await generateCertificate({ keyType: 'ec-p256', validityDays: 100, now: () => T0 });
  newer = await generateCertificate({ keyType: 'ec-p256', validityDays: 730, now: () => T0 + 50 * DAY });
});

const entry = (g: GeneratedCertificate, certificateId: string): SignerCertificate => ({
  key: g.privateKeyPem,
  certificateId,
  certificate: g.certificatePem,
});
const kid = (assertion: string) => decodeProtectedHeader(assertion).kid;

describe('createMultiCertificateSigner', () => {
  it('signs with the newest usable certificate, whatever the list order', async () => {
    const signer = await createMultiCertificateSigner({
      clientId: CLIENT_ID,
      audience: TOKEN_URL,
      certificates: [entry(newer, NEW_ID), entry(older, OLD_ID)],
      now: () => T0 + 60 * DAY,
    });
    expect(kid(await signer.sign())).toBe(NEW_ID);
    expect(signer.certificateId).toBe(NEW_ID);
    // Before the new one is valid, the old one signs.
    let at = T0 + 10 * DAY;
    const early = await createMultiCertificateSigner({
      clientId: CLIENT_ID,
      audience: TOKEN_URL,
      certificates: [entry(older, OLD_ID), entry(newer, NEW_ID)],
      now: () => at,
    });
    expect(kid(await early.sign())).toBe(OLD_ID);
    // After the old one expires only the new one is left.
    at = T0 + 120 * DAY;
    expect(kid(await early.sign())).toBe(NEW_ID);
  });

  it('falls back once to the next certificate when NetSuite refuses one, and tries it again later', async () => {
    let at = T0 + 60 * DAY;
    const signer = await createMultiCertificateSigner({
      clientId: CLIENT_ID,
      audience: TOKEN_URL,
      certificates: [entry(older, OLD_ID), entry(newer, NEW_ID)],
      refusedForMs: 60_000,
      now: () => at,
    });
    const first = await signer.sign();
    expect(kid(first)).toBe(NEW_ID);
    expect(signer.refused(first)).toBe(true);
    const second = await signer.sign();
    expect(kid(second)).toBe(OLD_ID);
    // Both refused: nothing left to fall back to, and sign() says so with a typed error.
    expect(signer.refused(second)).toBe(false);
    await expect(signer.sign()).rejects.toMatchObject({ code: 'ERR_ASSERTION_NO_USABLE_CERTIFICATE' });
    at += 61_000;
    expect(kid(await signer.sign())).toBe(NEW_ID);
    expect(signer.refused('not.a.jwt')).toBe(false);
  });

  it('reads a certificates() function before each signature (a rotated key is picked up without a restart)', async () => {
    let list = [entry(older, OLD_ID)];
    const signer = await createMultiCertificateSigner({
      clientId: CLIENT_ID,
      audience: TOKEN_URL,
      certificates: async () => list,
      now: () => T0 + 60 * DAY,
    });
    expect(kid(await signer.sign())).toBe(OLD_ID);
    list = [entry(older, OLD_ID), entry(newer, NEW_ID)];
    expect(kid(await signer.sign())).toBe(NEW_ID);
  });

  it('warns once per mark at 60, 30 and 14 days before expiry, by callback and diagnostics channel', async () => {
    let at = T0;
    const warnings: CertificateExpiryWarning[] = [];
    const published: unknown[] = [];
    const listener = (message: unknown) => published.push(message);
    subscribe(jwtAssertionChannels.certificateExpiry, listener);
    try {
      const signer = await createMultiCertificateSigner({
        clientId: CLIENT_ID,
        audience: TOKEN_URL,
        certificates: [entry(older, OLD_ID)],
        onExpiryWarning: (w) => warnings.push(w),
        now: () => at,
      });
      for (let day = 0; day < 100; day += 1) {
        at = T0 + day * DAY;
        await signer.sign();
      }
    } finally {
      unsubscribe(jwtAssertionChannels.certificateExpiry, listener);
    }
    expect(warnings.map((w) => [w.thresholdDays, w.daysLeft])).toEqual([
      [60, 60],
      [30, 30],
      [14, 14],
    ]);
    expect(published).toEqual(warnings);
    expect(warnings[0]?.certificateId).toBe(OLD_ID);
  });

  it('refuses bad options with typed errors and never shows a key', async () => {
    expect(() => createMultiCertificateSigner(null as never)).toThrow(
      expect.objectContaining({ code: 'ERR_ASSERTION_INVALID_OPTION' }),
    );
    expect(() =>
      createMultiCertificateSigner({ clientId: CLIENT_ID, audience: TOKEN_URL, certificates: 'x' as never }),
    ).toThrow(expect.objectContaining({ code: 'ERR_ASSERTION_INVALID_OPTION' }));
    expect(() =>
      createMultiCertificateSigner({
        clientId: CLIENT_ID,
        audience: TOKEN_URL,
        certificates: [],
        expiryWarningDays: [0],
      }),
    ).toThrow(expect.objectContaining({ code: 'ERR_ASSERTION_INVALID_OPTION' }));
    expect(() =>
      createMultiCertificateSigner({
        clientId: CLIENT_ID,
        audience: TOKEN_URL,
        certificates: [],
        bogus: 1,
      } as never),
    ).toThrow(expect.objectContaining({ code: 'ERR_ASSERTION_INVALID_OPTION' }));
    await expect(
      createMultiCertificateSigner({
        clientId: CLIENT_ID,
        audience: TOKEN_URL,
        certificates: [{ key: 'not a key', certificateId: OLD_ID }],
      }),
    ).rejects.toMatchObject({ name: 'JwtAssertionError' });
    const empty = await createMultiCertificateSigner({
      clientId: CLIENT_ID,
      audience: TOKEN_URL,
      certificates: [],
    });
    await expect(empty.sign()).rejects.toMatchObject({ code: 'ERR_ASSERTION_NO_USABLE_CERTIFICATE' });
    const signer = await createMultiCertificateSigner({
      clientId: CLIENT_ID,
      audience: TOKEN_URL,
      certificates: [entry(newer, NEW_ID)],
      now: () => T0 + 60 * DAY,
    });
    const shown = `${inspect(signer, { depth: 5 })}${JSON.stringify(signer)}`;
    expect(shown).not.toContain('PRIVATE KEY');
    expect(shown).not.toContain(newer.privateKeyPem.split('\n')[1]);
  });
});
