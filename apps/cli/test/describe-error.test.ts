import { beforeAll, describe, expect, it } from 'vitest';
import { describeError, type ErrorHints, isNetworkError, loadErrorHints } from '../src/describe-error.js';
import { CliError, EXIT } from '../src/errors.js';

class FakeError extends Error {
  constructor(fields: Record<string, unknown>) {
    super(String(fields.message ?? 'x'));
    Object.assign(this, fields);
  }
}

let hints: ErrorHints;
beforeAll(async () => {
  hints = await loadErrorHints();
});

describe('describeError', () => {
  it('passes CLI errors through', () => {
    expect(describeError(new CliError('ERR_CLI_USAGE', 'bad', EXIT.usage, 'try'))).toEqual({
      code: 'ERR_CLI_USAGE',
      message: 'bad',
      hint: 'try',
      exitCode: 2,
    });
  });

  it('explains OAuth errors from the token endpoint (exit 4), in the words of oauth-flows', () => {
    const d = describeError(
      new FakeError({
        name: 'OAuthResponseError',
        code: 'ERR_OAUTH_RESPONSE',
        error: 'invalid_client',
        status: 401,
      }),
      { hints, oauthContext: 'client_credentials' },
    );
    expect(d.message).toBe('token endpoint refused the request: invalid_client (HTTP 401)');
    expect(d.hint).toContain("the client id is not the integration's Client ID");
    expect(d.hint).toMatch(/Run "pnpm nso doctor"\.$/);
    // Login: the most likely cause of invalid_grant is the code, not a certificate.
    const code = describeError(
      new FakeError({ code: 'ERR_OAUTH_RESPONSE', error: 'invalid_grant', status: 400 }),
      {
        hints,
        oauthContext: 'authorization_code',
      },
    );
    expect(code.hint).toMatch(/^the authorization code expired/);
    expect(d.exitCode).toBe(EXIT.auth);
    expect(describeError(new FakeError({ error: 'server_error', status: 500 })).exitCode).toBe(EXIT.failure);
  });

  it('explains NetSuite API errors; INVALID_LOGIN is an auth failure', () => {
    const login = describeError(
      new FakeError({
        name: 'NetSuiteApiError',
        code: 'ERR_RECORD_API',
        status: 401,
        errorCode: 'INVALID_LOGIN',
        method: 'GET',
        path: '/services/rest/record/v1/customer/1',
      }),
      { hints },
    );
    expect(login.message).toBe(
      'NetSuite answered 401 INVALID_LOGIN to GET /services/rest/record/v1/customer/1',
    );
    expect(login.hint).toContain('Login Audit Trail');
    expect(login.exitCode).toBe(EXIT.auth);
    const missing = describeError(
      new FakeError({
        name: 'NetSuiteApiError',
        status: 404,
        errorCode: 'NONEXISTENT_ID',
        detail: 'Record does not exist.',
      }),
    );
    expect(missing.message).toBe('NetSuite answered 404 NONEXISTENT_ID: Record does not exist.');
    expect(missing.exitCode).toBe(EXIT.api);
  });

  it('recognises network failures through the cause chain (exit 5)', () => {
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
    });
    const wrapped = new FakeError({ code: 'ERR_OAUTH_NETWORK', message: 'request failed', cause: refused });
    expect(isNetworkError(wrapped)).toBe(true);
    expect(describeError(wrapped)).toMatchObject({
      message: 'cannot reach NetSuite: connection refused',
      exitCode: EXIT.network,
    });
    expect(describeError(new FakeError({ code: 'ERR_RECORD_TIMEOUT' })).message).toBe(
      'cannot reach NetSuite: no answer in time',
    );
    const dns = Object.assign(new Error('getaddrinfo'), { code: 'ENOTFOUND' });
    expect(describeError(new TypeError('fetch failed', { cause: dns })).message).toBe(
      'cannot reach NetSuite: host name not found',
    );
  });

  it('unwraps a failed token source inside the record client', () => {
    const inner = new FakeError({ error: 'invalid_grant', status: 400 });
    const outer = new FakeError({ code: 'ERR_RECORD_TOKEN', message: 'token source failed', cause: inner });
    expect(describeError(outer).message).toBe('token endpoint refused the request: invalid_grant (HTTP 400)');
  });

  it('maps package configuration errors to exit 3 with a hint', () => {
    const d = describeError(
      new FakeError({ code: 'ERR_CORE_INVALID_ACCOUNT_ID', message: 'accountId must look like 1234567' }),
    );
    expect(d).toMatchObject({ exitCode: EXIT.config, message: 'accountId must look like 1234567' });
    expect(d.hint).toContain('1234567_SB1');
    expect(describeError(new FakeError({ code: 'ERR_ASSERTION_KEY', message: 'bad key' })).exitCode).toBe(
      EXIT.config,
    );
    expect(describeError(new FakeError({ code: 'ERR_STORE_INTEGRITY', message: 'tampered' })).exitCode).toBe(
      EXIT.config,
    );
  });

  it('maps invalid arguments to exit 2 and invalid options to exit 3', () => {
    expect(
      describeError(new FakeError({ code: 'ERR_RECORD_INVALID_ARGUMENT', message: 'script must be…' }))
        .exitCode,
    ).toBe(EXIT.usage);
    expect(
      describeError(new FakeError({ code: 'ERR_OAUTH_INVALID_OPTION', message: 'redirectUri must…' }))
        .exitCode,
    ).toBe(EXIT.config);
    expect(
      describeError(new FakeError({ code: 'ERR_OAUTH_STATE_MISMATCH', message: 'state' })).exitCode,
    ).toBe(EXIT.auth);
  });

  it('labels anything else as unexpected (exit 1)', () => {
    expect(describeError(new Error('boom'))).toMatchObject({
      message: 'unexpected error: boom',
      exitCode: EXIT.failure,
    });
    expect(describeError('text')).toMatchObject({ exitCode: EXIT.failure });
  });
});
