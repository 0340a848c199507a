import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { describe, expect, it, vi } from 'vitest';
import {
  governanceRedisChannels,
  isGovernanceRedisError,
  type LeaseEvent,
  redisConcurrencyLimiter,
} from '../src/index.js';
import { useRedisServer } from './helpers/redis.js';

const redis = useRedisServer();
const connect = () => redis.connect();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let keyN = 0;
const freshKey = () => `test:limiter:${++keyN}:${Date.now()}`;

describe('redisConcurrencyLimiter', () => {
  it('never lets more than limit permits out across two clients (two "processes")', async () => {
    const key = freshKey();
    const a = redisConcurrencyLimiter({ client: await connect(), key, limit: 5, pollMs: 2 });
    const b = redisConcurrencyLimiter({ client: await connect(), key, limit: 5, pollMs: 2 });
    let held = 0;
    let maxHeld = 0;
    let done = 0;
    const work = async (limiter: typeof a) => {
      const permit = await limiter.acquire();
      held++;
      maxHeld = Math.max(maxHeld, held);
      await sleep(2);
      held--;
      await permit.release();
      done++;
    };
    await Promise.all(Array.from({ length: 100 }, (_, i) => work(i % 2 === 0 ? a : b)));
    expect(done).toBe(100);
    expect(maxHeld).toBe(5);
    expect(await a.inFlight()).toBe(0);
  });

  it('a crashed holder (its connection gone, no release) frees its permits after the lease', async () => {
    const key = freshKey();
    const doomedClient = await connect();
    // A lease long enough that a busy machine still sees the dead holder's permits before they lapse.
    const doomed = redisConcurrencyLimiter({ client: doomedClient, key, limit: 2, leaseMs: 1_500 });
    await doomed.acquire();
    await doomed.acquire();
    doomedClient.destroy();
    const survivor = redisConcurrencyLimiter({
      client: await connect(),
      key,
      limit: 2,
      leaseMs: 1_500,
      pollMs: 5,
    });
    expect(await survivor.inFlight()).toBe(2);
    let granted = false;
    const early = survivor.acquire().then((permit) => {
      granted = true;
      return permit;
    });
    // The budget is full of the dead holder's permits: the survivor waits (asked Redis, was refused)…
    await vi.waitFor(async () => {
      expect(await survivor.inFlight()).toBe(2);
      expect(survivor.waiting).toBe(1);
    });
    expect(granted).toBe(false);
    // …until their leases run out; then it gets one, and only its own permit is left in the budget (the two
    // dead leases may lapse a moment apart on a busy machine).
    const permit = await early;
    await vi.waitFor(async () => expect(await survivor.inFlight()).toBe(1), { timeout: 5_000 });
    await permit.release();
    expect(await survivor.inFlight()).toBe(0);
  });

  it('a live holder renews its lease past leaseMs', async () => {
    const key = freshKey();
    const limiter = redisConcurrencyLimiter({
      client: await connect(),
      key,
      limit: 1,
      leaseMs: 1_000,
      pollMs: 5,
    });
    const permit = await limiter.acquire();
    // Three lease lengths: without renewal (every leaseMs / 3) the permit would have expired by now.
    await sleep(3_000);
    expect(await limiter.inFlight()).toBe(1);
    const controller = new AbortController();
    const waiting = limiter.acquire({ signal: controller.signal });
    await vi.waitFor(() => expect(limiter.waiting).toBe(1));
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'ERR_GOVERNANCE_ABORTED' });
    await permit.release();
    await permit.release();
    expect(await limiter.inFlight()).toBe(0);
    await expect(limiter.acquire({ signal: AbortSignal.abort() })).rejects.toMatchObject({
      code: 'ERR_GOVERNANCE_ABORTED',
    });
  });

  it('survives SCRIPT FLUSH (reloads its scripts)', async () => {
    const client = await connect();
    const limiter = redisConcurrencyLimiter({ client, key: freshKey(), limit: 1 });
    await (await limiter.acquire()).release();
    await client.sendCommand(['SCRIPT', 'FLUSH']);
    await (await limiter.acquire()).release();
    expect(await limiter.inFlight()).toBe(0);
  });

  it('Redis down: every waiter rejects with ERR_GOVERNANCE_REDIS_UNAVAILABLE', async () => {
    const client = await connect();
    const limiter = redisConcurrencyLimiter({ client, key: freshKey(), limit: 1 });
    client.destroy();
    const results = await Promise.allSettled([limiter.acquire(), limiter.acquire()]);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      const reason = (r as PromiseRejectedResult).reason;
      expect(isGovernanceRedisError(reason)).toBe(true);
      expect(reason).toMatchObject({ code: 'ERR_GOVERNANCE_REDIS_UNAVAILABLE' });
    }
    await expect(limiter.inFlight()).rejects.toMatchObject({ code: 'ERR_GOVERNANCE_REDIS_UNAVAILABLE' });
  });

  it('Redis hangs (SIGSTOP, no reset): a pending acquire fails with ERR_GOVERNANCE_REDIS_UNAVAILABLE; after SIGCONT acquire works again', async () => {
    const client = await connect();
    const limiter = redisConcurrencyLimiter({ client, key: freshKey(), limit: 1, commandTimeoutMs: 300 });
    await (await limiter.acquire()).release();
    process.kill(redis.server.pid, 'SIGSTOP');
    try {
      const results = await Promise.allSettled([limiter.acquire(), limiter.acquire()]);
      for (const r of results) {
        expect(r.status).toBe('rejected');
        const reason = (r as PromiseRejectedResult).reason;
        expect(isGovernanceRedisError(reason)).toBe(true);
        expect(reason).toMatchObject({ code: 'ERR_GOVERNANCE_REDIS_UNAVAILABLE' });
      }
      expect(limiter.waiting).toBe(0);
    } finally {
      process.kill(redis.server.pid, 'SIGCONT');
    }
    const permit = await limiter.acquire();
    expect(await limiter.inFlight()).toBe(1);
    await permit.release();
    expect(await limiter.inFlight()).toBe(0);
  });

  it('publishes lease acquire (with the wait), release and lost on its diagnostics channel', async () => {
    const key = freshKey();
    const client = await connect();
    const events: LeaseEvent[] = [];
    const listener = (event: unknown) => events.push(event as LeaseEvent);
    subscribe(governanceRedisChannels.lease, listener);
    try {
      const limiter = redisConcurrencyLimiter({ client, key, limit: 1, leaseMs: 150, pollMs: 2 });
      const first = await limiter.acquire();
      const second = limiter.acquire();
      await sleep(20);
      await first.release();
      const held = await second;
      // The budget's key vanishes (flushed, failed over): the next renewal finds the lease gone.
      await client.sendCommand(['DEL', key]);
      await sleep(120);
      await held.release();
    } finally {
      unsubscribe(governanceRedisChannels.lease, listener);
    }
    const actions = events.map((e) => e.action);
    expect(actions.slice(0, 3)).toEqual(['acquire', 'release', 'acquire']);
    expect(actions).toContain('lost');
    expect(actions.at(-1)).toBe('release');
    expect(events.every((e) => e.key === key && e.limit === 1)).toBe(true);
    expect(events[2]?.waitedMs).toBeGreaterThanOrEqual(15);
  });

  // Counts the acquire scripts a limiter sends: a real client underneath, only observed.
  const counted = (client: Awaited<ReturnType<typeof connect>>) => {
    let acquires = 0;
    return {
      client: {
        sendCommand(args: string[], options?: { timeout?: number }) {
          // An acquire script's arguments start with the limit (1) and the lease (the default 30000).
          if ((args[0] === 'EVALSHA' || args[0] === 'EVAL') && args[5] === '1' && args[6] === '30000')
            acquires++;
          return client.sendCommand(args, options);
        },
      },
      get acquires() {
        return acquires;
      },
    };
  };
  const subscribed = async (client: Awaited<ReturnType<typeof connect>>, channel: string) => {
    for (let i = 0; i < 500; i++) {
      const answer = (await client.sendCommand(['PUBSUB', 'NUMSUB', channel])) as unknown[];
      if (Number(answer[1]) >= 1) return;
      await sleep(10);
    }
    throw new Error(`nobody subscribed to ${channel}`);
  };

  for (const adaptive of [false, true]) {
    it(`with a subscriber, a permit freed by another process is taken at once, not on the next poll (adaptive: ${adaptive})`, {
      timeout: 30_000,
    }, async () => {
      const key = freshKey();
      const holder = redisConcurrencyLimiter({ client: await connect(), key, limit: 1, adaptive });
      const subscriber = await connect();
      const watched = counted(await connect());
      // Polls every 5–15 s: only the release's notice can hand the permit over within the test's time.
      const waiter = redisConcurrencyLimiter({
        client: watched.client,
        subscriber,
        key,
        limit: 1,
        pollMs: 10_000,
        adaptive,
      });
      const held = await holder.acquire();
      const waiting = waiter.acquire();
      await subscribed(await connect(), `${key}:free`);
      expect(watched.acquires).toBe(1);
      const releasedAt = performance.now();
      await held.release('success');
      const permit = await waiting;
      // One refused try, one after the notice, sooner than the earliest poll (half of pollMs).
      expect(performance.now() - releasedAt).toBeLessThan(5_000);
      expect(watched.acquires).toBe(2);
      expect(await waiter.inFlight()).toBe(1);
      await permit.release('success');
      expect(await waiter.inFlight()).toBe(0);
    });
  }

  it('a subscriber that cannot subscribe leaves the limiter polling as without one', async () => {
    const key = freshKey();
    const holder = redisConcurrencyLimiter({ client: await connect(), key, limit: 1 });
    const waiter = redisConcurrencyLimiter({
      client: await connect(),
      subscriber: { subscribe: () => Promise.reject(new Error('not a subscriber connection')) },
      key,
      limit: 1,
    });
    const held = await holder.acquire();
    const waiting = waiter.acquire();
    await sleep(50);
    await held.release();
    const permit = await waiting;
    await permit.release();
    expect(await waiter.inFlight()).toBe(0);
  });
});
