import { NetSuiteError } from '@netsuite-oauth/core';
import { AuthorizationResponseError, OAuthFlowError, OAuthResponseError } from '@netsuite-oauth/oauth-flows';
import { NetSuiteApiError } from '@netsuite-oauth/record-client';
import { describe, expect, it } from 'vitest';
import { describeError } from '../src/app.js';
import { isServerError, ServerError } from '../src/errors.js';

describe('ServerError', () => {
  it('extends NetSuiteError with a stable code and an HTTP status', () => {
    const error = new ServerError('ERR_SERVER_CSRF', 'the form has expired', { status: 403 });
    expect(error).toBeInstanceOf(NetSuiteError);
    expect(error.name).toBe('ServerError');
    expect(isServerError(error)).toBe(true);
    expect(isServerError(new Error('x'))).toBe(false);
    expect(new ServerError('ERR_SERVER_NOT_FOUND', 'x').status).toBe(500);
  });
});

describe('describeError: errors become pages a user can act on', () => {
  it('consent denied → 403 with the server code', () => {
    const page = describeError(new AuthorizationResponseError('access_denied', undefined));
    expect(page).toMatchObject({ status: 403, code: 'ERR_SERVER_AUTHORIZATION_DENIED' });
  });

  it('invalid_grant and reauthentication → 401, connect again', () => {
    expect(describeError(new OAuthResponseError('invalid_grant', undefined, 400)).code).toBe(
      'ERR_SERVER_NOT_CONNECTED',
    );
    expect(
      describeError(new OAuthFlowError('ERR_OAUTH_REAUTHENTICATION_REQUIRED', 'log in again')).status,
    ).toBe(401);
  });

  it('other token endpoint errors → 502 with a hint', () => {
    const page = describeError(new OAuthResponseError('invalid_client', undefined, 401));
    expect(page.status).toBe(502);
    expect(page.hint).toContain('integration record');
  });

  it('NetSuite API errors keep NetSuite’s detail, not a stack', () => {
    const error = new NetSuiteApiError({
      status: 400,
      method: 'POST',
      path: '/services/rest/query/v1/suiteql',
      title: 'Bad Request',
      detail: 'Invalid search query.',
      errorCode: 'INVALID_PARAMETER',
    });
    const page = describeError(error);
    expect(page.status).toBe(400);
    expect(page.message).toContain('Invalid search query.');
    expect(page.message).not.toContain('at ');
  });

  it('timeouts and network errors → 502 "could not be reached"', () => {
    expect(describeError(new OAuthFlowError('ERR_OAUTH_TIMEOUT', 'timed out')).status).toBe(502);
  });

  it('unknown errors → a generic 500 that shows nothing of the error', () => {
    const page = describeError(new Error('secret-token-value in a message'));
    expect(page.status).toBe(500);
    expect(JSON.stringify(page)).not.toContain('secret-token-value');
    expect(describeError('a string').status).toBe(500);
  });
});
