import { parseAccountId } from '@netsuite-oauth/core';
import { NetSuiteApiError, RecordClientError } from './errors.js';
import {
  type ConcurrencyLimiter,
  type ConcurrencyPermit,
  createConcurrencyLimiter,
  type LocalConcurrencyLimiter,
} from './limiter.js';

/**
 * The account's concurrency limits as NetSuite reports them.
 *
 * @example
 * const limits: GovernanceLimits = await client.governanceLimits();
 */
export interface GovernanceLimits {
  readonly accountConcurrencyLimit: number;
  readonly accountUnallocatedConcurrencyLimit: number | undefined;
  readonly integrationConcurrencyLimit: number;
  /** `integrationSpecific`, `accountLimit` or `internal`. */
  readonly integrationLimitType: string | undefined;
}

/**
 * Options of {@link createAccountGovernance}.
 *
 * @example
 * const options: AccountGovernanceOptions = { limiter: budgets.limiter, limits: { '1234567': 25 }, fallbackLimit: 5 };
 */
export interface AccountGovernanceOptions {
  /**
   * Makes the limiter of an account once its limit is known: an in-process one by default, or
   * `redisAccountLimiters(…).limiter` from `@netsuite-oauth/governance-redis` to share each account's budget across
   * processes. @default (accountId, limit) => createConcurrencyLimiter(limit)
   */
  readonly limiter?: ((accountId: string, limit: number) => ConcurrencyLimiter) | undefined;
  /** Limits from configuration by account id (either form); they win over discovery. */
  readonly limits?: Readonly<Record<string, number>> | undefined;
  /**
   * Ask NetSuite (`GET /services/rest/system/v1/governanceLimits`, administrators only) for an account without a
   * configured limit, on its first request, and use its `integrationConcurrencyLimit`. @default true
   */
  readonly discover?: boolean | undefined;
  /**
   * The limit of an account with neither a configured nor a discovered one: discovery off, refused (the role is
   * not an administrator) or failed. @default 5 (Standard and development accounts)
   */
  readonly fallbackLimit?: number | undefined;
}

/**
 * How an account's limit was decided: `configured` (the `limits` option), `discovered` (NetSuite's
 * governanceLimits) or `fallback` (with the error `code` of a failed discovery, if there was one).
 *
 * @example
 * const { limit, source } = governance.limitOf('1234567') ?? {};
 */
export interface AccountLimit {
  readonly limit: number;
  readonly source: 'configured' | 'discovered' | 'fallback';
  /** Why discovery gave no limit: the error code of the call. */
  readonly reason?: string | undefined;
}

/**
 * One concurrency budget per NetSuite account for clients of many accounts; pass it as `concurrency` to
 * {@link createNetSuiteClient}: every client of the same account then shares that account's limiter.
 *
 * @example
 * const governance = createAccountGovernance({ limits: { '1234567': 25 } });
 * const client = createNetSuiteClient({ accountId: '1234567', token, concurrency: governance });
 */
export interface AccountGovernance {
  /**
   * The limiter of one account (made on its first request, once its limit is decided). `discover` reads the
   * account's governance limits; the client passes its own.
   * @throws {RecordClientError} `ERR_RECORD_INVALID_OPTION` for a bad account id.
   */
  forAccount(
    accountId: string,
    discover?: (signal?: AbortSignal) => Promise<GovernanceLimits>,
  ): AccountLimiter;
  /** How the account's limit was decided; undefined before its first request. */
  limitOf(accountId: string): AccountLimit | undefined;
}

/**
 * The limiter of one account from {@link AccountGovernance.forAccount}: it decides its limit on the first
 * `acquire` (or `ready()`), then hands out the permits of the limiter made for that limit.
 *
 * @example
 * const { limit } = await governance.forAccount('1234567').ready();
 */
export interface AccountLimiter extends ConcurrencyLimiter {
  readonly accountId: string;
  /** The decided limit; undefined until decided. */
  readonly limit: number | undefined;
  /** Decides the limit (once) and makes the account's limiter. */
  ready(): Promise<AccountLimit>;
}

const governances = new WeakSet<object>();

// How long the discovery of an account's limit waits for the account to be idle before it asks anyway.
const DISCOVERY_WAIT_MS = 10_000;

/**
 * True when `value` came from {@link createAccountGovernance}.
 *
 * @example
 * if (isAccountGovernance(options.concurrency)) options.concurrency.limitOf('1234567');
 */
export function isAccountGovernance(value: unknown): value is AccountGovernance {
  return typeof value === 'object' && value !== null && governances.has(value);
}

function positiveLimit(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new RecordClientError('ERR_RECORD_INVALID_OPTION', `${name} must be a positive integer`);
  }
  return value;
}

function accountKey(accountId: string): string {
  try {
    return parseAccountId(accountId).id;
  } catch (cause) {
    throw new RecordClientError(
      'ERR_RECORD_INVALID_OPTION',
      'accountId must look like 1234567 or 1234567_SB1',
      {
        cause,
      },
    );
  }
}

/**
 * Per-account NetSuite concurrency governance for an application that works for many accounts: each account gets
 * one limiter, sized from configuration, else from NetSuite's `governanceLimits` (read once, with the account's
 * own client), else `fallbackLimit` — NetSuite answers `governanceLimits` to administrators only, so an integration
 * role that is refused falls back instead of failing.
 *
 * @example
 * import { redisAccountLimiters } from '@netsuite-oauth/governance-redis';
 * const budgets = redisAccountLimiters({ client: redis, adaptive: true });
 * const governance = createAccountGovernance({ limiter: budgets.limiter, limits: { '1234567_SB1': 10 } });
 * const client = createNetSuiteClient({ accountId, token: managers.forKey(accountId), concurrency: governance });
 * @throws {RecordClientError} `ERR_RECORD_INVALID_OPTION` for a bad option (names it).
 * @see https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/article_0625010817.html
 */
export function createAccountGovernance(options: AccountGovernanceOptions = {}): AccountGovernance {
  if (options === null || typeof options !== 'object') {
    throw new RecordClientError('ERR_RECORD_INVALID_OPTION', 'governance options must be an object');
  }
  const make = options.limiter ?? ((_id: string, limit: number) => createConcurrencyLimiter(limit));
  if (typeof make !== 'function') {
    throw new RecordClientError('ERR_RECORD_INVALID_OPTION', 'limiter must be a function (accountId, limit)');
  }
  const configured = new Map<string, number>();
  if (options.limits !== undefined) {
    if (options.limits === null || typeof options.limits !== 'object') {
      throw new RecordClientError('ERR_RECORD_INVALID_OPTION', 'limits must map account ids to limits');
    }
    for (const [id, limit] of Object.entries(options.limits)) {
      configured.set(accountKey(id), positiveLimit(limit, `limits[${id}]`));
    }
  }
  const discoverOn = options.discover ?? true;
  if (typeof discoverOn !== 'boolean') {
    throw new RecordClientError('ERR_RECORD_INVALID_OPTION', 'discover must be a boolean');
  }
  const fallback = positiveLimit(options.fallbackLimit ?? 5, 'fallbackLimit');
  const accounts = new Map<string, AccountLimiter>();
  const decided = new Map<string, AccountLimit>();

  const decide = async (
    id: string,
    discover: ((signal?: AbortSignal) => Promise<GovernanceLimits>) | undefined,
  ): Promise<AccountLimit> => {
    const fixed = configured.get(id);
    if (fixed !== undefined) return { limit: fixed, source: 'configured' };
    if (!discoverOn || !discover) return { limit: fallback, source: 'fallback' };
    // The discovery call counts against the account's limit too (NetSuite governs it like any REST request), and
    // other processes may already be using the whole budget: it goes under a permit of the account's budget one
    // permit wide, that is once the account is idle across the fleet. A busy fleet that stays busy for
    // DISCOVERY_WAIT_MS gets asked anyway; the client retries a 429.
    let permit: ConcurrencyPermit | undefined;
    try {
      permit = await make(id, 1).acquire({ signal: AbortSignal.timeout(DISCOVERY_WAIT_MS) });
    } catch {
      permit = undefined;
    }
    try {
      const limits = await discover(AbortSignal.timeout(30_000));
      return { limit: limits.integrationConcurrencyLimit, source: 'discovered' };
    } catch (error) {
      // Non-administrators are refused (NetSuite documents the call for administrators only); any other failure
      // also leaves the account on the fallback rather than failing its requests.
      const reason =
        error instanceof NetSuiteApiError
          ? `${error.status} ${error.errorCode ?? ''}`.trim()
          : ((error as { code?: string })?.code ?? 'ERR_RECORD_NETWORK');
      return { limit: fallback, source: 'fallback', reason };
    } finally {
      await permit?.release('neutral');
    }
  };

  const governance: AccountGovernance = {
    forAccount(accountId, discover) {
      const id = accountKey(accountId);
      const known = accounts.get(id);
      if (known) return known;
      let inner: ConcurrencyLimiter | undefined;
      let pending: Promise<AccountLimit> | undefined;
      const ready = (): Promise<AccountLimit> => {
        pending ??= decide(id, discover).then((limit) => {
          inner = make(id, limit.limit);
          decided.set(id, limit);
          return limit;
        });
        return pending;
      };
      const limiter: AccountLimiter = {
        accountId: id,
        get limit() {
          const made = inner as Partial<LocalConcurrencyLimiter> | undefined;
          return typeof made?.limit === 'number' ? made.limit : undefined;
        },
        ready,
        acquire(acquireOptions): Promise<ConcurrencyPermit> {
          if (inner) return inner.acquire(acquireOptions);
          return ready().then(() => (inner as ConcurrencyLimiter).acquire(acquireOptions));
        },
      };
      accounts.set(id, limiter);
      return limiter;
    },
    limitOf(accountId) {
      return decided.get(accountKey(accountId));
    },
  };
  governances.add(governance);
  return governance;
}
