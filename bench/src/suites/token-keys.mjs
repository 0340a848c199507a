// issue 14: the many-key token manager (`createTokenManagers`) — cached `getAccessToken(key)` over 1,000 keys vs
// the single-key manager's cached `getAccessToken()` (one caller and 16), and memory: 10,000 keys through a
// manager bounded to 1,000 vs one that holds them all. Everything in this process, on the memory store, with the
// tokens already stored (no token request is made: the grant's origin is never contacted).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { closedLoop, interleave, timedLoop } from '../lib/rounds.mjs';
import { plan, requireExports, tryImport } from '../lib/setup.mjs';
import { pairedRatio, summarize } from '../lib/stats.mjs';

const MiB = 2 ** 20;

async function packages() {
  const flows = requireExports(
    await tryImport('@netsuite-oauth/oauth-flows'),
    '@netsuite-oauth/oauth-flows',
    ['createTokenManager', 'createTokenManagers', 'TokenSet'],
  );
  const stores = requireExports(
    await tryImport('@netsuite-oauth/token-store'),
    '@netsuite-oauth/token-store',
    ['memoryTokenStore'],
  );
  return { flows, stores };
}

// A client-credentials grant whose signer is never called (every token is in the store already).
const grant = {
  type: 'client_credentials',
  accountId: '1234567_SB1',
  origin: 'http://127.0.0.1:9',
  allowInsecureLoopback: true,
  signer: {
    async sign() {
      throw new Error('the benchmark must not ask for a token');
    },
  },
};

const keyName = (i) => `netsuite:account-${i}:integration`;

async function seed({ flows }, store, count) {
  const seeder = flows.createTokenManagers({ store, resolve: () => grant, maxCachedKeys: 100 });
  const expiresAt = Date.now() + 3_600_000;
  for (let i = 0; i < count; i++) {
    await seeder.setTokenSet(
      keyName(i),
      new flows.TokenSet({ accessToken: `token-${i}`, tokenType: 'Bearer', expiresAt }),
    );
  }
  await seeder.close();
}

// Retained heap growth of a manager once `count` keys went through it (heapUsed after forced GCs), with the
// most slots it held at any point.
async function heapThrough({ flows }, store, maxCachedKeys, count) {
  globalThis.gc?.();
  globalThis.gc?.();
  const base = process.memoryUsage().heapUsed;
  const managers = flows.createTokenManagers({ store, resolve: () => grant, maxCachedKeys });
  let most = 0;
  for (let i = 0; i < count; i++) {
    await managers.getAccessToken(keyName(i));
    if (managers.size > most) most = managers.size;
  }
  globalThis.gc?.();
  globalThis.gc?.();
  const grown = (process.memoryUsage().heapUsed - base) / MiB;
  const size = managers.size;
  await managers.close();
  return { grown, most, size };
}

export async function run({ quick, log }) {
  const problems = [];
  const targets = [];
  const { rounds, warmup, sliceMs } = plan(quick, { rounds: 7, sliceMs: 400 }, { sliceMs: 40 });
  // The figures: 1,000 keys on the cached path, 10,000 through a bound of 1,000 (a tenth of that in --quick).
  const HOT_KEYS = quick ? 100 : 1_000;
  const ALL_KEYS = quick ? 1_000 : 10_000;
  const BOUND = quick ? 100 : 1_000;
  let pkgs;
  try {
    pkgs = await packages();
  } catch (error) {
    return {
      title: 'Many keys: createTokenManagers (issue 14)',
      sections: [],
      problems: [error.message],
      failed: true,
    };
  }
  const { flows, stores } = pkgs;

  // --- the cached path over 1,000 keys vs the single-key manager
  const store = stores.memoryTokenStore();
  await seed(pkgs, store, HOT_KEYS);
  const managers = flows.createTokenManagers({ store, resolve: () => grant, maxCachedKeys: HOT_KEYS });
  const single = flows.createTokenManager({ store, key: keyName(0), grant });
  for (let i = 0; i < HOT_KEYS; i++) {
    if ((await managers.getAccessToken(keyName(i))) !== `token-${i}`) {
      problems.push(`getAccessToken(key) did not serve key ${i}'s stored token`);
      break;
    }
  }
  if ((await single.getAccessToken()) !== 'token-0')
    problems.push('the single-key manager did not serve its token');
  const keys = Array.from({ length: HOT_KEYS }, (_, i) => keyName(i));
  let next = 0;
  const manyOp = () => managers.getAccessToken(keys[next++ % HOT_KEYS]);
  const singleOp = () => single.getAccessToken();
  // The least a many-key cache can do: an async Map lookup + expiry check over the same key strings.
  const map = new Map(
    keys.map((key, i) => [key, { value: `token-${i}`, expiresAt: Date.now() + 3_600_000 }]),
  );
  let nextMap = 0;
  const mapOp = async () => {
    const entry = map.get(keys[nextMap++ % HOT_KEYS]);
    if (entry && entry.expiresAt - 60_000 > Date.now()) return entry.value;
    throw new Error('expired');
  };
  const c1 = (op) => () => timedLoop({ durationMs: sliceMs / 2, op, isAsync: true, batch: 64 });
  const c16 = (op) => async () =>
    (await closedLoop({ concurrency: 16, durationMs: sliceMs / 2, op })).opsPerSecond;
  const samples = await interleave({
    rounds,
    warmup,
    onError: (v, e) => problems.push(`${v.name}: ${e.message}`),
    variants: [
      { name: 'many-c1', measure: c1(manyOp) },
      { name: 'single-c1', measure: c1(singleOp) },
      { name: 'map-c1', measure: c1(mapOp) },
      { name: 'many-c16', measure: c16(manyOp) },
      { name: 'single-c16', measure: c16(singleOp) },
      { name: 'map-c16', measure: c16(mapOp) },
    ],
  });
  const stats = managers.stats();
  if (stats.resolves !== HOT_KEYS || stats.evictions !== 0) {
    problems.push(`the cached path resolved ${stats.resolves} times and evicted ${stats.evictions} keys`);
  }
  await managers.close();
  await single.close();
  log('cached getAccessToken(key) done');
  const singleRef = 'single-key `TokenManager.getAccessToken()` (same store, same run)';
  const mapRef = 'async Map lookup + expiry check over the same keys';
  const cachedSection = (c) => ({
    title: `Cached \`getAccessToken(key)\` over ${HOT_KEYS.toLocaleString('en-US')} keys, ${c === 1 ? 'one caller' : '16 concurrent callers'} (memory store, every token in cache)`,
    short: `Cached getAccessToken(key), c=${c}`,
    unit: 'ops/s',
    rows: [
      {
        name: '@netsuite-oauth/oauth-flows `TokenManagers.getAccessToken(key)`, keys round-robin',
        samples: samples.get(`many-c${c}`) ?? [],
        ref: [singleRef, mapRef],
      },
      { name: singleRef, samples: samples.get(`single-c${c}`) ?? [], isReference: true },
      { name: mapRef, samples: samples.get(`map-c${c}`) ?? [], isReference: true },
    ],
  });
  for (const c of [1, 16]) {
    const ratio = pairedRatio(samples.get(`many-c${c}`) ?? [], samples.get(`single-c${c}`) ?? []);
    const vsMap = pairedRatio(samples.get(`many-c${c}`) ?? [], samples.get(`map-c${c}`) ?? []);
    targets.push({
      issue: '#14 oauth-flows',
      target: `cached getAccessToken(key) over ${HOT_KEYS} keys ≥ 0.5× the single-key manager's cached getAccessToken() (c=${c})`,
      measured: ratio.n
        ? `${ratio.median.toFixed(2)}× (${ratio.min.toFixed(2)}–${ratio.max.toFixed(2)})`
        : 'not measured',
      met: ratio.n ? ratio.median >= 0.5 : null,
      cause:
        ratio.n && ratio.median < 0.5
          ? vsMap.n && vsMap.median >= 0.8
            ? `the lookup among ${HOT_KEYS} keys itself: a bare async Map lookup over the same keys is ${(1 / vsMap.median).toFixed(2)}× ours, so the gap is the key lookup (memory traffic over ${HOT_KEYS} slots), not the manager`
            : `not profiled here: the lookup among ${HOT_KEYS} keys and the LRU stamp`
          : undefined,
    });
  }

  // --- memory: 10,000 keys through a bounded manager and through one that holds them all
  const big = stores.memoryTokenStore();
  await seed(pkgs, big, ALL_KEYS);
  const memRounds = quick ? 1 : 3;
  const heap = { bounded: [], all: [] };
  let mostHeld = 0;
  for (let round = 0; round < memRounds; round++) {
    const bounded = await heapThrough(pkgs, big, BOUND, ALL_KEYS);
    const all = await heapThrough(pkgs, big, ALL_KEYS, ALL_KEYS);
    heap.bounded.push(bounded.grown);
    heap.all.push(all.grown);
    mostHeld = Math.max(mostHeld, bounded.most);
  }
  log('memory done');
  // The miss path under churn: every call a key that is not held (resolve, store read, eviction), 16 callers;
  // the event loop's worst delay meanwhile shows that no eviction walk blocks it.
  const churn = flows.createTokenManagers({ store: big, resolve: () => grant, maxCachedKeys: BOUND });
  let k = 0;
  // Each caller lets the event loop turn between calls, so the delay is the longest synchronous stretch; the
  // same loop without the call gives this machine's own delay in the same run.
  const loopDelay = async (call) => {
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    const result = await closedLoop({
      concurrency: 16,
      durationMs: quick ? 50 : 1000,
      op: async () => {
        await new Promise((resolve) => setImmediate(resolve));
        return await call();
      },
    });
    delay.disable();
    const ms = (v) => (v / 1e6).toFixed(2);
    return {
      ...result,
      delay: `event-loop delay p99 ${ms(delay.percentile(99))} ms, max ${ms(delay.max)} ms`,
    };
  };
  const churnResult = await loopDelay(() => churn.getAccessToken(keyName(k++ % ALL_KEYS)));
  const idleLoop = await loopDelay(async () => undefined);
  if (churnResult.errors)
    problems.push(`churn: ${churnResult.errors} failed calls: ${churnResult.firstError?.message}`);
  if (churn.size > BOUND) problems.push(`churn: ${churn.size} keys held with a bound of ${BOUND}`);
  await churn.close();
  const boundedStats = summarize(heap.bounded);
  const allStats = summarize(heap.all);
  const memory = {
    title: `Retained heap after ${ALL_KEYS.toLocaleString('en-US')} keys went through one manager (forced GC; the store's own entries excluded)`,
    short: `Heap for ${ALL_KEYS.toLocaleString('en-US')} keys`,
    unit: 'MiB',
    rows: [
      {
        name: `\`createTokenManagers({ maxCachedKeys: ${BOUND.toLocaleString('en-US')} })\``,
        samples: heap.bounded,
        ref: 'holding every key',
        note: `most keys held at once: ${mostHeld.toLocaleString('en-US')}`,
      },
      {
        name: 'holding every key',
        samples: heap.all,
        isReference: true,
        note: `\`maxCachedKeys: ${ALL_KEYS.toLocaleString('en-US')}\`; ≈ ${((allStats.median * 1024) / ALL_KEYS).toFixed(2)} KiB per key`,
      },
    ],
  };
  targets.push({
    issue: '#14 oauth-flows',
    target: `${ALL_KEYS.toLocaleString('en-US')} keys through the many-key manager stay within its configured cache size (${BOUND.toLocaleString('en-US')})`,
    measured: `at most ${mostHeld.toLocaleString('en-US')} keys held; retained heap ${boundedStats.median.toFixed(1)} MiB vs ${allStats.median.toFixed(1)} MiB holding all`,
    met: mostHeld <= BOUND && boundedStats.n > 0 && boundedStats.median < allStats.median,
  });
  const churnSection = {
    title: `Miss path: getAccessToken(key) over ${ALL_KEYS.toLocaleString('en-US')} keys through a cache of ${BOUND.toLocaleString('en-US')} (every call resolves, reads the store and evicts; 16 callers)`,
    short: 'getAccessToken(key), every call a miss',
    unit: 'ops/s',
    rows: [
      {
        name: '`TokenManagers.getAccessToken(key)`, cache miss',
        samples: [churnResult.opsPerSecond],
        note: churnResult.delay,
      },
      {
        name: 'the same loop without the call (this machine, same run)',
        samples: [idleLoop.opsPerSecond],
        note: idleLoop.delay,
      },
    ],
  };
  return {
    title: 'Many keys: createTokenManagers (issue 14)',
    intro:
      'In this process, on the memory store, every token already stored (no token request). The cached path ' +
      `cycles through ${HOT_KEYS.toLocaleString('en-US')} keys so each call is a different key; the references are ` +
      'the single-key manager and a bare async Map lookup in the same rounds. Memory is heapUsed after forced ' +
      'GCs, measured around the manager only.',
    sections: [cachedSection(1), cachedSection(16), memory, churnSection],
    targets,
    notes: [],
    problems,
    failed: problems.length > 0,
  };
}
