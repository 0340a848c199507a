const INVALID_LOGIN =
  'NetSuite refused the token (401 INVALID_LOGIN) and says no more on the wire; its Login Audit Trail (Setup > Users/Roles > ' +
  'User Management > View Login Audit Trail) names the reason. Most likely the token expired or was revoked; else the role ' +
  'lacks "Log in using OAuth 2.0 Access Tokens" or "REST Web Services", the scope does not cover this service, or the ' +
  'integration record is disabled.';

const HINTS: Readonly<Record<string, string>> = {
  INVALID_LOGIN,
  INSUFFICIENT_PERMISSION: 'the role behind the token lacks the permission for this record or operation.',
  NONEXISTENT_ID: 'there is no record with that id (or the role cannot see it).',
  INVALID_CONTENT: 'NetSuite rejected a field value in the body; the error path says which.',
  INVALID_REQUEST: 'the URL or a parameter is malformed.',
  CONCURRENCY_LIMIT_EXCEEDED:
    'the account-wide concurrency limit was hit (every integration shares it); retry later or lower concurrency.',
  SSS_REQUEST_LIMIT_EXCEEDED: 'the RESTlet concurrency limit was hit; retry later.',
  NONEXISTENT_FIELD: 'a field in the request does not exist on this record type.',
  INVALID_PARAMETER: 'a query parameter has an invalid value.',
  NONEXISTENT_OFFSET: 'the page offset is past the end of the results.',
  UNEXPECTED_ERROR:
    'NetSuite hit an internal error; retry, and contact support with the error id if it persists.',
};

/**
 * What a NetSuite REST error means, in plain words with the most likely cause first: by its `o:errorCode`
 * (`INVALID_LOGIN`, `NONEXISTENT_ID`, …), or by the status when the code is missing (401 is `INVALID_LOGIN`).
 * `undefined` when there is nothing to add. Apps print it under a {@link NetSuiteApiError}.
 *
 * @example
 * if (error instanceof NetSuiteApiError) console.error(apiErrorHint(error.errorCode, error.status));
 * @see https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_156570709583.html
 */
export function apiErrorHint(errorCode: string | undefined, status?: number): string | undefined {
  if (typeof errorCode === 'string' && Object.hasOwn(HINTS, errorCode)) return HINTS[errorCode];
  return status === 401 ? INVALID_LOGIN : undefined;
}
