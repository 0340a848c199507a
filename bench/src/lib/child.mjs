import { fork } from 'node:child_process';

/**
 * Starts a server script in its own Node process and waits for its `ready` message.
 * The returned handle forwards admin calls to the child (`call(op, ...args)`) and stops it (`stop()`).
 * The child is killed by its pid if it does not exit within a few seconds of being asked to.
 *
 * @example
 * const server = await startServer(new URL('../servers/hello.mjs', import.meta.url));
 * server.info.url; // 'http://127.0.0.1:PORT'
 * await server.stop();
 */
export async function startServer(script, { args = [], env, timeoutMs = 120_000, execArgv = [] } = {}) {
  const child = fork(script, args, {
    execArgv,
    env: env ? { ...process.env, ...env } : process.env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let nextId = 1;
  const pending = new Map();
  let exited = false;
  const exitPromise = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      exited = true;
      for (const { reject } of pending.values()) reject(new Error(`server exited (${code ?? signal})`));
      pending.clear();
      resolve({ code, signal });
    });
  });
  const info = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server ${script} did not start within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('message', (message) => {
      if (message?.type === 'ready') {
        clearTimeout(timer);
        resolve(message.info);
      } else if (message?.type === 'error' && message.id === undefined) {
        clearTimeout(timer);
        reject(new Error(`server ${script} failed to start: ${message.message}`));
      } else if (message?.type === 'result' || message?.type === 'error') {
        const entry = pending.get(message.id);
        if (!entry) return;
        pending.delete(message.id);
        if (message.type === 'result') entry.resolve(message.value);
        else entry.reject(new Error(message.message));
      }
    });
    exitPromise.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`server ${script} exited before it was ready (${code ?? signal})`));
    });
  });
  return {
    info,
    pid: child.pid,
    call(op, ...callArgs) {
      if (exited) return Promise.reject(new Error('server has exited'));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        child.send({ type: 'call', id, op, args: callArgs });
      });
    },
    async stop() {
      if (exited) return;
      child.send({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exitPromise;
      clearTimeout(timer);
    },
  };
}

/**
 * The child side of `startServer`: reports `info` once ready, answers admin calls with `handlers[op]`,
 * and runs `close()` then exits when the parent asks it to stop or goes away.
 *
 * @example
 * serveChild({ info: { url }, handlers: {}, close: () => server.close() });
 */
export function serveChild({ info, handlers = {}, close }) {
  let closing = false;
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    try {
      await close?.();
    } finally {
      process.exit(0);
    }
  };
  process.on('message', async (message) => {
    if (message?.type === 'stop') return shutdown();
    if (message?.type !== 'call') return;
    try {
      // Every server reports its own CPU time, so a benchmark can count what a request cost on both sides.
      const handler = message.op === 'cpu' ? cpuSeconds : handlers[message.op];
      if (!handler) throw new Error(`unknown op ${message.op}`);
      const value = await handler(...(message.args ?? []));
      process.send({ type: 'result', id: message.id, value: value ?? null });
    } catch (error) {
      process.send({ type: 'error', id: message.id, message: String(error?.message ?? error) });
    }
  });
  process.on('disconnect', shutdown);
  process.send({ type: 'ready', info });
}

/**
 * Reports a start-up failure to the parent and exits.
 *
 * @example
 * main().catch(failChild);
 */
export function failChild(error) {
  process.send?.({ type: 'error', message: String(error?.stack ?? error) });
  process.exit(1);
}

/**
 * CPU seconds (user + system, all threads) this process has used so far.
 *
 * @example
 * const before = cpuSeconds(); work(); const used = cpuSeconds() - before;
 */
export function cpuSeconds() {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}
