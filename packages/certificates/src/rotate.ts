import { type CertificateKeyType, generateCertificate } from '@netsuite-oauth/jwt-assertion';
import { type CertificatesClientOptions, createCertificatesClient } from './client.js';
import { CertificatesError, isCertificatesError, optionError } from './errors.js';
import { proveCertificate, tokenWorks } from './prove.js';
import type { NetSuiteCertificate } from './wire.js';

/**
 * A new private key and its certificate, handed to the caller's secret storage. The only place this package ever
 * holds a private key; it is never logged, persisted by the package, or put in an error.
 *
 * @example
 * saveKey: async (k) => secrets.put(`netsuite-key-${k.fingerprint}`, k.privateKeyPem)
 */
export interface NewCertificateKey {
  /** SHA-256 fingerprint of the certificate: the name to store the key under. */
  readonly fingerprint: string;
  readonly privateKeyPem: string;
  readonly certificatePem: string;
  /** The JWT algorithm to sign with (`PS256`, `ES256`, …). */
  readonly algorithm: string;
  readonly notAfter: Date;
}

/**
 * What {@link RotateCertificateOptions.onSwitch} receives: the certificate to sign with from now on.
 *
 * @example
 * onSwitch: async (s) => config.set('certificateId', s.certificateId)
 */
export interface CertificateSwitch {
  readonly certificateId: string;
  readonly fingerprint: string;
  readonly certificatePem: string;
  readonly algorithm: string;
  readonly previousCertificateId: string;
}

/**
 * The minimal store the rotation record lives in: any `TokenStore` of `@netsuite-oauth/token-store*` fits (a file
 * or Redis store so every process, and a rerun after a crash, sees it). With `lock`, one rotation runs at a time.
 *
 * @example
 * const store: RotationStateStore = fileTokenStore({ path: '.netsuite/state', key });
 */
export interface RotationStateStore {
  get(key: string): Promise<{ readonly value: string } | undefined>;
  set(key: string, entry: { readonly value: string; readonly expiresAt: number }): Promise<void>;
  delete(key: string): Promise<void>;
  lock?(
    key: string,
    options: { ttlMs: number; waitMs?: number },
  ): Promise<{ release(): Promise<void>; extend?(ttlMs: number): Promise<boolean> } | undefined>;
}

/** The steps of a rotation, in order; each is persisted before the next begins. */
export type RotationPhase = 'generated' | 'uploaded' | 'proven' | 'switched' | 'done';

/**
 * The persisted rotation record. Holds no secret: the private key stays in the caller's secret storage.
 *
 * @example
 * if (state.phase === 'switched') console.log('old certificate revoked after', state.revokeAfter);
 */
export interface RotationState {
  readonly v: 1;
  readonly phase: RotationPhase;
  readonly previousCertificateId: string;
  readonly role: number;
  readonly entity: number;
  readonly fingerprint: string;
  readonly certificatePem: string;
  readonly algorithm: string;
  /** Certificate ids that existed before the upload: anything else found later may be this rotation's upload. */
  readonly knownIds: readonly string[];
  readonly certificateId?: string;
  /** Epoch ms after which the previous certificate is revoked. */
  readonly revokeAfter?: number;
  readonly startedAt: number;
}

/**
 * Options of {@link rotateCertificate}.
 *
 * @example
 * const options: RotateCertificateOptions = { ...clientOptions, store, currentCertificateId, saveKey, loadKey, onSwitch };
 */
export interface RotateCertificateOptions extends CertificatesClientOptions {
  /** Where the rotation record is kept (survives the process). */
  readonly store: RotationStateStore;
  /** @default `netsuite:certificate-rotation:<clientId>` */
  readonly stateKey?: string;
  /** The certificate id in use now (revoked at the end). Read from the record when a rotation is resumed. */
  readonly currentCertificateId: string;
  /** The role and entity of the new mapping. @default those of the current certificate (from the list) */
  readonly role?: number | string;
  readonly entity?: number | string;
  /** @default 'rsa-3072' */
  readonly keyType?: CertificateKeyType;
  /** @default 730 (NetSuite's maximum) */
  readonly validityDays?: number;
  /** How long the old certificate stays active after the switch, so every process picks up the new one. @default 86400000 */
  readonly overlapMs?: number;
  /** Stores the new private key in the caller's secret storage. Called before the certificate is uploaded. */
  readonly saveKey: (key: NewCertificateKey) => Promise<void> | void;
  /** Reads a key saved by `saveKey` back by fingerprint (a resumed rotation needs it to prove the token). */
  readonly loadKey: (fingerprint: string) => Promise<string | undefined> | string | undefined;
  /** Points the application's signer at the new certificate (after a token was proven with it). */
  readonly onSwitch: (next: CertificateSwitch) => Promise<void> | void;
  /** Scope of the proof token. @default ['rest_webservices'] */
  readonly scope?: string | readonly string[];
  /** Proof attempts while the new certificate propagates. @default 5 */
  readonly proveAttempts?: number;
  /** @default 2000 */
  readonly proveDelayMs?: number;
  /** Lease on the rotation record, ms. @default 120000 */
  readonly lockTtlMs?: number;
  /** How long to wait for another rotation's lease. @default 0 */
  readonly lockWaitMs?: number;
  /** Told each step once it is persisted (for logs and progress; never receives a key). */
  readonly onStep?: (phase: RotationPhase, state: RotationState) => void;
  /** @default Date.now */
  readonly now?: () => number;
}

/**
 * What {@link rotateCertificate} reached: `overlap` (switched; the old certificate is revoked by a later run after
 * `revokeAfter`) or `done`.
 *
 * @example
 * if (result.status === 'overlap') scheduleAt(result.revokeAfter, () => rotateCertificate(options));
 */
export interface RotationResult {
  readonly status: 'overlap' | 'done';
  readonly certificateId: string;
  readonly previousCertificateId: string;
  readonly revokeAfter: Date;
  /** True when this call continued a rotation an earlier run had begun. */
  readonly resumed: boolean;
}

const FAR = 100 * 365 * 86_400_000;

function parseState(raw: string): RotationState {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    value = undefined;
  }
  const s = value as Partial<RotationState> | undefined;
  if (
    typeof s !== 'object' ||
    s === null ||
    s.v !== 1 ||
    !['generated', 'uploaded', 'proven', 'switched', 'done'].includes(s.phase as string) ||
    typeof s.previousCertificateId !== 'string' ||
    typeof s.fingerprint !== 'string' ||
    typeof s.certificatePem !== 'string' ||
    !Array.isArray(s.knownIds)
  ) {
    throw new CertificatesError('ERR_CERTIFICATES_ROTATION_STATE', 'the rotation record is not readable');
  }
  return s as RotationState;
}

async function callback<T>(name: string, run: () => Promise<T> | T): Promise<T> {
  try {
    return await run();
  } catch (cause) {
    throw new CertificatesError('ERR_CERTIFICATES_CALLBACK', `${name} failed`, { cause });
  }
}

async function storeCall<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (cause) {
    if (isCertificatesError(cause)) throw cause;
    throw new CertificatesError('ERR_CERTIFICATES_STORE', 'the rotation state store failed', { cause });
  }
}

function checkInt(value: unknown, name: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw optionError(`${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

const isActive = (c: NetSuiteCertificate) => c.status === 'ACTIVE';

/**
 * Rotates the integration's certificate without downtime, one persisted step at a time: generate a key and
 * certificate (the key goes to `saveKey`), upload it, prove a token can be had with the new `kid`, switch the
 * signer (`onSwitch`), and after `overlapMs` revoke the old certificate. Never more than 5 active certificates: it
 * refuses to upload a sixth. Run it again after a crash at any point and it continues where the record says; an
 * upload whose answer was lost is found again (a token is proven with each unknown certificate) instead of
 * uploaded twice. Resolves `overlap` until the overlap has passed; the next run then revokes and resolves `done`.
 *
 * @example
 * const result = await rotateCertificate({
 *   accountId, clientId, accessToken: () => manager.getAccessToken(), store, currentCertificateId,
 *   saveKey: (k) => secrets.put(k.fingerprint, k.privateKeyPem), loadKey: (f) => secrets.get(f),
 *   onSwitch: (s) => config.set({ certificateId: s.certificateId, keyRef: s.fingerprint }),
 * });
 * @throws {CertificatesError} `ERR_CERTIFICATES_INVALID_OPTION` synchronously; rejects with
 *   `ERR_CERTIFICATES_LIMIT`, `ERR_CERTIFICATES_ROTATION_BUSY`, `ERR_CERTIFICATES_PROOF_FAILED`,
 *   `ERR_CERTIFICATES_KEY_LOST`, `ERR_CERTIFICATES_CALLBACK`, `ERR_CERTIFICATES_STORE` and the client's codes.
 * @see https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/article_0209112025.html
 */
export function rotateCertificate(options: RotateCertificateOptions): Promise<RotationResult> {
  if (typeof options !== 'object' || options === null) throw optionError('options must be an object');
  const client = createCertificatesClient(options);
  const { store } = options;
  if (
    typeof store !== 'object' ||
    store === null ||
    typeof store.get !== 'function' ||
    typeof store.set !== 'function'
  ) {
    throw optionError('store must have get() and set() (a TokenStore fits)');
  }
  for (const name of ['saveKey', 'loadKey', 'onSwitch'] as const) {
    if (typeof options[name] !== 'function') throw optionError(`${name} must be a function`);
  }
  if (
    typeof options.currentCertificateId !== 'string' ||
    !/^[\w-]{1,200}$/.test(options.currentCertificateId)
  ) {
    throw optionError('currentCertificateId must be the certificate id in use now');
  }
  const stateKey = options.stateKey ?? `netsuite:certificate-rotation:${options.clientId}`;
  if (typeof stateKey !== 'string' || stateKey.length === 0 || stateKey.length > 500) {
    throw optionError('stateKey must be a non-empty string');
  }
  const overlapMs = checkInt(options.overlapMs, 'overlapMs', 0, 90 * 86_400_000, 86_400_000);
  const proveAttempts = checkInt(options.proveAttempts, 'proveAttempts', 1, 100, 5);
  const proveDelayMs = checkInt(options.proveDelayMs, 'proveDelayMs', 0, 600_000, 2000);
  const lockTtlMs = checkInt(options.lockTtlMs, 'lockTtlMs', 100, 3_600_000, 120_000);
  const lockWaitMs = checkInt(options.lockWaitMs, 'lockWaitMs', 0, 3_600_000, 0);
  const validityDays = checkInt(options.validityDays, 'validityDays', 1, 730, 730);
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') throw optionError('now must be a function returning epoch milliseconds');
  const target = { ...options, now };

  const save = (state: RotationState) =>
    storeCall(() => store.set(stateKey, { value: JSON.stringify(state), expiresAt: now() + FAR })).then(
      () => {
        options.onStep?.(state.phase, state);
        return state;
      },
    );

  const begin = async (): Promise<RotationState> => {
    const list = await client.list();
    const current = list.find((c) => c.certificateId === options.currentCertificateId);
    const role = options.role ?? current?.role;
    const entity = options.entity ?? current?.entity;
    if (
      role === undefined ||
      entity === undefined ||
      !/^-?\d+$/.test(String(role)) ||
      !/^-?\d+$/.test(String(entity))
    ) {
      throw optionError('role and entity are needed (the current certificate is not listed with them)');
    }
    const generated = await generateCertificate({
      ...(options.keyType === undefined ? {} : { keyType: options.keyType }),
      validityDays,
      now,
    });
    await callback('saveKey', () =>
      options.saveKey(
        Object.freeze({
          fingerprint: generated.fingerprint,
          privateKeyPem: generated.privateKeyPem,
          certificatePem: generated.certificatePem,
          algorithm: generated.algorithm,
          notAfter: generated.notAfter,
        }),
      ),
    );
    return await save({
      v: 1,
      phase: 'generated',
      previousCertificateId: options.currentCertificateId,
      role: Number(role),
      entity: Number(entity),
      fingerprint: generated.fingerprint,
      certificatePem: generated.certificatePem,
      algorithm: generated.algorithm,
      knownIds: list.map((c) => c.certificateId),
      startedAt: now(),
    });
  };

  /** Certificates uploaded since the rotation began whose key is ours: a lost upload answer. */
  const findOwnUpload = async (state: RotationState, key: string): Promise<string | undefined> => {
    const known = new Set(state.knownIds);
    const unknown = (await client.list()).filter((c) => isActive(c) && !known.has(c.certificateId));
    for (const c of unknown) if (await tokenWorks(target, key, c.certificateId)) return c.certificateId;
    return undefined;
  };

  const abandon = async (state: RotationState): Promise<never> => {
    // The key is gone: whatever this rotation uploaded can never sign. Revoke it so nothing is left unrecorded.
    const known = new Set(state.knownIds);
    const orphans = (await client.list()).filter((c) => isActive(c) && !known.has(c.certificateId));
    for (const c of orphans) await client.revoke(c.certificateId);
    await storeCall(() => store.delete(stateKey));
    throw new CertificatesError(
      'ERR_CERTIFICATES_KEY_LOST',
      'loadKey has no key for the rotation in progress: it was abandoned and its upload revoked; run again',
    );
  };

  const step = async (state: RotationState): Promise<RotationState | RotationResult> => {
    const result = (status: 'overlap' | 'done', s: RotationState): RotationResult =>
      Object.freeze({
        status,
        certificateId: s.certificateId ?? '',
        previousCertificateId: s.previousCertificateId,
        revokeAfter: new Date(s.revokeAfter ?? now()),
        resumed: false,
      });
    if (state.phase === 'done') return result('done', state);
    if (state.phase === 'switched') {
      if (now() < (state.revokeAfter ?? 0)) return result('overlap', state);
      try {
        await client.revoke(state.previousCertificateId);
      } catch (error) {
        // Already gone (revoked by a run that died before recording it, or by hand): that is the goal.
        if (!isCertificatesError(error, 'ERR_CERTIFICATES_NOT_FOUND')) throw error;
      }
      return await save({ ...state, phase: 'done' });
    }
    if (state.phase === 'proven') {
      await callback('onSwitch', () =>
        options.onSwitch(
          Object.freeze({
            certificateId: state.certificateId as string,
            fingerprint: state.fingerprint,
            certificatePem: state.certificatePem,
            algorithm: state.algorithm,
            previousCertificateId: state.previousCertificateId,
          }),
        ),
      );
      return await save({ ...state, phase: 'switched', revokeAfter: now() + overlapMs });
    }
    const key = await callback('loadKey', () => options.loadKey(state.fingerprint));
    if (typeof key !== 'string' || key.length === 0) return await abandon(state);
    if (state.phase === 'uploaded') {
      await proveCertificate(target, key, state.certificateId as string, proveAttempts, proveDelayMs);
      return await save({ ...state, phase: 'proven' });
    }
    // generated: upload, unless an earlier run did and died before recording the answer.
    let certificateId = await findOwnUpload(state, key);
    if (certificateId === undefined) {
      const active = (await client.list()).filter(isActive).length;
      if (active >= 5) {
        throw new CertificatesError(
          'ERR_CERTIFICATES_LIMIT',
          'the integration already has 5 active certificates: revoke one, then run again',
        );
      }
      certificateId = (
        await client.upload({ certificatePem: state.certificatePem, role: state.role, entity: state.entity })
      ).certificateId;
    }
    return await save({ ...state, phase: 'uploaded', certificateId });
  };

  const run = async (): Promise<RotationResult> => {
    const existing = await storeCall(() => store.get(stateKey));
    let state = existing === undefined ? undefined : parseState(existing.value);
    const resumed = state !== undefined && state.phase !== 'done';
    if (state === undefined || state.phase === 'done') state = await begin();
    for (;;) {
      const next = await step(state);
      if ('status' in next) return Object.freeze({ ...next, resumed });
      state = next;
    }
  };

  return (async () => {
    if (typeof store.lock !== 'function') return await run();
    const lease = await storeCall(async () =>
      store.lock?.(`${stateKey}:lock`, { ttlMs: lockTtlMs, waitMs: lockWaitMs }),
    );
    if (lease === undefined) {
      throw new CertificatesError(
        'ERR_CERTIFICATES_ROTATION_BUSY',
        'another process is rotating this certificate',
      );
    }
    try {
      return await run();
    } finally {
      await lease.release().catch(() => {});
    }
  })();
}

/**
 * Reads the rotation record (for a status page or `cert rotate --status`); `undefined` when none was ever written.
 *
 * @example
 * const state = await readRotationState(store, clientId);
 * @throws {CertificatesError} (rejects) `ERR_CERTIFICATES_ROTATION_STATE`, `ERR_CERTIFICATES_STORE`.
 */
export async function readRotationState(
  store: RotationStateStore,
  clientId: string,
  stateKey = `netsuite:certificate-rotation:${clientId}`,
): Promise<RotationState | undefined> {
  const entry = await storeCall(() => store.get(stateKey));
  return entry === undefined ? undefined : parseState(entry.value);
}
