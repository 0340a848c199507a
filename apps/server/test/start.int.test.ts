import { request } from 'node:http';
import { memoryTokenStore } from '@netsuite-oauth/token-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isServerError } from '../src/errors.js';
import { startServer } from '../src/server.js';
import { type Harness, startHarness } from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

/** One request with a Host header of our choosing (fetch cannot set it). */
function get(path: string, host: string, method = 'GET'): Promise<{ status: number; location?: string }> {
  const url = new URL(h.server.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method, headers: { host } }, (res) => {
      res.resume();
      res.once('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          ...(res.headers.location ? { location: res.headers.location } : {}),
        }),
      );
    });
    req.once('error', reject);
    req.end();
  });
}

describe('starting and finding the server', () => {
  it('a page asked for under another loopback name goes to the configured origin (cookies are per host name)', async () => {
    const port = new URL(h.server.url).port;
    expect(await get('/?page=2', `localhost:${port}`)).toEqual({
      status: 307,
      location: `${h.server.url}/?page=2`,
    });
    expect((await get('/', `127.0.0.1:${port}`)).status).toBe(200);
    // Not a form post, not a host elsewhere, never a path that would name another host.
    expect((await get('/connect', `localhost:${port}`, 'POST')).status).not.toBe(307);
    expect((await get('/', 'evil.example')).status).not.toBe(307);
    expect((await get('//evil.example/x', `localhost:${port}`)).location ?? '').not.toContain('evil');
  });

  it('a port in use is a clear error that says how to set PORT', async () => {
    const port = Number(new URL(h.server.url).port);
    const error = await startServer({ store: memoryTokenStore(), port }).catch((e: unknown) => e);
    expect(isServerError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'ERR_SERVER_PORT_IN_USE' });
    expect((error as Error).message).toBe(
      `port ${port} on 127.0.0.1 is already in use: set PORT to a free port (PORT=0 picks one)`,
    );
  });
});
