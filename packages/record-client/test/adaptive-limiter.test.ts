import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AdaptiveConcurrencyLimiter,
  type ConcurrencyLimiterOptions,
  type ConcurrencyPermit,
  createConcurrencyLimiter,
  createNetSuiteClient,
  isAdaptiveLimiter,
  RecordClientError,
} from '../src/index.js';
import { CONCURRENCY_429, type MockNetSuite, startMockNetSuite } from './helpers/mock-netsuite.js';

function adaptive(options: Omit<ConcurrencyLimiterOptions, 'adaptive'>): AdaptiveConcurrencyLimiter {
  const limiter = createConcurrencyLimiter({ ...options, adaptive: true });
  if (!isAdaptiveLimiter(limiter)) throw new Error('expected an adaptive limiter');
  return limiter;
}

/** Takes every free permit (so each one was granted while the limiter was full, once the last is out). */
async function fill(limiter: AdaptiveConcurrencyLimiter): Promise<ConcurrencyPermit[]> {
  const permits: ConcurrencyPermit[] = [];
  while (limiter.inFlight < limiter.limit) permits.push(await limiter.acquire());
  return permits;
}

/** One request granted while the limiter is full, then released with `outcome`. */
async function saturatedRound(limiter: AdaptiveConcurrencyLimiter, outcome: 'success' | 'rejected') {
  const permits = await fill(limiter);
  const last = permits.pop() as ConcurrencyPermit;
  for (const p of permits) p.release('neutral');
  last.release(outcome);
}

describe('adaptive limiter: multiplicative decrease', () => {
  it('halves on a rejection, at most once per in-flight window', async () => {
    const limiter = adaptive({ limit: 8 });
    const permits = await fill(limiter);
    expect(limiter.inFlight).toBe(8);
    (permits[0] as ConcurrencyPermit).release('rejected');
    expect(limiter.limit).toBe(4);
    // The other seven were granted before the decrease: their rejections say nothing about 4.
    for (const p of permits.slice(1, 4)) p.release('rejected');
    expect(limiter.limit).toBe(4);
    expect(limiter.decreases).toBe(1);
    for (const p of permits.slice(4)) p.release('neutral');
    expect(limiter.inFlight).toBe(0);
    // A request granted after the decrease that is rejected halves again.
    const fresh = await limiter.acquire();
    fresh.release('rejected');
    expect(limiter.limit).toBe(2);
    expect(limiter.decreases).toBe(2);
  });

  it('never goes below min, and a decrease factor other than a half is honoured', async () => {
    const limiter = adaptive({ limit: 10, min: 3, decreaseFactor: 0.7 });
    (await limiter.acquire()).release('rejected');
    expect(limiter.limit).toBe(7);
    (await limiter.acquire()).release('rejected');
    expect(limiter.limit).toBe(4);
    (await limiter.acquire()).release('rejected');
    expect(limiter.limit).toBe(3);
    (await limiter.acquire()).release('rejected');
    expect(limiter.limit).toBe(3);
    expect(limiter.decreases).toBe(3);
    const floor = adaptive({ limit: 1 });
    (await floor.acquire()).release('rejected');
    expect(floor.limit).toBe(1);
  });

  it('a shrunk limit makes new callers wait until enough permits come back', async () => {
    const limiter = adaptive({ limit: 4 });
    const permits = await fill(limiter);
    (permits[0] as ConcurrencyPermit).release('rejected');
    expect(limiter.limit).toBe(2);
    let granted = false;
    const waiting = limiter.acquire().then((p) => {
      granted = true;
      return p;
    });
    (permits[1] as ConcurrencyPermit).release('success');
    await Promise.resolve();
    expect(granted).toBe(false);
    (permits[2] as ConcurrencyPermit).release('neutral');
    (await waiting).release();
    expect(granted).toBe(true);
    (permits[3] as ConcurrencyPermit).release();
    expect(limiter.inFlight).toBe(0);
  });
});

describe('adaptive limiter: additive increase', () => {
  it('raises the limit by one after a run of `limit` successes while full, never above max', async () => {
    const limiter = adaptive({ limit: 2, max: 4 });
    expect(limiter.max).toBe(4);
    expect(limiter.min).toBe(1);
    for (const p of await fill(limiter)) p.release('success');
    expect(limiter.limit).toBe(3);
    for (const p of await fill(limiter)) p.release('success');
    expect(limiter.limit).toBe(4);
    for (let i = 0; i < 5; i++) for (const p of await fill(limiter)) p.release('success');
    expect(limiter.limit).toBe(4);
    expect(limiter.increases).toBe(2);
  });

  it('an idle limiter learns nothing: successes below the limit do not raise it', async () => {
    const limiter = adaptive({ limit: 3, max: 10 });
    for (let i = 0; i < 50; i++) (await limiter.acquire()).release('success');
    expect(limiter.limit).toBe(3);
    expect(limiter.increases).toBe(0);
  });

  it('a rejection resets the run; neutral outcomes neither count nor reset', async () => {
    const limiter = adaptive({ limit: 4, max: 8 });
    let permits = await fill(limiter);
    (permits[0] as ConcurrencyPermit).release('success');
    (permits[1] as ConcurrencyPermit).release('neutral');
    (permits[2] as ConcurrencyPermit).release('success');
    (permits[3] as ConcurrencyPermit).release('success');
    // Three successes of four (the neutral one does not count): not yet a run.
    expect(limiter.limit).toBe(4);
    permits = await fill(limiter);
    (permits[0] as ConcurrencyPermit).release('success');
    expect(limiter.limit).toBe(5);
    for (const p of permits.slice(1)) p.release('neutral');

    const other = adaptive({ limit: 4, max: 8 });
    permits = await fill(other);
    (permits[0] as ConcurrencyPermit).release('success');
    (permits[1] as ConcurrencyPermit).release('success');
    (permits[2] as ConcurrencyPermit).release('rejected');
    expect(other.limit).toBe(2);
    (permits[3] as ConcurrencyPermit).release('success');
    // Without the reset, three successes would already have raised 2 to 3.
    expect(other.limit).toBe(2);
    permits = await fill(other);
    (permits[0] as ConcurrencyPermit).release('success');
    expect(other.limit).toBe(3);
    (permits[1] as ConcurrencyPermit).release();
  });

  it('climbs back to the last rejected limit slowly (probeWindows runs), then forgets it', async () => {
    const limiter = adaptive({ limit: 4, max: 8, probeWindows: 3 });
    await saturatedRound(limiter, 'rejected');
    expect(limiter.limit).toBe(2);
    const successesUntil = async (target: number) => {
      let n = 0;
      while (limiter.limit < target) {
        await saturatedRound(limiter, 'success');
        n++;
        if (n > 1000) throw new Error('no increase');
      }
      return n;
    };
    expect(await successesUntil(3)).toBe(2); // below the ceiling: one run of 2
    expect(await successesUntil(4)).toBe(9); // to the ceiling (4): 3 runs of 3
    expect(await successesUntil(5)).toBe(12); // past it: 3 runs of 4, then the ceiling is forgotten
    expect(await successesUntil(6)).toBe(5); // fast again
  });

  it('increaseIntervalMs spaces increases on the injected clock', async () => {
    let t = 1_000_000;
    const limiter = adaptive({ limit: 2, max: 6, increaseIntervalMs: 1000, now: () => t });
    for (const p of await fill(limiter)) p.release('success');
    expect(limiter.limit).toBe(3);
    t += 500;
    for (let i = 0; i < 5; i++) for (const p of await fill(limiter)) p.release('success');
    expect(limiter.limit).toBe(3);
    t += 500;
    await saturatedRound(limiter, 'success');
    expect(limiter.limit).toBe(4);
    expect(limiter.increases).toBe(2);
  });

  it('an increase lets a waiting caller in', async () => {
    const limiter = adaptive({ limit: 1, max: 2 });
    const first = await limiter.acquire();
    const second = limiter.acquire();
    const third = limiter.acquire();
    first.release('success');
    const p2 = await second;
    expect(limiter.limit).toBe(2);
    const p3 = await third;
    expect(limiter.inFlight).toBe(2);
    p2.release();
    p3.release();
    expect(limiter.inFlight).toBe(0);
  });
});

describe('adaptive limiter: permits and signals', () => {
  it('a double release counts once; an aborted wait rejects and leaves the queue', async () => {
    const limiter = adaptive({ limit: 2 });
    const permits = await fill(limiter);
    (permits[0] as ConcurrencyPermit).release('rejected');
    (permits[0] as ConcurrencyPermit).release('rejected');
    expect(limiter.inFlight).toBe(1);
    expect(limiter.decreases).toBe(1);
    const controller = new AbortController();
    const waiting = limiter.acquire({ signal: controller.signal });
    expect(limiter.waiting).toBe(1);
    controller.abort();
    await expect(waiting).rejects.toBeDefined();
    expect(limiter.waiting).toBe(0);
    const pre = new AbortController();
    pre.abort();
    await expect(limiter.acquire({ signal: pre.signal })).rejects.toBeDefined();
    (permits[1] as ConcurrencyPermit).release();
    expect(limiter.inFlight).toBe(0);
  });

  it('a fixed limiter made from options ignores outcomes', async () => {
    const limiter = createConcurrencyLimiter({ limit: 3 });
    expect(isAdaptiveLimiter(limiter)).toBe(false);
    const p = await limiter.acquire();
    p.release('rejected');
    expect(limiter.limit).toBe(3);
    expect(isAdaptiveLimiter(createConcurrencyLimiter({ limit: 3, adaptive: false }))).toBe(false);
    expect(isAdaptiveLimiter(null)).toBe(false);
  });
});

describe('adaptive limiter: bad options', () => {
  const cases: [string, unknown, RegExp][] = [
    ['no limit', { adaptive: true }, /concurrency\.limit/],
    ['limit 0', { limit: 0, adaptive: true }, /concurrency\.limit/],
    ['fixed limit 1.5', { limit: 1.5 }, /concurrency\.limit/],
    ['adaptive not a boolean', { limit: 2, adaptive: 'yes' }, /concurrency\.adaptive/],
    ['min 0', { limit: 2, adaptive: true, min: 0 }, /concurrency\.min/],
    ['max NaN', { limit: 2, adaptive: true, max: Number.NaN }, /concurrency\.max/],
    ['min above limit', { limit: 2, adaptive: true, min: 3 }, /min <= limit <= max/],
    ['limit above max', { limit: 5, adaptive: true, max: 4 }, /min <= limit <= max/],
    ['factor 1', { limit: 2, adaptive: true, decreaseFactor: 1 }, /decreaseFactor/],
    ['factor 0', { limit: 2, adaptive: true, decreaseFactor: 0 }, /decreaseFactor/],
    ['probeWindows 0', { limit: 2, adaptive: true, probeWindows: 0 }, /probeWindows/],
    ['interval -1', { limit: 2, adaptive: true, increaseIntervalMs: -1 }, /increaseIntervalMs/],
    ['interval Infinity', { limit: 2, adaptive: true, increaseIntervalMs: Infinity }, /increaseIntervalMs/],
    ['now not a function', { limit: 2, adaptive: true, now: 5 }, /concurrency\.now/],
    ['null', null, /concurrency must be/],
    ['array', [3], /concurrency must be/],
  ];
  for (const [name, options, message] of cases) {
    it(`${name} → ERR_RECORD_INVALID_OPTION`, () => {
      let error: unknown;
      try {
        createConcurrencyLimiter(options as ConcurrencyLimiterOptions);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(RecordClientError);
      expect((error as RecordClientError).code).toBe('ERR_RECORD_INVALID_OPTION');
      expect((error as RecordClientError).message).toMatch(message);
    });
  }
});

describe('adaptive limiter in the client', () => {
  const TOKEN = 'tok-CANARY-adaptive-0123456789';
  let mock: MockNetSuite;
  beforeAll(async () => {
    mock = await startMockNetSuite(() => ({ status: 200, body: { id: '1' } }));
  });
  afterAll(() => mock.close());
  const client = (concurrency: NonNullable<Parameters<typeof createNetSuiteClient>[0]['concurrency']>) =>
    createNetSuiteClient({
      accountId: '1234567_SB1',
      origin: mock.origin,
      allowInsecureLoopback: true,
      token: async () => TOKEN,
      retry: { baseDelayMs: 1, maxDelayMs: 5 },
      circuitBreaker: false,
      concurrency,
    });

  it('a REST 429 shrinks the limit; the retried call still succeeds', async () => {
    let n = 0;
    mock.handler = () => (n++ === 0 ? CONCURRENCY_429 : { status: 200, body: { id: '1' } });
    const limiter = adaptive({ limit: 8 });
    await expect(client(limiter).records.get('customer', 1)).resolves.toMatchObject({ id: '1' });
    expect(limiter.limit).toBe(4);
    expect(limiter.inFlight).toBe(0);
  });

  it('a RESTlet 400 SSS_REQUEST_LIMIT_EXCEEDED shrinks the limit; other errors do not', async () => {
    let n = 0;
    mock.handler = () =>
      n++ === 0
        ? { status: 400, body: { error: { code: 'SSS_REQUEST_LIMIT_EXCEEDED', message: 'limit' } } }
        : { status: 200, body: { ok: true } };
    const limiter = adaptive({ limit: 6 });
    const c = client(limiter);
    await expect(c.restlet({ script: 'customscript_a', deploy: 'customdeploy_a' })).resolves.toEqual({
      ok: true,
    });
    expect(limiter.limit).toBe(3);
    mock.handler = () => ({ status: 404, body: { title: 'Not Found', 'o:errorCode': 'NONEXISTENT_ID' } });
    await expect(c.records.get('customer', 2)).rejects.toBeInstanceOf(Error);
    expect(limiter.limit).toBe(3);
    expect(limiter.decreases).toBe(1);
  });

  it('accepts limiter options as `concurrency` and rejects bad ones at construction', async () => {
    mock.handler = () => ({ status: 200, body: { id: '1' } });
    await expect(client({ limit: 2, adaptive: true }).records.get('customer', 1)).resolves.toMatchObject({
      id: '1',
    });
    expect(() => client({ limit: 0, adaptive: true })).toThrow(/concurrency\.limit/);
    expect(() => client({} as never)).toThrow(/concurrency must be/);
  });
});
