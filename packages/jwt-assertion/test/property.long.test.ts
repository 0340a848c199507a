// `pnpm test:long`: G10 at the figure's scale, 10^6 assertions, every one checked (the default suite checks
// 22,000). ES256 carries the volume (RSA-PSS at ~1.5 ms a signature would take 25 minutes for 10^6); every
// other accepted algorithm signs 2,000 of them.

import { reportFigure } from '@netsuite-oauth/test-utils';
import { decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { ACCEPTED_ALGORITHMS, type AssertionAlgorithm, createAssertionSigner } from '../src/index.js';
import { ACCOUNT_ID, CERTIFICATE_ID, CLIENT_ID, keyPair, TOKEN_URL, verifyWithNode } from './helpers.js';

const TOTAL = 1_000_000;
const PER_OTHER_ALGORITHM = 2_000;

interface Claims {
  iss: unknown;
  sub: unknown;
  aud: unknown;
  iat: unknown;
  exp: unknown;
  jti: unknown;
  scope: unknown;
}

describe('G10 at full scale: client assertions', () => {
  it('G10: 10^6 assertions → 0 jti collisions; 100 % verify, allowed alg, typ JWT, string aud, exp − iat ≤ 300', async () => {
    const plan: Array<[AssertionAlgorithm, string, number]> = [
      ['PS256', 'rsa:2048', PER_OTHER_ALGORITHM],
      ['PS384', 'rsa:3072', PER_OTHER_ALGORITHM],
      ['PS512', 'rsa:4096', PER_OTHER_ALGORITHM],
      ['ES384', 'ec:P-384', PER_OTHER_ALGORITHM],
      ['ES512', 'ec:P-521', PER_OTHER_ALGORITHM],
    ];
    plan.unshift(['ES256', 'ec:P-256', TOTAL - PER_OTHER_ALGORITHM * plan.length]);
    const jtis = new Set<string>();
    let clock = 1_764_331_200_000;
    let bad = 0;
    let verified = 0;
    const started = performance.now();
    for (const [algorithm, kind, count] of plan) {
      const pair = await keyPair(kind);
      const signer = await createAssertionSigner({
        key: pair.privateKey,
        certificateId: CERTIFICATE_ID,
        clientId: CLIENT_ID,
        accountId: ACCOUNT_ID,
        algorithm,
        now: () => clock,
      });
      expect(signer.audience).toBe(TOKEN_URL);
      for (let i = 0; i < count; i++) {
        clock += 7;
        const jwt = await signer.sign();
        const header = decodeProtectedHeader(jwt);
        const claims = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()) as Claims;
        const span = (claims.exp as number) - (claims.iat as number);
        const ok =
          header.typ === 'JWT' &&
          header.alg === algorithm &&
          (ACCEPTED_ALGORITHMS as readonly string[]).includes(algorithm) &&
          header.kid === CERTIFICATE_ID &&
          claims.iss === CLIENT_ID &&
          typeof claims.aud === 'string' &&
          claims.aud === TOKEN_URL &&
          claims.iat === Math.floor(clock / 1000) &&
          span > 0 &&
          span <= 300 &&
          typeof claims.jti === 'string' &&
          verifyWithNode(jwt, pair.publicKey);
        if (!ok) bad += 1;
        else verified += 1;
        jtis.add(claims.jti as string);
      }
    }
    const seconds = (performance.now() - started) / 1000;
    expect(bad).toBe(0);
    expect(jtis.size).toBe(TOTAL);
    reportFigure(
      'G10',
      `client assertions: ${TOTAL.toLocaleString('en-US')} signed in ${seconds.toFixed(0)} s (ES256 ` +
        `${(TOTAL - PER_OTHER_ALGORITHM * 5).toLocaleString('en-US')}, PS256/PS384/PS512/ES384/ES512 ` +
        `${PER_OTHER_ALGORITHM.toLocaleString('en-US')} each) → ${TOTAL - jtis.size} jti collisions; ` +
        `${verified.toLocaleString('en-US')} (100 %) verify with node:crypto, allowed alg, typ JWT, string aud = ` +
        'token URL, 0 < exp − iat ≤ 300',
    );
  });
});
