import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Database, SqlValue } from 'sql.js';
import { registerSuiteqlFunctions } from './suiteql-functions.js';

/** One SuiteQL page to compute: the translated query, its parameters and the page wanted. */
export interface SuiteqlJob {
  readonly sql: string;
  readonly bind: ReadonlyArray<string | number>;
  readonly limit: number;
  readonly offset: number;
  /** At most this many rows are reachable (NetSuite's 100,000-row cap). */
  readonly cap: number;
}

/** What a {@link SuiteqlJob} found. */
export type SuiteqlOutcome =
  | { readonly kind: 'rows'; readonly total: number; readonly columns: string[]; readonly rows: SqlValue[][] }
  | { readonly kind: 'beyond-cap'; readonly total: number }
  | { readonly kind: 'out-of-bounds'; readonly total: number }
  | { readonly kind: 'sql-error'; readonly message: string };

/** The query did not finish within its time budget; the worker running it was stopped. */
export class SuiteqlBudgetExceeded extends Error {
  constructor() {
    super('suiteql time budget exceeded');
    this.name = 'SuiteqlBudgetExceeded';
  }
}

// The worker body, run as an eval'd CommonJS script so it works the same from src (tests) and from dist.
// It keeps a copy of the emulator's database, replaced whenever the main thread sends newer bytes.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const registerSuiteqlFunctions = ${registerSuiteqlFunctions.toString()};
let db;
const ready = require(workerData.sqlJsPath)();
parentPort.on('message', async (job) => {
  const SQL = await ready;
  let stmt;
  try {
    if (job.bytes) {
      if (db) db.close();
      db = new SQL.Database(job.bytes);
      registerSuiteqlFunctions(db);
    }
    // Wrapping the query keeps it read-only: only a SELECT is valid inside FROM ( ... ).
    stmt = db.prepare('SELECT COUNT(*) FROM (' + job.sql + ')');
    stmt.bind(job.bind);
    stmt.step();
    const total = Number(stmt.get()[0]);
    stmt.free();
    stmt = undefined;
    const reachable = Math.min(total, job.cap);
    if (job.offset > 0 && job.offset >= reachable) {
      parentPort.postMessage({ kind: job.offset >= job.cap && total > job.cap ? 'beyond-cap' : 'out-of-bounds', total });
      return;
    }
    const size = Math.max(Math.min(job.limit, reachable - job.offset), 0);
    stmt = db.prepare('SELECT * FROM (' + job.sql + ') LIMIT ' + size + ' OFFSET ' + job.offset);
    stmt.bind(job.bind);
    const columns = stmt.getColumnNames();
    const rows = [];
    while (stmt.step()) rows.push(stmt.get());
    stmt.free();
    parentPort.postMessage({ kind: 'rows', total, columns, rows });
  } catch (error) {
    if (stmt) stmt.free();
    parentPort.postMessage({ kind: 'sql-error', message: String(error && error.message) });
  }
});
`;

const sqlJsPath = createRequire(import.meta.url).resolve('sql.js');
/** A worker with nothing to do stops after this long (it is unref'd, so it never keeps a process alive). */
const IDLE_MS = 5_000;

interface Pending {
  readonly job: SuiteqlJob;
  readonly timeoutMs: number;
  resolve(outcome: SuiteqlOutcome): void;
  reject(error: unknown): void;
}

/**
 * Runs SuiteQL for one emulator database in a worker thread, one query at a time, each within a time budget:
 * a runaway query (a recursive CTE) never blocks the emulator's event loop, and past its budget the worker is
 * stopped and the query answered with an error. The worker holds a copy of the database, refreshed from
 * `db.export()` whenever the database changed since the last query (SQLite's `total_changes()`).
 */
class SuiteqlRunner {
  #worker: Worker | undefined;
  /** `total_changes()` of the database as last copied to the worker. */
  #copied: number | undefined;
  #busy = false;
  #idle: NodeJS.Timeout | undefined;
  readonly #queue: Pending[] = [];

  constructor(private readonly db: Database) {}

  /** The next query copies the database again (after a schema change, which `total_changes()` does not count). */
  invalidate(): void {
    this.#copied = undefined;
  }

  run(job: SuiteqlJob, timeoutMs: number): Promise<SuiteqlOutcome> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ job, timeoutMs, resolve, reject });
      this.#next();
    });
  }

  #next(): void {
    if (this.#busy) return;
    const pending = this.#queue.shift();
    if (!pending) {
      this.#idle ??= setTimeout(() => this.#stop(), IDLE_MS).unref();
      return;
    }
    clearTimeout(this.#idle);
    this.#idle = undefined;
    this.#busy = true;
    let worker: Worker;
    let bytes: Uint8Array | undefined;
    try {
      const changes = Number(this.db.exec('SELECT total_changes()')[0]?.values[0]?.[0] ?? 0);
      if (this.#worker === undefined || this.#copied !== changes) {
        bytes = this.db.export();
        this.#copied = changes;
      }
      worker = this.#worker ??= this.#spawn();
    } catch (error) {
      this.#busy = false;
      pending.reject(error);
      this.#next();
      return;
    }
    const done = (finish: () => void) => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('error', onError);
      this.#busy = false;
      finish();
      this.#next();
    };
    const onMessage = (outcome: SuiteqlOutcome) => done(() => pending.resolve(outcome));
    const onError = (error: unknown) => {
      this.#stop();
      done(() => pending.reject(error));
    };
    const timer = setTimeout(() => {
      // The only way to stop a running SQLite statement in sql.js: end the thread it runs in.
      this.#stop();
      done(() => pending.reject(new SuiteqlBudgetExceeded()));
    }, pending.timeoutMs);
    worker.on('message', onMessage);
    worker.once('error', onError);
    worker.postMessage({ ...pending.job, bytes });
  }

  #spawn(): Worker {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { sqlJsPath } });
    worker.unref();
    return worker;
  }

  #stop(): void {
    const worker = this.#worker;
    this.#worker = undefined;
    this.#copied = undefined;
    clearTimeout(this.#idle);
    this.#idle = undefined;
    void worker?.terminate();
  }
}

const runners = new WeakMap<Database, SuiteqlRunner>();

/** Makes the next SuiteQL query of `db` see a changed schema (a custom field's new column, a new table). */
export function invalidateSuiteqlCopy(db: Database): void {
  runners.get(db)?.invalidate();
}

/**
 * Runs a SuiteQL page against `db` off the main thread, within `timeoutMs`.
 *
 * @throws {SuiteqlBudgetExceeded} when the query runs longer than `timeoutMs`
 */
export function runSuiteql(db: Database, job: SuiteqlJob, timeoutMs: number): Promise<SuiteqlOutcome> {
  let runner = runners.get(db);
  if (!runner) {
    runner = new SuiteqlRunner(db);
    runners.set(db, runner);
  }
  return runner.run(job, timeoutMs);
}
