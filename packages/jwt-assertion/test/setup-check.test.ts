import { generateKeyPairSync } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkClientCredentialsSetup, generateCertificate, type SetupFinding } from '../src/index.js';

const CLIENT_ID = 'a'.repeat(64);
const CERT_ID = 'HRril7VwkkW2y0wAzFR9GKk1LVTHSZPeq5EeWT2Fgks';
let ec: Awaited<ReturnType<typeof generateCertificate>>;
let other: Awaited<ReturnType<typeof generateCertificate>>;

beforeAll(async () => {
  ec = await generateCertificate({ keyType: 'ec-p256' });
  other = await generateCertificate({ keyType: 'ec-p384' });
});

function finding(findings: SetupFinding[], check: SetupFinding['check']): SetupFinding | undefined {
  return findings.find((f) => f.check === check);
}

describe('checkClientCredentialsSetup', () => {
  it('passes a good setup, one finding per part, and never shows the key', () => {
    const findings = checkClientCredentialsSetup({
      clientId: CLIENT_ID,
      certificateId: CERT_ID,
      key: ec.privateKeyPem,
      certificate: ec.certificatePem,
    });
    expect(findings.map((f) => [f.check, f.status])).toEqual([
      ['client id', 'ok'],
      ['certificate id', 'ok'],
      ['private key', 'ok'],
      ['algorithm', 'ok'],
      ['certificate', 'ok'],
    ]);
    expect(finding(findings, 'algorithm')?.detail).toBe('ES256 (from the key)');
    expect(finding(findings, 'certificate')?.detail).toContain('matches the key');
    const body = ec.privateKeyPem.split('\n')[1] ?? '';
    expect(JSON.stringify(findings)).not.toContain(body);
  });

  it('applies the signer’s own id rules: GUIDs with or without braces, thumbprints in every form', () => {
    for (const clientId of [
      '6ACBD51C-1F2E-4D3C-9B8A-0123456789AB',
      '{6acbd51c-1f2e-4d3c-9b8a-0123456789ab}',
    ]) {
      expect(finding(checkClientCredentialsSetup({ clientId }), 'client id')).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining('Application ID'),
      });
    }
    const colon = Array.from({ length: 32 }, () => 'AB').join(':');
    for (const certificateId of ['ab'.repeat(20), 'cd'.repeat(32), colon, CLIENT_ID]) {
      expect(
        finding(checkClientCredentialsSetup({ clientId: CLIENT_ID, certificateId }), 'certificate id')
          ?.status,
      ).toBe('fail');
    }
    expect(
      finding(checkClientCredentialsSetup({ clientId: 'short-but-printable' }), 'client id')?.status,
    ).toBe('warn');
    expect(finding(checkClientCredentialsSetup({}), 'client id')?.detail).toBe('not set');
  });

  it('refuses keys, algorithms and certificates NetSuite refuses', () => {
    const rsa2048 = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    }) as string;
    expect(finding(checkClientCredentialsSetup({ key: rsa2048 }), 'private key')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('2048 bits'),
    });
    expect(
      finding(checkClientCredentialsSetup({ key: ec.privateKeyPem, algorithm: 'RS256' }), 'algorithm'),
    ).toMatchObject({
      status: 'fail',
      hint: expect.stringContaining('refused by NetSuite'),
    });
    expect(
      finding(checkClientCredentialsSetup({ key: ec.privateKeyPem, algorithm: 'ES384' }), 'algorithm')
        ?.status,
    ).toBe('fail');
    const mismatch = checkClientCredentialsSetup({
      key: ec.privateKeyPem,
      certificate: other.certificatePem,
    });
    expect(finding(mismatch, 'certificate')?.detail).toBe('does not match the private key');
    const later = checkClientCredentialsSetup({
      certificate: ec.certificatePem,
      now: () => Date.now() + 800 * 86_400_000,
    });
    expect(finding(later, 'certificate')?.detail).toMatch(/^expired on /);
    const soon = checkClientCredentialsSetup({
      certificate: ec.certificatePem,
      now: () => ec.notAfter.getTime() - 10 * 86_400_000,
    });
    expect(finding(soon, 'certificate')?.status).toBe('warn');
    expect(finding(checkClientCredentialsSetup({ key: 'not a key' }), 'private key')?.status).toBe('fail');
    expect(finding(checkClientCredentialsSetup({}), 'certificate')?.status).toBe('skip');
  });
});
