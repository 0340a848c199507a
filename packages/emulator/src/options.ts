import { parseAccountId } from '@netsuite-oauth/core';
import { type CostModel, resolveCostModel } from './cost-model.js';
import { EmulatorError } from './errors.js';
import { SEED_LIMIT, type SeedOptions } from './seed.js';

/**
 * Options of {@link startEmulator}. Defaults follow NetSuite; items marked UNCONFIRMED in the README are guesses you
 * can change.
 *
 * @example
 * await startEmulator({ port: 0, accountId: '1234567_SB1', seed: { customers: 150_000 }, concurrencyLimit: 5 });
 */
export interface EmulatorOptions {
  /** @default 0 (a free port) */
  readonly port?: number | undefined;
  /** @default '127.0.0.1' */
  readonly host?: string | undefined;
  /** @default '1234567_SB1' */
  readonly accountId?: string | undefined;
  /** Records to create at start; `false` for none (the default login user is still created). */
  readonly seed?: SeedOptions | false | undefined;
  /** Per-account concurrent request limit shared by REST and RESTlets. @default 5 */
  readonly concurrencyLimit?: number | undefined;
  /** The clock; the admin API can move it further. @default Date.now */
  readonly now?: (() => number) | undefined;
  /** @default 3600 */
  readonly accessTokenTtlSeconds?: number | undefined;
  /** Largest `exp - iat` of a client assertion (UNCONFIRMED: 3600 or 7200). @default 3600 */
  readonly maxAssertionLifetimeSeconds?: number | undefined;
  /** How far in the future an assertion's `iat` may be (UNCONFIRMED). @default 300 */
  readonly assertionClockSkewSeconds?: number | undefined;
  /** Authorization code lifetime (UNCONFIRMED). @default 60 */
  readonly authorizationCodeTtlSeconds?: number | undefined;
  /** Confidential clients' refresh-token lifetime. @default 168 (7 days) */
  readonly confidentialRefreshTokenValidityHours?: number | undefined;
  /** Accept `http://127.0.0.1/…` style redirect URIs, as Oracle's own SDK uses; strict NetSuite refuses http. @default true */
  readonly allowHttpLoopbackRedirectUris?: boolean | undefined;
  /** Accept `client_secret` in the form without Basic (UNCONFIRMED; NetSuite documents only Basic). @default false */
  readonly allowClientSecretPost?: boolean | undefined;
  /** Revoke the tokens of a code that is presented twice (UNCONFIRMED). @default true */
  readonly revokeTokensOnCodeReuse?: boolean | undefined;
  /** Accept a space-separated `scope` string inside the client assertion (UNCONFIRMED). @default true */
  readonly acceptSpaceSeparatedAssertionScope?: boolean | undefined;
  /** Refuse SuiteQL without `Prefer: transient` (UNCONFIRMED what NetSuite answers). @default true */
  readonly requireTransientHeader?: boolean | undefined;
  /** Status of a duplicate idempotency key (UNCONFIRMED: 400 or 409). @default 400 */
  readonly idempotencyConflictStatus?: 400 | 409 | undefined;
  /** @default 100000 */
  readonly suiteqlMaxRows?: number | undefined;
  /**
   * Time budget of one SuiteQL query, ms. Queries run in a worker thread, so a slow one never blocks the
   * emulator; past the budget it is stopped and answered with 400 `SSS_SEARCH_TIMEOUT` (UNCONFIRMED code).
   * @default 10000
   */
  readonly suiteqlTimeoutMs?: number | undefined;
  /** @default 10485760 (10 MB) */
  readonly maxBodyBytes?: number | undefined;
  /** Entries kept in the request log. @default 1000 */
  readonly requestLogSize?: number | undefined;
  /** Send the refusal reason (`MissingKey`, `AccessTokenExpired`, …) in `X-NetSuite-Emulator-Reason`. @default true */
  readonly exposeReasons?: boolean | undefined;
  /** When set, the HTTP admin API requires `X-Emulator-Admin-Token: <value>`. */
  readonly adminToken?: string | undefined;
  /** How long async jobs stay `pending` on the emulator clock. @default 0 */
  readonly asyncJobDelayMs?: number | undefined;
  /**
   * What requests, records and async jobs cost in time and concurrency slots (every field UNCONFIRMED); see
   * {@link CostModel}. `emu.admin.setCostModel()` changes it at run time.
   * @default { requestMs: 0, recordMs: 0, jobHoldsSlot: true, parallelTasks: 4, batchProcessing: 'sequential' }
   */
  readonly costModel?: Partial<CostModel> | undefined;
  /** Most records in one batch request (article_0127092747: 100). @default 100 */
  readonly maxBatchItems?: number | undefined;
  /**
   * Serve `…/job/{id}/task?expandSubResources=true` with each task's result inline (UNCONFIRMED: an emulator
   * extension; `false` answers with the plain list, so a client must read each task's result).
   * @default true
   */
  readonly expandTaskResults?: boolean | undefined;
  /**
   * Latency of every metadata catalog request, ms (the admin API's `setLatency({ route: 'metadata' })` changes it).
   * A real catalog is slow: the full one took about 98 s on one account (airbyte#25223); per type, UNCONFIRMED.
   * @default 0
   */
  readonly metadataLatencyMs?: number | undefined;
  /** A `select=` name that is no record type: `error` (400 `INVALID_PARAMETER`) or `ignore` it (UNCONFIRMED). @default 'error' */
  readonly metadataUnknownSelect?: 'error' | 'ignore' | undefined;
  /**
   * How a reference field looks in a type's JSON Schema (UNCONFIRMED): `catalog-ref` is `{ type: 'object', $ref:
   * '<catalog url of the referenced type>' }`, `inline` the `{ id, refName, externalId, links }` object itself.
   * @default 'catalog-ref'
   */
  readonly metadataReferences?: 'catalog-ref' | 'inline' | undefined;
  /**
   * More NetSuite accounts in the same emulator, each on a local origin of its own (`emu.account(id).url`) with
   * its own integrations, certificates, users, records, concurrency limit, cost model, counters and clock. Each
   * takes the options above and overrides any of them; a token or assertion of one account is refused by the
   * others, as on NetSuite. @default [] (one account)
   */
  readonly accounts?: readonly EmulatorAccountOptions[] | undefined;
}

/**
 * One more account of the emulator ({@link EmulatorOptions.accounts}): its id, and any option of the emulator's
 * own that differs for it (its `port` defaults to a free one).
 *
 * @example
 * await startEmulator({ accounts: [{ accountId: '7654321', concurrencyLimit: 15, costModel: { requestMs: 40 } }] });
 */
export interface EmulatorAccountOptions
  extends Omit<EmulatorOptions, 'accountId' | 'host' | 'now' | 'adminToken' | 'accounts'> {
  readonly accountId: string;
}

/** {@link EmulatorOptions} after defaults and checks: what the route handlers read. */
export interface ResolvedOptions {
  readonly accountId: string;
  readonly hostLabel: string;
  readonly accessTokenTtlSeconds: number;
  readonly maxAssertionLifetimeSeconds: number;
  readonly assertionClockSkewSeconds: number;
  readonly authorizationCodeTtlSeconds: number;
  readonly confidentialRefreshTokenValidityHours: number;
  readonly allowHttpLoopbackRedirectUris: boolean;
  readonly allowClientSecretPost: boolean;
  readonly revokeTokensOnCodeReuse: boolean;
  readonly acceptSpaceSeparatedAssertionScope: boolean;
  readonly requireTransientHeader: boolean;
  readonly idempotencyConflictStatus: 400 | 409;
  readonly suiteqlMaxRows: number;
  readonly suiteqlTimeoutMs: number;
  readonly maxBodyBytes: number;
  readonly requestLogSize: number;
  readonly exposeReasons: boolean;
  readonly adminToken: string | undefined;
  readonly asyncJobDelayMs: number;
  readonly costModel: CostModel;
  readonly maxBatchItems: number;
  readonly expandTaskResults: boolean;
  readonly metadataLatencyMs: number;
  readonly metadataUnknownSelect: 'error' | 'ignore';
  readonly metadataReferences: 'catalog-ref' | 'inline';
}

function oneOf<T extends string>(value: unknown, name: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !allowed.includes(value as T))
    throw new EmulatorError('ERR_EMULATOR_INVALID_OPTION', `${name} must be ${allowed.join(' or ')}`);
  return value as T;
}

function num(value: unknown, name: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new EmulatorError(
      'ERR_EMULATOR_INVALID_OPTION',
      `${name} must be an integer from ${min} to ${max}`,
    );
  }
  return value;
}

function bool(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean')
    throw new EmulatorError('ERR_EMULATOR_INVALID_OPTION', `${name} must be a boolean`);
  return value;
}

/** What one account needs to start: its handlers' options and its listener's port. */
export interface AccountStart {
  readonly resolved: ResolvedOptions;
  readonly seed: SeedOptions | false;
  readonly port: number;
  readonly concurrencyLimit: number;
}

/** What {@link startEmulator} needs to start: every account, the address and the clock they share. */
export interface StartOptions {
  readonly primary: AccountStart;
  readonly accounts: readonly AccountStart[];
  readonly host: string;
  readonly now: () => number;
}

/** Most accounts one emulator holds (each is a listener and a database). */
const MAX_ACCOUNTS = 1000;

/**
 * Applies defaults and checks every option, synchronously.
 *
 * @throws {EmulatorError} `ERR_EMULATOR_INVALID_OPTION` naming the first bad option.
 */
export function resolveOptions(options: EmulatorOptions): StartOptions {
  const primary = resolveAccount(options, '');
  const host = options.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host.length === 0 || host.length > 255) {
    throw new EmulatorError('ERR_EMULATOR_INVALID_OPTION', 'host must be a host name or IP address');
  }
  const extra = options.accounts ?? [];
  if (!Array.isArray(extra) || extra.length > MAX_ACCOUNTS - 1) {
    throw new EmulatorError(
      'ERR_EMULATOR_INVALID_OPTION',
      `accounts must be an array of at most ${MAX_ACCOUNTS - 1} account options`,
    );
  }
  const labels = new Set([primary.resolved.hostLabel]);
  const { accounts: _accounts, port: _port, ...inherited } = options;
  const accounts = extra.map((account: unknown, i) => {
    if (
      typeof account !== 'object' ||
      account === null ||
      typeof (account as { accountId?: unknown }).accountId !== 'string'
    ) {
      throw new EmulatorError('ERR_EMULATOR_INVALID_OPTION', `accounts[${i}] needs an accountId`);
    }
    for (const name of ['host', 'now', 'adminToken', 'accounts']) {
      if (name in account) {
        throw new EmulatorError(
          'ERR_EMULATOR_INVALID_OPTION',
          `accounts[${i}].${name} is shared by every account: set it once at the top`,
        );
      }
    }
    const resolved = resolveAccount(
      { ...inherited, ...(account as EmulatorAccountOptions) },
      `accounts[${i}].`,
    );
    if (labels.has(resolved.resolved.hostLabel)) {
      throw new EmulatorError(
        'ERR_EMULATOR_INVALID_OPTION',
        `accounts[${i}].accountId is already an account`,
      );
    }
    labels.add(resolved.resolved.hostLabel);
    return resolved;
  });
  return { primary, accounts, host, now: options.now ?? Date.now };
}

function resolveAccount(options: EmulatorOptions, prefix: string): AccountStart {
  try {
    const { resolved, seed } = resolveHandlerOptions(options);
    const port = num(options.port, 'port', 0, 65_535, 0);
    const concurrencyLimit = num(options.concurrencyLimit, 'concurrencyLimit', 1, 10_000, 5);
    return { resolved, seed, port, concurrencyLimit };
  } catch (error) {
    if (prefix !== '' && error instanceof EmulatorError) {
      throw new EmulatorError(error.code, `${prefix}${error.message}`);
    }
    throw error;
  }
}

function resolveHandlerOptions(options: EmulatorOptions): {
  resolved: ResolvedOptions;
  seed: SeedOptions | false;
} {
  if (typeof options !== 'object' || options === null) {
    throw new EmulatorError('ERR_EMULATOR_INVALID_OPTION', 'options must be an object');
  }
  let account: { id: string; hostLabel: string };
  try {
    account = parseAccountId(options.accountId ?? '1234567_SB1');
  } catch (cause) {
    throw new EmulatorError(
      'ERR_EMULATOR_INVALID_OPTION',
      'accountId must look like 1234567 or 1234567_SB1',
      { cause },
    );
  }
  const seed = options.seed ?? {};
  if (seed !== false) {
    if (typeof seed !== 'object' || seed === null)
      throw new EmulatorError('ERR_EMULATOR_INVALID_OPTION', 'seed must be an object or false');
    for (const [k, v] of Object.entries(seed)) {
      if (k === 'defaultUser') bool(v, 'seed.defaultUser', true);
      else if (
        [
          'customers',
          'contacts',
          'employees',
          'vendors',
          'inventoryItems',
          'salesOrders',
          'invoices',
        ].includes(k)
      ) {
        num(v, `seed.${k}`, 0, SEED_LIMIT, 0);
      } else throw new EmulatorError('ERR_EMULATOR_INVALID_OPTION', `seed.${k} is not a known seed option`);
    }
  }
  if (options.now !== undefined && typeof options.now !== 'function') {
    throw new EmulatorError(
      'ERR_EMULATOR_INVALID_OPTION',
      'now must be a function returning epoch milliseconds',
    );
  }
  if (
    options.adminToken !== undefined &&
    (typeof options.adminToken !== 'string' || options.adminToken.length < 8)
  ) {
    throw new EmulatorError(
      'ERR_EMULATOR_INVALID_OPTION',
      'adminToken must be a string of at least 8 characters',
    );
  }
  if (
    options.idempotencyConflictStatus !== undefined &&
    options.idempotencyConflictStatus !== 400 &&
    options.idempotencyConflictStatus !== 409
  ) {
    throw new EmulatorError('ERR_EMULATOR_INVALID_OPTION', 'idempotencyConflictStatus must be 400 or 409');
  }
  return {
    seed: seed === false ? false : seed,
    resolved: {
      accountId: account.id,
      hostLabel: account.hostLabel,
      accessTokenTtlSeconds: num(options.accessTokenTtlSeconds, 'accessTokenTtlSeconds', 1, 86_400, 3600),
      maxAssertionLifetimeSeconds: num(
        options.maxAssertionLifetimeSeconds,
        'maxAssertionLifetimeSeconds',
        1,
        86_400,
        3600,
      ),
      assertionClockSkewSeconds: num(
        options.assertionClockSkewSeconds,
        'assertionClockSkewSeconds',
        0,
        86_400,
        300,
      ),
      authorizationCodeTtlSeconds: num(
        options.authorizationCodeTtlSeconds,
        'authorizationCodeTtlSeconds',
        1,
        86_400,
        60,
      ),
      confidentialRefreshTokenValidityHours: num(
        options.confidentialRefreshTokenValidityHours,
        'confidentialRefreshTokenValidityHours',
        1,
        8760,
        168,
      ),
      allowHttpLoopbackRedirectUris: bool(
        options.allowHttpLoopbackRedirectUris,
        'allowHttpLoopbackRedirectUris',
        true,
      ),
      allowClientSecretPost: bool(options.allowClientSecretPost, 'allowClientSecretPost', false),
      revokeTokensOnCodeReuse: bool(options.revokeTokensOnCodeReuse, 'revokeTokensOnCodeReuse', true),
      acceptSpaceSeparatedAssertionScope: bool(
        options.acceptSpaceSeparatedAssertionScope,
        'acceptSpaceSeparatedAssertionScope',
        true,
      ),
      requireTransientHeader: bool(options.requireTransientHeader, 'requireTransientHeader', true),
      idempotencyConflictStatus: options.idempotencyConflictStatus ?? 400,
      suiteqlMaxRows: num(options.suiteqlMaxRows, 'suiteqlMaxRows', 1, 10_000_000, 100_000),
      suiteqlTimeoutMs: num(options.suiteqlTimeoutMs, 'suiteqlTimeoutMs', 10, 900_000, 10_000),
      maxBodyBytes: num(options.maxBodyBytes, 'maxBodyBytes', 1024, 104 * 1024 * 1024, 10 * 1024 * 1024),
      requestLogSize: num(options.requestLogSize, 'requestLogSize', 0, 1_000_000, 1000),
      exposeReasons: bool(options.exposeReasons, 'exposeReasons', true),
      adminToken: options.adminToken,
      asyncJobDelayMs: num(options.asyncJobDelayMs, 'asyncJobDelayMs', 0, 86_400_000, 0),
      costModel: resolveCostModel(options.costModel),
      maxBatchItems: num(options.maxBatchItems, 'maxBatchItems', 1, 1000, 100),
      expandTaskResults: bool(options.expandTaskResults, 'expandTaskResults', true),
      metadataLatencyMs: num(options.metadataLatencyMs, 'metadataLatencyMs', 0, 600_000, 0),
      metadataUnknownSelect: oneOf(
        options.metadataUnknownSelect,
        'metadataUnknownSelect',
        ['error', 'ignore'],
        'error',
      ),
      metadataReferences: oneOf(
        options.metadataReferences,
        'metadataReferences',
        ['catalog-ref', 'inline'],
        'catalog-ref',
      ),
    },
  };
}
