import { createServer, Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCircuitBreaker, createConcurrencyLimiter, createNetSuiteClient } from '../src/index.js';
import { CONCURRENCY_429, type MockNetSuite, startMockNetSuite } from './helpers/mock-netsuite.js';

const TOKEN = 'tok-CANARY-governance-0123456789';
let mock: MockNetSuite;

beforeAll(async () => {
  mock = await startMockNetSuite(() => ({ status: 200, body: { id: '1' } }));
});
afterAll(() => mock.close());
afterEach(() => {
  vi.useRealTimers();
});

describe('concurrency limiter', () => {
  it('keeps in-flight requests at the limit with 60 offered at once', async () => {
    let inFlight = 0;
    mock.handler = () => {
      inFlight++;
      if (inFlight > 3) return { ...CONCURRENCY_429, delayMs: 5 };
      return {
        status: 200,
        body: { id: '1' },
        delayMs: 5,
        get headers() {
          inFlight--;
          return {};
        },
      };
    };
    const c = createNetSuiteClient({
      accountId: '1',
      origin: mock.origin,
      allowInsecureLoopback: true,
      token: async () => TOKEN,
      concurrency: 3,
      retry: false,
    });
    const start = mock.requests.length;
    const results = await Promise.allSettled(Array.from({ length: 60 }, () => c.records.get('customer', 1)));
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(0);
    expect(mock.requests.length - start).toBe(60);
    expect(mock.maxInFlight).toBeLessThanOrEqual(3);
  });

  it('is FIFO, releases once, and an aborted waiter leaves the queue', async () => {
    const limiter = createConcurrencyLimiter(1);
    const first = await limiter.acquire();
    const order: number[] = [];
    const controller = new AbortController();
    const a = limiter.acquire().then((p) => {
      order.push(1);
      return p;
    });
    const b = limiter.acquire({ signal: controller.signal });
    const c = limiter.acquire().then((p) => {
      order.push(3);
      return p;
    });
    expect(limiter.waiting).toBe(3);
    controller.abort(new Error('stop'));
    await expect(b).rejects.toThrow('stop');
    expect(limiter.waiting).toBe(2);
    first.release();
    first.release();
    const pa = await a;
    expect(limiter.inFlight).toBe(1);
    pa.release();
    (await c).release();
    expect(order).toEqual([1, 3]);
    expect(limiter.inFlight).toBe(0);
    await expect(limiter.acquire({ signal: AbortSignal.abort() })).rejects.toBeDefined();
    expect(() => createConcurrencyLimiter(0)).toThrow(
      expect.objectContaining({ code: 'ERR_RECORD_INVALID_OPTION' }),
    );
    expect(() => createConcurrencyLimiter(1.5)).toThrow(
      expect.objectContaining({ code: 'ERR_RECORD_INVALID_OPTION' }),
    );
  });

  it('a limiter that fails is ERR_RECORD_LIMITER; one that fails to release does not fail the call', async () => {
    mock.handler = () => ({ status: 200, body: { id: '1' } });
    const base = {
      accountId: '1',
      origin: mock.origin,
      allowInsecureLoopback: true,
      token: async () => TOKEN,
    };
    const broken = createNetSuiteClient({
      ...base,
      concurrency: { acquire: () => Promise.reject(new Error('redis down')) },
    });
    await expect(broken.records.get('customer', 1)).rejects.toMatchObject({ code: 'ERR_RECORD_LIMITER' });
    const leaky = createNetSuiteClient({
      ...base,
      concurrency: { acquire: async () => ({ release: () => Promise.reject(new Error('redis down')) }) },
    });
    await expect(leaky.records.get('customer', 1)).resolves.toEqual({ id: '1' });
  });
});

describe('the permit covers only the exchange', () => {
  const base = {
    accountId: '1',
    origin: 'https://ns.example',
    token: async () => TOKEN,
    circuitBreaker: false as const,
  };

  it('is taken once the token is in, and given back once the body is read', async () => {
    const events: string[] = [];
    const inner = createConcurrencyLimiter(1);
    const limiter = {
      async acquire(options?: { signal?: AbortSignal }) {
        events.push('acquire');
        const permit = await inner.acquire(options);
        events.push('acquired');
        return {
          release() {
            events.push('released');
            permit.release();
          },
        };
      },
    };
    const c = createNetSuiteClient({
      ...base,
      token: async () => {
        events.push('token');
        return TOKEN;
      },
      concurrency: limiter,
      fetch: async (input, init) => {
        events.push('fetch');
        expect(typeof input).toBe('string');
        expect(new Headers(init?.headers).get('authorization')).toBe(`Bearer ${TOKEN}`);
        const body = new ReadableStream<Uint8Array>({
          pull(controller) {
            events.push('body read');
            controller.enqueue(new TextEncoder().encode('{"id":"7"}'));
            controller.close();
          },
        });
        return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
      },
    });
    await expect(c.records.get('customer', 7)).resolves.toEqual({ id: '7' });
    events.push('settled');
    expect(events).toEqual(['token', 'acquire', 'acquired', 'fetch', 'body read', 'released', 'settled']);
    expect(inner.inFlight).toBe(0);
  });

  it('a shared limiter ends with no permit out and nobody waiting after successes, timeouts, aborts and errors', async () => {
    const limiter = createConcurrencyLimiter(2);
    let maxInFlight = 0;
    // Answers after a few ms, except for ids that hang until aborted (they honour the signal) or fail.
    const fetch = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      maxInFlight = Math.max(maxInFlight, limiter.inFlight);
      const id = Number(
        String(input instanceof Request ? input.url : input)
          .split('/')
          .pop(),
      );
      const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
      if (id % 5 === 1) return Promise.reject(new TypeError('fetch failed'));
      return new Promise<Response>((resolve, reject) => {
        const timer =
          id % 5 === 2
            ? undefined
            : setTimeout(() => resolve(Response.json({ id: String(id) })), 2 + (id % 3));
        signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(signal.reason);
        });
      });
    };
    const c = createNetSuiteClient({
      ...base,
      concurrency: limiter,
      fetch,
      timeoutMs: 30,
      retry: { limit: 1, baseDelayMs: 1, maxDelayMs: 2 },
    });
    const controller = new AbortController();
    const calls = Array.from({ length: 40 }, (_, id) =>
      c.records.get('customer', id, id % 5 === 3 ? { signal: controller.signal } : {}),
    );
    setTimeout(() => controller.abort(), 5);
    const results = await Promise.allSettled(calls);
    const codes = results.map((r) =>
      r.status === 'fulfilled' ? 'ok' : ((r.reason as { code?: string }).code ?? 'untyped'),
    );
    expect(codes.filter((code) => code === 'untyped')).toEqual([]);
    expect(new Set(codes)).toEqual(
      new Set(['ok', 'ERR_RECORD_NETWORK', 'ERR_RECORD_TIMEOUT', 'ERR_RECORD_ABORTED']),
    );
    for (const [id, code] of codes.entries()) {
      if (id % 5 === 1) expect(code).toBe('ERR_RECORD_NETWORK');
      if (id % 5 === 2) expect(code).toBe('ERR_RECORD_TIMEOUT');
    }
    expect(maxInFlight).toBeLessThanOrEqual(2);
    expect(limiter.inFlight).toBe(0);
    expect(limiter.waiting).toBe(0);
  });

  it('a limiter or a release that throws synchronously: ERR_RECORD_LIMITER, or a settled call', async () => {
    const throwing = createNetSuiteClient({
      ...base,
      concurrency: {
        acquire: () => {
          throw new Error('not connected');
        },
      },
      fetch: async () => Response.json({ id: '1' }),
    });
    await expect(throwing.records.get('customer', 1)).rejects.toMatchObject({ code: 'ERR_RECORD_LIMITER' });
    const leaky = createNetSuiteClient({
      ...base,
      concurrency: {
        acquire: async () => ({
          release: () => {
            throw new Error('not connected');
          },
        }),
      },
      fetch: async () => Response.json({ id: '1' }),
    });
    await expect(leaky.records.get('customer', 1)).resolves.toEqual({ id: '1' });
  });
});

describe('circuit breaker (R75, G21)', () => {
  it('opens after 5 consecutive failures, fails fast with no socket, lets one probe through after 30 s', async () => {
    vi.useFakeTimers();
    let calls = 0;
    let healthy = false;
    const c = createNetSuiteClient({
      accountId: '1',
      origin: 'https://ns.example',
      token: async () => TOKEN,
      retry: false,
      fetch: async () => {
        calls++;
        if (!healthy) return new Response('{}', { status: 503 });
        // The probe takes a while, so concurrent calls meet a half-open circuit with the probe out.
        await new Promise((r) => setTimeout(r, 100));
        return new Response('{"id":"1"}', { status: 200, headers: { 'content-type': 'application/json' } });
      },
    });
    for (let i = 0; i < 5; i++)
      await expect(c.records.get('customer', 1)).rejects.toMatchObject({ status: 503 });
    expect(calls).toBe(5);
    await expect(c.records.get('customer', 1)).rejects.toMatchObject({ code: 'ERR_RECORD_CIRCUIT_OPEN' });
    expect(calls).toBe(5);
    await vi.advanceTimersByTimeAsync(29_999);
    await expect(c.records.get('customer', 1)).rejects.toMatchObject({ code: 'ERR_RECORD_CIRCUIT_OPEN' });
    await vi.advanceTimersByTimeAsync(1);
    healthy = true;
    const probe = c.records.get('customer', 1);
    await expect(c.records.get('customer', 1)).rejects.toMatchObject({ code: 'ERR_RECORD_CIRCUIT_OPEN' });
    await vi.advanceTimersByTimeAsync(100);
    await expect(probe).resolves.toEqual({ id: '1' });
    expect(calls).toBe(6);
    await vi.advanceTimersByTimeAsync(0);
    const after = c.records.get('customer', 1);
    await vi.advanceTimersByTimeAsync(100);
    await expect(after).resolves.toEqual({ id: '1' });
  });

  it('a failed probe re-opens it; 4xx and 429 do not count as failures', () => {
    let now = 0;
    const breaker = createCircuitBreaker({ failureThreshold: 2, resetTimeoutMs: 10, now: () => now });
    breaker.recordFailure(breaker.enter().probe);
    breaker.recordSuccess(breaker.enter().probe);
    breaker.recordFailure(breaker.enter().probe);
    expect(breaker.state).toBe('closed');
    breaker.recordFailure(breaker.enter().probe);
    expect(breaker.state).toBe('open');
    now = 10;
    expect(breaker.state).toBe('half-open');
    const gate = breaker.enter();
    expect(gate.probe).toBe(true);
    breaker.recordFailure(gate.probe);
    expect(breaker.state).toBe('open');
    expect(() => breaker.enter()).toThrow(expect.objectContaining({ code: 'ERR_RECORD_CIRCUIT_OPEN' }));
    expect(() => createCircuitBreaker({ resetTimeoutMs: -1 })).toThrow(
      expect.objectContaining({ code: 'ERR_RECORD_INVALID_OPTION' }),
    );
  });
});

describe('timeouts and cancellation (R76, G20)', () => {
  let server: ReturnType<typeof createServer>;
  let origin: string;
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    // A black hole: accepts connections and never answers.
    server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {});
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const address = server.address();
    origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });

  // Handles that would keep the process alive: ref'd timers, and ref'd client sockets to the black hole.
  // (fetch's pool may keep an idle, unref'd socket; that does not hold the process open.)
  const handles = () => {
    const timers = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const port = Number(new URL(origin).port);
    const getHandles = (process as unknown as { _getActiveHandles?: () => unknown[] })._getActiveHandles;
    const active = typeof getHandles === 'function' ? getHandles.call(process) : [];
    const clientSockets = active.filter(
      (h) =>
        h instanceof Socket &&
        h.remotePort === port &&
        !sockets.has(h) &&
        (h as Socket & { hasRef(): boolean }).hasRef(),
    ).length;
    return timers + clientSockets;
  };

  it('G20: every call to an upstream that never answers settles by its deadline + 100 ms, on the fake clock', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    // A black hole that honours the abort signal, as a socket does: only the client's timers can end a call.
    const blackHole = (input: Request | string | URL, init?: RequestInit) =>
      new Promise<Response>((_, reject) => {
        const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
    const deadlineMs = 400;
    const c = createNetSuiteClient({
      accountId: '1',
      origin: 'https://ns.example',
      token: async () => TOKEN,
      fetch: blackHole as typeof fetch,
      // An attempt may take longer than the whole deadline, and there are retries enough to run far past it:
      // only the deadline can end these calls in time.
      timeoutMs: 1_000,
      deadlineMs,
      retry: { baseDelayMs: 10, maxDelayMs: 50, limit: 20 },
      circuitBreaker: false,
      concurrency: 20,
    });
    const t0 = Date.now();
    const settledAfter: number[] = [];
    const calls = Array.from({ length: 20 }, () =>
      c.records.get('customer', 1).then(
        () => undefined,
        (error: unknown) => {
          settledAfter.push(Date.now() - t0);
          return error;
        },
      ),
    );
    await vi.advanceTimersByTimeAsync(5_000);
    const errors = await Promise.all(calls);
    for (const error of errors) expect(error).toMatchObject({ code: 'ERR_RECORD_TIMEOUT' });
    expect(settledAfter).toHaveLength(20);
    expect(Math.max(...settledAfter)).toBeLessThanOrEqual(deadlineMs + 100);
  });

  it('every call to a real black hole (accepts, never answers) settles with ERR_RECORD_TIMEOUT, and leaves no handle open', async () => {
    const before = handles();
    const c = createNetSuiteClient({
      accountId: '1',
      origin,
      allowInsecureLoopback: true,
      token: async () => TOKEN,
      timeoutMs: 100,
      deadlineMs: 400,
      retry: { baseDelayMs: 10 },
      circuitBreaker: false,
      concurrency: 20,
    });
    const settled = await Promise.all(
      Array.from({ length: 20 }, async () => ({
        error: await c.records.get('customer', 1).catch((e: unknown) => e),
      })),
    );
    // The time bound of the figure is checked on the fake clock above; here, real sockets: every call ends with
    // a timeout (a hang would fail the test), and nothing is left open.
    for (const { error } of settled) expect(error).toMatchObject({ code: 'ERR_RECORD_TIMEOUT' });
    await new Promise((r) => setTimeout(r, 50));
    expect(handles()).toBeLessThanOrEqual(before);
  });

  it('a hanging token source, a limiter or a fetch that ignore their signal still settle within the deadline', async () => {
    const never = () => new Promise<never>(() => {});
    const base = {
      accountId: '1',
      origin: 'https://ns.example',
      deadlineMs: 100,
      circuitBreaker: false as const,
    };
    const released: number[] = [];
    const cases = [
      createNetSuiteClient({ ...base, token: never }),
      createNetSuiteClient({
        ...base,
        token: async () => TOKEN,
        // Ignores the signal and hands the permit out late: it must be released at once.
        concurrency: {
          acquire: () =>
            new Promise((resolve) =>
              setTimeout(() => resolve({ release: () => void released.push(1) }), 150),
            ),
        },
      }),
      createNetSuiteClient({ ...base, token: async () => TOKEN, fetch: never, timeoutMs: 1000 }),
    ];
    const started = Date.now();
    for (const c of cases) {
      await expect(c.records.get('customer', 1)).rejects.toMatchObject({ code: 'ERR_RECORD_TIMEOUT' });
    }
    expect(Date.now() - started).toBeLessThan(3 * 100 + 1000);
    await new Promise((r) => setTimeout(r, 100));
    expect(released).toEqual([1]);
  });

  it('a POST times out once and is not replayed', async () => {
    const c = createNetSuiteClient({
      accountId: '1',
      origin,
      allowInsecureLoopback: true,
      token: async () => TOKEN,
      timeoutMs: 50,
      circuitBreaker: false,
    });
    const before = sockets.size;
    await expect(c.records.create('customer', { a: 1 })).rejects.toMatchObject({
      code: 'ERR_RECORD_TIMEOUT',
    });
    expect(sockets.size - before).toBeLessThanOrEqual(1);
  });

  it('the caller aborts: ERR_RECORD_ABORTED, while queued or in flight', async () => {
    const c = createNetSuiteClient({
      accountId: '1',
      origin,
      allowInsecureLoopback: true,
      token: async () => TOKEN,
      concurrency: 1,
      circuitBreaker: false,
    });
    const controller = new AbortController();
    const inFlight = c.records.get('customer', 1, { signal: controller.signal });
    const queued = c.records.get('customer', 2, { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await expect(inFlight).rejects.toMatchObject({ code: 'ERR_RECORD_ABORTED' });
    await expect(queued).rejects.toMatchObject({ code: 'ERR_RECORD_ABORTED' });
    await expect(c.records.get('customer', 1, { signal: AbortSignal.abort() })).rejects.toMatchObject({
      code: 'ERR_RECORD_ABORTED',
    });
  });

  it('a connection refused is ERR_RECORD_NETWORK after retries', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const address = closed.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    await new Promise<void>((r) => closed.close(() => r()));
    const c = createNetSuiteClient({
      accountId: '1',
      origin: `http://127.0.0.1:${port}`,
      allowInsecureLoopback: true,
      token: async () => TOKEN,
      retry: { limit: 2, baseDelayMs: 1 },
    });
    const error = await c.records.get('customer', 1).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_RECORD_NETWORK' });
    expect(String((error as Error).message)).not.toContain(TOKEN);
  });
});
