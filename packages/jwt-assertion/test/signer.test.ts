import { createHook } from 'node:async_hooks';
import { createSecretKey, KeyObject, pbkdf2, randomBytes, webcrypto } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { inspect, promisify } from 'node:util';
import { NetSuiteConfigError } from '@netsuite-oauth/core';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type AssertionSigner,
  type AssertionSignerOptions,
  createAssertionSigner,
  createClientAssertion,
  createMultiCertificateSigner,
  generateCertificate,
} from '../src/index.js';
import {
  ACCOUNT_ID,
  CERTIFICATE_ID,
  CLIENT_ID,
  expectNoLeak,
  expectRejectCode,
  expectThrowCode,
  keyPair,
  type Pair,
  pemFragments,
  TOKEN_URL,
  verifyBoth,
  verifyWithNode,
} from './helpers.js';

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0, 500);
const PASSPHRASE = 'canary-passphrase-7f3e1b';

let rsa: Pair;
let p256: Pair;
let p384: Pair;
let p521: Pair;
let rsaPem: string;
let secrets: string[];

function base(
  key: AssertionSignerOptions['key'],
  extra: Partial<AssertionSignerOptions> = {},
): AssertionSignerOptions {
  return {
    key,
    certificateId: CERTIFICATE_ID,
    clientId: CLIENT_ID,
    accountId: ACCOUNT_ID,
    now: () => NOW,
    ...extra,
  };
}

beforeAll(async () => {
  [rsa, p256, p384, p521] = await Promise.all([
    keyPair('rsa:3072'),
    keyPair('ec:P-256'),
    keyPair('ec:P-384'),
    keyPair('ec:P-521'),
  ]);
  rsaPem = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  secrets = [
    PASSPHRASE,
    ...pemFragments(rsaPem),
    ...pemFragments(p256.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string),
  ];
});

describe('assertion shape (NetSuite "The Request Token Structure", R07, R08, R12)', () => {
  it('has exactly typ/alg/kid in the header and iss/scope/aud/iat/exp/jti in the payload', async () => {
    const signer = await createAssertionSigner(base(rsaPem));
    const jwt = await signer.sign();
    expect(decodeProtectedHeader(jwt)).toEqual({ typ: 'JWT', alg: 'PS256', kid: CERTIFICATE_ID });
    const payload = await verifyBoth(jwt, rsa.publicKey, { alg: 'PS256', now: NOW });
    expect(Object.keys(payload)).toEqual(['iss', 'scope', 'aud', 'iat', 'exp', 'jti']);
    expect(payload.iss).toBe(CLIENT_ID);
    expect(payload.aud).toBe(TOKEN_URL);
    expect(typeof payload.aud).toBe('string');
    expect(payload.scope).toEqual(['rest_webservices']);
    expect(payload.iat).toBe(Math.floor(NOW / 1000));
    expect(payload.exp).toBe(Math.floor(NOW / 1000) + 300);
    expect(payload.jti).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('takes undefined for an optional field as if it were left out (types allow maybe-undefined values)', async () => {
    const maybe = (v: number | undefined): number | undefined => v;
    const given = await createAssertionSigner(
      base(rsaPem, { lifetimeSeconds: maybe(undefined), algorithm: undefined, scope: undefined }),
    );
    const left = await createAssertionSigner(base(rsaPem));
    const { sign: _a, ...givenShape } = given;
    const { sign: _b, ...leftShape } = left;
    expect(givenShape).toEqual(leftShape);
    expect(decodeProtectedHeader(await given.sign())).toEqual(decodeProtectedHeader(await left.sign()));
    const payload = decodeJwt(await given.sign({ scope: undefined, now: undefined }));
    expect(payload.scope).toEqual(['rest_webservices']);
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(300);
  });

  it('exposes its configuration and nothing secret', async () => {
    const signer = await createAssertionSigner(base(rsaPem, { lifetimeSeconds: 3600 }));
    expect(signer).toMatchObject({
      algorithm: 'PS256',
      certificateId: CERTIFICATE_ID,
      clientId: CLIENT_ID,
      audience: TOKEN_URL,
      lifetimeSeconds: 3600,
    });
    expect(Object.isFrozen(signer)).toBe(true);
    const shown = `${inspect(signer, { depth: 10, showHidden: true })}${JSON.stringify(signer)}`;
    for (const fragment of pemFragments(rsaPem)) expect(shown.includes(fragment)).toBe(false);
    const payload = decodeJwt(await signer.sign());
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(3600);
  });

  it('derives aud from the account id, or takes an audience for the emulator', async () => {
    const prod = await createAssertionSigner(base(p256.privateKey, { accountId: 'tstdrv1234567' }));
    expect(prod.audience).toBe(
      'https://tstdrv1234567.suitetalk.api.netsuite.com/services/rest/auth/oauth2/v1/token',
    );
    const emulator = 'http://127.0.0.1:4321/services/rest/auth/oauth2/v1/token';
    const local = await createAssertionSigner(base(p256.privateKey, { audience: emulator }));
    expect(decodeJwt(await local.sign()).aud).toBe(emulator);
    const restlets = 'https://1234567-sb1.restlets.api.netsuite.com/services/rest/auth/oauth2/v1/token';
    const both = await createAssertionSigner(base(p256.privateKey, { audience: restlets }));
    expect(both.audience).toBe(restlets);
  });

  it('keeps scope as a string or an array, as given, and lets sign() override it', async () => {
    const asString = await createAssertionSigner(
      base(p256.privateKey, { scope: 'restlets,rest_webservices' }),
    );
    expect(decodeJwt(await asString.sign()).scope).toBe('restlets,rest_webservices');
    const asArray = await createAssertionSigner(
      base(p256.privateKey, { scope: ['restlets', 'suite_analytics'] }),
    );
    expect(decodeJwt(await asArray.sign()).scope).toEqual(['restlets', 'suite_analytics']);
    expect(decodeJwt(await asArray.sign({ scope: 'mcp' })).scope).toBe('mcp');
  });

  it('stamps the time given to sign() (clock-skew correction, R15) and re-reads the clock each time', async () => {
    let clock = NOW;
    const signer = await createAssertionSigner(base(p256.privateKey, { now: () => clock }));
    expect(decodeJwt(await signer.sign()).iat).toBe(Math.floor(NOW / 1000));
    clock += 61_000;
    expect(decodeJwt(await signer.sign()).iat).toBe(Math.floor(NOW / 1000) + 61);
    expect(decodeJwt(await signer.sign({ now: 1_000_000_000_000 })).iat).toBe(1_000_000_000);
  });

  it('makes a fresh jti on every sign (R10)', async () => {
    const signer = await createAssertionSigner(base(p256.privateKey));
    const jtis = new Set<unknown>();
    for (let i = 0; i < 200; i++) jtis.add(decodeJwt(await signer.sign()).jti);
    expect(jtis.size).toBe(200);
  });

  it('createClientAssertion signs one assertion', async () => {
    const jwt = await createClientAssertion(base(p384.privateKey));
    await verifyBoth(jwt, p384.publicKey, { alg: 'ES384', now: NOW });
  });
});

describe('keys in every form', () => {
  it.each([
    ['PKCS#8 PEM', () => rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }), undefined],
    [
      'PKCS#1 PEM (BEGIN RSA PRIVATE KEY)',
      () => rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }),
      undefined,
    ],
    [
      'encrypted PKCS#8 PEM',
      () =>
        rsa.privateKey.export({
          type: 'pkcs8',
          format: 'pem',
          cipher: 'aes-256-cbc',
          passphrase: PASSPHRASE,
        }),
      PASSPHRASE,
    ],
    [
      'legacy encrypted PKCS#1 PEM (Proc-Type: 4,ENCRYPTED)',
      () =>
        rsa.privateKey.export({
          type: 'pkcs1',
          format: 'pem',
          cipher: 'aes-128-cbc',
          passphrase: PASSPHRASE,
        }),
      PASSPHRASE,
    ],
    [
      'PKCS#8 DER bytes',
      () => new Uint8Array(rsa.privateKey.export({ type: 'pkcs8', format: 'der' })),
      undefined,
    ],
    ['PKCS#1 DER bytes', () => rsa.privateKey.export({ type: 'pkcs1', format: 'der' }), undefined],
    [
      'encrypted PKCS#8 DER bytes',
      () =>
        rsa.privateKey.export({
          type: 'pkcs8',
          format: 'der',
          cipher: 'aes-256-cbc',
          passphrase: PASSPHRASE,
        }),
      PASSPHRASE,
    ],
    [
      'PEM as bytes',
      () => Buffer.from(rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string),
      undefined,
    ],
    ['JWK object', () => rsa.privateKey.export({ format: 'jwk' }), undefined],
    ['JWK JSON text', () => JSON.stringify(rsa.privateKey.export({ format: 'jwk' })), undefined],
    ['KeyObject', () => rsa.privateKey, undefined],
    [
      'certificate and key in one PEM file',
      () => `${CERT_PLACEHOLDER}\n${rsa.privateKey.export({ type: 'pkcs8', format: 'pem' })}`,
      undefined,
    ],
  ])('RSA key as %s signs PS256', async (_name, make, passphrase) => {
    const key = make() as AssertionSignerOptions['key'];
    const signer = await createAssertionSigner(base(key, passphrase === undefined ? {} : { passphrase }));
    expect(signer.algorithm).toBe('PS256');
    await verifyBoth(await signer.sign(), rsa.publicKey, { alg: 'PS256', now: NOW });
  });

  it.each([
    ['SEC1 PEM (BEGIN EC PRIVATE KEY)', () => p256.privateKey.export({ type: 'sec1', format: 'pem' })],
    ['SEC1 DER', () => p256.privateKey.export({ type: 'sec1', format: 'der' })],
    ['PKCS#8 PEM', () => p256.privateKey.export({ type: 'pkcs8', format: 'pem' })],
    ['JWK', () => p256.privateKey.export({ format: 'jwk' })],
  ])('EC key as %s signs ES256', async (_name, make) => {
    const signer = await createAssertionSigner(base(make() as AssertionSignerOptions['key']));
    expect(signer.algorithm).toBe('ES256');
    await verifyBoth(await signer.sign(), p256.publicKey, { alg: 'ES256', now: NOW });
  });

  it('takes a non-extractable WebCrypto CryptoKey', async () => {
    const der = rsa.privateKey.export({ type: 'pkcs8', format: 'der' });
    const cryptoKey = await webcrypto.subtle.importKey(
      'pkcs8',
      der,
      { name: 'RSA-PSS', hash: 'SHA-256' },
      false,
      ['sign'],
    );
    const signer = await createAssertionSigner(base(cryptoKey));
    await verifyBoth(await signer.sign(), rsa.publicKey, { alg: 'PS256', now: NOW });
    const ecDer = p521.privateKey.export({ type: 'pkcs8', format: 'der' });
    const ecKey = await webcrypto.subtle.importKey(
      'pkcs8',
      ecDer,
      { name: 'ECDSA', namedCurve: 'P-521' },
      false,
      ['sign'],
    );
    const ecSigner = await createAssertionSigner(base(ecKey));
    await verifyBoth(await ecSigner.sign(), p521.publicKey, { alg: 'ES512', now: NOW });
  });

  it('infers the algorithm from the key: RSA → PS256, P-256 → ES256, P-384 → ES384, P-521 → ES512', async () => {
    const algs = await Promise.all(
      [rsa, p256, p384, p521].map(
        async (pair) => (await createAssertionSigner(base(pair.privateKey))).algorithm,
      ),
    );
    expect(algs).toEqual(['PS256', 'ES256', 'ES384', 'ES512']);
  });

  it('lets RSA keys use PS384 and PS512, verified by jose and node:crypto', async () => {
    for (const algorithm of ['PS384', 'PS512'] as const) {
      const signer = await createAssertionSigner(base(rsa.privateKey, { algorithm }));
      await verifyBoth(await signer.sign(), rsa.publicKey, { alg: algorithm, now: NOW });
    }
  });

  it('takes an RSASSA-PSS-only key (id-RSASSA-PSS) bound to SHA-256', async () => {
    const pss = await keyPair('rsa-pss:3072');
    const signer = await createAssertionSigner(base(pss.privateKey));
    expect(signer.algorithm).toBe('PS256');
    // jose (WebCrypto) cannot import an id-RSASSA-PSS public key, so node:crypto alone checks this one.
    expect(verifyWithNode(await signer.sign(), pss.publicKey)).toBe(true);
    expectThrowCode(
      () => createAssertionSigner(base(pss.privateKey, { algorithm: 'PS384' })),
      'ERR_ASSERTION_ALGORITHM_KEY_MISMATCH',
    );
  });

  it('checks the key against the certificate and signs when they match', async () => {
    const generated = await generateCertificate({ keyType: 'ec-p256', now: () => NOW - 1000 });
    const signer = await createAssertionSigner(
      base(generated.privateKeyPem, { certificate: generated.certificatePem }),
    );
    expect(signer.algorithm).toBe('ES256');
  });
});

// A certificate block that precedes the key in a combined PEM file (its content does not matter here).
const CERT_PLACEHOLDER = '-----BEGIN CERTIFICATE-----\nTUlJQg==\n-----END CERTIFICATE-----';

describe('refusals: everything NetSuite would refuse, with a typed error that says what to do', () => {
  it('refuses RS256, RS384, RS512 and points to PS*', () => {
    for (const algorithm of ['RS256', 'RS384', 'RS512']) {
      expectThrowCode(
        () => createAssertionSigner(base(rsaPem, { algorithm: algorithm as 'PS256' })),
        'ERR_ASSERTION_UNSUPPORTED_ALGORITHM',
        secrets,
      );
    }
    try {
      createAssertionSigner(base(rsaPem, { algorithm: 'RS256' as 'PS256' }));
    } catch (error) {
      expect((error as Error).message).toContain('PS256');
    }
  });

  it.each(['HS256', 'HS512', 'none', 'NONE', 'EdDSA', 'ps256', 'RSA-OAEP'])(
    'refuses algorithm %s',
    (algorithm) => {
      expectThrowCode(
        () => createAssertionSigner(base(rsaPem, { algorithm: algorithm as 'PS256' })),
        'ERR_ASSERTION_UNSUPPORTED_ALGORITHM',
        secrets,
      );
    },
  );

  it('refuses an algorithm that does not fit the key', () => {
    const cases: Array<[Pair, string]> = [
      [rsa, 'ES256'],
      [p256, 'PS256'],
      [p256, 'ES384'],
      [p384, 'ES256'],
      [p521, 'ES384'],
    ];
    for (const [pair, algorithm] of cases) {
      expectThrowCode(
        () => createAssertionSigner(base(pair.privateKey, { algorithm: algorithm as 'PS256' })),
        'ERR_ASSERTION_ALGORITHM_KEY_MISMATCH',
      );
    }
  });

  it('refuses RSA under 3072 bits (ERR_ASSERTION_WEAK_KEY) in every form', async () => {
    const weak = await keyPair('rsa:2048');
    const weakPem = weak.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;
    for (const key of [weakPem, weak.privateKey, weak.privateKey.export({ format: 'jwk' })]) {
      expectThrowCode(
        () => createAssertionSigner(base(key as AssertionSignerOptions['key'])),
        'ERR_ASSERTION_WEAK_KEY',
        pemFragments(weakPem),
      );
    }
    const tiny = await keyPair('rsa:1024');
    expectThrowCode(() => createAssertionSigner(base(tiny.privateKey)), 'ERR_ASSERTION_WEAK_KEY');
  });

  it('refuses keys NetSuite does not take: Ed25519, secp256k1, RSA of another size', async () => {
    const [ed, k1, odd] = await Promise.all([
      keyPair('ed25519'),
      keyPair('ec:secp256k1'),
      keyPair('rsa:3104'),
    ]);
    for (const pair of [ed, k1, odd]) {
      expectThrowCode(() => createAssertionSigner(base(pair.privateKey)), 'ERR_ASSERTION_UNSUPPORTED_KEY');
    }
  });

  it('refuses HMAC secrets in every form', async () => {
    const secret = randomBytes(32);
    const hmacKey = await webcrypto.subtle.importKey(
      'raw',
      secret,
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign'],
    );
    const forms: unknown[] = [
      createSecretKey(secret),
      { kty: 'oct', k: secret.toString('base64url') },
      JSON.stringify({ kty: 'oct', k: secret.toString('base64url') }),
      hmacKey,
    ];
    for (const key of forms) {
      expectThrowCode(
        () => createAssertionSigner(base(key as AssertionSignerOptions['key'])),
        'ERR_ASSERTION_HMAC_KEY',
        [secret.toString('base64url'), secret.toString('base64')],
      );
    }
  });

  it('refuses a public key or a certificate passed as the private key', async () => {
    const generated = await generateCertificate({ keyType: 'ec-p256' });
    const publicCryptoKey = await webcrypto.subtle.importKey(
      'spki',
      p256.publicKey.export({ type: 'spki', format: 'der' }),
      { name: 'ECDSA', namedCurve: 'P-256' },
      true,
      ['verify'],
    );
    const forms: unknown[] = [
      rsa.publicKey,
      rsa.publicKey.export({ type: 'spki', format: 'pem' }),
      rsa.publicKey.export({ type: 'pkcs1', format: 'pem' }),
      rsa.publicKey.export({ type: 'spki', format: 'der' }),
      p256.publicKey.export({ format: 'jwk' }),
      publicCryptoKey,
      generated.certificatePem,
      Buffer.from(generated.certificatePem.replace(/-----[^-]+-----|\s/g, ''), 'base64'),
    ];
    for (const key of forms) {
      expectThrowCode(
        () => createAssertionSigner(base(key as AssertionSignerOptions['key'])),
        'ERR_ASSERTION_PUBLIC_KEY',
      );
    }
  });

  it('refuses unreadable keys', async () => {
    const ecdh = await webcrypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, false, [
      'deriveBits',
    ]);
    const forms: unknown[] = [
      'garbage',
      '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----',
      '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----',
      '{not json',
      { kty: 'RSA', d: 'AAAA', n: 'AAAA', e: 'AQAB' },
      { kty: 42 },
      randomBytes(64),
      42,
      [],
      { foo: 1 },
      ecdh.privateKey,
    ];
    for (const key of forms) {
      expectThrowCode(
        () => createAssertionSigner(base(key as AssertionSignerOptions['key'])),
        'ERR_ASSERTION_INVALID_KEY',
      );
    }
    expectThrowCode(
      () => createAssertionSigner(base(undefined as unknown as string)),
      'ERR_ASSERTION_INVALID_OPTION',
    );
  });

  it('asks for a passphrase, and refuses a wrong one, without echoing either', () => {
    const encrypted = [
      rsa.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: PASSPHRASE }),
      rsa.privateKey.export({ type: 'pkcs1', format: 'pem', cipher: 'aes-128-cbc', passphrase: PASSPHRASE }),
      p256.privateKey.export({ type: 'sec1', format: 'pem', cipher: 'aes-128-cbc', passphrase: PASSPHRASE }),
    ] as string[];
    for (const key of encrypted) {
      expectThrowCode(() => createAssertionSigner(base(key)), 'ERR_ASSERTION_PASSPHRASE_REQUIRED', [
        ...secrets,
        ...pemFragments(key),
      ]);
      expectThrowCode(
        () => createAssertionSigner(base(key, { passphrase: 'wrong-canary-passphrase' })),
        'ERR_ASSERTION_BAD_PASSPHRASE',
        [...secrets, 'wrong-canary-passphrase', ...pemFragments(key)],
      );
    }
    const der = rsa.privateKey.export({
      type: 'pkcs8',
      format: 'der',
      cipher: 'aes-256-cbc',
      passphrase: PASSPHRASE,
    });
    expectThrowCode(() => createAssertionSigner(base(der)), 'ERR_ASSERTION_PASSPHRASE_REQUIRED');
    expectThrowCode(
      () => createAssertionSigner(base(der, { passphrase: 'wrong-canary-passphrase' })),
      'ERR_ASSERTION_BAD_PASSPHRASE',
      ['wrong-canary-passphrase', PASSPHRASE],
    );
    expectThrowCode(
      () => createAssertionSigner(base(rsaPem, { passphrase: 42 as unknown as string })),
      'ERR_ASSERTION_INVALID_OPTION',
    );
  });

  it('refuses a key that does not match the certificate', async () => {
    const generated = await generateCertificate({ keyType: 'ec-p256' });
    expectThrowCode(
      () => createAssertionSigner(base(p256.privateKey, { certificate: generated.certificatePem })),
      'ERR_ASSERTION_CERTIFICATE_MISMATCH',
      [...secrets, ...pemFragments(generated.certificatePem)],
    );
    expectThrowCode(
      () => createAssertionSigner(base(rsa.privateKey, { certificate: generated.certificatePem })),
      'ERR_ASSERTION_CERTIFICATE_MISMATCH',
    );
  });

  it('refuses an expired or not-yet-valid certificate', async () => {
    const generated = await generateCertificate({ keyType: 'ec-p256', validityDays: 1, now: () => NOW });
    const options = { certificate: generated.certificatePem };
    expectThrowCode(
      () =>
        createAssertionSigner({ ...base(generated.privateKeyPem, options), now: () => NOW + 2 * 86_400_000 }),
      'ERR_ASSERTION_CERTIFICATE_EXPIRED',
    );
    expectThrowCode(
      () => createAssertionSigner({ ...base(generated.privateKeyPem, options), now: () => NOW - 60_000 }),
      'ERR_ASSERTION_CERTIFICATE_EXPIRED',
    );
    // A long-running signer starts refusing once its certificate expires.
    let clock = NOW + 1000;
    const signer = await createAssertionSigner({
      ...base(generated.privateKeyPem, options),
      now: () => clock,
    });
    expect(typeof (await signer.sign())).toBe('string');
    clock = NOW + 86_400_000 + 1000;
    await expectRejectCode(signer.sign(), 'ERR_ASSERTION_CERTIFICATE_EXPIRED');
  });

  it('refuses an unreadable certificate', () => {
    for (const certificate of ['garbage', rsaPem, 42]) {
      expectThrowCode(
        () => createAssertionSigner(base(rsa.privateKey, { certificate: certificate as string })),
        'ERR_ASSERTION_INVALID_CERTIFICATE',
        secrets,
      );
    }
  });

  it('refuses a missing or malformed kid (certificateId)', () => {
    for (const certificateId of [undefined, '', 42]) {
      expectThrowCode(
        () => createAssertionSigner(base(rsaPem, { certificateId: certificateId as string })),
        'ERR_ASSERTION_MISSING_KID',
      );
    }
    for (const certificateId of [
      'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89',
      'a'.repeat(40),
      'has space',
      'tab\tinside',
    ]) {
      expectThrowCode(
        () => createAssertionSigner(base(rsaPem, { certificateId })),
        'ERR_ASSERTION_INVALID_KID',
      );
    }
  });

  it('refuses a missing iss (clientId), or the Application ID in its place', () => {
    for (const clientId of [undefined, '', null]) {
      expectThrowCode(
        () => createAssertionSigner(base(rsaPem, { clientId: clientId as unknown as string })),
        'ERR_ASSERTION_MISSING_ISS',
      );
    }
    for (const clientId of ['0b2a8a9e-4a5f-4c1e-9a3b-2f1d0c9e8b7a', 'client id', 'x\ny']) {
      expectThrowCode(() => createAssertionSigner(base(rsaPem, { clientId })), 'ERR_ASSERTION_INVALID_ISS');
    }
  });

  it('refuses exp more than 3600 s after iat, and nonsense lifetimes', () => {
    for (const lifetimeSeconds of [3601, 7200, Number.MAX_SAFE_INTEGER]) {
      expectThrowCode(
        () => createAssertionSigner(base(rsaPem, { lifetimeSeconds })),
        'ERR_ASSERTION_LIFETIME_TOO_LONG',
      );
    }
    for (const lifetimeSeconds of [0, -5, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '300']) {
      expectThrowCode(
        () => createAssertionSigner(base(rsaPem, { lifetimeSeconds: lifetimeSeconds as number })),
        'ERR_ASSERTION_INVALID_OPTION',
      );
    }
  });

  it('refuses a missing or bad audience', () => {
    const { accountId: _drop, ...noAccount } = base(rsaPem);
    expectThrowCode(() => createAssertionSigner(noAccount), 'ERR_ASSERTION_MISSING_AUDIENCE');
    for (const audience of [
      'not a url',
      'http://example.com/services/rest/auth/oauth2/v1/token',
      'ftp://127.0.0.1/token',
      'https://user:pw@example.com/token',
      'https://example.com/token#frag',
      42,
    ]) {
      expectThrowCode(
        () => createAssertionSigner(base(rsaPem, { audience: audience as string })),
        'ERR_ASSERTION_INVALID_AUDIENCE',
      );
    }
    expectThrowCode(
      () => createAssertionSigner(base(rsaPem, { accountId: 42 as unknown as string })),
      'ERR_ASSERTION_INVALID_OPTION',
    );
    let caught: unknown;
    try {
      createAssertionSigner(base(rsaPem, { accountId: 'evil.com/x' }));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(NetSuiteConfigError);
    expect((caught as NetSuiteConfigError).code).toBe('ERR_CORE_INVALID_ACCOUNT_ID');
  });

  it('refuses scopes NetSuite does not know', async () => {
    const bad: unknown[] = [
      'openid',
      'rest_webservices restlets',
      '',
      'restlets,',
      [],
      ['restlets', 'restlets'],
      ['mcp', 'restlets'],
      42,
      [1],
      { scope: 'restlets' },
      null,
    ];
    for (const scope of bad) {
      expectThrowCode(
        () => createAssertionSigner(base(rsaPem, { scope: scope as string })),
        'ERR_ASSERTION_INVALID_SCOPE',
      );
    }
    const signer = await createAssertionSigner(base(p256.privateKey));
    await expectRejectCode(signer.sign({ scope: 'email' }), 'ERR_ASSERTION_INVALID_SCOPE');
  });

  it('refuses attempts to set package-owned claims (R13) and unknown options', async () => {
    for (const claim of ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'nbf', 'kid', 'alg', 'typ']) {
      expectThrowCode(
        () => createAssertionSigner({ ...base(rsaPem), [claim]: 'x' } as AssertionSignerOptions),
        'ERR_ASSERTION_RESERVED_CLAIM',
      );
    }
    expectThrowCode(
      () => createAssertionSigner({ ...base(rsaPem), certificateID: 'x' } as AssertionSignerOptions),
      'ERR_ASSERTION_INVALID_OPTION',
    );
    const signer = await createAssertionSigner(base(p256.privateKey));
    await expectRejectCode(signer.sign({ jti: 'fixed' } as never), 'ERR_ASSERTION_RESERVED_CLAIM');
    await expectRejectCode(signer.sign({ exp: 1 } as never), 'ERR_ASSERTION_RESERVED_CLAIM');
    await expectRejectCode(signer.sign({ scopes: 'restlets' } as never), 'ERR_ASSERTION_INVALID_OPTION');
    await expectRejectCode(signer.sign('restlets' as never), 'ERR_ASSERTION_INVALID_OPTION');
    await expectRejectCode(signer.sign(null as never), 'ERR_ASSERTION_INVALID_OPTION');
  });

  it('refuses non-object options and a clock that is not a function', () => {
    for (const options of [undefined, null, 'key', 42]) {
      expectThrowCode(
        () => createAssertionSigner(options as unknown as AssertionSignerOptions),
        'ERR_ASSERTION_INVALID_OPTION',
      );
    }
    expectThrowCode(
      () => createAssertionSigner(base(rsaPem, { now: 5 as unknown as () => number })),
      'ERR_ASSERTION_INVALID_OPTION',
    );
    expectThrowCode(
      () => createAssertionSigner(base(rsaPem, { algorithm: 42 as unknown as 'PS256' })),
      'ERR_ASSERTION_INVALID_OPTION',
    );
  });

  it('rejects sign() when the clock is broken', async () => {
    for (const value of [Number.NaN, -1, Number.POSITIVE_INFINITY, '1700000000000']) {
      const signer: AssertionSigner = await createAssertionSigner(
        base(p256.privateKey, { now: () => value as number }),
      );
      await expectRejectCode(signer.sign(), 'ERR_ASSERTION_INVALID_CLOCK');
    }
    const good = await createAssertionSigner(base(p256.privateKey));
    await expectRejectCode(good.sign({ now: Number.NaN }), 'ERR_ASSERTION_INVALID_CLOCK');
  });

  it('throws configuration errors synchronously (house style), before a promise exists', () => {
    expect(() => createAssertionSigner(base(rsaPem, { lifetimeSeconds: 9999 }))).toThrow(
      /lifetimeSeconds must be at most 3600/,
    );
    expect(() => createClientAssertion(base(rsaPem, { algorithm: 'RS256' as 'PS256' }))).toThrow(/RS256/);
  });

  it('never puts key material in an error, even with the key in every option', () => {
    let caught: unknown;
    try {
      createAssertionSigner({
        key: rsaPem,
        certificateId: rsaPem,
        clientId: rsaPem,
        accountId: rsaPem,
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(Error);
    expectNoLeak(caught, secrets);
  });
});

describe('KeyObject identity', () => {
  it('does not keep the caller’s KeyObject reachable from the signer', async () => {
    const signer = await createAssertionSigner(base(rsa.privateKey));
    expect(Object.values(signer).some((v) => v instanceof KeyObject)).toBe(false);
  });
});

describe('signing off the event loop', () => {
  const pbkdf2Async = promisify(pbkdf2);
  // Tests may read the environment (libraries never do): the pool is as large as UV_THREADPOOL_SIZE says.
  const poolSize = Number(process.env.UV_THREADPOOL_SIZE ?? 4);

  it('signs PS256, PS512, ES384 and ES512 on the thread pool: the loop turns while the signature waits', async () => {
    const cases = [
      { pair: rsa, algorithm: 'PS256' },
      { pair: rsa, algorithm: 'PS512' },
      { pair: p384, algorithm: 'ES384' },
      { pair: p521, algorithm: 'ES512' },
    ] as const;
    for (const { pair, algorithm } of cases) {
      const signer = await createAssertionSigner(base(pair.privateKey, { algorithm }));
      // Every pool thread busy first, so the signature cannot be done when the loop next turns however loaded
      // the machine is; a signature made on the event loop is done before sign() even returns.
      let freed = 0;
      const busy = Promise.all(
        Array.from({ length: poolSize }, () =>
          pbkdf2Async('busy', 'salt', 20_000, 64, 'sha512').then(() => {
            freed++;
          }),
        ),
      );
      let signed = false;
      const signing = signer.sign().then((jwt) => {
        signed = true;
        return jwt;
      });
      const signedAtNextTurn = await new Promise<boolean>((resolve) => setImmediate(() => resolve(signed)));
      expect(signedAtNextTurn, `${algorithm} signed on the event loop`).toBe(false);
      const jwt = await signing;
      expect(freed, `${algorithm} signature overtook the busy pool`).toBeGreaterThan(0);
      await busy;
      await verifyBoth(jwt, pair.publicKey, { alg: algorithm, now: NOW });
    }
  });

  it('keeps every signature valid when many are in flight at once', async () => {
    const rsaSigner = await createAssertionSigner(base(rsa.privateKey));
    const ecSigner = await createAssertionSigner(base(p384.privateKey));
    const jwts = await Promise.all(
      Array.from({ length: 12 }, (_, i) => (i % 2 ? ecSigner : rsaSigner).sign()),
    );
    expect(new Set(jwts.map((jwt) => decodeJwt(jwt).jti)).size).toBe(jwts.length);
    await Promise.all(
      jwts.map((jwt, i) =>
        verifyBoth(jwt, i % 2 ? p384.publicKey : rsa.publicKey, { alg: i % 2 ? 'ES384' : 'PS256', now: NOW }),
      ),
    );
  });
  /**
   * Counts node:crypto's asynchronous sign jobs as Node itself reports them (async_hooks resource `SIGNREQUEST`,
   * created when a job is handed to the thread pool, its callback run when the job is done), and returns the
   * most that were in flight at once while `work` ran.
   */
  async function mostSignJobsInFlight(work: () => Promise<unknown>): Promise<number> {
    const live = new Set<number>();
    let most = 0;
    const hook = createHook({
      init(id, type) {
        if (type !== 'SIGNREQUEST') return;
        live.add(id);
        most = Math.max(most, live.size);
      },
      before(id) {
        live.delete(id);
      },
    });
    hook.enable();
    try {
      await work();
    } finally {
      hook.disable();
    }
    return most;
  }

  it('never has more than threadPoolConcurrency signatures on the pool, across signers given the same value', async () => {
    const one = await createAssertionSigner(base(rsa.privateKey, { threadPoolConcurrency: 2 }));
    const other = await createAssertionSigner(base(p384.privateKey, { threadPoolConcurrency: 2 }));
    let jwts: string[] = [];
    const most = await mostSignJobsInFlight(async () => {
      jwts = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? other : one).sign()));
    });
    // Exactly 2: never more, and the gate does let two run in parallel.
    expect(most).toBe(2);
    await Promise.all(
      jwts.map((jwt, i) =>
        verifyBoth(jwt, i % 2 ? p384.publicKey : rsa.publicKey, { alg: i % 2 ? 'ES384' : 'PS256', now: NOW }),
      ),
    );
  });

  it('caps the pool at one signature per core but one by default, shared with a multi-certificate signer', async () => {
    const cap = Math.max(1, availableParallelism() - 1);
    const single = await createAssertionSigner(base(rsa.privateKey));
    const multi = await createMultiCertificateSigner({
      clientId: CLIENT_ID,
      accountId: ACCOUNT_ID,
      now: () => NOW,
      certificates: [
        { key: rsa.privateKey, certificateId: CERTIFICATE_ID },
        { key: rsa.privateKey, certificateId: `${CERTIFICATE_ID.slice(0, -1)}Z` },
      ],
    });
    const most = await mostSignJobsInFlight(() =>
      Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? multi : single).sign())),
    );
    expect(most).toBe(Math.min(cap, 8));
  });

  it('passes threadPoolConcurrency through a multi-certificate signer', async () => {
    const multi = await createMultiCertificateSigner({
      clientId: CLIENT_ID,
      accountId: ACCOUNT_ID,
      now: () => NOW,
      threadPoolConcurrency: 3,
      certificates: [{ key: rsa.privateKey, certificateId: CERTIFICATE_ID }],
    });
    const most = await mostSignJobsInFlight(() => Promise.all(Array.from({ length: 8 }, () => multi.sign())));
    expect(most).toBe(3);
  });

  it('hands every signature to the pool at once with threadPoolConcurrency: Infinity', async () => {
    const signer = await createAssertionSigner(
      base(rsa.privateKey, { threadPoolConcurrency: Number.POSITIVE_INFINITY }),
    );
    const most = await mostSignJobsInFlight(() =>
      Promise.all(Array.from({ length: 8 }, () => signer.sign())),
    );
    expect(most).toBe(8);
  });

  it.each([0, -1, 1.5, Number.NaN, '2', null])('refuses threadPoolConcurrency %s', (value) => {
    expectThrowCode(
      () => createAssertionSigner(base(rsa.privateKey, { threadPoolConcurrency: value as number })),
      'ERR_ASSERTION_INVALID_OPTION',
    );
  });
});
