import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  readonly form: URLSearchParams;
}

export type Handler = (req: RecordedRequest, res: ServerResponse) => void | Promise<void>;

export interface MockAs {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Connections accepted (also counts ones that never sent a full request). */
  connections: number;
  handle(handler: Handler): void;
  close(): Promise<void>;
}

export function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(text);
}

export function tokenResponse(
  res: ServerResponse,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): void {
  json(
    res,
    200,
    { access_token: `at-${randomUUID()}`, token_type: 'Bearer', expires_in: 3600, ...extra },
    headers,
  );
}

/** A tiny authorization server on 127.0.0.1 that records every request. */
export async function startMockAs(initial?: Handler): Promise<MockAs> {
  let handler: Handler = initial ?? ((_req, res) => tokenResponse(res));
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body,
        form: new URLSearchParams(body),
      };
      requests.push(recorded);
      Promise.resolve(handler(recorded, res)).catch(() => {
        res.destroy();
      });
    });
  });
  const mock: MockAs = {
    url: '',
    requests,
    connections: 0,
    handle(next) {
      handler = next;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  server.on('connection', () => {
    mock.connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  (mock as { url: string }).url = `http://127.0.0.1:${port}`;
  return mock;
}

/** A signer that returns a syntactically valid compact JWT and records how it was called. */
export function fakeSigner(): {
  sign(options?: { now?: number }): Promise<string>;
  calls: Array<{ now?: number } | undefined>;
} {
  const calls: Array<{ now?: number } | undefined> = [];
  let n = 0;
  return {
    calls,
    async sign(options?: { now?: number }) {
      calls.push(options);
      n += 1;
      const payload = Buffer.from(JSON.stringify({ n, now: options?.now ?? Date.now() })).toString(
        'base64url',
      );
      return `eyJhbGciOiJQUzI1NiJ9.${payload}.c2lnbmF0dXJl`;
    },
  };
}

export const ACCOUNT = '1234567_SB1';

/** A token manager's client-credentials grant against the mock server at `origin`. */
export function mockClientCredentialsGrant(origin: string) {
  return {
    type: 'client_credentials',
    accountId: ACCOUNT,
    origin,
    allowInsecureLoopback: true,
    signer: fakeSigner(),
  } as const;
}
