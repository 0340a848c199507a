import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
let built: Promise<string> | undefined;

/** Bundles test/fixtures/worker.ts (and the sources it imports) into one .mjs file, once per test file. */
export function workerScript(): Promise<string> {
  built ??= (async () => {
    const { build } = await import('tsup');
    const outDir = mkdtempSync(join(tmpdir(), 'ns-file-worker-'));
    await build({
      entry: { worker: join(here, 'fixtures', 'worker.ts') },
      outDir,
      format: ['esm'],
      platform: 'node',
      target: 'node20',
      bundle: true,
      noExternal: [/.*/],
      dts: false,
      sourcemap: false,
      silent: true,
      config: false,
      outExtension: () => ({ js: '.mjs' }),
      esbuildOptions(options) {
        options.alias = {
          '@netsuite-oauth/token-store': join(here, '..', '..', 'token-store', 'src', 'index.ts'),
          '@netsuite-oauth/token-store/adapter': join(here, '..', '..', 'token-store', 'src', 'adapter.ts'),
        };
      },
    });
    return join(outDir, 'worker.mjs');
  })();
  return built;
}

/** A running worker: its process, and a promise for each line it prints. */
export interface Worker {
  readonly child: ChildProcess;
  nextLine(): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

export async function startWorker(job: Record<string, unknown>): Promise<Worker> {
  const script = await workerScript();
  const child = spawn(process.execPath, [script, JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const lines: string[] = [];
  const waiters: Array<(line: string) => void> = [];
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let at = buffer.indexOf('\n');
    while (at >= 0) {
      const line = buffer.slice(0, at);
      buffer = buffer.slice(at + 1);
      const waiter = waiters.shift();
      if (waiter) waiter(line);
      else lines.push(line);
      at = buffer.indexOf('\n');
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>(
    (resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal, stderr }));
    },
  );
  return {
    child,
    exited,
    nextLine: () =>
      new Promise((resolve, reject) => {
        const queued = lines.shift();
        if (queued !== undefined) return resolve(queued);
        waiters.push(resolve);
        void exited.then((result) =>
          reject(new Error(`worker exited (${result.code ?? result.signal}): ${result.stderr}`)),
        );
      }),
  };
}

/** SIGKILL a worker and wait until it is gone (reaped, so its pid reads as dead). */
export async function killWorker(worker: Worker): Promise<void> {
  if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
  await worker.exited;
}
