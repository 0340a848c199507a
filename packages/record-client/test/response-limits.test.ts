import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetSuiteClient, RecordClientError } from '../src/index.js';

const TOKEN = 'tok-CANARY-limits-0123456789abcdef';

type Answer = (req: IncomingMessage, res: ServerResponse) => void;
let server: Server;
let origin: string;
let answer: Answer = (_req, res) => res.end();
let hits = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    hits++;
    req.resume();
    req.on('end', () => answer(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function client(extra: Partial<Parameters<typeof createNetSuiteClient>[0]> = {}) {
  return createNetSuiteClient({
    accountId: '1234567_SB1',
    origin,
    allowInsecureLoopback: true,
    token: async () => TOKEN,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    ...extra,
  });
}

/** Sends `body` gzip-compressed with its (small) compressed Content-Length. */
function gzipped(body: Buffer | string, status = 200): Answer {
  const packed = gzipSync(body);
  return (_req, res) => {
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
      'content-length': String(packed.byteLength),
    });
    res.end(packed);
  };
}

describe('response size cap (R05)', () => {
  it('stops a gzip bomb (a few KiB inflating to 64 MiB) with ERR_RECORD_RESPONSE_TOO_LARGE, without retrying', async () => {
    // 64 MiB of spaces followed by nothing: valid JSON whitespace, so only the cap can stop it.
    const bomb = Buffer.alloc(64 * 1024 * 1024, 0x20);
    answer = gzipped(bomb);
    const packedSize = gzipSync(bomb).byteLength;
    expect(packedSize).toBeLessThan(128 * 1024);
    const before = hits;
    const error = await client()
      .records.get('customer', 1)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RecordClientError);
    expect(error).toMatchObject({ code: 'ERR_RECORD_RESPONSE_TOO_LARGE' });
    expect((error as Error).message).toContain(String(32 * 1024 * 1024));
    expect((error as Error).message).not.toContain(TOKEN);
    expect(hits - before).toBe(1);
  });

  it('reads a normal compressed response', async () => {
    const record = { id: '7', companyName: 'Acme', notes: 'x'.repeat(200_000) };
    answer = gzipped(JSON.stringify(record));
    await expect(client().records.get('customer', 7)).resolves.toEqual(record);
  });

  it('honours a configured maxResponseBytes on a compressed body and on a declared Content-Length', async () => {
    answer = gzipped(JSON.stringify({ id: '1', pad: 'y'.repeat(4096) }));
    await expect(client({ maxResponseBytes: 1024 }).records.get('customer', 1)).rejects.toMatchObject({
      code: 'ERR_RECORD_RESPONSE_TOO_LARGE',
    });
    const plain = JSON.stringify({ id: '1', pad: 'z'.repeat(4096) });
    answer = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(plain.length) });
      res.end(plain);
    };
    await expect(client({ maxResponseBytes: 1024 }).records.get('customer', 1)).rejects.toMatchObject({
      code: 'ERR_RECORD_RESPONSE_TOO_LARGE',
    });
    await expect(client({ maxResponseBytes: 8192 }).records.get('customer', 1)).resolves.toMatchObject({
      id: '1',
    });
  });

  it('caps a chunked body without a Content-Length', async () => {
    answer = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(`{"id":"1","pad":"`);
      res.write('q'.repeat(3000));
      res.end('"}');
    };
    await expect(client({ maxResponseBytes: 2048 }).records.get('customer', 1)).rejects.toMatchObject({
      code: 'ERR_RECORD_RESPONSE_TOO_LARGE',
    });
    await expect(client({ maxResponseBytes: 4096 }).records.get('customer', 1)).resolves.toMatchObject({
      id: '1',
    });
  });

  it.each([0, -1, Number.NaN, '1' as unknown as number])('rejects maxResponseBytes %s', (value) => {
    expect(() => client({ maxResponseBytes: value })).toThrow(
      expect.objectContaining({ code: 'ERR_RECORD_INVALID_OPTION' }),
    );
  });
});

describe('RESTlet writes are not replayed without an idempotency key (R70)', () => {
  const gateway =
    (status: number): Answer =>
    (_req, res) => {
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end('bad gateway');
    };

  it.each(['PUT', 'DELETE', 'POST'] as const)('%s on 502 is sent once', async (method) => {
    answer = gateway(502);
    const before = hits;
    await expect(
      client().restlet({ script: 1, deploy: 1, method, ...(method === 'DELETE' ? {} : { body: { a: 1 } }) }),
    ).rejects.toMatchObject({ code: 'ERR_RECORD_API', status: 502 });
    expect(hits - before).toBe(1);
  });

  it('PUT that times out is sent once', async () => {
    answer = () => {}; // never answers
    const before = hits;
    await expect(
      client({ timeoutMs: 100 }).restlet({ script: 1, deploy: 1, method: 'PUT', body: { a: 1 } }),
    ).rejects.toMatchObject({ code: 'ERR_RECORD_TIMEOUT' });
    expect(hits - before).toBe(1);
  });

  it('PUT with an idempotencyKey, and GET, are retried', async () => {
    let n = 0;
    answer = (req, res) => {
      n++;
      if (n === 1) return gateway(503)(req, res);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, key: req.headers['x-netsuite-idempotency-key'] ?? null }));
    };
    await expect(
      client().restlet({ script: 1, deploy: 1, method: 'PUT', body: {}, idempotencyKey: 'k-1' }),
    ).resolves.toEqual({ ok: true, key: 'k-1' });
    expect(n).toBe(2);
    n = 0;
    await expect(client().restlet({ script: 1, deploy: 1 })).resolves.toEqual({ ok: true, key: null });
    expect(n).toBe(2);
  });

  it('REST Record API upsert (PUT) and delete stay idempotent', async () => {
    let n = 0;
    answer = (req, res) => {
      n++;
      if (n % 2 === 1) return gateway(502)(req, res);
      res.writeHead(204);
      res.end();
    };
    await client().records.upsert('customer', 'ext1', { companyName: 'A' });
    await client().records.delete('customer', 5);
    expect(n).toBe(4);
  });
});
