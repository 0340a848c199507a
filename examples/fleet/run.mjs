// The fleet example: a Redis, an emulator with several NetSuite accounts, N worker processes and a producer that
// imports records into every account through the bulk queue. Prints one JSON line with the outcome.
//
//   node run.mjs [--accounts 3] [--workers 2] [--records 500] [--redis redis://127.0.0.1:6379]
//
// Without --redis it starts a redis-server of its own (the binary must be on PATH) and stops it at the end.
import { parseArgs } from 'node:util';
import { createBulkQueue } from '@netsuite-oauth/bulk-queue';
import { createNetSuiteClient } from '@netsuite-oauth/record-client';
import { startAccounts, startRedis, startWorker, tokenKey, tokenSource } from './fleet.mjs';

const { values } = parseArgs({
  options: {
    accounts: { type: 'string', default: '3' },
    workers: { type: 'string', default: '2' },
    records: { type: 'string', default: '500' },
    redis: { type: 'string' },
  },
});
const accountCount = Number(values.accounts);
const workerCount = Number(values.workers);
const recordCount = Number(values.records);

const redis = values.redis ? { url: values.redis, stop: async () => {} } : await startRedis();
// Accounts with different limits and latencies, as customers' accounts have.
const accountOptions = Array.from({ length: accountCount }, (_, i) => ({
  accountId: `${7000001 + i}`,
  concurrencyLimit: 2 + (i % 4),
  requestMs: 5 + 5 * (i % 3),
  recordMs: 1,
}));
const { emu, workerAccounts } = await startAccounts(accountOptions);
const config = {
  redisUrl: redis.url,
  tokenKey: tokenKey(),
  accounts: workerAccounts,
  mode: 'bulk',
  leaseMs: 10_000,
  queue: { name: 'fleet-example', concurrency: 4 },
};
const workers = await Promise.all(Array.from({ length: workerCount }, () => startWorker(config)));

// The producer: one import per account, cut into chunk jobs of 50 records.
const url = new URL(redis.url);
const bulk = createBulkQueue({
  connection: { host: url.hostname, port: Number(url.port), maxRetriesPerRequest: null },
  name: 'fleet-example',
});
const started = performance.now();
const imports = [];
for (const account of workerAccounts) {
  const importId = `example-${account.accountId}`;
  const records = Array.from({ length: recordCount }, (_, i) => ({
    companyName: `${importId}-${i}`,
    subsidiary: { id: '1' },
  }));
  const { chunks } = await bulk.enqueue({
    importId,
    accountId: account.accountId,
    operation: 'create',
    type: 'customer',
    records,
    chunkSize: 50,
  });
  imports.push({ account, importId, chunks });
}
const outcome = { accounts: accountCount, workers: workerCount, records: recordCount * accountCount };
let written = 0;
let failed = 0;
for (const { importId, chunks } of imports) {
  const status = await bulk.wait(importId, chunks, { timeoutMs: 600_000 });
  written += status.ok;
  failed += status.failures.length + status.failedChunks;
}
outcome.seconds = Math.round((performance.now() - started) / 100) / 10;
outcome.written = written;
outcome.failed = failed;

// Check every account through SuiteQL: each record exactly once.
let stored = 0;
let duplicates = 0;
for (const { account, importId } of imports) {
  const client = createNetSuiteClient({
    accountId: account.accountId,
    origin: account.origin,
    allowInsecureLoopback: true,
    token: tokenSource(account),
  });
  for await (const row of client.suiteql(
    'SELECT companyname, COUNT(*) AS n FROM customer WHERE companyname LIKE ? GROUP BY companyname',
    { params: [`${importId}-%`] },
  )) {
    stored++;
    if (Number(row.n) > 1) duplicates++;
  }
}
outcome.stored = stored;
outcome.duplicates = duplicates;
// The emulator's own counters: the most slots each account had in use against its limit, and its 429s.
outcome.accountsOverLimit = 0;
outcome.rejected = 0;
for (const [i, account] of emu.accounts.entries()) {
  const counters = await account.admin.counters();
  if (counters.maxSlotsInUse > accountOptions[i].concurrencyLimit) outcome.accountsOverLimit++;
  outcome.rejected += counters.concurrencyRejected;
}
process.stdout.write(`${JSON.stringify(outcome)}\n`);

await bulk.close();
for (const worker of workers) worker.kill('SIGTERM');
await Promise.all(workers.map((w) => w.exited));
await emu.close();
await redis.stop();
