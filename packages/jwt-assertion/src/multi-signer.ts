import { channel } from 'node:diagnostics_channel';
import { JwtAssertionError } from './errors.js';
import type { PrivateKeyInput } from './keys.js';
import {
  type AssertionSigner,
  type AssertionSignerOptions,
  createAssertionSigner,
  readCertificate,
  type SignOptions,
} from './signer.js';

/**
 * One certificate a {@link MultiCertificateSigner} may sign with: the private key, NetSuite's certificate id, and
 * the certificate itself (for its validity dates).
 *
 * @example
 * const entry: SignerCertificate = { key: privateKeyPem, certificateId: 'HRril7…', certificate: certificatePem };
 */
export interface SignerCertificate {
  readonly key: PrivateKeyInput;
  readonly passphrase?: string | undefined;
  readonly certificateId: string;
  /** The certificate PEM or DER. Gives the order (newest `notBefore` first) and the expiry warnings. */
  readonly certificate?: string | Uint8Array | undefined;
}

/**
 * A certificate that expires soon, reported once per certificate and mark (60, 30 and 14 days: the marks at which
 * NetSuite mails administrators, section_162686838198.html).
 *
 * @example
 * onExpiryWarning: (w) => log.warn(`certificate ${w.certificateId} expires in ${w.daysLeft} days`)
 */
export interface CertificateExpiryWarning {
  readonly certificateId: string;
  /** The mark crossed: 60, 30 or 14 (or one of `expiryWarningDays`). */
  readonly thresholdDays: number;
  /** Whole days left (0 on the last day). */
  readonly daysLeft: number;
  readonly notAfter: Date;
}

/**
 * Options of {@link createMultiCertificateSigner}: those of `createAssertionSigner` without the one key.
 *
 * @example
 * const options: MultiCertificateSignerOptions = { clientId, accountId: '1234567_SB1', certificates: [old, next] };
 */
export interface MultiCertificateSignerOptions
  extends Omit<AssertionSignerOptions, 'key' | 'passphrase' | 'certificateId' | 'certificate'> {
  /**
   * The certificates, or a function read before every signature (so a fleet picks up a rotated key from shared
   * secret storage without a restart: keep it cheap, it may cache).
   */
  readonly certificates:
    | readonly SignerCertificate[]
    | (() => readonly SignerCertificate[] | Promise<readonly SignerCertificate[]>);
  /** How long a certificate NetSuite refused is passed over before it is tried again. @default 300000 */
  readonly refusedForMs?: number | undefined;
  /** Days before expiry at which {@link CertificateExpiryWarning}s are sent. @default [60, 30, 14] */
  readonly expiryWarningDays?: readonly number[] | undefined;
  /** Called with each expiry warning (also published on `jwtAssertionChannels.certificateExpiry`). */
  readonly onExpiryWarning?: ((warning: CertificateExpiryWarning) => void) | undefined;
}

/**
 * Signs with the newest usable of several certificates, and falls back to the next one when NetSuite refuses an
 * assertion: the shape a fleet needs while a new certificate propagates (docs/certificates.md).
 *
 * @example
 * const assertion = await signer.sign();
 * // NetSuite refused it: pass the next certificate once
 * if (signer.refused(assertion)) retry();
 */
export interface MultiCertificateSigner {
  readonly clientId: string;
  readonly audience: string;
  readonly lifetimeSeconds: number;
  /** The certificate id the next `sign()` uses (as of the last one: the list may change), or `undefined`. */
  readonly certificateId: string | undefined;
  /**
   * Signs with the newest certificate that is valid now and not recently refused.
   *
   * @throws {JwtAssertionError} (rejects) `ERR_ASSERTION_NO_USABLE_CERTIFICATE` when none is left, and what
   *   `createAssertionSigner` throws for a bad entry.
   */
  sign(options?: SignOptions): Promise<string>;
  /**
   * Marks the certificate that signed `assertion` as refused by NetSuite; true when another one is left to try.
   * The token manager of `@netsuite-oauth/oauth-flows` calls it and retries once.
   */
  refused(assertion: string): boolean;
}

/**
 * The `node:diagnostics_channel` names `@netsuite-oauth/jwt-assertion` publishes on (docs/observability.md).
 *
 * @example
 * subscribe(jwtAssertionChannels.certificateExpiry, (w) => alert(w as CertificateExpiryWarning));
 */
export const jwtAssertionChannels = Object.freeze({
  /** A certificate crossed an expiry mark: {@link CertificateExpiryWarning}. */
  certificateExpiry: 'netsuite-oauth:jwt-assertion:certificate-expiry',
} as const);

const expiryChannel = channel(jwtAssertionChannels.certificateExpiry);
const DAY_MS = 86_400_000;
const OPTIONS = new Set([
  'certificates',
  'refusedForMs',
  'expiryWarningDays',
  'onExpiryWarning',
  'clientId',
  'accountId',
  'audience',
  'scope',
  'algorithm',
  'lifetimeSeconds',
  'now',
  'threadPoolConcurrency',
]);

interface Loaded {
  readonly signer: AssertionSigner;
  readonly notBefore: number;
  readonly notAfter: number;
  readonly keyRef: unknown;
}

function kidOf(assertion: unknown): string | undefined {
  if (typeof assertion !== 'string') return undefined;
  const head = assertion.slice(0, assertion.indexOf('.'));
  try {
    const kid = (JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as { kid?: unknown }).kid;
    return typeof kid === 'string' ? kid : undefined;
  } catch {
    return undefined;
  }
}

function optionError(message: string): JwtAssertionError {
  return new JwtAssertionError('ERR_ASSERTION_INVALID_OPTION', message);
}

/**
 * Creates a signer holding several certificates (the old and the new during a rotation). It signs with the newest
 * usable one (latest `notBefore`; without a certificate, the later entry), skips expired ones and, once NetSuite
 * refuses a certificate ({@link MultiCertificateSigner.refused}), the next `sign()` uses the one before it.
 * Reports certificates expiring within 60/30/14 days through `onExpiryWarning` and a diagnostics channel.
 *
 * @example
 * const signer = await createMultiCertificateSigner({
 *   clientId, accountId: '1234567_SB1',
 *   certificates: async () => JSON.parse(await secrets.get('netsuite-certificates')),
 *   onExpiryWarning: (w) => log.warn('netsuite certificate expires soon', w),
 * });
 * const manager = createTokenManager({ store, key, grant: { type: 'client_credentials', accountId, signer } });
 * @throws {JwtAssertionError} `ERR_ASSERTION_INVALID_OPTION` synchronously for bad options; entries are checked
 *   as `createAssertionSigner` checks its options (a static list: the returned promise rejects; a function's
 *   list: `sign()` rejects).
 * @see https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/article_0209112025.html
 */
export function createMultiCertificateSigner(
  options: MultiCertificateSignerOptions,
): Promise<MultiCertificateSigner> {
  if (typeof options !== 'object' || options === null) throw optionError('options must be an object');
  for (const name of Object.keys(options)) {
    if (!OPTIONS.has(name)) throw optionError(`createMultiCertificateSigner has an unknown option ${name}`);
  }
  const source = options.certificates;
  if (typeof source !== 'function' && !Array.isArray(source)) {
    throw optionError('certificates must be an array of { key, certificateId, certificate? } or a function');
  }
  const refusedForMs = options.refusedForMs ?? 300_000;
  if (!Number.isInteger(refusedForMs) || refusedForMs < 0) {
    throw optionError('refusedForMs must be a whole number of milliseconds');
  }
  const marks = [...(options.expiryWarningDays ?? [60, 30, 14])].sort((a, b) => b - a);
  if (marks.some((d) => !Number.isInteger(d) || d < 1 || d > 730)) {
    throw optionError('expiryWarningDays must be whole days from 1 to 730');
  }
  const onExpiryWarning = options.onExpiryWarning;
  if (onExpiryWarning !== undefined && typeof onExpiryWarning !== 'function') {
    throw optionError('onExpiryWarning must be a function');
  }
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') throw optionError('now must be a function returning epoch milliseconds');
  const { certificates: _c, refusedForMs: _r, expiryWarningDays: _e, onExpiryWarning: _o, ...base } = options;

  const loaded = new Map<string, Loaded>();
  const refusedUntil = new Map<string, number>();
  const warned = new Set<string>();
  let current: string | undefined;
  let lastList: Array<[string, Loaded]> = [];

  const load = async (entry: SignerCertificate, index: number): Promise<[string, Loaded]> => {
    if (typeof entry !== 'object' || entry === null || typeof entry.certificateId !== 'string') {
      throw optionError('each certificate must be { key, certificateId, certificate? }');
    }
    const known = loaded.get(entry.certificateId);
    if (known && known.keyRef === entry.key) return [entry.certificateId, known];
    // createAssertionSigner throws synchronously for bad options: run it inside the promise chain.
    const signer = await Promise.resolve()
      .then(() =>
        createAssertionSigner({
          ...base,
          key: entry.key,
          certificateId: entry.certificateId,
          ...(entry.passphrase === undefined ? {} : { passphrase: entry.passphrase }),
          ...(entry.certificate === undefined ? {} : { certificate: entry.certificate }),
        }),
      )
      .catch((error: unknown) => {
        // An expired certificate is not an error here: it is simply not usable.
        if (error instanceof JwtAssertionError && error.code === 'ERR_ASSERTION_CERTIFICATE_EXPIRED')
          return undefined;
        throw error;
      });
    let notBefore = index - 1e15;
    let notAfter = Number.POSITIVE_INFINITY;
    if (entry.certificate !== undefined) {
      const x509 = readCertificate(entry.certificate);
      notBefore = Date.parse(x509.validFrom);
      notAfter = Date.parse(x509.validTo);
    }
    const result: Loaded = {
      signer: signer ?? (undefined as never),
      notBefore,
      notAfter,
      keyRef: entry.key,
    };
    if (signer) loaded.set(entry.certificateId, result);
    return [entry.certificateId, result];
  };

  const entries = async (): Promise<Array<[string, Loaded]>> => {
    const list = typeof source === 'function' ? await source() : source;
    if (!Array.isArray(list)) throw optionError('certificates() must return an array');
    const out: Array<[string, Loaded]> = [];
    for (const [i, entry] of list.entries()) {
      const item = await load(entry as SignerCertificate, i);
      if (item[1].signer !== undefined) out.push(item);
    }
    lastList = out;
    return out;
  };

  const warn = (certificateId: string, notAfter: number, at: number): void => {
    if (!Number.isFinite(notAfter)) return;
    const left = notAfter - at;
    const mark = [...marks].reverse().find((d) => left <= d * DAY_MS);
    if (mark === undefined) return;
    const id = `${certificateId}:${mark}`;
    if (warned.has(id)) return;
    warned.add(id);
    const warning: CertificateExpiryWarning = Object.freeze({
      certificateId,
      thresholdDays: mark,
      daysLeft: Math.max(0, Math.floor(left / DAY_MS)),
      notAfter: new Date(notAfter),
    });
    if (expiryChannel.hasSubscribers) expiryChannel.publish(warning);
    try {
      onExpiryWarning?.(warning);
    } catch {
      // A throwing listener must not fail the token request.
    }
  };

  const usable = (list: Array<[string, Loaded]>, at: number): Array<[string, Loaded]> =>
    list
      .filter(([id, l]) => l.notAfter > at && l.notBefore <= at + 60_000 && (refusedUntil.get(id) ?? 0) <= at)
      .sort((a, b) => b[1].notBefore - a[1].notBefore);

  const multi: MultiCertificateSigner = {
    clientId: typeof base.clientId === 'string' ? base.clientId : '',
    audience: typeof base.audience === 'string' ? base.audience : '',
    lifetimeSeconds: base.lifetimeSeconds ?? 300,
    get certificateId() {
      return current;
    },
    async sign(signOptions?: SignOptions): Promise<string> {
      const at = now();
      const list = await entries();
      const [first] = usable(list, at);
      if (!first) {
        throw new JwtAssertionError(
          'ERR_ASSERTION_NO_USABLE_CERTIFICATE',
          'no certificate is usable: all are expired, not valid yet, or were refused by NetSuite',
        );
      }
      current = first[0];
      warn(first[0], first[1].notAfter, at);
      return await first[1].signer.sign(signOptions);
    },
    refused(assertion: string): boolean {
      const kid = kidOf(assertion);
      if (kid === undefined || !lastList.some(([id]) => id === kid)) return false;
      const at = now();
      refusedUntil.set(kid, at + refusedForMs);
      return usable(lastList, at).length > 0;
    },
  };
  if (Array.isArray(source)) {
    // A static list is imported and checked now: a bad entry rejects here, not at the first token request.
    return entries().then((list) => {
      const first = usable(list, now())[0];
      current = first?.[0];
      return Object.freeze(multi);
    });
  }
  return Promise.resolve(Object.freeze(multi));
}
