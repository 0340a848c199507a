import { constants, type KeyObject, type SignKeyObjectInput } from 'node:crypto';
import { JwtAssertionError } from './errors.js';
import type { KeyInfo, NetSuiteCurve } from './keys.js';

/**
 * The JWS algorithms NetSuite accepts for client assertions: RSASSA-PSS and ECDSA only.
 * RS256/RS384/RS512 (RSA PKCS#1 v1.5) are refused by NetSuite and cannot be expressed here.
 *
 * @see https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_162790605110.html
 * @example
 * const alg: AssertionAlgorithm = 'PS256';
 */
export type AssertionAlgorithm = 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'ES512';

/**
 * Every algorithm NetSuite accepts, in order of preference.
 *
 * @example
 * ACCEPTED_ALGORITHMS.includes('RS256' as AssertionAlgorithm); // false
 */
export const ACCEPTED_ALGORITHMS: readonly AssertionAlgorithm[] = Object.freeze([
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
]);

const HASH: Record<AssertionAlgorithm, 'sha256' | 'sha384' | 'sha512'> = {
  PS256: 'sha256',
  PS384: 'sha384',
  PS512: 'sha512',
  ES256: 'sha256',
  ES384: 'sha384',
  ES512: 'sha512',
};

const HASH_BYTES = { sha256: 32, sha384: 48, sha512: 64 } as const;

const EC_ALGORITHM: Record<NetSuiteCurve, AssertionAlgorithm> = {
  'P-256': 'ES256',
  'P-384': 'ES384',
  'P-521': 'ES512',
};

/** The digest an algorithm uses. */
export function hashOf(algorithm: AssertionAlgorithm): 'sha256' | 'sha384' | 'sha512' {
  return HASH[algorithm];
}

/** The algorithm NetSuite wants for a key: PS256 for RSA, the curve's own ES* for EC. */
export function recommendedAlgorithm(
  info: Pick<KeyInfo, 'family' | 'curve' | 'pssHash'>,
): AssertionAlgorithm {
  if (info.family === 'ec') return EC_ALGORITHM[info.curve ?? 'P-256'];
  if (info.pssHash === 'sha384') return 'PS384';
  if (info.pssHash === 'sha512') return 'PS512';
  return 'PS256';
}

function isAccepted(value: string): value is AssertionAlgorithm {
  return (ACCEPTED_ALGORITHMS as readonly string[]).includes(value);
}

/**
 * Picks the algorithm for a key: the requested one if NetSuite accepts it and it fits the key,
 * else a typed error that says what to use instead.
 */
export function chooseAlgorithm(info: KeyInfo, requested: unknown): AssertionAlgorithm {
  const inferred = recommendedAlgorithm(info);
  if (requested === undefined) return inferred;
  if (typeof requested !== 'string') {
    throw new JwtAssertionError(
      'ERR_ASSERTION_INVALID_OPTION',
      `algorithm must be one of ${ACCEPTED_ALGORITHMS.join(', ')}`,
    );
  }
  if (/^RS(256|384|512)$/.test(requested)) {
    throw new JwtAssertionError(
      'ERR_ASSERTION_UNSUPPORTED_ALGORITHM',
      `algorithm ${requested} (RSA PKCS#1 v1.5) is refused by NetSuite; use PS${requested.slice(2)} with the same RSA key, or leave algorithm unset`,
    );
  }
  if (/^HS\d+$/i.test(requested)) {
    throw new JwtAssertionError(
      'ERR_ASSERTION_UNSUPPORTED_ALGORITHM',
      `algorithm ${requested} (HMAC) is refused by NetSuite; client credentials need an RSA or EC key pair and PS256 or ES256`,
    );
  }
  if (requested.toLowerCase() === 'none') {
    throw new JwtAssertionError(
      'ERR_ASSERTION_UNSUPPORTED_ALGORITHM',
      'algorithm none (an unsigned JWT) is never accepted; leave algorithm unset to use the key’s own algorithm',
    );
  }
  if (!isAccepted(requested)) {
    throw new JwtAssertionError(
      'ERR_ASSERTION_UNSUPPORTED_ALGORITHM',
      `algorithm must be one of ${ACCEPTED_ALGORITHMS.join(', ')} (NetSuite accepts only RSASSA-PSS and ECDSA)`,
    );
  }
  if (info.family === 'rsa') {
    if (!requested.startsWith('PS')) {
      throw new JwtAssertionError(
        'ERR_ASSERTION_ALGORITHM_KEY_MISMATCH',
        `algorithm ${requested} needs an EC key, but key is RSA; use PS256 (or leave algorithm unset)`,
      );
    }
    if (info.pssHash !== undefined && info.pssHash !== HASH[requested]) {
      throw new JwtAssertionError(
        'ERR_ASSERTION_ALGORITHM_KEY_MISMATCH',
        `key is an RSASSA-PSS key bound to ${info.pssHash}; use ${inferred} (or leave algorithm unset)`,
      );
    }
    if (info.pssMinSaltLength !== undefined && info.pssMinSaltLength > HASH_BYTES[HASH[requested]]) {
      throw new JwtAssertionError(
        'ERR_ASSERTION_ALGORITHM_KEY_MISMATCH',
        `key is an RSASSA-PSS key that requires a salt longer than ${requested} uses`,
      );
    }
    return requested;
  }
  if (requested !== inferred) {
    throw new JwtAssertionError(
      'ERR_ASSERTION_ALGORITHM_KEY_MISMATCH',
      requested.startsWith('PS')
        ? `algorithm ${requested} needs an RSA key, but key is EC ${info.curve}; use ${inferred} (or leave algorithm unset)`
        : `algorithm ${requested} does not fit an EC ${info.curve} key (NetSuite requires the curve to match the hash); use ${inferred}`,
    );
  }
  return requested;
}

/** The node:crypto sign options for an algorithm: PSS with salt = hash length, or IEEE P1363 ECDSA (JWS form). */
export function signOptionsFor(algorithm: AssertionAlgorithm, key: KeyObject): SignKeyObjectInput {
  if (algorithm.startsWith('PS')) {
    return {
      key,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: HASH_BYTES[HASH[algorithm]],
    };
  }
  return { key, dsaEncoding: 'ieee-p1363' };
}
