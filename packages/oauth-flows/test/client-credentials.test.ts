import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  isOAuthFlowError,
  OAuthResponseError,
  requestClientCredentialsToken,
  TokenSet,
} from '../src/index.js';
import { ACCOUNT, fakeSigner, json, type MockAs, startMockAs, tokenResponse } from './helpers/mock-as.js';

let as: MockAs;
beforeEach(async () => {
  as = await startMockAs();
});
afterEach(async () => {
  await as.close();
});

const base = () => ({
  accountId: ACCOUNT,
  origin: as.url,
  allowInsecureLoopback: true,
  signer: fakeSigner(),
});

describe('requestClientCredentialsToken', () => {
  it('posts the documented form with a client assertion and no Authorization header', async () => {
    const signer = fakeSigner();
    const tokens = await requestClientCredentialsToken({ ...base(), signer });
    expect(tokens).toBeInstanceOf(TokenSet);
    expect(tokens.tokenType).toBe('Bearer');
    expect(as.requests).toHaveLength(1);
    const req = as.requests[0];
    expect(req?.method).toBe('POST');
    expect(req?.path).toBe('/services/rest/auth/oauth2/v1/token');
    expect(req?.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(req?.headers.accept).toBe('application/json');
    expect(req?.headers.authorization).toBeUndefined();
    expect(req?.form.get('grant_type')).toBe('client_credentials');
    expect(req?.form.get('client_assertion_type')).toBe(
      'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    );
    expect(req?.form.getAll('client_assertion')).toHaveLength(1);
    expect(signer.calls).toEqual([undefined]);
  });

  it('computes expiresAt from the local send time and expires_in (never from the token)', async () => {
    const t = 1_800_000_000_000;
    as.handle((_r, res) => tokenResponse(res, { expires_in: 120, access_token: 'a.b.c' }));
    const tokens = await requestClientCredentialsToken({ ...base(), now: () => t });
    expect(tokens.expiresAt).toBe(t + 120_000);
  });

  it('accepts token_type in any case and expires_in as a numeric string, ignores unknown members', async () => {
    as.handle((_r, res) => tokenResponse(res, { token_type: 'BeArEr', expires_in: '3600', foo: { bar: 1 } }));
    const t = 1_000;
    const tokens = await requestClientCredentialsToken({ ...base(), now: () => t });
    expect(tokens.expiresAt).toBe(t + 3_600_000);
  });

  it('defaults a missing expires_in to NetSuite 3600 s', async () => {
    as.handle((_r, res) => json(res, 200, { access_token: 'x', token_type: 'bearer' }));
    const tokens = await requestClientCredentialsToken({ ...base(), now: () => 0 });
    expect(tokens.expiresAt).toBe(3_600_000);
  });

  it('turns an OAuth error body into OAuthResponseError with error, description and status', async () => {
    as.handle((_r, res) =>
      json(
        res,
        401,
        { error: 'invalid_client', error_description: 'bad\nassertion' },
        { 'www-authenticate': 'Basic' },
      ),
    );
    const error = await requestClientCredentialsToken(base()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OAuthResponseError);
    expect(error).toMatchObject({
      code: 'ERR_OAUTH_RESPONSE',
      error: 'invalid_client',
      errorDescription: 'bad assertion',
      status: 401,
      name: 'OAuthResponseError',
    });
  });

  it('refuses a 3xx and never follows it to the second host', async () => {
    const other = await startMockAs();
    try {
      as.handle((_r, res) => {
        res.writeHead(307, { location: `${other.url}/steal` });
        res.end();
      });
      await expect(requestClientCredentialsToken(base())).rejects.toMatchObject({
        code: 'ERR_OAUTH_REDIRECT',
      });
      expect(other.requests).toHaveLength(0);
      expect(other.connections).toBe(0);
    } finally {
      await other.close();
    }
  });

  it('times out a black-holed server (headers never come)', async () => {
    as.handle(() => {});
    await expect(requestClientCredentialsToken({ ...base(), timeoutMs: 150 })).rejects.toMatchObject({
      code: 'ERR_OAUTH_TIMEOUT',
    });
  });

  it('times out a body that never finishes', async () => {
    as.handle((_r, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"access_token":');
    });
    await expect(requestClientCredentialsToken({ ...base(), timeoutMs: 150 })).rejects.toMatchObject({
      code: 'ERR_OAUTH_TIMEOUT',
    });
  });

  it('reports an aborted call as ERR_OAUTH_ABORTED', async () => {
    as.handle(() => {});
    const controller = new AbortController();
    const p = requestClientCredentialsToken({ ...base(), signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await expect(p).rejects.toMatchObject({ code: 'ERR_OAUTH_ABORTED' });
  });

  it('caps the body at 1 MiB', async () => {
    as.handle((_r, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"access_token":"${'x'.repeat(2 * 1024 * 1024)}","token_type":"bearer"}`);
    });
    await expect(requestClientCredentialsToken(base())).rejects.toMatchObject({
      code: 'ERR_OAUTH_RESPONSE_TOO_LARGE',
    });
  });

  it('caps the inflated body of a compressed response, whatever its Content-Length says', async () => {
    // 8 MiB of JSON compresses to a few KiB: the declared length is far under the cap, the body is not.
    const bomb = gzipSync(
      `{"access_token":"${'x'.repeat(8 * 1024 * 1024)}","token_type":"bearer","expires_in":3600}`,
    );
    expect(bomb.byteLength).toBeLessThan(64 * 1024);
    as.handle((_r, res) => {
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
        'content-length': String(bomb.byteLength),
      });
      res.end(bomb);
    });
    await expect(requestClientCredentialsToken(base())).rejects.toMatchObject({
      code: 'ERR_OAUTH_RESPONSE_TOO_LARGE',
    });
  });

  it('still reads a small compressed response', async () => {
    const body = gzipSync('{"access_token":"abc","token_type":"Bearer","expires_in":3600}');
    as.handle((_r, res) => {
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
        'content-length': String(body.byteLength),
      });
      res.end(body);
    });
    const tokens = await requestClientCredentialsToken(base());
    expect(tokens.accessToken).toBe('abc');
  });

  it('maps a refused connection to ERR_OAUTH_NETWORK', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((r) => server.close(() => r()));
    const error = await requestClientCredentialsToken({
      ...base(),
      origin: `http://127.0.0.1:${port}`,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_OAUTH_NETWORK' });
    expect((error as Error).cause).toBeInstanceOf(Error);
  });

  it('refuses http off loopback and http without the flag before any connection (R01)', async () => {
    await expect(
      requestClientCredentialsToken({ ...base(), origin: as.url, allowInsecureLoopback: false }),
    ).rejects.toMatchObject({ code: 'ERR_CORE_INSECURE_ORIGIN' });
    await expect(
      requestClientCredentialsToken({ ...base(), origin: 'http://example.com', allowInsecureLoopback: true }),
    ).rejects.toMatchObject({ code: 'ERR_CORE_INSECURE_ORIGIN' });
    expect(as.connections).toBe(0);
  });

  it('remembers resolved endpoints without skipping a check: the same origin without the flag is still refused', async () => {
    await requestClientCredentialsToken(base());
    await requestClientCredentialsToken(base());
    await expect(
      requestClientCredentialsToken({ ...base(), allowInsecureLoopback: undefined }),
    ).rejects.toMatchObject({ code: 'ERR_CORE_INSECURE_ORIGIN' });
    await expect(
      requestClientCredentialsToken({ ...base(), accountId: `${ACCOUNT}.evil.com` }),
    ).rejects.toMatchObject({ code: 'ERR_CORE_INVALID_ACCOUNT_ID' });
    expect(as.requests).toHaveLength(2);
  });

  it('refuses a crafted account id that would steer the request to another host', async () => {
    for (const accountId of ['evil.com/x', '123@evil.com', '123.evil.com', '', 'a b', '1234567_SB1#']) {
      await expect(
        requestClientCredentialsToken({ ...base(), accountId, origin: undefined }),
      ).rejects.toMatchObject({
        code: 'ERR_CORE_INVALID_ACCOUNT_ID',
      });
    }
  });

  it('rejects bad options with ERR_OAUTH_INVALID_OPTION', async () => {
    const bad: unknown[] = [
      { ...base(), signer: undefined },
      { ...base(), signer: { sign: 'no' } },
      { ...base(), timeoutMs: -1 },
      { ...base(), timeoutMs: Number.NaN },
      { ...base(), fetch: 'nope' },
      { ...base(), now: 5 },
      { ...base(), signal: {} },
      { ...base(), allowInsecureLoopback: 'yes' },
      null,
    ];
    for (const options of bad) {
      const error = await requestClientCredentialsToken(options as never).catch((e: unknown) => e);
      expect(isOAuthFlowError(error)).toBe(true);
      expect(error).toMatchObject({ code: 'ERR_OAUTH_INVALID_OPTION' });
    }
    expect(as.connections).toBe(0);
  });

  it('wraps a failing signer and a signer that returns garbage as ERR_OAUTH_ASSERTION_FAILED', async () => {
    const throwing = {
      sign: async () => {
        throw new Error('secret-key-material');
      },
    };
    const error = await requestClientCredentialsToken({ ...base(), signer: throwing }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'ERR_OAUTH_ASSERTION_FAILED' });
    expect((error as Error).cause).toBeUndefined();
    await expect(
      requestClientCredentialsToken({ ...base(), signer: { sign: async () => 'not a jwt' } }),
    ).rejects.toMatchObject({ code: 'ERR_OAUTH_ASSERTION_FAILED' });
    expect(as.connections).toBe(0);
  });

  it('uses an injected fetch', async () => {
    let seen = 0;
    const fetchImpl = async (input: Request) => {
      seen += 1;
      expect(input.redirect).toBe('manual');
      return new Response(
        JSON.stringify({ access_token: 'injected', token_type: 'bearer', expires_in: 60 }),
        {
          headers: { 'content-type': 'application/json' },
        },
      );
    };
    const tokens = await requestClientCredentialsToken({ ...base(), fetch: fetchImpl });
    expect(tokens.accessToken).toBe('injected');
    expect(seen).toBe(1);
    expect(as.connections).toBe(0);
  });

  it('hands an injected fetch one complete Request: form body, headers, no redirects, the deadline signal', async () => {
    let seen: { body: string; contentType: string | null; accept: string | null; method: string } | undefined;
    const fetchImpl = async (input: Request) => {
      seen = {
        body: await input.text(),
        contentType: input.headers.get('content-type'),
        accept: input.headers.get('accept'),
        method: input.method,
      };
      expect(input.redirect).toBe('manual');
      // Never answers: only the deadline, through the Request's signal, can end this call.
      return await new Promise<Response>((_resolve, reject) => {
        input.signal.addEventListener('abort', () => reject(input.signal.reason), { once: true });
      });
    };
    await expect(
      requestClientCredentialsToken({ ...base(), fetch: fetchImpl, timeoutMs: 50 }),
    ).rejects.toMatchObject({ code: 'ERR_OAUTH_TIMEOUT' });
    expect(seen?.method).toBe('POST');
    expect(seen?.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    expect(seen?.accept).toBe('application/json');
    const form = new URLSearchParams(seen?.body);
    expect(form.get('grant_type')).toBe('client_credentials');
    expect(form.getAll('client_assertion')).toHaveLength(1);
    expect(as.connections).toBe(0);
  });
});
