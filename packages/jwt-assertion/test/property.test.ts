// G10, scaled from 10^6 assertions to a few seconds of CI time (test/property.long.test.ts runs 10^6).
import type { KeyObject } from 'node:crypto';
import { isNetSuiteError } from '@netsuite-oauth/core';
import fc from 'fast-check';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ACCEPTED_ALGORITHMS,
  type AssertionAlgorithm,
  type AssertionSignerOptions,
  createAssertionSigner,
  isJwtAssertionError,
} from '../src/index.js';
import { expectNoLeak, keyPair, type Pair, pemFragments, verifyWithNode } from './helpers.js';

interface KeyCase {
  readonly pair: Pair;
  readonly algorithm: AssertionAlgorithm;
}

let cases: KeyCase[];
let secrets: string[];

beforeAll(async () => {
  const [rsa, p256, p384, p521] = await Promise.all([
    keyPair('rsa:3072'),
    keyPair('ec:P-256'),
    keyPair('ec:P-384'),
    keyPair('ec:P-521'),
  ]);
  cases = [
    { pair: rsa, algorithm: 'PS256' },
    { pair: rsa, algorithm: 'PS384' },
    { pair: rsa, algorithm: 'PS512' },
    { pair: p256, algorithm: 'ES256' },
    { pair: p384, algorithm: 'ES384' },
    { pair: p521, algorithm: 'ES512' },
  ];
  secrets = [rsa, p256].flatMap((p) =>
    pemFragments(p.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string),
  );
});

const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);
const certificateId = fc.stringMatching(/^[A-Za-z0-9_-]{43}$/);
const scope = fc.oneof(
  fc.subarray(['rest_webservices', 'restlets', 'suite_analytics'], { minLength: 1 }),
  fc.subarray(['rest_webservices', 'restlets', 'suite_analytics'], { minLength: 1 }).map((s) => s.join(',')),
  fc.constant('mcp'),
);
// From 1970 to 2100, in milliseconds.
const now = fc.integer({ min: 0, max: 4_102_444_800_000 });
const lifetime = fc.oneof(fc.constant(undefined), fc.integer({ min: 1, max: 3600 }));
// RSA signing costs ~1.5 ms, ECDSA ~0.05 ms: weight the cases so the run stays within seconds.
const caseIndex = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 2 }), weight: 1 },
  {
    arbitrary: fc.integer({ min: 3, max: 5 }),
    weight: 4,
  },
);

describe('G10: every assertion is valid, unique and within bounds (scaled: 10^6 in pnpm test:long)', () => {
  it('2 000 random assertions verify under jose and node:crypto, with allowed alg, bounded exp − iat, unique jti', async () => {
    const jtis = new Set<string>();
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(
        caseIndex,
        hex64,
        certificateId,
        scope,
        now,
        lifetime,
        fc.constantFrom('1234567', '1234567_SB1', 'TSTDRV7654321'),
        async (index, clientId, kid, scopeValue, at, lifetimeSeconds, accountId) => {
          const { pair, algorithm } = cases[index] as KeyCase;
          const options: AssertionSignerOptions = {
            key: pair.privateKey,
            certificateId: kid,
            clientId,
            accountId,
            scope: scopeValue,
            algorithm,
            now: () => at,
            ...(lifetimeSeconds === undefined ? {} : { lifetimeSeconds }),
          };
          const signer = await createAssertionSigner(options);
          const jwt = await signer.sign();
          const header = decodeProtectedHeader(jwt);
          expect(header).toEqual({ typ: 'JWT', alg: algorithm, kid });
          expect(ACCEPTED_ALGORITHMS).toContain(header.alg);
          const { payload } = await jwtVerify(jwt, pair.publicKey as KeyObject, {
            algorithms: [...ACCEPTED_ALGORITHMS],
            issuer: clientId,
            audience: signer.audience,
            typ: 'JWT',
            currentDate: new Date(at),
          });
          expect(verifyWithNode(jwt, pair.publicKey)).toBe(true);
          expect(typeof payload.aud).toBe('string');
          expect(payload.iat).toBe(Math.floor(at / 1000));
          const span = (payload.exp ?? 0) - (payload.iat ?? 0);
          expect(span).toBe(lifetimeSeconds ?? 300);
          expect(span).toBeGreaterThan(0);
          expect(span).toBeLessThanOrEqual(3600);
          expect(payload.scope).toEqual(scopeValue);
          const jti = payload.jti as string;
          expect(jti).toMatch(/^[A-Za-z0-9_-]{43}$/);
          expect(jtis.has(jti)).toBe(false);
          jtis.add(jti);
          runs++;
        },
      ),
      { numRuns: 2000 },
    );
    expect(runs).toBe(2000);
    expect(jtis.size).toBe(2000);
    // RSA-PSS signatures (a fifth of the cases) take long on a busy machine: room for that, not a speed bound.
  }, 90_000);

  it('20 000 assertions from one signer: 0 jti collisions, every claim set within bounds', async () => {
    const { pair } = cases[3] as KeyCase;
    let clock = 1_764_331_200_000;
    const signer = await createAssertionSigner({
      key: pair.privateKey,
      certificateId: 'HRril7VwkkW2y0wAzFR9GKk1LVTHSZPeq5EeWT2Fgks',
      clientId: 'a'.repeat(64),
      accountId: '1234567',
      now: () => clock++,
    });
    const jtis = new Set<string>();
    const count = 20_000;
    for (let i = 0; i < count; i++) {
      const jwt = await signer.sign();
      const payload = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()) as {
        jti: string;
        iat: number;
        exp: number;
        aud: unknown;
      };
      jtis.add(payload.jti);
      if (payload.exp - payload.iat !== 300 || typeof payload.aud !== 'string') {
        throw new Error(`claim bounds broken at assertion ${i}`);
      }
      // Check a sample of the signatures too (all of them are checked in the property above).
      if (i % 2000 === 0) expect(verifyWithNode(jwt, pair.publicKey)).toBe(true);
    }
    expect(jtis.size).toBe(count);
  });
});

describe('fuzzed configuration: always a signer or a typed error, never a leak', () => {
  it('any algorithm outside the six NetSuite accepts is refused', async () => {
    await fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.constantFrom('RS256', 'RS384', 'RS512', 'HS256', 'none', 'EdDSA', 'ES256K')),
        (algorithm) => {
          fc.pre(!(ACCEPTED_ALGORITHMS as readonly string[]).includes(algorithm));
          const { pair } = cases[0] as KeyCase;
          try {
            createAssertionSigner({
              key: pair.privateKey,
              certificateId: 'kid',
              clientId: 'client',
              accountId: '1234567',
              algorithm: algorithm as AssertionAlgorithm,
            });
          } catch (error) {
            expect(isJwtAssertionError(error)).toBe(true);
            expect((error as { code: string }).code).toBe('ERR_ASSERTION_UNSUPPORTED_ALGORITHM');
            return;
          }
          throw new Error('accepted a refused algorithm');
        },
      ),
      { numRuns: 500 },
    );
  });

  it('random values in every option give a signer or a typed NetSuiteError, and never echo the key', async () => {
    const realKey = (cases[3] as KeyCase).pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const value = fc.oneof(
      fc.anything({ maxDepth: 2 }),
      fc.string(),
      fc.constant(realKey),
      fc.uint8Array({ maxLength: 64 }),
      fc.integer(),
    );
    let signers = 0;
    let errors = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            key: fc.oneof(value, fc.constant(realKey)),
            passphrase: value,
            certificateId: fc.oneof(value, fc.constant('kid')),
            clientId: fc.oneof(value, fc.constant('client')),
            accountId: fc.oneof(value, fc.constant('1234567')),
            audience: value,
            scope: fc.oneof(value, fc.constant('restlets')),
            algorithm: value,
            lifetimeSeconds: fc.oneof(value, fc.integer({ min: 1, max: 4000 })),
            certificate: value,
          },
          { requiredKeys: [] },
        ),
        async (options) => {
          try {
            const signer = await createAssertionSigner(options as unknown as AssertionSignerOptions);
            await signer.sign();
            signers++;
          } catch (error) {
            expect(isNetSuiteError(error)).toBe(true);
            expectNoLeak(error, [...secrets, ...pemFragments(realKey)]);
            errors++;
          }
        },
      ),
      { numRuns: 1500 },
    );
    expect(errors).toBeGreaterThan(0);
    expect(signers + errors).toBe(1500);
  });
});
