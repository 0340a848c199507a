import { describe, expect, it } from 'vitest';
import {
  isLoopbackHost,
  isNetSuiteError,
  NetSuiteConfigError,
  netsuiteEndpoints,
  parseAccountId,
} from '../src/index.js';

describe('parseAccountId', () => {
  it.each([
    ['1234567', '1234567', '1234567'],
    ['1234567_SB1', '1234567_SB1', '1234567-sb1'],
    ['1234567-sb1', '1234567_SB1', '1234567-sb1'],
    ['tstdrv1234567', 'TSTDRV1234567', 'tstdrv1234567'],
    ['1234567_RP', '1234567_RP', '1234567-rp'],
  ])('%s → %s / %s', (input, id, hostLabel) => {
    expect(parseAccountId(input)).toEqual({ id, hostLabel });
  });

  it.each([
    '',
    'evil.com',
    '1234567.evil.com/x',
    '1234567_SB1_x',
    'a b',
    '1234567@evil',
    '1234567#',
    '../x',
    '1234567_',
    'x'.repeat(60),
  ])('refuses %j with a typed error', (input) => {
    let caught: unknown;
    try {
      parseAccountId(input);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(NetSuiteConfigError);
    expect(isNetSuiteError(caught)).toBe(true);
    expect((caught as NetSuiteConfigError).code).toBe('ERR_CORE_INVALID_ACCOUNT_ID');
    // The message is fixed text: it never echoes the input back.
    expect((caught as Error).message).toBe(
      'accountId must look like 1234567, 1234567_SB1 or TSTDRV1234567 (letters, digits and one _ or - suffix)',
    );
  });

  it('refuses non-strings', () => {
    expect(() => parseAccountId(42)).toThrow(NetSuiteConfigError);
    expect(() => parseAccountId(undefined)).toThrow(NetSuiteConfigError);
  });
});

describe('netsuiteEndpoints', () => {
  it('builds the documented hosts', () => {
    const e = netsuiteEndpoints('1234567_SB1');
    expect(e.authorizeUrl).toBe('https://1234567-sb1.app.netsuite.com/app/login/oauth2/authorize.nl');
    expect(e.tokenUrl).toBe(
      'https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/auth/oauth2/v1/token',
    );
    expect(e.revokeUrl).toBe(
      'https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/auth/oauth2/v1/revoke',
    );
    expect(e.recordUrl).toBe('https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/record/v1');
    expect(e.suiteqlUrl).toBe(
      'https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/query/v1/suiteql',
    );
    expect(e.restletUrl).toBe('https://1234567-sb1.restlets.api.netsuite.com/app/site/hosting/restlet.nl');
    expect(e.certificatesUrl('abc')).toBe(
      'https://1234567-sb1.restlets.api.netsuite.com/services/rest/auth/oauth2/v1/clients/abc/certificates',
    );
    expect(e.accountId).toBe('1234567_SB1');
  });

  it('serves every family from one origin override', () => {
    const e = netsuiteEndpoints('1234567', { origin: 'http://127.0.0.1:4010/', allowInsecureLoopback: true });
    expect(e.tokenUrl).toBe('http://127.0.0.1:4010/services/rest/auth/oauth2/v1/token');
    expect(e.authorizeUrl).toBe('http://127.0.0.1:4010/app/login/oauth2/authorize.nl');
    expect(e.restletUrl).toBe('http://127.0.0.1:4010/app/site/hosting/restlet.nl');
  });

  it.each([
    ['http://127.0.0.1:4010', false, 'ERR_CORE_INSECURE_ORIGIN'],
    ['http://example.com', true, 'ERR_CORE_INSECURE_ORIGIN'],
    ['http://10.0.0.1', true, 'ERR_CORE_INSECURE_ORIGIN'],
    ['ftp://127.0.0.1', true, 'ERR_CORE_INVALID_ORIGIN'],
    ['https://x.example/path', false, 'ERR_CORE_INVALID_ORIGIN'],
    ['https://user:pw@x.example', false, 'ERR_CORE_INVALID_ORIGIN'],
    ['not a url', false, 'ERR_CORE_INVALID_ORIGIN'],
  ])('refuses origin %s (loopback flag %s)', (origin, allowInsecureLoopback, code) => {
    expect(() => netsuiteEndpoints('1234567', { origin, allowInsecureLoopback })).toThrow(
      expect.objectContaining({ code }),
    );
  });

  it('accepts https origins and localhost with the flag', () => {
    expect(netsuiteEndpoints('1', { origin: 'https://proxy.example:8443' }).restOrigin).toBe(
      'https://proxy.example:8443',
    );
    expect(
      netsuiteEndpoints('1', { origin: 'http://localhost:9', allowInsecureLoopback: true }).appOrigin,
    ).toBe('http://localhost:9');
  });

  it('refuses a crafted client id in certificatesUrl', () => {
    expect(() => netsuiteEndpoints('1').certificatesUrl('../../x')).toThrow(NetSuiteConfigError);
  });
});

describe('isLoopbackHost', () => {
  it('accepts loopback bind addresses and Host headers, and nothing else', () => {
    for (const host of [
      '127.0.0.1',
      '127.8.9.10',
      '::1',
      '[::1]',
      '[::1]:4010',
      'localhost',
      'LOCALHOST:3000',
      '127.0.0.1:80',
    ]) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
    for (const host of [
      '0.0.0.0',
      '::',
      '10.0.0.8',
      'rebind.example:4010',
      '127.0.0.1.evil.example',
      'localhost.evil.example',
      '',
      'a b',
      'user@127.0.0.1',
      undefined as unknown as string,
    ]) {
      expect(isLoopbackHost(host), String(host)).toBe(false);
    }
  });
});
