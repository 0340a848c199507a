import { NetSuiteError } from '@netsuite-oauth/core';
import {
  AuthorizationResponseError,
  OAuthFlowError,
  OAuthResponseError,
  oauthErrorHint,
} from '@netsuite-oauth/oauth-flows';
import { apiErrorHint, NetSuiteApiError } from '@netsuite-oauth/record-client';
import { describe, expect, it } from 'vitest';
import { describeError } from '../src/app.js';
import { isServerError, ServerError } from '../src/errors.js';
import { type GatewayStep, toServerError } from '../src/netsuite-errors.js';

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

describe('package errors are translated once, at the gateway, then become pages a user can act on', () => {
  const page = (error: unknown, step: GatewayStep = 'use') => describeError(toServerError(error, step));

  it('consent denied → 403 with the server code', () => {
    expect(page(new AuthorizationResponseError('access_denied', undefined), 'callback')).toMatchObject({
      status: 403,
      code: 'ERR_SERVER_AUTHORIZATION_DENIED',
    });
  });

  it('invalid_grant and reauthentication → 401, connect again; a refused sign-in code → start again', () => {
    expect(page(new OAuthResponseError('invalid_grant', undefined, 400)).code).toBe(
      'ERR_SERVER_NOT_CONNECTED',
    );
    expect(page(new OAuthFlowError('ERR_OAUTH_REAUTHENTICATION_REQUIRED', 'log in again')).status).toBe(401);
    expect(page(new OAuthResponseError('invalid_grant', undefined, 400), 'connect')).toMatchObject({
      status: 400,
      code: 'ERR_SERVER_CODE_REJECTED',
    });
  });

  it('other token endpoint errors → 502 with oauth-flows’ hint for the grant', () => {
    const client = page(new OAuthResponseError('invalid_client', undefined, 401), 'connect');
    expect(client).toMatchObject({ status: 502, code: 'ERR_SERVER_NETSUITE_REFUSED' });
    expect(client.hint).toBe(oauthErrorHint('invalid_client', 'authorization_code'));
    expect(client.hint).toContain('client secret');
    expect(page(new OAuthResponseError('invalid_grant', undefined, 400), 'm2m').hint).toBe(
      oauthErrorHint('invalid_grant', 'client_credentials'),
    );
  });

  it('the cause of a wrapped token failure is what is described', () => {
    const wrapped = new OAuthFlowError('ERR_OAUTH_RESOLVE_FAILED', 'could not build the grant', {
      cause: new OAuthResponseError('invalid_grant', undefined, 400),
    });
    expect(page(wrapped).code).toBe('ERR_SERVER_NOT_CONNECTED');
  });

  it('NetSuite API errors keep NetSuite’s detail, not a stack; 401 means connect again', () => {
    const error = new NetSuiteApiError({
      status: 400,
      method: 'POST',
      path: '/services/rest/query/v1/suiteql',
      title: 'Bad Request',
      detail: 'Invalid search query.',
      errorCode: 'INVALID_PARAMETER',
    });
    const shown = page(error);
    expect(shown).toMatchObject({ status: 400, code: 'ERR_SERVER_NETSUITE_ERROR' });
    expect(shown.message).toContain('Invalid search query.');
    expect(shown.message).not.toContain('at ');
    expect(shown.hint).toBe(apiErrorHint('INVALID_PARAMETER', 400));
    const unauthorized = new NetSuiteApiError({
      status: 401,
      method: 'GET',
      path: '/x',
      errorCode: 'INVALID_LOGIN',
    });
    expect(page(unauthorized).code).toBe('ERR_SERVER_NOT_CONNECTED');
  });

  it('timeouts and network errors → 502 "could not be reached"', () => {
    expect(page(new OAuthFlowError('ERR_OAUTH_TIMEOUT', 'timed out'))).toMatchObject({
      status: 502,
      code: 'ERR_SERVER_NETSUITE_UNREACHABLE',
    });
  });

  it('an error that only looks like a package error by its name is not trusted', () => {
    const impostor = Object.assign(new Error('x'), { name: 'OAuthResponseError', error: 'invalid_grant' });
    expect(page(impostor).status).toBe(500);
  });

  it('unknown errors → a generic 500 that shows nothing of the error', () => {
    const shown = page(new Error('secret-token-value in a message'));
    expect(shown.status).toBe(500);
    expect(JSON.stringify(shown)).not.toContain('secret-token-value');
    expect(describeError('a string').status).toBe(500);
  });
});
