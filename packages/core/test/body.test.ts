import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, expect, it } from 'vitest';
import { readBodyCapped } from '../src/index.js';

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function serve(headers: Record<string, string>, body: Buffer | string): Promise<Response> {
  server = createServer((_req, res) => {
    res.writeHead(200, headers);
    res.end(body);
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return await fetch(`http://127.0.0.1:${port}/`);
}

it('reads an unencoded body within the cap', async () => {
  const text = 'é'.repeat(100);
  expect(await readBodyCapped(await serve({ 'content-type': 'text/plain' }, text), 1024)).toBe(text);
});

it('refuses a declared length over the cap without reading it', async () => {
  expect(await readBodyCapped(await serve({}, 'x'.repeat(2048)), 1024)).toBeUndefined();
});

it('counts a compressed body after inflating it: a small Content-Length cannot hide a large body', async () => {
  const bomb = gzipSync('x'.repeat(4 * 1024 * 1024));
  const response = await serve(
    { 'content-encoding': 'gzip', 'content-length': String(bomb.byteLength) },
    bomb,
  );
  expect(bomb.byteLength).toBeLessThan(64 * 1024);
  expect(await readBodyCapped(response, 1024 * 1024)).toBeUndefined();
});

it('reads a small compressed body and a chunked body without a length', async () => {
  const small = gzipSync('{"ok":true}');
  expect(await readBodyCapped(await serve({ 'content-encoding': 'gzip' }, small), 1024)).toBe('{"ok":true}');
  server?.close();
  server = createServer((_req, res) => {
    res.write('a'.repeat(600));
    res.end('b'.repeat(600));
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  expect(await readBodyCapped(await fetch(`http://127.0.0.1:${port}/`), 1000)).toBeUndefined();
  expect(await readBodyCapped(await fetch(`http://127.0.0.1:${port}/`), 2000)).toHaveLength(1200);
});
