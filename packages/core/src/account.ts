import { NetSuiteConfigError } from './errors.js';

/** An account id in both of NetSuite's forms. */
export interface AccountId {
  /** The form NetSuite shows and uses in `realm`, `company` and DataCenterUrls: `1234567_SB1`, `TSTDRV1234567`. */
  readonly id: string;
  /** The form used in host names: lower case, `_` replaced by `-`: `1234567-sb1`. */
  readonly hostLabel: string;
}

// Letters and digits, optionally followed by one `_`/`-` suffix of letters and digits (SB1, RP, RP2).
// Nothing else can reach a host name, so a crafted id can never steer a request to another host.
const ACCOUNT_ID = /^[A-Za-z0-9]{1,40}(?:[_-][A-Za-z0-9]{1,10})?$/;

/**
 * Validates an account id and returns both of its forms.
 *
 * Accepts the underscore form (`1234567_SB1`) and the host form (`1234567-sb1`), any case.
 * Follows NetSuite's rule: the host label is the id lower-cased with `_` replaced by `-`.
 *
 * @example
 * parseAccountId('1234567_sb1') // { id: '1234567_SB1', hostLabel: '1234567-sb1' }
 * @throws {NetSuiteConfigError} `ERR_CORE_INVALID_ACCOUNT_ID` when the value is not an account id.
 * @see https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1498251763.html
 */
export function parseAccountId(input: unknown): AccountId {
  if (typeof input !== 'string' || !ACCOUNT_ID.test(input.trim())) {
    throw new NetSuiteConfigError(
      'ERR_CORE_INVALID_ACCOUNT_ID',
      'accountId must look like 1234567, 1234567_SB1 or TSTDRV1234567 (letters, digits and one _ or - suffix)',
    );
  }
  const trimmed = input.trim();
  const id = trimmed.toUpperCase().replace('-', '_');
  return { id, hostLabel: id.toLowerCase().replace('_', '-') };
}
