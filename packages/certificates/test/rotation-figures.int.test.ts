import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Emulator, generateTestCertificate, startEmulator } from '@netsuite-oauth/emulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildWorker, type Finished, startWorker, type Worker } from './workers.js';

const HOUR = 3_600_000;
let emu: Emulator;
let script: string;
const dirs: string[] = [];
const children = new Set<Worker>();

beforeAll(async () => {
  [emu, script] = await Promise.all([startEmulator({ port: 0, seed: { customers: 3 } }), buildWorker()]);
});
afterEach(() => {
  for (const w of children)
    if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  children.clear();
});
afterAll(async () => {
  await emu.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A fresh integration whose first certificate (the "old" one) is the only entry of signer.json. */
async function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'nso-rotation-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'state'));
  const { clientId } = await emu.admin.createIntegration({ grants: ['client_credentials'] });
  const cert = generateTestCertificate({ now: () => emu.admin.now() - 60_000 });
  const { certificateId } = await emu.admin.addCertificate({
    clientId,
    certificatePem: cert.certificatePem,
    roleId: 3,
    entityId: -5,
  });
  writeFileSync(join(dir, 'old.pem'), cert.privateKeyPem, { mode: 0o600 });
  writeFileSync(join(dir, 'old.crt'), cert.certificatePem);
  writeFileSync(
    join(dir, 'signer.json'),
    JSON.stringify([{ certificateId, keyFile: join(dir, 'old.pem'), certFile: join(dir, 'old.crt') }]),
  );
  const base = { dir, accountId: emu.accountId, origin: emu.url, clientId };
  writeFileSync(join(dir, 'clock-offset'), String(emu.admin.now() - Date.now()));
  /** Moves the emulator's clock, telling the workers first (they sign only once a token is refused, after it). */
  const advance = async (ms: number) => {
    writeFileSync(join(dir, 'clock-offset'), String(emu.admin.now() + ms - Date.now()));
    await emu.admin.advanceClock(ms);
  };
  return { dir, clientId, oldId: certificateId, base, advance };
}

function run(config: Record<string, unknown>): Promise<Finished> {
  const w = startWorker(script, config);
  children.add(w);
  return w.finished;
}

const activeIds = async (clientId: string) =>
  (await emu.admin.listCertificates(clientId))
    .filter((c) => !c.revoked && Date.parse(c.notAfter) > emu.admin.now())
    .map((c) => c.certificateId);

const KILL_POINTS = [
  'key-saved',
  'generated',
  'upload-answered',
  'uploaded',
  'proven',
  'switched',
  'revoke-answered',
] as const;

describe('G: rotation survives SIGKILL at every step', () => {
  it.each(KILL_POINTS)(
    'killed at %s, then rerun: one active new certificate, old revoked after the overlap, no orphan',
    async (killAt) => {
      const { clientId, oldId, base, advance } = await setup();
      let maxActive = 1;
      const observe = async () => {
        maxActive = Math.max(maxActive, (await activeIds(clientId)).length);
      };
      if (killAt === 'revoke-answered') {
        const first = await run({ ...base, mode: 'rotate' });
        expect(first.report?.status).toBe('overlap');
        await advance(HOUR + 1000);
      }
      const killed = await run({ ...base, mode: 'rotate', killAt });
      expect(killed.signal).toBe('SIGKILL');
      await observe();
      // Rerun until done, moving the emulator's clock past the overlap when a run stops there.
      let last: Finished | undefined;
      for (let attempt = 0; attempt < 4; attempt += 1) {
        last = await run({ ...base, mode: 'rotate' });
        expect(last.code, last.stderr).toBe(0);
        await observe();
        if (last.report?.status === 'done') break;
        await advance(HOUR + 1000);
      }
      expect(last?.report?.status).toBe('done');
      const newId = last?.report?.certificateId as string;
      expect(newId).not.toBe(oldId);
      expect(await activeIds(clientId)).toEqual([newId]);
      const all = await emu.admin.listCertificates(clientId);
      // Exactly the old (revoked) and the new one: an upload whose answer was lost was adopted, not repeated.
      expect(all.map((c) => [c.certificateId, c.revoked]).sort()).toEqual(
        [
          [oldId, true],
          [newId, false],
        ].sort(),
      );
      expect(maxActive).toBeLessThanOrEqual(5);
    },
  );
});

describe('G: rotation under load', () => {
  it('4 processes calling the record client while one rotates: 0 failed calls', async () => {
    const { dir, clientId, oldId, base, advance } = await setup();
    const load = Array.from({ length: 4 }, () => {
      const w = startWorker(script, { ...base, mode: 'load' });
      children.add(w);
      return w;
    });
    await Promise.all(load.map((w) => w.event('ready')));
    const rotated = await run({ ...base, mode: 'rotate' });
    expect(rotated.report?.status, rotated.stderr).toBe('overlap');
    const newId = rotated.report?.certificateId as string;
    // Every access token issued so far expires at once: each process needs a new one, signed with the new key.
    await advance(HOUR + 1000);
    const finished = await run({ ...base, mode: 'rotate' });
    expect(finished.report?.status, finished.stderr).toBe('done');
    expect(await activeIds(clientId)).toEqual([newId]);
    // Keep calling for a while after the old certificate is revoked.
    // And again after the old certificate is revoked: every process must sign with the new one now.
    await advance(HOUR + 1000);
    writeFileSync(join(dir, 'revoked'), '');
    // 20 calls each after the revocation (or 10 s: a broken rotation then shows as failed calls, not a timeout).
    await Promise.race([
      Promise.all(load.map((w) => w.event('after-revoke'))),
      new Promise((r) => setTimeout(r, 10_000)),
    ]);
    writeFileSync(join(dir, 'stop'), '');
    const reports = await Promise.all(load.map((w) => w.finished));
    for (const r of reports) {
      expect(r.report, r.stderr).toBeDefined();
      expect(r.report?.errors).toEqual([]);
      expect(r.report?.failed).toBe(0);
      expect(r.report?.okAfter as number).toBeGreaterThanOrEqual(20);
      expect(r.report?.kids).toEqual(expect.arrayContaining([oldId, newId]));
    }
  });
});
