import { createErrorGuard, NetSuiteError } from '@netsuite-oauth/core';

/**
 * Codes thrown by `@netsuite-oauth/governance-redis`.
 *
 * @example
 * if (error.code === ('ERR_GOVERNANCE_REDIS_UNAVAILABLE' satisfies GovernanceRedisErrorCode)) fallBack()
 */
export type GovernanceRedisErrorCode =
  | 'ERR_GOVERNANCE_INVALID_OPTION'
  | 'ERR_GOVERNANCE_REDIS_UNAVAILABLE'
  | 'ERR_GOVERNANCE_ABORTED';

/**
 * The error of `@netsuite-oauth/governance-redis`.
 *
 * @example
 * try { await limiter.acquire() } catch (e) { if (isGovernanceRedisError(e)) console.log(e.code) }
 */
export class GovernanceRedisError extends NetSuiteError {
  declare readonly code: GovernanceRedisErrorCode;

  constructor(code: GovernanceRedisErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'GovernanceRedisError';
  }
}

/**
 * True for an error thrown by `@netsuite-oauth/governance-redis`, from any installed copy of the package.
 * Pass `code` to test for one code.
 *
 * @example
 * if (isGovernanceRedisError(e) && e.code === 'ERR_GOVERNANCE_REDIS_UNAVAILABLE') fallBack()
 */
export const isGovernanceRedisError = createErrorGuard<GovernanceRedisError>('ERR_GOVERNANCE_');
