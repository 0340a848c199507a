import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { getEventListeners } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import {
  governanceRedisChannels,
  type LeaseEvent,
  type RedisCommandClient,
  type RedisSubscriberClient,
  redisAccountLimiters,
  redisConcurrencyLimiter,
} from '../src/index.js';
import { useRedisServer } from './helpers/redis.js';

// The details of the limiter that its main tests do not see: what it leaves behind (timers, listeners, lease events),
// how it talks to Redis (scripts loaded once, renewals), and the wake-ups that keep a waiter from sleeping through a
// freed permit. Written against the mutants Stryker left alive (docs/testing.md, "Mutation testing").

const redis = useRedisServer();
const connect = () => redis.connect();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let keyN = 0;
const freshKey = () => `test:details:${++keyN}:${Date.now()}`;

type Kind = 'acquire' | 'renew' | 'release' | 'other';

/**
 * A real client underneath, only observed: each command the limiter sends is classified by its arguments (EVALSHA/EVAL
 * sha|script 2 key stateKey …): an acquire ends with limit, lease, id; a renewal with lease, id; a release with id and
 * the budget's channel. `onAcquire` may hold an acquire's answer back (it gets the answer and returns it).
 */
function observed(
  client: RedisCommandClient,
  onAcquire?: (answer: unknown, n: number) => Promise<unknown>,
): RedisCommandClient & { count(kind: Kind): number; commands: string[] } {
  const counts: Record<Kind, number> = { acquire: 0, renew: 0, release: 0, other: 0 };
  const commands: string[] = [];
  return {
    commands,
    count: (kind) => counts[kind],
    async sendCommand(args, options) {
      commands.push(args[0] as string);
      const script = args[0] === 'EVALSHA' || args[0] === 'EVAL';
      const kind: Kind = !script
        ? 'other'
        : args.at(-1)?.endsWith(':free')
          ? 'release'
          : args.length === 8
            ? 'acquire'
            : args.length === 7
              ? 'renew'
              : 'other';
      // A reload after NOSCRIPT is the same call: count it once.
      if (args[0] === 'EVALSHA') counts[kind]++;
      const answer = await client.sendCommand(args, options);
      if (kind === 'acquire' && onAcquire && args[0] === 'EVALSHA')
        return await onAcquire(answer, counts.acquire);
      return answer;
    },
  };
}

/** A real subscriber connection, observed: `heard` counts the messages delivered to the limiter's listener. */
function observedSubscriber(subscriber: RedisSubscriberClient) {
  const seen = { subscribes: 0, heard: 0 };
  const wrapped: RedisSubscriberClient = {
    subscribe(channel, listener) {
      seen.subscribes++;
      return subscriber.subscribe(channel, (message, from) => {
        seen.heard++;
        listener(message, from);
      });
    },
  };
  return { wrapped, seen };
}

async function subscribed(channel: string) {
  const probe = await connect();
  for (let i = 0; i < 500; i++) {
    const answer = (await probe.sendCommand(['PUBSUB', 'NUMSUB', channel])) as unknown[];
    if (Number(answer[1]) >= 1) return;
    await sleep(10);
  }
  throw new Error(`nobody subscribed to ${channel}`);
}

const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('redisConcurrencyLimiter details', () => {
  it('keeps a held lease with one renewal per leaseMs / 3, publishes no lost lease, and stops renewing on release', async () => {
    const key = freshKey();
    const client = observed(await connect());
    const events: LeaseEvent[] = [];
    const listener = (event: unknown) => events.push(event as LeaseEvent);
    subscribe(governanceRedisChannels.lease, listener);
    try {
      const limiter = redisConcurrencyLimiter({ client, key, limit: 1, leaseMs: 300 });
      const permit = await limiter.acquire();
      // Two and a half leases: renewed every 100 ms (a timer never fires early, so at most 7 times).
      await sleep(750);
      expect(await limiter.inFlight()).toBe(1);
      const renewals = client.count('renew');
      expect(renewals).toBeGreaterThanOrEqual(1);
      expect(renewals).toBeLessThanOrEqual(7);
      await permit.release();
      await permit.release();
      await sleep(250);
      expect(client.count('renew')).toBe(renewals);
      expect(client.count('release')).toBe(1);
    } finally {
      unsubscribe(governanceRedisChannels.lease, listener);
    }
    expect(events.map((e) => e.action)).toEqual(['acquire', 'release']);
    expect(events[0]?.waitedMs).toBeGreaterThanOrEqual(0);
    expect(events[0]?.waitedMs).toBeLessThan(750);
    expect(events[1]?.waitedMs).toBe(0);
  });

  it('leaves no timer holding the process open: none while a permit is held (its renewal timer is unref’d), none after release', async () => {
    const limiter = redisConcurrencyLimiter({
      client: await connect(),
      key: freshKey(),
      limit: 1,
      commandTimeoutMs: 60_000,
    });
    await limiter.inFlight();
    const before = timers();
    const permit = await limiter.acquire();
    expect(timers()).toBe(before);
    await permit.release();
    await limiter.inFlight();
    expect(timers()).toBe(before);
  });

  it('loads each script once: later calls run it by its SHA1, without a NOSCRIPT round trip', async () => {
    const client = observed(await connect());
    const limiter = redisConcurrencyLimiter({ client, key: freshKey(), limit: 2 });
    for (let i = 0; i < 3; i++) await (await limiter.acquire()).release();
    // EVAL only after a NOSCRIPT (at most once per script: acquire, release).
    expect(client.commands.filter((c) => c === 'EVAL').length).toBeLessThanOrEqual(2);
    expect(client.commands.filter((c) => c === 'EVALSHA')).toHaveLength(6);
  });

  it('an abort listener is removed once the permit is granted; an abort’s reason is the error’s cause', async () => {
    const limiter = redisConcurrencyLimiter({
      client: await connect(),
      key: freshKey(),
      limit: 1,
      pollMs: 5,
    });
    const controller = new AbortController();
    const permit = await limiter.acquire({ signal: controller.signal });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    const reason = new Error('shutting down');
    const waiting = limiter.acquire({ signal: AbortSignal.timeout(10_000) });
    const second = new AbortController();
    const aborted = limiter.acquire({ signal: second.signal });
    await vi.waitFor(() => expect(limiter.waiting).toBe(2));
    second.abort(reason);
    await expect(aborted).rejects.toMatchObject({
      code: 'ERR_GOVERNANCE_ABORTED',
      message: 'waiting for a permit was aborted',
      cause: reason,
    });
    expect(limiter.waiting).toBe(1);
    await permit.release();
    const next = await waiting;
    expect(limiter.waiting).toBe(0);
    await next.release();
    await expect(limiter.acquire({ signal: AbortSignal.abort(reason) })).rejects.toMatchObject({
      cause: reason,
    });
  });

  it('a release in this process hands the permit to a waiter of this process at once, without a subscriber or a poll', async () => {
    const client = observed(await connect());
    // Polls every 5–15 s: only the release's wake-up can hand the permit over within the test's time.
    const limiter = redisConcurrencyLimiter({ client, key: freshKey(), limit: 1, pollMs: 10_000 });
    const held = await limiter.acquire();
    const waiting = limiter.acquire();
    await vi.waitFor(() => expect(client.count('acquire')).toBe(2));
    const releasedAt = performance.now();
    await held.release();
    const permit = await waiting;
    expect(performance.now() - releasedAt).toBeLessThan(5_000);
    expect(client.count('acquire')).toBe(3);
    await permit.release();
  });

  it('a permit freed while the waiter’s own try is on the wire is not slept through (the notice counts, not only the timer)', async () => {
    const key = freshKey();
    const holder = redisConcurrencyLimiter({ client: await connect(), key, limit: 1 });
    const held = await holder.acquire();
    const subscriber = observedSubscriber(await connect());
    let releasedDuringTry = false;
    const client = observed(await connect(), async (answer, n) => {
      // The second try is refused by Redis; before its answer reaches the limiter, the holder releases and the
      // limiter hears the notice.
      if (n === 2) {
        const heard = subscriber.seen.heard;
        await held.release();
        await vi.waitFor(() => expect(subscriber.seen.heard).toBe(heard + 1));
        releasedDuringTry = true;
      }
      return answer;
    });
    const waiter = redisConcurrencyLimiter({
      client,
      subscriber: subscriber.wrapped,
      key,
      limit: 1,
      pollMs: 10_000,
    });
    const waiting = waiter.acquire();
    await subscribed(`${key}:free`);
    expect(client.count('acquire')).toBe(1);
    // Another process's notice (nothing freed yet) wakes the waiter for its second try.
    await (await connect()).sendCommand(['PUBLISH', `${key}:free`, '']);
    await vi.waitFor(() => expect(releasedDuringTry).toBe(true));
    const at = performance.now();
    const permit = await waiting;
    expect(performance.now() - at).toBeLessThan(5_000);
    expect(client.count('acquire')).toBe(3);
    expect(subscriber.seen.subscribes).toBe(1);
    await permit.release();
  });

  it('with a subscriber it subscribes once, and polls every pollMs (250 by default) only once subscribed', async () => {
    const key = freshKey();
    const holder = redisConcurrencyLimiter({ client: await connect(), key, limit: 1 });
    const held = await holder.acquire();
    const subscriber = observedSubscriber(await connect());
    const client = observed(await connect());
    const waiter = redisConcurrencyLimiter({ client, subscriber: subscriber.wrapped, key, limit: 1 });
    const waiting = waiter.acquire();
    await subscribed(`${key}:free`);
    const tries = client.count('acquire');
    await sleep(1_000);
    // 125–375 ms between tries: at most 8 in a second (10 ms polls would make dozens).
    expect(client.count('acquire') - tries).toBeLessThanOrEqual(8);
    expect(subscriber.seen.subscribes).toBe(1);
    await held.release();
    await (await waiting).release();
  });

  it('a subscriber that cannot subscribe leaves the limiter polling at the fast default (10 ms), not at 250 ms', async () => {
    const key = freshKey();
    const holder = redisConcurrencyLimiter({ client: await connect(), key, limit: 1 });
    const held = await holder.acquire();
    const client = observed(await connect());
    const waiter = redisConcurrencyLimiter({
      client,
      subscriber: { subscribe: () => Promise.reject(new Error('not a subscriber connection')) },
      key,
      limit: 1,
    });
    const waiting = waiter.acquire();
    await sleep(1_500);
    // 5–15 ms between tries; at 125–375 ms there could be at most 13.
    expect(client.count('acquire')).toBeGreaterThan(13);
    await held.release();
    await (await waiting).release();
  });

  it('an aborted waiter at the head is no longer counted as waiting while the pump sleeps', async () => {
    const client = observed(await connect());
    const limiter = redisConcurrencyLimiter({ client, key: freshKey(), limit: 1, pollMs: 10_000 });
    const held = await limiter.acquire();
    const controller = new AbortController();
    const waiting = limiter.acquire({ signal: controller.signal });
    await vi.waitFor(() => expect(client.count('acquire')).toBe(2));
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'ERR_GOVERNANCE_ABORTED' });
    expect(limiter.waiting).toBe(0);
    await held.release();
    expect(await limiter.inFlight()).toBe(0);
  });

  it('an adaptive budget starts at the limit in force when it is first used, not at the one it was made with', async () => {
    const limiter = redisConcurrencyLimiter({
      client: await connect(),
      key: freshKey(),
      limit: 2,
      adaptive: true,
    });
    limiter.setLimit(4);
    expect((await limiter.snapshot()).limit).toBe(4);
  });

  it('an adaptive permit released without an outcome (or neutral) frees its place and leaves the limit alone', async () => {
    const limiter = redisConcurrencyLimiter({
      client: await connect(),
      key: freshKey(),
      limit: 2,
      adaptive: true,
    });
    const [a, b] = [await limiter.acquire(), await limiter.acquire()];
    await a.release();
    await b.release('neutral');
    expect(await limiter.snapshot()).toEqual({ limit: 2, max: 2, inFlight: 0, decreases: 0, increases: 0 });
    expect(limiter.adaptive).toBe(true);
  });

  it('a dead connection: release never rejects; snapshot, inFlight and acquire name what failed, with the cause', async () => {
    const client = await connect();
    const limiter = redisConcurrencyLimiter({ client, key: freshKey(), limit: 1 });
    const permit = await limiter.acquire();
    client.destroy();
    await expect(permit.release('success')).resolves.toBeUndefined();
    await expect(limiter.snapshot()).rejects.toMatchObject({
      code: 'ERR_GOVERNANCE_REDIS_UNAVAILABLE',
      message: 'redis failed to read the budget',
      cause: expect.any(Error),
    });
    await expect(limiter.inFlight()).rejects.toMatchObject({
      code: 'ERR_GOVERNANCE_REDIS_UNAVAILABLE',
      message: 'redis failed to count permits',
      cause: expect.any(Error),
    });
    await expect(limiter.acquire()).rejects.toMatchObject({
      code: 'ERR_GOVERNANCE_REDIS_UNAVAILABLE',
      message: 'redis failed to hand out a permit',
      cause: expect.any(Error),
    });
  });
});

describe('redisAccountLimiters details', () => {
  it('keys an account’s budget under netsuite:concurrency by default', async () => {
    const client = await connect();
    const budgets = redisAccountLimiters({ client });
    expect(budgets.size).toBe(0);
    const limiter = budgets.limiter('1234567_SB1', 1);
    expect(limiter.key).toBe('netsuite:concurrency:1234567_SB1');
    const permit = await limiter.acquire();
    expect(await client.sendCommand(['ZCARD', 'netsuite:concurrency:1234567_SB1'])).toBe(1);
    await permit.release();
  });
});
