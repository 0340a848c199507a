import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'tsup';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const packages = join(pkg, '..');

/** Bundles test/fixtures/<name>.ts (workspace packages from their src/, like the vitest alias) once. */
export async function buildWorker(name = 'worker'): Promise<string> {
  const outDir = join(pkg, '.artifacts', 'worker');
  mkdirSync(outDir, { recursive: true });
  const alias: Record<string, string> = {};
  for (const dep of ['core', 'jwt-assertion', 'token-store', 'token-store-file', 'token-store-redis']) {
    alias[`@netsuite-oauth/${dep}`] = join(packages, dep, 'src', 'index.ts');
  }
  // Subpath exports (esbuild would look for them under index.ts otherwise).
  alias['@netsuite-oauth/core/der'] = join(packages, 'core', 'src', 'der.ts');
  alias['@netsuite-oauth/token-store/adapter'] = join(packages, 'token-store', 'src', 'adapter.ts');
  await build({
    entry: { [name]: join(pkg, 'test', 'fixtures', `${name}.ts`) },
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
    external: ['redis'],
    noExternal: [/^@netsuite-oauth\//],
    esbuildOptions(options) {
      options.alias = alias;
    },
  });
  return join(outDir, `${name}.js`);
}

export interface WorkerResult {
  seen: string[];
  /** The first error codes callers got (at most 20). */
  errors: string[];
  /** Rounds of callers run, calls that failed, and whether the round cap ended the run before `cycles`. */
  rounds?: number;
  failedCalls?: number;
  capped?: boolean;
  /** Store locks granted to this process, and refused after waiting `lockWaitMs`. */
  locks?: { granted: number; refused: number };
  /** This process's compare-and-set writes that went through, and that were refused. */
  writes?: { won: number; lost: number };
}

export interface RunningWorker {
  readonly child: ChildProcess;
  /** Resolves with the worker's report, or rejects when it dies without one. */
  readonly done: Promise<WorkerResult>;
  /** Resolves when the worker printed its start event. */
  readonly started: Promise<void>;
  /** Resolves when the worker printed `{"event":"<name>"}` (at once if it already did). */
  event(name: string): Promise<void>;
  /** Writes one line to the worker's stdin. */
  send(line: string): void;
}

export function startWorker(script: string, config: Record<string, unknown>): RunningWorker {
  const child = spawn(process.execPath, [script], {
    cwd: pkg,
    env: { ...process.env, WORKER_CONFIG: JSON.stringify(config) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters: Array<{ name: string; resolve: () => void }> = [];
  const printed = (name: string) => out.includes(`"event":"${name}"`);
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
    for (const w of waiters.splice(0)) {
      if (printed(w.name)) w.resolve();
      else waiters.push(w);
    }
  });
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  child.stdin?.on('error', () => {}); // the worker may be gone (killed) when a line is sent
  const done = new Promise<WorkerResult>((resolve, reject) => {
    child.on('exit', (code, signal) => {
      const line = out.split('\n').find((l) => l.includes('"event":"done"'));
      if (line) resolve(JSON.parse(line) as WorkerResult);
      else reject(new Error(`worker exited (${code ?? signal}) without a report: ${err.slice(0, 2000)}`));
    });
  });
  const event = (name: string) =>
    new Promise<void>((resolve, reject) => {
      if (printed(name)) return resolve();
      waiters.push({ name, resolve });
      done.then(
        () => (printed(name) ? resolve() : reject(new Error(`worker finished without "${name}"`))),
        reject,
      );
    });
  return {
    child,
    done,
    get started() {
      return event('start');
    },
    event,
    send: (line) => {
      child.stdin?.write(`${line}\n`);
    },
  };
}
