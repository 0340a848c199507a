import { parseErrorBody } from './error-body.js';
import { NetSuiteApiError, type NetSuiteErrorDetail, RecordClientError } from './errors.js';
import type { Link } from './record-types.js';
import type { Transport } from './transport.js';

/** Where async jobs live and how to reach them. */
export interface AsyncContext {
  readonly transport: Transport;
  /** The REST origin job `Location`s are resolved against. */
  readonly restOrigin: string;
}

/** How to wait for a job. */
export interface JobWait {
  readonly signal?: AbortSignal | undefined;
  /** First wait between polls. */
  readonly pollIntervalMs: number;
  /** Longest wait between polls (the wait doubles up to it). */
  readonly maxPollIntervalMs: number;
  /** Gives up waiting after this long. */
  readonly waitTimeoutMs: number;
  /** Wait this long before the first poll (when the job is known to take about that long). @default 0 */
  readonly firstPollDelayMs?: number | undefined;
}

/** A completed job as its status resource described it. */
export interface CompletedJob {
  readonly jobId: string;
  /** The job's URL on the configured origin (query and fragment dropped). */
  readonly jobUrl: string;
  /** How long NetSuite says the job ran (`endTime - startTime`), when it says. */
  readonly durationMs: number | undefined;
  readonly body: Record<string, unknown>;
}

/** What one task of a job answered. */
export interface TaskResult {
  readonly status: number;
  readonly location: string | undefined;
  readonly body: unknown;
  /** The error NetSuite answered for this task (status ≥ 400). */
  readonly error: TaskError | undefined;
}

/** NetSuite's error for one task. */
export interface TaskError {
  readonly status: number;
  readonly errorCode: string | undefined;
  readonly detail: string | undefined;
  readonly errorPath: string | undefined;
  readonly details: readonly NetSuiteErrorDetail[];
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Waits `ms`, or rejects with `ERR_RECORD_ABORTED` when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal | undefined, what = 'async job wait'): Promise<void> {
  return new Promise((resolve, reject) => {
    const aborted = () =>
      new RecordClientError('ERR_RECORD_ABORTED', `${what} aborted by the caller`, { cause: signal?.reason });
    if (signal?.aborted) {
      reject(aborted());
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(aborted());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function selfLink(value: unknown): string | undefined {
  if (!isObject(value) || !Array.isArray(value.links)) return undefined;
  const link = value.links.find(
    (l: unknown) => isObject(l) && l.rel === 'self' && typeof l.href === 'string',
  ) as Link | undefined;
  return link?.href;
}

/** A URL from a response, checked to be on the client's origins, without query or fragment. */
function checked(context: AsyncContext, raw: string): string {
  const url = context.transport.checkUrl(new URL(raw, context.restOrigin).href);
  return `${url.origin}${url.pathname}`;
}

/** Checks the wait options (they come from callers). */
export function checkWait(options: {
  pollIntervalMs?: unknown;
  maxPollIntervalMs?: unknown;
  waitTimeoutMs?: unknown;
}): { pollIntervalMs: number; maxPollIntervalMs: number; waitTimeoutMs: number } {
  const out = {
    pollIntervalMs: options.pollIntervalMs ?? 500,
    maxPollIntervalMs: options.maxPollIntervalMs ?? 5000,
    waitTimeoutMs: options.waitTimeoutMs ?? 900_000,
  };
  for (const [name, value] of Object.entries(out)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new RecordClientError('ERR_RECORD_INVALID_ARGUMENT', `${name} must be a non-negative number`);
    }
  }
  return out as { pollIntervalMs: number; maxPollIntervalMs: number; waitTimeoutMs: number };
}

/** Calls `probe` until it returns a value, waiting between calls (doubling up to the maximum). */
async function pollUntil<T>(probe: () => Promise<T | undefined>, wait: JobWait, jobId: string): Promise<T> {
  // Elapsed time on the monotonic clock: the waits between polls are timers, which a jump of the wall clock does
  // not shift, so the time budget must not be shifted either.
  const started = performance.now();
  let delay = wait.pollIntervalMs;
  if (wait.firstPollDelayMs !== undefined && wait.firstPollDelayMs > 0) {
    await sleep(Math.min(wait.firstPollDelayMs, wait.waitTimeoutMs), wait.signal);
  }
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (performance.now() - started + delay > wait.waitTimeoutMs) {
      throw new RecordClientError(
        'ERR_RECORD_TIMEOUT',
        `async job ${jobId} did not complete within ${wait.waitTimeoutMs} ms`,
      );
    }
    await sleep(delay, wait.signal);
    delay = Math.min(wait.maxPollIntervalMs, Math.max(1, delay * 2));
  }
}

/** `end - start` of two ISO times, when both parse. */
function span(start: unknown, end: unknown): number | undefined {
  const a = typeof start === 'string' ? Date.parse(start) : Number.NaN;
  const b = typeof end === 'string' ? Date.parse(end) : Number.NaN;
  return Number.isFinite(a) && Number.isFinite(b) && b >= a ? b - a : undefined;
}

function jobOf(context: AsyncContext, location: string): { jobUrl: string; jobId: string } {
  const jobUrl = checked(context, location);
  return { jobUrl, jobId: new URL(jobUrl).pathname.split('/').filter(Boolean).at(-1) ?? '' };
}

/**
 * Polls `GET …/async/v1/job/{id}` until `completed` is true, waiting between polls (doubling up to the maximum).
 *
 * @throws {RecordClientError} `ERR_RECORD_TIMEOUT` after `waitTimeoutMs`, `ERR_RECORD_ABORTED` on abort.
 */
export async function waitForJob(
  context: AsyncContext,
  location: string,
  wait: JobWait,
): Promise<CompletedJob> {
  const { jobUrl, jobId } = jobOf(context, location);
  return pollUntil(
    async () => {
      const response = await context.transport.send({ method: 'GET', url: jobUrl, signal: wait.signal });
      const body = isObject(response.body) ? response.body : {};
      if (body.completed !== true) return undefined;
      return { jobId, jobUrl, durationMs: span(body.startTime, body.endTime), body };
    },
    wait,
    jobId,
  );
}

function taskError(status: number, body: unknown): TaskError {
  const parsed = parseErrorBody(typeof body === 'string' ? body : (JSON.stringify(body) ?? ''), (s) => s);
  return {
    status,
    errorCode: parsed.errorCode,
    detail: parsed.detail,
    errorPath: parsed.errorPath,
    details: parsed.details,
  };
}

function fromApiError(error: NetSuiteApiError): TaskError {
  return {
    status: error.status,
    errorCode: error.errorCode,
    detail: error.detail,
    errorPath: error.errorPath,
    details: error.details,
  };
}

/** Reads one task's result (`…/task/{id}/result`): its status, `Location` and body, or NetSuite's error. */
export async function readTaskResult(
  context: AsyncContext,
  taskHref: string,
  signal: AbortSignal | undefined,
): Promise<TaskResult> {
  const url = `${checked(context, taskHref)}/result`;
  try {
    const response = await context.transport.send({ method: 'GET', url, signal });
    const location = response.headers.get('location') ?? undefined;
    return {
      status: response.status,
      location: location === undefined ? undefined : checked(context, location),
      body: response.body,
      error: undefined,
    };
  } catch (error) {
    if (error instanceof NetSuiteApiError) {
      return { status: error.status, location: undefined, body: undefined, error: fromApiError(error) };
    }
    throw error;
  }
}

/** Every item of a job's task list (all pages), asking for results inline. */
async function listTasks(
  context: AsyncContext,
  jobUrl: string,
  jobId: string,
  signal: AbortSignal | undefined,
): Promise<unknown[]> {
  const items: unknown[] = [];
  for (let offset = 0; ; ) {
    const response = await context.transport.send({
      method: 'GET',
      url: `${jobUrl}/task`,
      query: { expandSubResources: 'true', limit: 1000, offset: offset === 0 ? undefined : offset },
      signal,
    });
    const body = response.body;
    if (!isObject(body) || !Array.isArray(body.items)) {
      throw new RecordClientError('ERR_RECORD_INVALID_RESPONSE', `async job ${jobId} listed no tasks`);
    }
    items.push(...body.items);
    if (body.hasMore !== true || body.items.length === 0) return items;
    offset += body.items.length;
  }
}

/** A task's result carried inline in the task list, when the server puts it there. */
function inlineResult(context: AsyncContext, item: unknown): TaskResult | undefined {
  const result = isObject(item) ? item.result : undefined;
  if (!isObject(result) || typeof result.status !== 'number') return undefined;
  const status = result.status;
  return {
    status,
    location: typeof result.location === 'string' ? checked(context, result.location) : undefined,
    body: result.body,
    error: status >= 400 ? taskError(status, result.body) : undefined,
  };
}

/**
 * Reads every task of a completed job, in the order NetSuite lists them (item order for a batch, UNCONFIRMED).
 * Asks for the results inline (`?expandSubResources=true`, which the emulator serves); where an item comes back
 * without its result, reads `…/task/{id}/result` for it, as Oracle documents. `inline` tells whether every
 * result came inline.
 */
export async function readTasks(
  context: AsyncContext,
  job: CompletedJob,
  signal: AbortSignal | undefined,
): Promise<{ results: TaskResult[]; inline: boolean }> {
  const items = await listTasks(context, job.jobUrl, job.jobId, signal);
  let inline = items.length > 0;
  const results = await Promise.all(
    items.map(async (item, index) => {
      const result = inlineResult(context, item);
      if (result) return result;
      inline = false;
      const href =
        selfLink(item) ??
        (isObject(item) && typeof item.id === 'string'
          ? `${job.jobUrl}/task/${encodeURIComponent(item.id)}`
          : undefined);
      if (!href) {
        throw new RecordClientError(
          'ERR_RECORD_INVALID_RESPONSE',
          `async job ${job.jobId} listed task ${index} without a link`,
        );
      }
      return readTaskResult(context, href, signal);
    }),
  );
  return { results, inline };
}

/** What one read of a job's task list with results inline told. */
export type TaskListProbe =
  | { readonly state: 'done'; readonly results: TaskResult[]; readonly durationMs: number | undefined }
  | { readonly state: 'pending' }
  /** A completed task came back without its result: the server does not put results inline. */
  | { readonly state: 'unsupported' };

/** Reads a job's task list once, with results inline. */
export async function probeTaskResults(
  context: AsyncContext,
  location: string,
  signal: AbortSignal | undefined,
): Promise<TaskListProbe> {
  const { jobUrl, jobId } = jobOf(context, location);
  const items = await listTasks(context, jobUrl, jobId, signal);
  if (items.length === 0) return { state: 'pending' };
  const results: TaskResult[] = [];
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const item of items) {
    const result = inlineResult(context, item);
    if (!result) return { state: isObject(item) && item.completed === true ? 'unsupported' : 'pending' };
    results.push(result);
    if (isObject(item)) {
      const start = typeof item.startTime === 'string' ? Date.parse(item.startTime) : Number.NaN;
      const end = typeof item.endTime === 'string' ? Date.parse(item.endTime) : Number.NaN;
      if (start < first) first = start;
      if (end > last) last = end;
    }
  }
  return { state: 'done', results, durationMs: Number.isFinite(last - first) ? last - first : undefined };
}

/**
 * Polls a job's task list with results inline until every task has its result: one request per poll says both
 * whether the job is done and what each record got. Undefined when the server does not put results inline: then
 * use {@link waitForJob} and {@link readTasks}.
 */
export async function waitForTaskResults(
  context: AsyncContext,
  location: string,
  wait: JobWait,
): Promise<{ results: TaskResult[]; durationMs: number | undefined } | undefined> {
  const { jobId } = jobOf(context, location);
  const outcome = await pollUntil(
    async () => {
      const probe = await probeTaskResults(context, location, wait.signal);
      return probe.state === 'pending' ? undefined : probe;
    },
    wait,
    jobId,
  );
  return outcome.state === 'done' ? outcome : undefined;
}

/** The internal id at the end of a `Location`. */
export function idInLocation(location: string | undefined): string | undefined {
  if (!location) return undefined;
  const last = new URL(location).pathname.split('/').filter(Boolean).at(-1);
  if (last === undefined) return undefined;
  try {
    return decodeURIComponent(last);
  } catch {
    return undefined;
  }
}
