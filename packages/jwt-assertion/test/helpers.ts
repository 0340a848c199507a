import {
  constants,
  verify as cryptoVerify,
  generateKeyPair,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { inspect, promisify } from 'node:util';
import { isNetSuiteError } from '@netsuite-oauth/core';
import { type decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { expect } from 'vitest';
import { isJwtAssertionError, JwtAssertionError } from '../src/index.js';

const generate = promisify(generateKeyPair);

export interface Pair {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

const cache = new Map<string, Promise<Pair>>();

/** Key pairs are slow to make (RSA 4096: seconds), so each test file makes each kind once. */
export function keyPair(kind: string): Promise<Pair> {
  let pair = cache.get(kind);
  if (pair === undefined) {
    const [type, size] = kind.split(':');
    if (type === 'rsa') pair = generate('rsa', { modulusLength: Number(size) });
    else if (type === 'rsa-pss')
      pair = Promise.resolve(
        generateKeyPairSync('rsa-pss', {
          modulusLength: Number(size),
          hashAlgorithm: 'sha256',
        }),
      );
    else if (type === 'ec') pair = generate('ec', { namedCurve: size ?? 'P-256' });
    else if (type === 'ed25519') pair = generate('ed25519');
    else throw new Error(`unknown key kind ${kind}`);
    cache.set(kind, pair);
  }
  return pair;
}

export const CLIENT_ID = '1c343a716c1dceb60e7fc149fa6735929ef77d28fe16293f892976dde7d8e3e2';
export const CERTIFICATE_ID = 'HRril7VwkkW2y0wAzFR9GKk1LVTHSZPeq5EeWT2Fgks';
export const ACCOUNT_ID = '1234567_SB1';
export const TOKEN_URL = 'https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/auth/oauth2/v1/token';

const HASH = { '256': 'sha256', '384': 'sha384', '512': 'sha512' } as const;

/** Checks a JWS with node:crypto.verify, independently of jose. */
export function verifyWithNode(jwt: string, publicKey: KeyObject): boolean {
  const [h, p, s] = jwt.split('.');
  const alg = decodeProtectedHeader(jwt).alg ?? '';
  const hash = HASH[alg.slice(2) as '256'];
  const input = Buffer.from(`${h}.${p}`);
  const signature = Buffer.from(s ?? '', 'base64url');
  if (alg.startsWith('PS')) {
    return cryptoVerify(
      hash,
      input,
      { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(alg.slice(2)) / 8 },
      signature,
    );
  }
  return cryptoVerify(hash, input, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature);
}

/** Verifies with jose (issuer, audience, algorithm pinned) and node:crypto, and returns the claims. */
export async function verifyBoth(
  jwt: string,
  publicKey: KeyObject,
  expected: { alg: string; iss?: string; aud?: string; now?: number },
): Promise<ReturnType<typeof decodeJwt>> {
  const { payload, protectedHeader } = await jwtVerify(jwt, publicKey, {
    algorithms: [expected.alg],
    issuer: expected.iss ?? CLIENT_ID,
    audience: expected.aud ?? TOKEN_URL,
    typ: 'JWT',
    ...(expected.now === undefined ? {} : { currentDate: new Date(expected.now) }),
  });
  expect(protectedHeader.alg).toBe(expected.alg);
  expect(verifyWithNode(jwt, publicKey)).toBe(true);
  return payload;
}

/** Strings that must never appear in an error: key material, passphrases, assertions. */
export function expectNoLeak(error: unknown, secrets: readonly string[]): void {
  const seen: string[] = [];
  let e: unknown = error;
  for (let depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    if (e instanceof Error) seen.push(e.message, e.stack ?? '');
    seen.push(inspect(e, { depth: 5 }));
    try {
      seen.push(JSON.stringify(e));
    } catch {
      // circular: inspect covers it
    }
    e = (e as { cause?: unknown }).cause;
  }
  const all = seen.join('\n');
  for (const secret of secrets) {
    if (secret.length > 0) expect(all.includes(secret)).toBe(false);
  }
}

/** Fragments of a PEM's base64 body: if any shows up in an error, key material leaked. */
export function pemFragments(pem: string): string[] {
  const body = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  const out: string[] = [];
  for (let i = 0; i + 24 <= body.length; i += 97) out.push(body.slice(i, i + 24));
  return out;
}

function checkError(caught: unknown, code: string, secrets: readonly string[]): void {
  expect(caught).toBeInstanceOf(JwtAssertionError);
  expect(isJwtAssertionError(caught)).toBe(true);
  expect(isNetSuiteError(caught)).toBe(true);
  expect((caught as JwtAssertionError).code).toBe(code);
  expect((caught as Error).name).toBe('JwtAssertionError');
  expect((caught as Error).message.length).toBeGreaterThan(10);
  expectNoLeak(caught, secrets);
}

/** Expects `fn` to throw synchronously a JwtAssertionError with `code`, leaking none of `secrets`. */
export function expectThrowCode(fn: () => unknown, code: string, secrets: readonly string[] = []): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  checkError(caught, code, secrets);
}

/** Expects `promise` to reject with a JwtAssertionError with `code`, leaking none of `secrets`. */
export async function expectRejectCode(
  promise: Promise<unknown>,
  code: string,
  secrets: readonly string[] = [],
): Promise<void> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  checkError(caught, code, secrets);
}
