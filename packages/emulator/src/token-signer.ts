import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { randomHex } from './random.js';

/** Signs the JWTs the emulator issues (ES256, key made at start; clients must treat them as opaque). */
export class TokenSigner {
  private readonly privateKey: KeyObject;
  readonly publicJwk: Record<string, unknown>;
  readonly kid: string;

  constructor(accountId: string) {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.privateKey = pair.privateKey;
    this.kid = `c.${accountId}.emulator-${randomHex(4)}`;
    this.publicJwk = { ...pair.publicKey.export({ format: 'jwk' }), kid: this.kid, alg: 'ES256', use: 'sig' };
  }

  sign(payload: Record<string, unknown>): string {
    const header = Buffer.from(JSON.stringify({ kid: this.kid, typ: 'JWT', alg: 'ES256' })).toString(
      'base64url',
    );
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    const input = `${header}.${body}`;
    const signature = sign('sha256', Buffer.from(input), { key: this.privateKey, dsaEncoding: 'ieee-p1363' });
    return `${input}.${signature.toString('base64url')}`;
  }
}
