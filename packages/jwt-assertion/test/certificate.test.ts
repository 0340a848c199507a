import { createPrivateKey, X509Certificate } from 'node:crypto';
import { oid, time } from '@netsuite-oauth/core/der';
import { importX509, jwtVerify } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { selfSignedCertificate, toPem } from '../src/certificate.js';
import {
  type CertificateKeyType,
  createAssertionSigner,
  type GeneratedCertificate,
  generateCertificate,
  inspectCertificate,
} from '../src/index.js';
import {
  CERTIFICATE_ID,
  CLIENT_ID,
  expectNoLeak,
  expectRejectCode,
  expectThrowCode,
  keyPair,
  pemFragments,
  TOKEN_URL,
  verifyWithNode,
} from './helpers.js';

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
const DAY = 86_400_000;
const KEY_TYPES: CertificateKeyType[] = ['rsa-3072', 'rsa-4096', 'ec-p256', 'ec-p384', 'ec-p521'];
const EXPECTED = {
  'rsa-3072': { alg: 'PS256', keyType: 'rsa', keySize: 3072, sigOid: 'RSASSA-PSS' },
  'rsa-4096': { alg: 'PS256', keyType: 'rsa', keySize: 4096, sigOid: 'RSASSA-PSS' },
  'ec-p256': { alg: 'ES256', keyType: 'ec', keySize: 256, curve: 'P-256' },
  'ec-p384': { alg: 'ES384', keyType: 'ec', keySize: 384, curve: 'P-384' },
  'ec-p521': { alg: 'ES512', keyType: 'ec', keySize: 521, curve: 'P-521' },
} as const;

const generated = new Map<CertificateKeyType, GeneratedCertificate>();

beforeAll(async () => {
  const all = await Promise.all(
    KEY_TYPES.map((keyType) =>
      generateCertificate({ keyType, commonName: `acme ${keyType}`, validityDays: 365, now: () => NOW }),
    ),
  );
  for (const [i, keyType] of KEY_TYPES.entries()) generated.set(keyType, all[i] as GeneratedCertificate);
});

describe('generateCertificate', () => {
  it.each(KEY_TYPES)('%s: a self-signed X.509 v3 certificate NetSuite accepts', async (keyType) => {
    const g = generated.get(keyType) as GeneratedCertificate;
    const expected = EXPECTED[keyType];
    expect(g.keyType).toBe(keyType);
    expect(g.algorithm).toBe(expected.alg);
    expect(g.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(g.certificatePem).toMatch(
      /^-----BEGIN CERTIFICATE-----\n(?:[A-Za-z0-9+/=]{1,64}\n)+-----END CERTIFICATE-----\n$/,
    );

    // OpenSSL (through node:crypto) parses it, its signature verifies, and the key matches.
    const cert = new X509Certificate(g.certificatePem);
    expect(cert.subject).toBe(`CN=acme ${keyType}`);
    expect(cert.issuer).toBe(cert.subject);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.checkPrivateKey(createPrivateKey(g.privateKeyPem))).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.fingerprint256).toBe(g.fingerprint);
    expect(g.fingerprint).toMatch(/^(?:[0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(g.notBefore.getTime()).toBe(NOW);
    expect(g.notAfter.getTime() - g.notBefore.getTime()).toBe(365 * DAY);
    expect(Date.parse(cert.validFrom)).toBe(NOW);
    expect(Date.parse(cert.validTo)).toBe(NOW + 365 * DAY);
    expect(cert.serialNumber).toMatch(/^[0-9A-F]{32}$/);
    expect(cert.toString()).toBe(g.certificatePem);

    const info = inspectCertificate(g.certificatePem, { privateKey: g.privateKeyPem, now: NOW + DAY });
    expect(info).toMatchObject({
      subject: `CN=acme ${keyType}`,
      selfSigned: true,
      keyType: expected.keyType,
      keySize: expected.keySize,
      fingerprint: g.fingerprint,
      daysLeft: 364,
      expired: false,
      acceptedByNetSuite: true,
      problems: [],
      notes: [],
      recommendedAlgorithm: expected.alg,
      matchesPrivateKey: true,
    });
    if ('curve' in expected) expect(info.curve).toBe(expected.curve);

    // The certificate is what NetSuite verifies assertions with: jose takes its public key from it.
    const signer = await createAssertionSigner({
      key: g.privateKeyPem,
      certificate: g.certificatePem,
      certificateId: CERTIFICATE_ID,
      clientId: CLIENT_ID,
      accountId: '1234567_SB1',
      now: () => NOW + DAY,
    });
    const jwt = await signer.sign();
    const publicKey = await importX509(g.certificatePem, expected.alg);
    const { payload } = await jwtVerify(jwt, publicKey, {
      algorithms: [expected.alg],
      audience: TOKEN_URL,
      currentDate: new Date(NOW + DAY),
    });
    expect(payload.iss).toBe(CLIENT_ID);
    expect(verifyWithNode(jwt, cert.publicKey)).toBe(true);
  });

  it('signs RSA certificates with RSASSA-PSS (Oracle’s recipe) and EC ones with the curve’s hash', () => {
    const rsaDer = new X509Certificate((generated.get('rsa-3072') as GeneratedCertificate).certificatePem)
      .raw;
    // id-RSASSA-PSS with SHA-256 / MGF1-SHA-256 / salt 32
    expect(rsaDer.includes(oid('1.2.840.113549.1.1.10'))).toBe(true);
    expect(rsaDer.includes(oid('1.2.840.113549.1.1.11'))).toBe(false); // not sha256WithRSAEncryption
    // The key itself stays a plain rsaEncryption key, usable for PS256 by any JOSE library.
    expect(rsaDer.includes(oid('1.2.840.113549.1.1.1'))).toBe(true);
    const p384 = new X509Certificate((generated.get('ec-p384') as GeneratedCertificate).certificatePem).raw;
    expect(p384.includes(oid('1.2.840.10045.4.3.3'))).toBe(true);
    const p521 = new X509Certificate((generated.get('ec-p521') as GeneratedCertificate).certificatePem).raw;
    expect(p521.includes(oid('1.2.840.10045.4.3.4'))).toBe(true);
  });

  it('marks the certificate as an end-entity signing certificate (basicConstraints, keyUsage, SKI)', () => {
    const der = new X509Certificate((generated.get('ec-p256') as GeneratedCertificate).certificatePem).raw;
    expect(der.includes(Buffer.from('0603551d130101ff04023000', 'hex'))).toBe(true); // basicConstraints critical, CA false
    expect(der.includes(Buffer.from('0603551d0f0101ff040403020780', 'hex'))).toBe(true); // keyUsage critical, digitalSignature
    expect(der.includes(Buffer.from('0603551d0e04160414', 'hex'))).toBe(true); // subjectKeyIdentifier, 20 bytes
  });

  it('defaults to RSA 3072 valid for 730 days (NetSuite’s two-year maximum)', async () => {
    const g = await generateCertificate({ now: () => NOW });
    expect(g.keyType).toBe('rsa-3072');
    expect(g.algorithm).toBe('PS256');
    expect(g.notAfter.getTime() - g.notBefore.getTime()).toBe(730 * DAY);
    expect(new X509Certificate(g.certificatePem).subject).toBe('CN=netsuite-oauth client credentials');
  });

  it('encrypts the private key with a passphrase, and the signer needs it', async () => {
    const passphrase = 'canary-generate-passphrase';
    const g = await generateCertificate({ keyType: 'ec-p256', passphrase });
    expect(g.privateKeyPem).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    const options = {
      key: g.privateKeyPem,
      certificateId: CERTIFICATE_ID,
      clientId: CLIENT_ID,
      accountId: '1234567',
    };
    expectThrowCode(() => createAssertionSigner(options), 'ERR_ASSERTION_PASSPHRASE_REQUIRED', [passphrase]);
    const signer = await createAssertionSigner({ ...options, passphrase, certificate: g.certificatePem });
    expect(signer.algorithm).toBe('ES256');
  });

  it('writes GeneralizedTime from 2050 on (RFC 5280 §4.1.2.5)', async () => {
    const start = Date.UTC(2049, 5, 1);
    const g = await generateCertificate({ keyType: 'ec-p256', validityDays: 730, now: () => start });
    const cert = new X509Certificate(g.certificatePem);
    expect(Date.parse(cert.validFrom)).toBe(start);
    expect(Date.parse(cert.validTo)).toBe(start + 730 * DAY);
    expect(time(new Date(Date.UTC(2049, 11, 31, 23, 59, 59))).toString('latin1')).toBe(
      '\x17\x0d491231235959Z',
    );
    expect(time(new Date(Date.UTC(2050, 0, 1))).toString('latin1')).toBe('\x18\x0f20500101000000Z');
  });

  it('refuses what NetSuite would refuse, and bad options', async () => {
    await expectRejectCode(generateCertificate({ validityDays: 731 }), 'ERR_ASSERTION_VALIDITY_TOO_LONG');
    await expectRejectCode(generateCertificate({ validityDays: 3650 }), 'ERR_ASSERTION_VALIDITY_TOO_LONG');
    for (const keyType of ['rsa-2048', 'rsa-1024', 'ed25519', 'ec-secp256k1', 'toString', '__proto__', 42]) {
      await expectRejectCode(
        generateCertificate({ keyType: keyType as CertificateKeyType }),
        'ERR_ASSERTION_INVALID_OPTION',
      );
    }
    for (const validityDays of [0, -1, 1.5, Number.NaN, '30']) {
      await expectRejectCode(
        generateCertificate({ validityDays: validityDays as number }),
        'ERR_ASSERTION_INVALID_OPTION',
      );
    }
    for (const commonName of ['', 'x'.repeat(65), 'a\nb', 42]) {
      await expectRejectCode(
        generateCertificate({ commonName: commonName as string }),
        'ERR_ASSERTION_INVALID_OPTION',
      );
    }
    await expectRejectCode(generateCertificate({ passphrase: '' }), 'ERR_ASSERTION_INVALID_OPTION');
    await expectRejectCode(generateCertificate({ days: 30 } as never), 'ERR_ASSERTION_INVALID_OPTION');
    await expectRejectCode(generateCertificate(null as never), 'ERR_ASSERTION_INVALID_OPTION');
    await expectRejectCode(generateCertificate({ now: () => Number.NaN }), 'ERR_ASSERTION_INVALID_CLOCK');
    await expectRejectCode(generateCertificate({ now: 'today' as never }), 'ERR_ASSERTION_INVALID_OPTION');
  });

  it('keeps a unicode common name intact', async () => {
    const g = await generateCertificate({ keyType: 'ec-p256', commonName: 'Müller & Söhne – 同期' });
    expect(new X509Certificate(g.certificatePem).subject).toBe('CN=Müller & Söhne – 同期');
  });
});

describe('inspectCertificate', () => {
  it('finds an RSA-2048 certificate unacceptable and says why', async () => {
    const weak = await keyPair('rsa:2048');
    const der = selfSignedCertificate(
      weak.privateKey,
      weak.publicKey,
      'weak',
      new Date(NOW),
      new Date(NOW + 30 * DAY),
    );
    const info = inspectCertificate(toPem('CERTIFICATE', der), { now: NOW });
    expect(info.acceptedByNetSuite).toBe(false);
    expect(info.keySize).toBe(2048);
    expect(info.recommendedAlgorithm).toBeUndefined();
    expect(info.problems).toEqual(['RSA key of 2048 bits: NetSuite accepts only RSA 3072 or 4096 bits']);
    expect(info.notes).toEqual(['expires in 30 days: map a new certificate before then']);
  });

  it('finds a secp256k1 certificate unacceptable', async () => {
    const k1 = await keyPair('ec:secp256k1');
    const der = selfSignedCertificate(
      k1.privateKey,
      k1.publicKey,
      'k1',
      new Date(NOW),
      new Date(NOW + 365 * DAY),
    );
    const info = inspectCertificate(der, { now: NOW });
    expect(info.acceptedByNetSuite).toBe(false);
    expect(info.curve).toBe('secp256k1');
    expect(info.problems[0]).toMatch(/secp256k1/);
  });

  it('reports expiry, days left, not-yet-valid and over-long validity', async () => {
    const p256 = await keyPair('ec:P-256');
    const long = selfSignedCertificate(
      p256.privateKey,
      p256.publicKey,
      'long',
      new Date(NOW),
      new Date(NOW + 3650 * DAY),
    );
    const info = inspectCertificate(long, { now: () => NOW + 10 * DAY });
    expect(info.acceptedByNetSuite).toBe(true);
    expect(info.daysLeft).toBe(3640);
    expect(info.notes).toEqual([
      'valid for more than two years: NetSuite shortens the validity to two years',
    ]);

    const g = generated.get('ec-p256') as GeneratedCertificate;
    const expired = inspectCertificate(g.certificatePem, { now: NOW + 400 * DAY });
    expect(expired.expired).toBe(true);
    expect(expired.daysLeft).toBe(-35);
    expect(expired.acceptedByNetSuite).toBe(false);
    expect(expired.problems).toEqual([
      'expired: NetSuite refuses assertions for it; generate and map a new certificate',
    ]);

    const early = inspectCertificate(g.certificatePem, { now: NOW - DAY });
    expect(early.acceptedByNetSuite).toBe(false);
    expect(early.problems).toEqual(['not valid yet (notBefore is in the future)']);
  });

  it('tells whether a private key matches, in any key form', async () => {
    const g = generated.get('rsa-3072') as GeneratedCertificate;
    const other = await keyPair('rsa:3072');
    const p256 = await keyPair('ec:P-256');
    expect(
      inspectCertificate(g.certificatePem, { privateKey: createPrivateKey(g.privateKeyPem) })
        .matchesPrivateKey,
    ).toBe(true);
    expect(
      inspectCertificate(g.certificatePem, {
        privateKey: createPrivateKey(g.privateKeyPem).export({ format: 'jwk' }),
      }).matchesPrivateKey,
    ).toBe(true);
    expect(inspectCertificate(g.certificatePem, { privateKey: other.privateKey }).matchesPrivateKey).toBe(
      false,
    );
    expect(inspectCertificate(g.certificatePem, { privateKey: p256.privateKey }).matchesPrivateKey).toBe(
      false,
    );
    expect(inspectCertificate(g.certificatePem).matchesPrivateKey).toBeUndefined();
    // A weak key still gets an answer: inspection reports, it does not judge the key.
    const weak = await keyPair('rsa:2048');
    expect(inspectCertificate(g.certificatePem, { privateKey: weak.privateKey }).matchesPrivateKey).toBe(
      false,
    );
  });

  it('refuses what is not a certificate, without echoing it', () => {
    const g = generated.get('ec-p256') as GeneratedCertificate;
    for (const input of ['garbage', '', g.privateKeyPem, Buffer.from('nope'), 42, null]) {
      expectThrowCode(
        () => inspectCertificate(input as string),
        'ERR_ASSERTION_INVALID_CERTIFICATE',
        pemFragments(g.privateKeyPem),
      );
    }
    expectThrowCode(
      () => inspectCertificate(g.certificatePem, { privateKey: g.certificatePem }),
      'ERR_ASSERTION_PUBLIC_KEY',
    );
    expectThrowCode(
      () => inspectCertificate(g.certificatePem, null as never),
      'ERR_ASSERTION_INVALID_OPTION',
    );
    expectThrowCode(
      () => inspectCertificate(g.certificatePem, { now: () => Number.NaN }),
      'ERR_ASSERTION_INVALID_CLOCK',
    );
    let caught: unknown;
    try {
      inspectCertificate(g.privateKeyPem);
    } catch (error) {
      caught = error;
    }
    expectNoLeak(caught, pemFragments(g.privateKeyPem));
  });
});
