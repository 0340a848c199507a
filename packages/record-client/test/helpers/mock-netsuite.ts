import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a handler sees of one request. */
export interface MockRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** What a handler answers. */
export interface MockResponse {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
  /** Hold the response this long. */
  readonly delayMs?: number;
  /** Never answer (black hole). */
  readonly hang?: boolean;
  /** Destroy the socket without answering. */
  readonly destroy?: boolean;
}

export type MockHandler = (request: MockRequest, index: number) => MockResponse | Promise<MockResponse>;

/** A small node:http stand-in for NetSuite on 127.0.0.1, for unit tests of transport behaviour. */
export interface MockNetSuite {
  readonly origin: string;
  readonly requests: MockRequest[];
  readonly maxInFlight: number;
  handler: MockHandler;
  close(): Promise<void>;
}

export async function startMockNetSuite(handler: MockHandler): Promise<MockNetSuite> {
  const requests: MockRequest[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const state = { handler };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let done = false;
    const finish = () => {
      if (!done) {
        done = true;
        inFlight--;
      }
    };
    res.on('close', finish);
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const request: MockRequest = {
        method: req.method ?? 'GET',
        url: new URL(req.url ?? '/', 'http://127.0.0.1'),
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      const index = requests.push(request) - 1;
      const answer = await state.handler(request, index);
      if (answer.hang) return;
      if (answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
      if (answer.destroy) {
        req.socket.destroy();
        return;
      }
      const headers: Record<string, string> = { ...answer.headers };
      let payload = '';
      if (answer.body !== undefined) {
        payload = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
        headers['content-type'] ??=
          typeof answer.body === 'string'
            ? 'text/plain'
            : 'application/vnd.oracle.resource+json; type=singular';
      }
      finish();
      res.writeHead(answer.status, headers);
      res.end(payload);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    get maxInFlight() {
      return maxInFlight;
    },
    get handler() {
      return state.handler;
    },
    set handler(h: MockHandler) {
      state.handler = h;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** NetSuite's REST error body. */
export function restError(status: number, code: string, detail: string, extra: Record<string, unknown> = {}) {
  return {
    status,
    headers: { 'content-type': 'application/vnd.oracle.resource+json; type=error' },
    body: {
      type: 'https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1',
      title: status === 429 ? 'Bad Request' : 'Error',
      status,
      'o:errorDetails': [{ detail, 'o:errorCode': code, ...extra }],
    },
  };
}

export const CONCURRENCY_429 = {
  status: 429,
  headers: { 'content-type': 'application/vnd.oracle.resource+json; type=error' },
  body: {
    type: 'https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1',
    title: 'Bad Request',
    status: 429,
    'o:errorCode': 'USER_ERROR',
    'o:errorDetails': [
      {
        detail: 'Concurrent request limit exceeded. Request blocked.',
        'o:errorCode': 'CONCURRENCY_LIMIT_EXCEEDED',
      },
    ],
  },
};
