// A worker of the fleet: one process among N, each working for every account.
//
// It shares with its siblings, through one Redis: each account's tokens (one token request per account per
// expiry, whichever process asks), each account's concurrency budget (leases, fleet-wide AIMD) and the bulk
// queue (BullMQ chunk jobs, retried with their idempotency keys when a worker dies).
//
// Configuration comes as JSON in FLEET_CONFIG (run.mjs and the tests write it):
//   redisUrl, tokenKey (base64 32 bytes), accounts [{ accountId, origin, clientId, certificateId, privateKeyPem }],
//   tokenPrefix?, budgetPrefix?, refreshAheadMs?, minValidityMs?,
//   limits? { accountId: n } (else discovered), budget 'shared' | 'local', leaseMs, mode 'bulk' | 'load',
//   queue? { name, concurrency, lockDurationMs, stalledIntervalMs }
// In 'load' mode it reads commands from stdin: `load <n>` sends n concurrent GETs to every account, `run <ms>
// <callers>` keeps callers GETs per account going for ms; each prints one JSON line with what happened.
import { createInterface } from 'node:readline';
import { startBulkWorker } from '@netsuite-oauth/bulk-queue';
import { redisAccountLimiters } from '@netsuite-oauth/governance-redis';
import { createAssertionSigner } from '@netsuite-oauth/jwt-assertion';
import { createTokenManagers } from '@netsuite-oauth/oauth-flows';
import {
  createAccountGovernance,
  createConcurrencyLimiter,
  createNetSuiteClient,
} from '@netsuite-oauth/record-client';
import { redisTokenStore } from '@netsuite-oauth/token-store-redis';
import { createClient } from 'redis';

const config = JSON.parse(process.env.FLEET_CONFIG ?? '{}');
const say = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);

const redis = createClient({ url: config.redisUrl });
redis.on('error', () => {});
await redis.connect();
// Pub/sub needs a connection of its own: the budgets hear on it when any worker frees a permit.
const subscriber = redis.duplicate();
subscriber.on('error', () => {});
await subscriber.connect();

const accounts = new Map(config.accounts.map((a) => [a.accountId, a]));

// Tokens: one manager for every account, its tokens and refresh locks in Redis.
const managers = createTokenManagers({
  store: redisTokenStore({
    client: redis,
    prefix: config.tokenPrefix ?? 'fleet:tokens:',
    keys: [{ id: 'k1', key: config.tokenKey }],
  }),
  maxCachedKeys: 10_000,
  refreshAheadMs: config.refreshAheadMs ?? 60_000,
  refreshJitterMs: 0,
  minValidityMs: config.minValidityMs ?? 30_000,
  async resolve(accountId) {
    const account = accounts.get(accountId);
    if (account === undefined) return undefined;
    const signer = await createAssertionSigner({
      key: account.privateKeyPem,
      certificateId: account.certificateId,
      clientId: account.clientId,
      audience: `${account.origin}/services/rest/auth/oauth2/v1/token`,
    });
    return {
      type: 'client_credentials',
      accountId,
      origin: account.origin,
      allowInsecureLoopback: true,
      signer,
    };
  },
});

// Concurrency: each account's budget in Redis (shared by the fleet), sized from configuration or discovered from
// NetSuite's governanceLimits. budget 'local' gives every process a budget of its own instead: the comparison
// the benchmark makes (and what a fleet without a shared budget does).
const budgets = redisAccountLimiters({
  client: redis,
  subscriber,
  prefix: config.budgetPrefix ?? 'fleet:budget',
  leaseMs: config.leaseMs ?? 30_000,
  // A fleet on a busy host: a slow Redis answer is not an outage.
  commandTimeoutMs: 10_000,
  adaptive: true,
});
const governance = createAccountGovernance({
  limiter: config.budget === 'local' ? (_id, limit) => createConcurrencyLimiter(limit) : budgets.limiter,
  ...(config.limits ? { limits: config.limits } : {}),
});

const clients = new Map();
function clientFor(accountId) {
  let client = clients.get(accountId);
  if (!client) {
    const account = accounts.get(accountId);
    if (!account) throw new Error(`no such account: ${accountId}`);
    client = createNetSuiteClient({
      accountId,
      origin: account.origin,
      allowInsecureLoopback: true,
      token: managers.forKey(accountId),
      concurrency: governance,
      retry: { limit: 8, retryRejectedWrites: true },
    });
    clients.set(accountId, client);
  }
  return client;
}

async function shutdown(code) {
  await bulk?.close().catch(() => {});
  await managers.close().catch(() => {});
  redis.destroy();
  subscriber.destroy();
  process.exit(code);
}
process.once('SIGTERM', () => void shutdown(0));

let bulk;
if (config.mode === 'bulk') {
  const url = new URL(config.redisUrl);
  bulk = startBulkWorker({
    connection: { host: url.hostname, port: Number(url.port), maxRetriesPerRequest: null },
    name: config.queue?.name ?? 'netsuite-bulk',
    clientFor,
    concurrency: config.queue?.concurrency ?? 4,
    lockDurationMs: config.queue?.lockDurationMs ?? 30_000,
    stalledIntervalMs: config.queue?.stalledIntervalMs ?? 30_000,
  });
  bulk.worker.on('active', (job) => say({ event: 'active', job: job.id }));
  // The parent (run.mjs, a test) closes stdin when it goes: do not outlive it.
  process.stdin.resume();
  process.stdin.once('end', () => void shutdown(0));
  say({ event: 'ready', pid: process.pid });
} else {
  say({ event: 'ready', pid: process.pid });
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    const [command, arg, arg2] = line.trim().split(' ');
    if (command === 'quit') break;
    if (command !== 'load' && command !== 'run') continue;
    // load <n>: n GETs to every account at once. run <ms> <callers>: for ms, callers GETs in a closed loop per
    // account (the benchmark), counting the successes of each account.
    const each = Number(command === 'load' ? arg : arg2);
    const started = performance.now();
    const deadline = command === 'run' ? started + Number(arg) : 0;
    // The steady state of a run: from a fifth of the way in (every slot busy by then) to the deadline. Requests
    // still queued at the deadline finish afterwards (the drain, while the fastest accounts are already done)
    // and are counted in `ok` but not in `windowOk`.
    const windowFrom = started + Number(arg) / 5;
    let ok = 0;
    let windowOk = 0;
    const okBy = {};
    const failures = {};
    await Promise.all(
      [...accounts.keys()].flatMap((accountId) =>
        Array.from({ length: each }, async () => {
          do {
            try {
              await clientFor(accountId).records.get('customer', 1);
              ok++;
              const at = performance.now();
              if (at >= windowFrom && at <= deadline) windowOk++;
              okBy[accountId] = (okBy[accountId] ?? 0) + 1;
            } catch (error) {
              const key = `${error?.code}:${error?.status ?? ''}`;
              failures[key] = (failures[key] ?? 0) + 1;
            }
          } while (performance.now() < deadline);
        }),
      ),
    );
    const ms = Math.round(performance.now() - started);
    say({
      event: command === 'run' ? 'ran' : 'loaded',
      ok,
      okBy,
      failures,
      ms,
      ...(command === 'run' ? { windowOk, windowMs: deadline - windowFrom } : {}),
    });
  }
  await shutdown(0);
}
