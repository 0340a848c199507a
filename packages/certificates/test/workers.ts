import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'tsup';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const packages = join(pkg, '..');

/** Bundles test/fixtures/worker.ts with every workspace package from its src/ (as the vitest alias does). */
export async function buildWorker(): Promise<string> {
  const outDir = join(pkg, '.artifacts', 'worker');
  mkdirSync(outDir, { recursive: true });
  const alias: Record<string, string> = {};
  for (const dep of readdirSync(packages))
    alias[`@netsuite-oauth/${dep}`] = join(packages, dep, 'src', 'index.ts');
  alias['@netsuite-oauth/core/der'] = join(packages, 'core', 'src', 'der.ts');
  alias['@netsuite-oauth/token-store/adapter'] = join(packages, 'token-store', 'src', 'adapter.ts');
  await build({
    entry: { worker: join(pkg, 'test', 'fixtures', 'worker.ts') },
    outDir,
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    bundle: true,
    dts: false,
    sourcemap: false,
    clean: false,
    silent: true,
    config: false,
    splitting: false,
    noExternal: [/^@netsuite-oauth\//],
    esbuildOptions(options) {
      options.alias = alias;
    },
  });
  return join(outDir, 'worker.js');
}

export interface Finished {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly report: Record<string, unknown> | undefined;
  readonly stderr: string;
}

export interface Worker {
  readonly child: ChildProcess;
  readonly finished: Promise<Finished>;
  /** Resolves once the worker printed `{"event": name}`. */
  event(name: string): Promise<void>;
}

export function startWorker(script: string, config: Record<string, unknown>): Worker {
  const child = spawn(process.execPath, [script], {
    cwd: pkg,
    env: { ...process.env, WORKER_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters: Array<{ name: string; resolve: () => void }> = [];
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
    for (const w of waiters.splice(0)) {
      if (out.includes(`"event":"${w.name}"`)) w.resolve();
      else waiters.push(w);
    }
  });
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const finished = new Promise<Finished>((resolve) => {
    child.on('exit', (code, signal) => {
      const line = out.split('\n').find((l) => l.includes('"event":"done"'));
      resolve({ code, signal, report: line ? JSON.parse(line) : undefined, stderr: err.slice(0, 2000) });
    });
  });
  return {
    child,
    finished,
    event: (name) =>
      new Promise<void>((resolve, reject) => {
        if (out.includes(`"event":"${name}"`)) return resolve();
        waiters.push({ name, resolve });
        void finished.then(() => reject(new Error(`worker ended before ${name}: ${err.slice(0, 500)}`)));
      }),
  };
}
