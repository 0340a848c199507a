import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateCertificate } from '@netsuite-oauth/jwt-assertion';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoSecrets, runCli } from './run-cli.js';
import { createFixture, type Fixture, keyLines } from './setup-emulator.js';

let fx: Fixture;

beforeAll(async () => {
  fx = await createFixture();
});
afterAll(async () => {
  await fx?.close();
});

interface Row {
  certificateId: string;
  status: string;
  inUse: boolean;
  daysLeft?: number;
  expiry?: string;
}

const listJson = async (env = fx.env) => {
  const result = await runCli(['cert', 'list', '--json'], { env });
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Row[];
};

describe('cert list | upload | revoke | rotate against the emulator', () => {
  it('lists, uploads with the current mapping, refuses to revoke the certificate in use, revokes another', async () => {
    const before = await listJson();
    expect(before).toEqual([
      expect.objectContaining({
        certificateId: fx.certificateId,
        status: 'ACTIVE',
        inUse: true,
        expiry: 'warn',
      }),
    ]);
    const generated = await generateCertificate({ keyType: 'ec-p256' });
    const file = join(fx.dir, 'upload-cert.pem');
    writeFileSync(file, generated.certificatePem);
    const uploaded = await runCli(['cert', 'upload', file, '--json'], { env: fx.env });
    expect(uploaded.code, uploaded.stderr).toBe(0);
    const created = JSON.parse(uploaded.stdout) as { certificateId: string; status: string };
    expect(created.status).toBe('ACTIVE');
    expect((await listJson()).filter((r) => r.status === 'ACTIVE')).toHaveLength(2);

    const refused = await runCli(['cert', 'revoke', '--', fx.certificateId], { env: fx.env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('rotate first');
    const revoked = await runCli(['cert', 'revoke', '--json', '--', created.certificateId], { env: fx.env });
    expect(revoked.code, revoked.stderr).toBe(0);
    expect((await listJson()).find((r) => r.certificateId === created.certificateId)?.status).toBe('REVOKED');

    const keyFile = join(fx.dir, 'upload-key.pem');
    writeFileSync(keyFile, generated.privateKeyPem);
    const keyRefused = await runCli(['cert', 'upload', keyFile], { env: fx.env });
    expect(keyRefused.code).not.toBe(0);
    expectNoSecrets(keyRefused, keyLines(generated.privateKeyPem));
    const table = await runCli(['cert', 'list'], { env: fx.env });
    expect(table.stdout).toContain(fx.certificateId);
    expect(table.stderr).toContain('of at most 5 active');
  });

  it('doctor warns when the certificate in use is within 30 days of expiry', async () => {
    const result = await runCli(['doctor', '--json'], { env: fx.env });
    const json = JSON.parse(result.stdout) as {
      checks: Array<{ check: string; status: string; detail: string }>;
    };
    expect(json.checks.find((c) => c.check === 'certificate expiry')).toMatchObject({ status: 'warn' });
  });

  it('cert rotate: overlap, then a later run revokes the old certificate; the new key is 0600 and never printed', async () => {
    const out = join(fx.dir, 'rotated');
    mkdirSync(out);
    // About one second of overlap: the second run, a second later, is past it.
    const args = ['cert', 'rotate', '--overlap-hours', '0.0003', '--out-dir', out, '--json'];
    const first = await runCli(args, { env: fx.env });
    expect(first.code, first.stderr).toBe(0);
    const started = JSON.parse(first.stdout) as {
      status: string;
      certificateId: string;
      privateKeyFile: string;
    };
    expect(started.status).toBe('overlap');
    expect(statSync(started.privateKeyFile).mode & 0o777).toBe(0o600);
    const newKey = readFileSync(started.privateKeyFile, 'utf8');
    expectNoSecrets(first, keyLines(newKey));
    expect(readdirSync(out).sort()).toHaveLength(2);
    await new Promise((r) => setTimeout(r, 1200));
    const env = {
      ...fx.env,
      NETSUITE_CERTIFICATE_ID: started.certificateId,
      NETSUITE_PRIVATE_KEY_FILE: started.privateKeyFile,
    };
    const second = await runCli(args, { env });
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({
      status: 'done',
      resumed: true,
      certificateId: started.certificateId,
    });
    const active = (await listJson(env)).filter((r) => r.status === 'ACTIVE');
    expect(active.map((r) => r.certificateId)).toEqual([started.certificateId]);
    expectNoSecrets(second, keyLines(newKey));
  });
});
