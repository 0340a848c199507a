import { describe, expect, it } from 'vitest';
import { generateTestCertificate, parseCertificate } from '../src/certificate.js';
import { isEmulatorError } from '../src/errors.js';

describe('generateTestCertificate / parseCertificate', () => {
  it.each(['ec-p256', 'ec-p384', 'ec-p521'] as const)('round-trips a %s certificate', (keyType) => {
    const cert = generateTestCertificate({ keyType });
    const parsed = parseCertificate(cert.certificatePem);
    expect(parsed.keyType).toBe(keyType);
    expect(parsed.notAfter).toBeGreaterThan(Date.now());
    expect(cert.privateKeyPem).toContain('BEGIN PRIVATE KEY');
  });

  it('makes an RSA 3072 certificate for PS256', () => {
    const cert = generateTestCertificate({ keyType: 'rsa-3072' });
    expect(cert.algorithm).toBe('PS256');
    expect(parseCertificate(cert.certificatePem).keyType).toBe('rsa-3072');
  });

  it('caps validity at two years as NetSuite does', () => {
    const cert = generateTestCertificate({ validityDays: 1000 });
    const parsed = parseCertificate(cert.certificatePem);
    expect(parsed.notAfter - parsed.notBefore).toBe(730 * 86_400_000);
  });

  it.each([
    ['not a string', 42],
    ['not PEM', 'hello'],
    ['garbage PEM', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----'],
  ])('refuses %s with ERR_EMULATOR_INVALID_CERTIFICATE', (_name, input) => {
    try {
      parseCertificate(input);
      expect.unreachable();
    } catch (e) {
      expect(isEmulatorError(e) && e.code).toBe('ERR_EMULATOR_INVALID_CERTIFICATE');
    }
  });

  it('refuses bad options', () => {
    expect(() => generateTestCertificate({ validityDays: 0 })).toThrow(/validityDays/);
    expect(() => generateTestCertificate({ keyType: 'rsa-2048' as never })).toThrow(/keyType/);
  });
});
