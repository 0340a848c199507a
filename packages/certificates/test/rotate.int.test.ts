import { type Emulator, generateTestCertificate, startEmulator } from '@netsuite-oauth/emulator';
import { memoryTokenStore } from '@netsuite-oauth/token-store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  certificateExpiry,
  createCertificatesClient,
  isCertificatesError,
  onboardClientCredentials,
  type RotationPhase,
  readRotationState,
  rotateCertificate,
} from '../src/index.js';
import { account, type Integration, m2mToken, memorySecrets, setupIntegration } from './helpers.js';

let emu: Emulator;
let integration: Integration;

beforeEach(async () => {
  emu = await startEmulator({ port: 0, seed: false });
  integration = await setupIntegration(emu);
});
afterEach(async () => {
  await emu.close();
});

const HOUR = 3_600_000;

function options(extra: Record<string, unknown> = {}) {
  const secrets = memorySecrets();
  const switched: string[] = [];
  const steps: RotationPhase[] = [];
  const store = memoryTokenStore();
  return {
    secrets,
    switched,
    steps,
    store,
    opts: {
      ...account(emu),
      clientId: integration.clientId,
      accessToken: () => m2mToken(emu, integration),
      store,
      currentCertificateId: integration.certificateId,
      keyType: 'ec-p256' as const,
      overlapMs: HOUR,
      proveAttempts: 1,
      saveKey: secrets.saveKey,
      loadKey: secrets.loadKey,
      onSwitch: (s: { certificateId: string }) => {
        switched.push(s.certificateId);
      },
      onStep: (p: RotationPhase) => steps.push(p),
      now: () => emu.admin.now(),
      ...extra,
    },
  };
}

const active = async () =>
  (await emu.admin.listCertificates(integration.clientId)).filter(
    (c) => !c.revoked && Date.parse(c.notAfter) > emu.admin.now(),
  );

describe('rotateCertificate', () => {
  it('generates, uploads, proves, switches, and revokes the old certificate after the overlap', async () => {
    const { opts, secrets, switched, steps, store } = options();
    const first = await rotateCertificate(opts);
    expect(first.status).toBe('overlap');
    expect(steps).toEqual(['generated', 'uploaded', 'proven', 'switched']);
    expect(switched).toEqual([first.certificateId]);
    expect(secrets.keys.size).toBe(1);
    expect((await active()).map((c) => c.certificateId).sort()).toEqual(
      [integration.certificateId, first.certificateId].sort(),
    );
    // Within the overlap a rerun changes nothing.
    expect((await rotateCertificate(opts)).status).toBe('overlap');
    await emu.admin.advanceClock(HOUR + 1000);
    const done = await rotateCertificate(opts);
    expect(done).toMatchObject({ status: 'done', certificateId: first.certificateId, resumed: true });
    expect((await active()).map((c) => c.certificateId)).toEqual([first.certificateId]);
    // The new mapping keeps the old one's role and entity; the record holds no key.
    expect((await active())[0]).toMatchObject({ roleId: 3, entityId: '-5' });
    const record = await store.get(`netsuite:certificate-rotation:${integration.clientId}`);
    expect(record?.value).not.toContain('PRIVATE KEY');
    expect((await readRotationState(store, integration.clientId))?.phase).toBe('done');
  });

  it('never uploads a sixth active certificate', async () => {
    for (let n = 0; n < 4; n += 1) {
      await emu.admin.addCertificate({
        clientId: integration.clientId,
        certificatePem: generateTestCertificate().certificatePem,
        roleId: 3,
        entityId: n,
      });
    }
    const { opts } = options();
    const error = await rotateCertificate(opts).catch((e) => e);
    expect(isCertificatesError(error, 'ERR_CERTIFICATES_LIMIT')).toBe(true);
    expect(await active()).toHaveLength(5);
  });

  it('a lost key abandons the rotation and revokes its upload (no orphan)', async () => {
    const { opts, secrets, store } = options();
    let kill = true;
    const dying = {
      ...opts,
      onStep: (p: RotationPhase) => {
        if (p === 'uploaded' && kill) throw new Error('simulated crash');
      },
    };
    await rotateCertificate(dying).catch(() => {});
    kill = false;
    expect(await active()).toHaveLength(2);
    secrets.keys.clear();
    const error = await rotateCertificate(opts).catch((e) => e);
    expect(isCertificatesError(error, 'ERR_CERTIFICATES_KEY_LOST')).toBe(true);
    expect((await active()).map((c) => c.certificateId)).toEqual([integration.certificateId]);
    expect(await readRotationState(store, integration.clientId)).toBeUndefined();
  });

  it('holds the lock: a second rotator at the same time is refused', async () => {
    const { opts } = options();
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const slow = rotateCertificate({
      ...opts,
      saveKey: async (k) => {
        opts.saveKey(k);
        await gate;
      },
    });
    await new Promise((r) => setTimeout(r, 50));
    const second = await rotateCertificate(opts).catch((e) => e);
    expect(isCertificatesError(second, 'ERR_CERTIFICATES_ROTATION_BUSY')).toBe(true);
    release();
    expect((await slow).status).toBe('overlap');
  });

  it('refuses bad options synchronously and a corrupt record with a typed error', async () => {
    const { opts, store } = options();
    expect(() => rotateCertificate({ ...opts, saveKey: undefined as never })).toThrow(
      expect.objectContaining({ code: 'ERR_CERTIFICATES_INVALID_OPTION' }),
    );
    expect(() => rotateCertificate({ ...opts, overlapMs: -1 })).toThrow(
      expect.objectContaining({ code: 'ERR_CERTIFICATES_INVALID_OPTION' }),
    );
    expect(() => rotateCertificate({ ...opts, store: {} as never })).toThrow(
      expect.objectContaining({ code: 'ERR_CERTIFICATES_INVALID_OPTION' }),
    );
    await store.set(`netsuite:certificate-rotation:${integration.clientId}`, {
      value: '{"v":9}',
      expiresAt: Date.now() + HOUR,
    });
    const error = await rotateCertificate(opts).catch((e) => e);
    expect(isCertificatesError(error, 'ERR_CERTIFICATES_ROTATION_STATE')).toBe(true);
  });
});

describe('onboardClientCredentials', () => {
  it('uploads a fresh certificate with an Authorization Code token and returns a working client-credentials setup', async () => {
    const secrets = memorySecrets();
    const userToken = await m2mToken(emu, integration);
    const ready = await onboardClientCredentials({
      ...account(emu),
      clientId: integration.clientId,
      accessToken: userToken,
      role: 3,
      entity: '-5',
      keyType: 'ec-p256',
      saveKey: secrets.saveKey,
      now: () => emu.admin.now(),
    });
    expect(secrets.keys.get(ready.fingerprint)).toContain('PRIVATE KEY');
    expect(JSON.stringify(ready)).not.toContain('PRIVATE KEY');
    expect(ready.grant).toMatchObject({
      type: 'client_credentials',
      accountId: emu.accountId,
      origin: emu.url,
    });
    const listed = await createCertificatesClient({
      ...account(emu),
      clientId: integration.clientId,
      accessToken: userToken,
    }).list();
    expect(listed.find((c) => c.certificateId === ready.certificateId)).toMatchObject({
      status: 'ACTIVE',
      role: '3',
    });
    expect(() =>
      onboardClientCredentials({
        ...account(emu),
        clientId: integration.clientId,
        accessToken: userToken,
        role: 'x',
        entity: 1,
        saveKey: () => {},
      }),
    ).toThrow(expect.objectContaining({ code: 'ERR_CERTIFICATES_INVALID_OPTION' }));
  });
});

describe('certificateExpiry', () => {
  it('classifies against the 60/30/14-day marks', () => {
    const now = Date.UTC(2026, 0, 1);
    const d = (days: number) => new Date(now + days * 86_400_000);
    expect(certificateExpiry(d(100), now)).toEqual({ daysLeft: 100, level: 'ok', mark: undefined });
    expect(certificateExpiry(d(60), now)).toMatchObject({ level: 'warn', mark: 60 });
    expect(certificateExpiry(d(20), now)).toMatchObject({ level: 'warn', mark: 30 });
    expect(certificateExpiry(d(3), now)).toMatchObject({ level: 'warn', mark: 14 });
    expect(certificateExpiry(d(-1), now)).toMatchObject({ level: 'expired' });
    expect(certificateExpiry(undefined, now)).toMatchObject({ level: 'unknown' });
  });
});
