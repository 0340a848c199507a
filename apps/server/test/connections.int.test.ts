import { connect, type Socket } from 'node:net';
import { generateEncryptionKey, memoryTokenStore } from '@netsuite-oauth/token-store';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningServer, type StartServerOptions, startServer } from '../src/server.js';

const running: RunningServer[] = [];
afterEach(async () => {
  for (const server of running.splice(0)) await server.close();
});

async function start(connections: StartServerOptions['connections']): Promise<{ port: number }> {
  // A configured account: no emulator needed, nothing is sent to NetSuite by these tests.
  const server = await startServer({
    store: memoryTokenStore(),
    port: 0,
    netsuite: { accountId: '1234567', clientId: 'client', clientSecret: generateEncryptionKey() },
    connections,
  });
  running.push(server);
  return { port: Number(new URL(server.url).port) };
}

function open(port: number): Promise<Socket & { ended: Promise<string> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => {
      received += chunk;
    });
    const ended = new Promise<string>((done) => socket.once('close', () => done(received)));
    socket.once('error', () => undefined);
    socket.once('connect', () => resolve(Object.assign(socket, { ended })));
    socket.once('error', reject);
  });
}

describe('slow and excess connections', () => {
  it('closes a connection that trickles its headers and never finishes them', async () => {
    const { port } = await start({ headersTimeoutMs: 1_000 });
    const socket = await open(port);
    socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    let sent = 0;
    let closed = false;
    const trickle = setInterval(() => {
      if (!closed) socket.write(`X-Slow-${sent++}: x\r\n`);
    }, 100);
    try {
      const answer = await socket.ended;
      closed = true;
      // Node answers 408 (or just closes) once headersTimeout has passed; the client kept sending all along.
      expect(answer === '' || answer.startsWith('HTTP/1.1 408')).toBe(true);
      expect(sent).toBeGreaterThan(3);
    } finally {
      clearInterval(trickle);
      socket.destroy();
    }
  }, 20_000);

  it('closes connections beyond maxConnections at once, and serves the others', async () => {
    const { port } = await start({ maxConnections: 2 });
    const first = await open(port);
    const second = await open(port);
    const third = await open(port);
    let firstClosed = false;
    void first.ended.then(() => {
      firstClosed = true;
    });
    expect(await third.ended).toBe(''); // refused without an answer
    expect(firstClosed).toBe(false);
    second.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    expect(await second.ended).toMatch(/^HTTP\/1\.1 200 /);
    first.destroy();
  });

  it('refuses bad limits at start', async () => {
    for (const connections of [{ headersTimeoutMs: 0 }, { maxConnections: 1.5 }, { requestTimeoutMs: -1 }]) {
      await expect(start(connections)).rejects.toMatchObject({ code: 'ERR_SERVER_INVALID_OPTION' });
    }
  });
});
