// The pieces run.mjs, the tests and the benchmark share: a redis-server on a free 127.0.0.1 port, an emulator
// with many accounts (each with an integration and a certificate), and worker processes.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateTestCertificate, startEmulator } from '@netsuite-oauth/emulator';
import { createAssertionSigner } from '@netsuite-oauth/jwt-assertion';
import { createTokenManager } from '@netsuite-oauth/oauth-flows';
import { memoryTokenStore } from '@netsuite-oauth/token-store';
import { createClient } from 'redis';

const here = dirname(fileURLToPath(import.meta.url));

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts redis-server on a free 127.0.0.1 port, without persistence; `stop()` ends it by its pid. */
export async function startRedis() {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'fleet-redis-'));
  const binary = process.env.REDIS_SERVER_PATH ?? 'redis-server';
  const child = spawn(
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const client = createClient({ url });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.ping();
      client.destroy();
      break;
    } catch {
      client.destroy();
      if (i > 200) throw new Error('redis-server did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    url,
    port,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        await new Promise((resolve) => {
          child.once('exit', resolve);
          child.kill('SIGTERM');
        });
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * An emulator holding `accounts` (each `{ accountId, concurrencyLimit, requestMs, recordMs }` plus any account
 * option), each with a client-credentials integration; returns it and the workers' view of the accounts.
 */
export async function startAccounts(accounts, options = {}) {
  const [first, ...rest] = accounts.map(({ requestMs = 0, recordMs = 0, ...a }) => ({
    seed: {
      customers: 1,
      contacts: 0,
      employees: 0,
      vendors: 0,
      inventoryItems: 0,
      salesOrders: 0,
      invoices: 0,
    },
    ...a,
    costModel: { requestMs, recordMs, ...a.costModel },
  }));
  const emu = await startEmulator({ ...options, ...first, accounts: rest });
  const cert = generateTestCertificate({ keyType: 'ec-p256' });
  const workerAccounts = [];
  for (const account of emu.accounts) {
    const { clientId } = await account.admin.createIntegration({ grants: ['client_credentials'] });
    const { certificateId } = await account.admin.addCertificate({
      clientId,
      certificatePem: cert.certificatePem,
    });
    workerAccounts.push({
      accountId: account.accountId,
      origin: account.url,
      clientId,
      certificateId,
      privateKeyPem: cert.privateKeyPem,
    });
  }
  return { emu, workerAccounts };
}

/** A key for the token store's encryption (32 random bytes, base64). */
export function tokenKey() {
  return randomBytes(32).toString('base64');
}

/**
 * Starts one worker process (worker.mjs) with `config`; resolves once it is ready. `lines` collects its JSON
 * output; `next(event)` waits for the next line of that event.
 */
export async function startWorker(config) {
  const child = spawn(process.execPath, [join(here, 'worker.mjs')], {
    env: { PATH: process.env.PATH ?? '', FLEET_CONFIG: JSON.stringify(config) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines = [];
  const waiters = [];
  let buffer = '';
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr = (stderr + d).slice(-4000);
  });
  child.stdout.on('data', (d) => {
    buffer += d;
    let nl = buffer.indexOf('\n');
    while (nl >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      nl = buffer.indexOf('\n');
      try {
        const event = JSON.parse(line);
        lines.push(event);
        for (const w of waiters.splice(0)) w();
      } catch {
        // not ours
      }
    }
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let seen = 0;
  const next = async (event, timeoutMs = 120_000) => {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const index = lines.findIndex((l, i) => i >= seen && l.event === event);
      if (index >= 0) {
        seen = index + 1;
        return lines[index];
      }
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`worker exited before '${event}': ${stderr}`);
      }
      if (performance.now() > deadline) throw new Error(`worker sent no '${event}' in time: ${stderr}`);
      await new Promise((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  };
  await next('ready');
  return {
    pid: child.pid,
    lines,
    next,
    send: (command) => child.stdin.write(`${command}\n`),
    kill: (signal = 'SIGTERM') => child.kill(signal),
    exited,
    stderr: () => stderr,
  };
}

/** A token source of one account (as a worker sees it), for checks outside the fleet. */
export function tokenSource(account) {
  let manager;
  return {
    async getAccessToken() {
      manager ??= createTokenManager({
        store: memoryTokenStore(),
        key: account.accountId,
        grant: {
          type: 'client_credentials',
          accountId: account.accountId,
          origin: account.origin,
          allowInsecureLoopback: true,
          signer: await createAssertionSigner({
            key: account.privateKeyPem,
            certificateId: account.certificateId,
            clientId: account.clientId,
            audience: `${account.origin}/services/rest/auth/oauth2/v1/token`,
          }),
        },
      });
      return manager.getAccessToken();
    },
  };
}
