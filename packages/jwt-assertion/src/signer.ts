import { sign as cryptoSign, randomFillSync, type SignKeyObjectInput, X509Certificate } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { isLoopbackUrl, netsuiteEndpoints } from '@netsuite-oauth/core';
import { type AssertionAlgorithm, chooseAlgorithm, hashOf, signOptionsFor } from './algorithms.js';
import { JwtAssertionError } from './errors.js';
import { certificateIdProblem, clientIdProblem } from './ids.js';
import { describeKey, importPrivateKey, type PrivateKeyInput } from './keys.js';

/**
 * A NetSuite scope for the client-credentials assertion: one value, a comma-separated string
 * (`'restlets,rest_webservices'`) or an array (`['restlets', 'rest_webservices']`), as NetSuite takes both.
 *
 * @see https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_162790605110.html
 * @example
 * const scope: AssertionScope = ['rest_webservices', 'restlets'];
 */
export type AssertionScope = string | readonly string[];

/**
 * The scope values NetSuite knows for client credentials. `mcp` must be used alone.
 *
 * @example
 * NETSUITE_SCOPES.includes('rest_webservices'); // true
 */
export const NETSUITE_SCOPES: readonly string[] = Object.freeze([
  'rest_webservices',
  'restlets',
  'suite_analytics',
  'mcp',
]);

/**
 * The longest assertion NetSuite accepts: `exp − iat` must be at most 3600 s.
 *
 * @example
 * await createAssertionSigner({ ...options, lifetimeSeconds: MAX_LIFETIME_SECONDS });
 */
export const MAX_LIFETIME_SECONDS = 3600;
/**
 * Our default `exp − iat`: short, so a leaked assertion is soon useless (RFC 7523 §3, docs/security.md#client-assertions).
 *
 * @example
 * signer.lifetimeSeconds === DEFAULT_LIFETIME_SECONDS; // when lifetimeSeconds was not given
 */
export const DEFAULT_LIFETIME_SECONDS = 300;

/**
 * Options of {@link createAssertionSigner} and {@link createClientAssertion}.
 *
 * @example
 * const options: AssertionSignerOptions = {
 *   key: privateKeyPem, certificateId: 'HRril7VwkkW2y0wAzFR9GKk1LVTHSZPeq5EeWT2Fgks',
 *   clientId: '1c34…e3e2', accountId: '1234567_SB1', scope: ['rest_webservices'],
 * };
 */
export interface AssertionSignerOptions {
  /** The private key whose certificate is mapped in NetSuite's OAuth 2.0 Client Credentials (M2M) Setup. */
  readonly key: PrivateKeyInput;
  /** Passphrase of an encrypted PEM/DER key. Used once at import and not kept. */
  readonly passphrase?: string | undefined;
  /** The Certificate ID NetSuite generated for the mapping (JWT `kid`); not a fingerprint. */
  readonly certificateId: string;
  /** The integration record's Client ID (JWT `iss`); not the Application ID. */
  readonly clientId: string;
  /** The account id (`1234567`, `1234567_SB1`); `aud` becomes its token URL. */
  readonly accountId?: string | undefined;
  /**
   * The token URL to put in `aud`, overriding the one derived from `accountId` (the emulator, a proxy).
   * Must be `https:`, or `http:` on a loopback host.
   */
  readonly audience?: string | undefined;
  /** @default ['rest_webservices'] */
  readonly scope?: AssertionScope | undefined;
  /** Overrides the algorithm inferred from the key, within what NetSuite accepts and the key fits. */
  readonly algorithm?: AssertionAlgorithm | undefined;
  /** `exp − iat` in seconds, an integer from 1 to 3600. @default 300 */
  readonly lifetimeSeconds?: number | undefined;
  /** The certificate (PEM or DER) registered in NetSuite; when given, the key is checked to match it. */
  readonly certificate?: string | Uint8Array | undefined;
  /** The clock, in epoch milliseconds. @default Date.now */
  readonly now?: (() => number) | undefined;
  /**
   * The most signatures computed on libuv's thread pool at once (RSA, ES384, ES512; ES256 signs in place), shared
   * by every signer of the process given the same value; further `sign()` calls wait their turn. Keeping one core
   * free of signing lets the event loop run on time while a burst is signed; `Infinity` hands every signature to
   * the pool at once (the pool's own `UV_THREADPOOL_SIZE`, 4 by default, is then the limit).
   * @default Math.max(1, os.availableParallelism() - 1)
   */
  readonly threadPoolConcurrency?: number | undefined;
}

/**
 * Options of {@link AssertionSigner.sign}.
 *
 * @example
 * await signer.sign({ scope: 'restlets', now: Date.now() + serverClockOffsetMs });
 */
export interface SignOptions {
  /** A scope for this one assertion, instead of the signer's. */
  readonly scope?: AssertionScope | undefined;
  /** The time to stamp, in epoch milliseconds (for clock-skew correction); defaults to the signer's clock. */
  readonly now?: number | undefined;
}

/**
 * Signs NetSuite client assertions with one imported key. Holds no key material in its own properties.
 *
 * @example
 * const assertion = await signer.sign();
 */
export interface AssertionSigner {
  readonly algorithm: AssertionAlgorithm;
  readonly certificateId: string;
  readonly clientId: string;
  readonly audience: string;
  readonly lifetimeSeconds: number;
  /**
   * Signs a fresh assertion: new `jti`, `iat` = now, `exp` = `iat` + lifetime. Call it for every token
   * request and every retry. RSA (PS*) and P-384/P-521 (ES384/ES512) signatures are computed on libuv's thread
   * pool, so the event loop stays free while they run (1.6 ms for RSA-3072, 5 ms for RSA-4096), at most
   * `threadPoolConcurrency` at once; ES256 signs in place (about 35 µs).
   *
   * @throws {JwtAssertionError} (rejects) `ERR_ASSERTION_INVALID_SCOPE`, `ERR_ASSERTION_INVALID_CLOCK`,
   *   `ERR_ASSERTION_INVALID_OPTION`, `ERR_ASSERTION_RESERVED_CLAIM`, and `ERR_ASSERTION_CERTIFICATE_EXPIRED`
   *   once the signer's `certificate` has expired.
   */
  sign(options?: SignOptions): Promise<string>;
}

const SIGNER_OPTIONS = new Set([
  'key',
  'passphrase',
  'certificateId',
  'clientId',
  'accountId',
  'audience',
  'scope',
  'algorithm',
  'lifetimeSeconds',
  'certificate',
  'now',
  'threadPoolConcurrency',
]);
const SIGN_OPTIONS = new Set(['scope', 'now']);
const RESERVED_CLAIMS = new Set([
  'iss',
  'sub',
  'aud',
  'iat',
  'exp',
  'jti',
  'nbf',
  'kid',
  'typ',
  'alg',
  'claims',
]);

function checkKeys(options: object, allowed: Set<string>, where: string): void {
  for (const name of Object.keys(options)) {
    if (allowed.has(name)) continue;
    if (RESERVED_CLAIMS.has(name)) {
      throw new JwtAssertionError(
        'ERR_ASSERTION_RESERVED_CLAIM',
        `${where} cannot set ${name}: iss, aud, iat, exp, jti and the header are set by this package`,
      );
    }
    throw new JwtAssertionError('ERR_ASSERTION_INVALID_OPTION', `${where} has an unknown option ${name}`);
  }
}

/** Checks a scope and returns its JSON form, preserving string vs array. */
export function scopeJson(scope: unknown, option = 'scope'): string {
  const values =
    typeof scope === 'string'
      ? scope.split(',')
      : Array.isArray(scope) && scope.every((s) => typeof s === 'string')
        ? (scope as string[])
        : undefined;
  if (values === undefined) {
    throw new JwtAssertionError(
      'ERR_ASSERTION_INVALID_SCOPE',
      `${option} must be a string or an array of strings, e.g. ['rest_webservices']`,
    );
  }
  if (values.length === 0 || values.some((v) => v === '')) {
    throw new JwtAssertionError(
      'ERR_ASSERTION_INVALID_SCOPE',
      `${option} must name at least one of ${NETSUITE_SCOPES.join(', ')} with no empty entries`,
    );
  }
  for (const value of values) {
    if (!NETSUITE_SCOPES.includes(value)) {
      throw new JwtAssertionError(
        'ERR_ASSERTION_INVALID_SCOPE',
        /\s/.test(value)
          ? `${option} values are separated by a comma or given as an array, not by spaces`
          : `${option} values must be among ${NETSUITE_SCOPES.join(', ')}`,
      );
    }
  }
  if (new Set(values).size !== values.length) {
    throw new JwtAssertionError('ERR_ASSERTION_INVALID_SCOPE', `${option} lists a value twice`);
  }
  if (values.includes('mcp') && values.length > 1) {
    throw new JwtAssertionError(
      'ERR_ASSERTION_INVALID_SCOPE',
      `${option} mcp must be used alone (NetSuite rule)`,
    );
  }
  return JSON.stringify(typeof scope === 'string' ? scope : [...values]);
}

function requiredString(
  value: unknown,
  code: 'ERR_ASSERTION_MISSING_KID' | 'ERR_ASSERTION_MISSING_ISS',
  message: string,
): string {
  if (typeof value !== 'string' || value.length === 0) throw new JwtAssertionError(code, message);
  return value;
}

function checkAudience(value: unknown): string {
  if (typeof value !== 'string') {
    throw new JwtAssertionError('ERR_ASSERTION_INVALID_AUDIENCE', 'audience must be a URL string');
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new JwtAssertionError('ERR_ASSERTION_INVALID_AUDIENCE', 'audience must be an absolute URL');
  }
  if (url.username || url.password || url.hash) {
    throw new JwtAssertionError(
      'ERR_ASSERTION_INVALID_AUDIENCE',
      'audience must be the token URL, without credentials or fragment',
    );
  }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackUrl(url))) return value;
  throw new JwtAssertionError(
    'ERR_ASSERTION_INVALID_AUDIENCE',
    'audience must be an https URL (http is allowed only on a loopback host, for the emulator)',
  );
}

function checkLifetime(value: unknown): number {
  if (value === undefined) return DEFAULT_LIFETIME_SECONDS;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new JwtAssertionError(
      'ERR_ASSERTION_INVALID_OPTION',
      'lifetimeSeconds must be a whole number of seconds from 1 to 3600',
    );
  }
  if (value > MAX_LIFETIME_SECONDS) {
    throw new JwtAssertionError(
      'ERR_ASSERTION_LIFETIME_TOO_LONG',
      'lifetimeSeconds must be at most 3600: NetSuite refuses an exp more than 60 minutes after iat',
    );
  }
  return value;
}

/** Parses an X.509 certificate (PEM or DER), or throws `ERR_ASSERTION_INVALID_CERTIFICATE`. */
export function readCertificate(value: unknown): X509Certificate {
  if (typeof value !== 'string' && !(value instanceof Uint8Array)) {
    throw new JwtAssertionError(
      'ERR_ASSERTION_INVALID_CERTIFICATE',
      'certificate must be a PEM string or DER bytes of an X.509 certificate',
    );
  }
  try {
    return new X509Certificate(value);
  } catch (cause) {
    throw new JwtAssertionError(
      'ERR_ASSERTION_INVALID_CERTIFICATE',
      'certificate is not a readable X.509 certificate (PEM or DER)',
      { cause },
    );
  }
}

function timeOf(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new JwtAssertionError(
      'ERR_ASSERTION_INVALID_CLOCK',
      'the clock must return a finite, non-negative number of epoch milliseconds',
    );
  }
  return value;
}

// jti values are 32 bytes from the CSPRNG (far above RFC 7523's uniqueness need and a 128-bit floor), drawn
// from a 4 KiB buffer refilled by randomFillSync every 128 assertions: a randomBytes(32) call per assertion
// costs about 6 µs of CPU, a fifth of a whole ES256 signature (the same reason node:crypto.randomUUID batches).
const JTI_BYTES = 32;
const jtiPool = Buffer.alloc(4096);
let jtiOffset = jtiPool.length;

function freshJti(): string {
  if (jtiOffset + JTI_BYTES > jtiPool.length) {
    randomFillSync(jtiPool);
    jtiOffset = 0;
  }
  const jti = jtiPool.toString('base64url', jtiOffset, jtiOffset + JTI_BYTES);
  // Each byte is used once: wipe it so the pool never holds a jti that was already handed out.
  jtiPool.fill(0, jtiOffset, jtiOffset + JTI_BYTES);
  jtiOffset += JTI_BYTES;
  return jti;
}

/**
 * Which algorithms sign on the thread pool, decided from measurement (bench `signing` and `token` suites): RSA-PSS
 * (1.6 ms at 3072 bits, 5 ms at 4096) and ECDSA on P-384 (0.7 ms) and P-521 (1.6 ms) would block the event loop
 * that long. ES256 signs in place: about 35 µs, which the hand-off to the pool would double in CPU, and sequential
 * ES256 signing measured 2–8× faster in place; with 16 token requests in flight the two were within noise.
 */
function signsOnThreadPool(algorithm: AssertionAlgorithm): boolean {
  return algorithm !== 'ES256';
}

/**
 * A counting gate in front of the thread pool. With as many busy pool threads as cores, the operating system
 * deschedules the event loop's thread for milliseconds at a time (bench `signing`, 2 cores, 8 concurrent RSA-3072
 * signatures: loop delay p99 4× the idle loop's with 4 in flight, 1.6× with 1); the gate keeps a core free for it.
 */
interface PoolGate {
  readonly limit: number;
  inFlight: number;
  readonly waiting: Array<() => void>;
}

const gates = new Map<number, PoolGate>();

function gateFor(limit: number): PoolGate {
  let gate = gates.get(limit);
  if (gate === undefined) {
    gate = { limit, inFlight: 0, waiting: [] };
    gates.set(limit, gate);
  }
  return gate;
}

function checkPoolConcurrency(value: unknown): number {
  if (value === undefined) return Math.max(1, availableParallelism() - 1);
  if (
    typeof value !== 'number' ||
    !(value === Number.POSITIVE_INFINITY || (Number.isInteger(value) && value >= 1))
  ) {
    throw new JwtAssertionError(
      'ERR_ASSERTION_INVALID_OPTION',
      'threadPoolConcurrency must be a whole number from 1, or Infinity',
    );
  }
  return value;
}

/**
 * node:crypto's callback form of `sign`: the signature is computed on a libuv thread-pool thread, so the event
 * loop keeps serving other callbacks meanwhile; at most `gate.limit` run at once.
 */
async function signOnThreadPool(
  gate: PoolGate,
  hash: string,
  data: Buffer,
  options: SignKeyObjectInput,
): Promise<Buffer> {
  if (gate.inFlight >= gate.limit) {
    // The releasing call hands its slot over (inFlight stays counted), so no later caller can jump the queue.
    await new Promise<void>((resolve) => gate.waiting.push(resolve));
  } else gate.inFlight++;
  try {
    return await new Promise<Buffer>((resolve, reject) => {
      cryptoSign(hash, data, options, (error, signature) => {
        if (error) reject(error);
        else resolve(signature);
      });
    });
  } finally {
    const next = gate.waiting.shift();
    if (next === undefined) gate.inFlight--;
    else next();
  }
}

/**
 * Creates a reusable signer for NetSuite client assertions (the client-credentials / M2M flow).
 *
 * The key is imported once into a node:crypto `KeyObject` kept in a closure, checked against NetSuite's
 * rules (RSA 3072/4096 or EC P-256/384/521), optionally against the certificate, and then used for every
 * `sign()`: header `{typ: 'JWT', alg, kid}`, claims `{iss, scope, aud, iat, exp, jti}`.
 *
 * Bad configuration throws synchronously (house style), before any promise is returned.
 *
 * @see https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_162790605110.html
 * @see RFC 7523 §3, RFC 7515 (JWS compact serialization)
 * @throws {JwtAssertionError} `ERR_ASSERTION_MISSING_KID`, `ERR_ASSERTION_MISSING_ISS`,
 *   `ERR_ASSERTION_WEAK_KEY`, `ERR_ASSERTION_UNSUPPORTED_ALGORITHM`, `ERR_ASSERTION_CERTIFICATE_MISMATCH`, ...
 *   (see the README's errors table); `NetSuiteConfigError` `ERR_CORE_INVALID_ACCOUNT_ID` for a bad `accountId`.
 * @example
 * const signer = await createAssertionSigner({
 *   key: await readFile('netsuite-key.pem', 'utf8'),
 *   certificateId: process.env.NS_CERTIFICATE_ID!,
 *   clientId: process.env.NS_CLIENT_ID!,
 *   accountId: '1234567_SB1',
 * });
 * const assertion = await signer.sign();
 */
export function createAssertionSigner(options: AssertionSignerOptions): Promise<AssertionSigner> {
  if (typeof options !== 'object' || options === null) {
    throw new JwtAssertionError('ERR_ASSERTION_INVALID_OPTION', 'options must be an object');
  }
  checkKeys(options, SIGNER_OPTIONS, 'createAssertionSigner');
  const certificateId = requiredString(
    options.certificateId,
    'ERR_ASSERTION_MISSING_KID',
    'certificateId is required: the Certificate ID NetSuite shows in OAuth 2.0 Client Credentials (M2M) Setup (JWT kid)',
  );
  const kidProblem = certificateIdProblem(certificateId);
  if (kidProblem) throw new JwtAssertionError('ERR_ASSERTION_INVALID_KID', kidProblem);
  const clientId = requiredString(
    options.clientId,
    'ERR_ASSERTION_MISSING_ISS',
    'clientId is required: the integration record’s Client ID (JWT iss)',
  );
  const issProblem = clientIdProblem(clientId);
  if (issProblem) throw new JwtAssertionError('ERR_ASSERTION_INVALID_ISS', issProblem);
  let audience: string;
  if (options.audience !== undefined) audience = checkAudience(options.audience);
  else if (options.accountId !== undefined) {
    if (typeof options.accountId !== 'string') {
      throw new JwtAssertionError(
        'ERR_ASSERTION_INVALID_OPTION',
        'accountId must be a string such as 1234567_SB1',
      );
    }
    audience = netsuiteEndpoints(options.accountId).tokenUrl;
  } else {
    throw new JwtAssertionError(
      'ERR_ASSERTION_MISSING_AUDIENCE',
      'accountId is required (or audience, the token URL, for the emulator or a proxy)',
    );
  }
  const defaultScope = scopeJson(options.scope === undefined ? ['rest_webservices'] : options.scope);
  const lifetimeSeconds = checkLifetime(options.lifetimeSeconds);
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') {
    throw new JwtAssertionError(
      'ERR_ASSERTION_INVALID_OPTION',
      'now must be a function returning epoch milliseconds',
    );
  }
  const poolLimit = checkPoolConcurrency(options.threadPoolConcurrency);

  const keyObject = importPrivateKey(options.key, options.passphrase, 'key');
  const info = describeKey(keyObject, 'key');
  const algorithm = chooseAlgorithm(info, options.algorithm);

  // With a certificate, sign() refuses once it has expired: a clear error instead of NetSuite's opaque 400.
  let validUntil = Number.POSITIVE_INFINITY;
  if (options.certificate !== undefined) {
    const certificate = readCertificate(options.certificate);
    if (!certificate.checkPrivateKey(keyObject)) {
      throw new JwtAssertionError(
        'ERR_ASSERTION_CERTIFICATE_MISMATCH',
        'key does not belong to certificate; pass the private key generated with this certificate',
      );
    }
    const nowMs = timeOf(now());
    if (Date.parse(certificate.validTo) < nowMs || Date.parse(certificate.validFrom) > nowMs) {
      throw new JwtAssertionError(
        'ERR_ASSERTION_CERTIFICATE_EXPIRED',
        'certificate is expired or not valid yet; NetSuite refuses assertions for it: generate and map a new one',
      );
    }
    validUntil = Date.parse(certificate.validTo);
  }

  const hash = hashOf(algorithm);
  const signOptions = signOptionsFor(algorithm, keyObject);
  const gate = signsOnThreadPool(algorithm) ? gateFor(poolLimit) : undefined;
  const header = Buffer.from(JSON.stringify({ typ: 'JWT', alg: algorithm, kid: certificateId })).toString(
    'base64url',
  );
  const head = `{"iss":${JSON.stringify(clientId)},"scope":`;
  const middle = `,"aud":${JSON.stringify(audience)},"iat":`;

  const signer: AssertionSigner = {
    algorithm,
    certificateId,
    clientId,
    audience,
    lifetimeSeconds,
    async sign(signOpts?: SignOptions): Promise<string> {
      let scope = defaultScope;
      let at: number;
      if (signOpts === undefined) at = timeOf(now());
      else {
        if (typeof signOpts !== 'object' || signOpts === null) {
          throw new JwtAssertionError('ERR_ASSERTION_INVALID_OPTION', 'sign options must be an object');
        }
        checkKeys(signOpts, SIGN_OPTIONS, 'sign');
        if (signOpts.scope !== undefined) scope = scopeJson(signOpts.scope);
        at = timeOf(signOpts.now === undefined ? now() : signOpts.now);
      }
      if (at > validUntil) {
        throw new JwtAssertionError(
          'ERR_ASSERTION_CERTIFICATE_EXPIRED',
          'certificate has expired; NetSuite refuses assertions for it: generate and map a new one',
        );
      }
      const iat = Math.floor(at / 1000);
      const jti = freshJti();
      const payload = `${head}${scope}${middle}${iat},"exp":${iat + lifetimeSeconds},"jti":"${jti}"}`;
      const input = `${header}.${Buffer.from(payload).toString('base64url')}`;
      const signature = gate
        ? await signOnThreadPool(gate, hash, Buffer.from(input), signOptions)
        : cryptoSign(hash, Buffer.from(input), signOptions);
      return `${input}.${signature.toString('base64url')}`;
    },
  };
  return Promise.resolve(Object.freeze(signer));
}

/**
 * Signs one NetSuite client assertion. For repeated use, keep a signer from {@link createAssertionSigner}:
 * it imports the key once.
 *
 * @throws {JwtAssertionError} synchronously, like {@link createAssertionSigner}.
 * @example
 * const assertion = await createClientAssertion({ key, certificateId, clientId, accountId: '1234567' });
 * await fetch(tokenUrl, { method: 'POST', body: new URLSearchParams({
 *   grant_type: 'client_credentials',
 *   client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
 *   client_assertion: assertion,
 * }) });
 */
export function createClientAssertion(options: AssertionSignerOptions): Promise<string> {
  return createAssertionSigner(options).then((signer) => signer.sign());
}
