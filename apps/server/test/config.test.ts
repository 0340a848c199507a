import { isLoopbackOrTls } from '@netsuite-oauth/core';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENT, parseServerEnv } from '../src/config.js';
import { isServerError } from '../src/errors.js';

function fails(env: Record<string, string>, variable: string): void {
  try {
    parseServerEnv(env);
  } catch (error) {
    expect(isServerError(error)).toBe(true);
    expect((error as { code: string }).code).toBe('ERR_SERVER_INVALID_OPTION');
    expect((error as Error).message).toContain(variable);
    for (const value of Object.values(env))
      if (value.length > 6) expect((error as Error).message).not.toContain(value);
    return;
  }
  throw new Error(`expected ${variable} to be refused`);
}

describe('parseServerEnv', () => {
  it('defaults to the emulator, 127.0.0.1:3000 and the encrypted file store', () => {
    expect(parseServerEnv({})).toEqual({
      port: 3000,
      host: '127.0.0.1',
      publicOrigin: undefined,
      tls: undefined,
      behindTlsProxy: false,
      netsuite: undefined,
      store: { kind: 'file', path: undefined, key: undefined },
      sessionTtlMs: undefined,
      warnings: [],
      netsuiteFrom: [],
    });
  });

  it('reads a real account, m2m settings, Redis and TLS', () => {
    const config = parseServerEnv({
      PORT: '8443',
      HOST: '0.0.0.0',
      PUBLIC_ORIGIN: 'https://demo.example.com/',
      TLS_KEY_FILE: 'key.pem',
      TLS_CERT_FILE: 'cert.pem',
      NETSUITE_ACCOUNT_ID: '1234567_SB1',
      NETSUITE_CLIENT_ID: 'abc',
      NETSUITE_CLIENT_SECRET: 'shh-secret',
      NETSUITE_SCOPES: 'rest_webservices restlets',
      NETSUITE_M2M_CLIENT_ID: 'm2m',
      NETSUITE_M2M_CERTIFICATE_ID: 'cert-1',
      NETSUITE_M2M_PRIVATE_KEY_FILE: 'm2m.pem',
      REDIS_URL: 'rediss://redis.internal:6380',
      TOKEN_STORE_KEY: Buffer.alloc(32, 7).toString('base64'),
      SESSION_TTL_SECONDS: '3600',
    });
    expect(config.publicOrigin).toBe('https://demo.example.com');
    expect(config.tls).toEqual({ keyFile: 'key.pem', certFile: 'cert.pem' });
    expect(config.netsuite).toMatchObject({
      accountId: '1234567_SB1',
      scopes: ['rest_webservices', 'restlets'],
      allowInsecureLoopback: false,
      m2m: { clientId: 'm2m', certificateId: 'cert-1', privateKeyFile: 'm2m.pem' },
    });
    expect(config.store).toMatchObject({ kind: 'redis', prefix: 'nsdemo:' });
    expect(config.sessionTtlMs).toBe(3_600_000);
  });

  it('warns (one line, no URL or password) when REDIS_URL is plain redis:// off loopback', () => {
    const remote = parseServerEnv({ REDIS_URL: 'redis://:hunter2-password@cache.internal:6379' });
    expect(remote.warnings).toHaveLength(1);
    expect(remote.warnings[0]).toMatch(/^warning: REDIS_URL .*rediss:\/\/$/);
    expect(remote.warnings[0]).not.toContain('hunter2');
    expect(remote.warnings[0]).not.toContain('cache.internal');
    expect(remote.warnings[0]).not.toContain('\n');
    for (const url of [
      'redis://127.0.0.1:6379',
      'redis://localhost',
      'redis://[::1]:6379',
      'redis://127.8.9.10',
      'rediss://cache.internal:6380',
    ]) {
      expect(parseServerEnv({ REDIS_URL: url }).warnings, url).toEqual([]);
    }
    expect(isLoopbackOrTls('redis://127.0.0.1.evil.example')).toBe(false);
    expect(isLoopbackOrTls('redis://10.0.0.5')).toBe(false);
    expect(isLoopbackOrTls('not a url')).toBe(false);
  });

  it('reads BEHIND_TLS_PROXY', () => {
    expect(parseServerEnv({ BEHIND_TLS_PROXY: '1' }).behindTlsProxy).toBe(true);
    expect(parseServerEnv({ BEHIND_TLS_PROXY: 'false' }).behindTlsProxy).toBe(false);
  });

  it("names the NETSUITE_* variables it took, and warns about the CLI's own ones (emulator.env)", () => {
    const cliEnv = {
      NETSUITE_ACCOUNT_ID: '1234567_SB1',
      NETSUITE_CLIENT_ID: 'abc',
      NETSUITE_ORIGIN: 'http://127.0.0.1:4010',
      NETSUITE_REDIRECT_URI: 'https://localhost/netsuite-oauth/callback',
      NETSUITE_PRIVATE_KEY_FILE: '/k.pem',
    };
    const config = parseServerEnv(cliEnv);
    expect(config.netsuiteFrom).toEqual(['NETSUITE_ACCOUNT_ID', 'NETSUITE_CLIENT_ID', 'NETSUITE_ORIGIN']);
    const warning = config.warnings.find((w) => w.includes('NETSUITE_REDIRECT_URI'));
    expect(warning).toContain('settings of the CLI');
    expect(warning).toContain('unset NETSUITE_ACCOUNT_ID to use the built-in emulator');
    expect(warning).not.toContain('localhost');
    expect(parseServerEnv({}).warnings).toEqual([]);
    expect(parseServerEnv({}).netsuiteFrom).toEqual([]);
  });

  it('allows http only for a NETSUITE_ORIGIN (an emulator) and says so', () => {
    const config = parseServerEnv({
      NETSUITE_ACCOUNT_ID: '1234567',
      NETSUITE_CLIENT_ID: 'abc',
      NETSUITE_ORIGIN: 'http://127.0.0.1:9999',
    });
    expect(config.netsuite?.allowInsecureLoopback).toBe(true);
  });

  it.each([
    [{ PORT: '70000' }, 'PORT'],
    [{ PORT: 'abc' }, 'PORT'],
    [{ HOST: 'a b' }, 'HOST'],
    [{ PUBLIC_ORIGIN: 'https://demo.example.com/path' }, 'PUBLIC_ORIGIN'],
    [{ PUBLIC_ORIGIN: 'ftp://x' }, 'PUBLIC_ORIGIN'],
    [{ TLS_KEY_FILE: 'k.pem' }, 'TLS_KEY_FILE'],
    [{ NETSUITE_ACCOUNT_ID: '1234567' }, 'NETSUITE_CLIENT_ID'],
    [{ NETSUITE_ACCOUNT_ID: '1', NETSUITE_CLIENT_ID: 'a', NETSUITE_M2M_CLIENT_ID: 'x' }, 'NETSUITE_M2M'],
    [{ TOKEN_STORE_KEY: 'correct horse battery staple' }, 'TOKEN_STORE_KEY'],
    [{ REDIS_URL: 'http://redis' }, 'REDIS_URL'],
    [{ SESSION_TTL_SECONDS: '5' }, 'SESSION_TTL_SECONDS'],
    [{ BEHIND_TLS_PROXY: 'maybe' }, 'BEHIND_TLS_PROXY'],
  ])('refuses %j naming %s, without echoing values', (env, variable) => {
    fails(env as Record<string, string>, variable);
  });

  it('documents every variable it reads', () => {
    for (const name of [
      'PORT',
      'NETSUITE_ACCOUNT_ID',
      'REDIS_URL',
      'TOKEN_STORE_KEY',
      'NETSUITE_M2M_PRIVATE_KEY_FILE',
    ]) {
      expect(ENVIRONMENT[name]).toBeTypeOf('string');
    }
  });
});
