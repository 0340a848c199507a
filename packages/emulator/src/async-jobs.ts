import type { Call } from './call.js';
import type { CostModel } from './cost-model.js';
import { HttpReply, NS_ERROR_TYPE, nsError, nsErrorBody } from './http.js';

/** What one task of a job answered: the response its request would have had synchronously. */
export interface TaskOutcome {
  readonly status: number;
  readonly body: string;
  readonly headers: Record<string, string>;
}

/** One task: a single-record request, run when the job reaches it. */
export interface AsyncTask {
  readonly id: string;
  readonly run: () => Promise<TaskOutcome> | TaskOutcome;
  outcome: TaskOutcome | undefined;
  startTime: number | undefined;
  endTime: number | undefined;
}

/** A `Prefer: respond-async` job: one task for a single request, one per record for a batch. */
export interface AsyncJob {
  readonly id: string;
  /** Emulator clock when it was accepted. */
  readonly createdAt: number;
  readonly idempotencyKey: string | undefined;
  readonly tasks: readonly AsyncTask[];
  readonly batch: boolean;
  readonly parallel: boolean;
  state: 'queued' | 'running' | 'done';
  holdsSlot: boolean;
  startTime: number | undefined;
  endTime: number | undefined;
}

/** What the job runner needs from the emulator around it. */
export interface JobHost {
  now(): number;
  concurrencyLimit(): number;
  /** Requests in flight (each holds a slot). */
  inFlight(): number;
  costModel(): CostModel;
  /** How long a job stays pending on the emulator clock (`asyncJobDelayMs`). */
  readonly delayMs: number;
}

/** Options of {@link AsyncJobs.submit}. */
export interface SubmitOptions {
  readonly idempotencyKey: string | undefined;
  readonly batch: boolean;
  readonly parallel: boolean;
}

/** Turns whatever a task threw into the error response NetSuite would have sent. */
function outcomeOf(error: unknown): TaskOutcome {
  if (error instanceof HttpReply) return { status: error.status, body: error.body, headers: error.headers };
  return {
    status: 500,
    body: nsErrorBody(500, 'UNEXPECTED_ERROR', 'An unexpected error occurred.'),
    headers: { 'content-type': NS_ERROR_TYPE },
  };
}

/**
 * The account's async jobs and idempotency keys, and the runner that executes them under the cost model: a job
 * waits for a free concurrency slot (when jobs hold one), then runs its tasks `recordMs` each, one at a time or
 * `parallelTasks` at a time.
 */
export class AsyncJobs {
  readonly jobs = new Map<string, AsyncJob>();
  /** Idempotency key → job id. Kept as long as the job: a key names its job for good. */
  readonly keys = new Map<string, string>();
  private readonly queue: AsyncJob[] = [];
  private seq = 0;
  private held = 0;
  private maxHeldSeen = 0;
  private maxInUse = 0;
  private tasksRun = 0;
  private closed = false;

  constructor(private readonly host: JobHost) {}

  /** Slots held by running jobs right now. */
  get slotsHeld(): number {
    return this.held;
  }

  /** Figures for the counters: jobs accepted, tasks run, slots held now and at most, most slots in use. */
  stats(): {
    asyncJobs: number;
    asyncTasks: number;
    jobSlotsHeld: number;
    maxJobSlotsHeld: number;
    maxSlotsInUse: number;
  } {
    return {
      asyncJobs: this.seq,
      asyncTasks: this.tasksRun,
      jobSlotsHeld: this.held,
      maxJobSlotsHeld: this.maxHeldSeen,
      maxSlotsInUse: this.maxInUse,
    };
  }

  /** Records how many slots are in use (requests in flight plus jobs); the server calls it on each admission. */
  observe(ownRequests = 0): void {
    const inUse = this.host.inFlight() - ownRequests + this.held;
    if (inUse > this.maxInUse) this.maxInUse = inUse;
  }

  /** The job an idempotency key was first submitted with. */
  byKey(key: string): AsyncJob | undefined {
    const id = this.keys.get(key);
    return id === undefined ? undefined : this.jobs.get(id);
  }

  /**
   * Accepts a job from inside the request that submits it. With `jobHoldsSlot` the job takes over that request's
   * slot when it can (the count of slots in use does not change), and otherwise waits for one.
   */
  submit(runs: ReadonlyArray<() => Promise<TaskOutcome> | TaskOutcome>, options: SubmitOptions): AsyncJob {
    const id = String(++this.seq);
    const job: AsyncJob = {
      id,
      createdAt: this.host.now(),
      idempotencyKey: options.idempotencyKey,
      // A single request's task carries the job id (as NetSuite's examples show); a batch numbers its tasks.
      tasks: runs.map((run, index) => ({
        id: options.batch ? String(index + 1) : id,
        run,
        outcome: undefined,
        startTime: undefined,
        endTime: undefined,
      })),
      batch: options.batch,
      parallel: options.parallel,
      state: 'queued',
      holdsSlot: false,
      startTime: undefined,
      endTime: undefined,
    };
    this.jobs.set(id, job);
    if (options.idempotencyKey !== undefined) this.keys.set(options.idempotencyKey, id);
    const model = this.host.costModel();
    if (!model.jobHoldsSlot) this.start(job, false, 1);
    else if (this.queue.length === 0 && this.freeSlots(1) > 0) this.start(job, true, 1);
    else this.queue.push(job);
    return job;
  }

  /** Starts queued jobs while slots are free; called when a request or a job ends. */
  pump(): void {
    while (this.queue.length > 0 && this.freeSlots(0) > 0) {
      const job = this.queue.shift() as AsyncJob;
      this.start(job, true, 0);
    }
  }

  /** Whether the job is finished and the emulator clock has passed its `asyncJobDelayMs`. */
  completed(job: AsyncJob): boolean {
    return job.state === 'done' && this.host.now() >= job.createdAt + this.host.delayMs;
  }

  /** Stops running jobs (the emulator closes or resets); their remaining tasks never run. */
  close(): void {
    this.closed = true;
    this.queue.length = 0;
  }

  /** Slots free for a job, not counting `ownRequests` requests about to end and hand theirs over. */
  private freeSlots(ownRequests: number): number {
    return this.host.concurrencyLimit() - (this.host.inFlight() - ownRequests) - this.held;
  }

  private start(job: AsyncJob, holdsSlot: boolean, ownRequests: number): void {
    job.state = 'running';
    job.startTime = this.host.now();
    job.holdsSlot = holdsSlot;
    if (holdsSlot) {
      this.held++;
      if (this.held > this.maxHeldSeen) this.maxHeldSeen = this.held;
      this.observe(ownRequests);
    }
    void this.execute(job);
  }

  private async execute(job: AsyncJob): Promise<void> {
    const model = this.host.costModel();
    const width = job.parallel ? Math.min(model.parallelTasks, job.tasks.length) : 1;
    let next = 0;
    const worker = async (): Promise<void> => {
      // Each worker keeps its own schedule (task k ends recordMs after task k-1 was due), so timer slack does
      // not add up over a batch: n tasks take n × recordMs, not n × (recordMs + slack).
      let due = performance.now();
      while (next < job.tasks.length && !this.closed) {
        const task = job.tasks[next++] as AsyncTask;
        task.startTime = this.host.now();
        if (model.recordMs > 0) {
          due += model.recordMs;
          // A timer only while ahead of the schedule: one behind it (a late timer, a busy loop) catches up at once.
          const ahead = due - performance.now();
          if (ahead > 0) await pause(ahead);
        }
        if (this.closed) return;
        try {
          task.outcome = await task.run();
        } catch (error) {
          task.outcome = outcomeOf(error);
        }
        task.endTime = this.host.now();
        this.tasksRun++;
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, width) }, worker));
    job.state = 'done';
    job.endTime = this.host.now();
    if (job.holdsSlot) {
      job.holdsSlot = false;
      this.held--;
    }
    if (!this.closed) this.pump();
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

const KEY = /^[A-Za-z0-9-]{1,128}$/;

/**
 * Accepts a `Prefer: respond-async` request as a job: 202 with the job's `Location`, or, for an idempotency key
 * already used, NetSuite's `IDEMPOTENCY_ERROR` with the `Location` of the earlier job (section 6.5 of the facts;
 * status 400 or 409 per `idempotencyConflictStatus`).
 */
export function submitJob(
  call: Call,
  runs: ReadonlyArray<() => Promise<TaskOutcome> | TaskOutcome>,
  options: { batch: boolean; parallel: boolean; preferenceApplied?: string },
): HttpReply {
  const { state } = call;
  const header = call.req.headers['x-netsuite-idempotency-key'];
  const key = typeof header === 'string' ? header : undefined;
  if (key !== undefined && !KEY.test(key)) {
    throw nsError(400, 'INVALID_HEADER', 'X-NetSuite-Idempotency-Key must be a UUID.', {
      'o:errorHeader': 'X-NetSuite-Idempotency-Key',
    });
  }
  const jobs = state.asyncJobs;
  const earlier = key === undefined ? undefined : jobs.byKey(key);
  if (earlier) {
    const status = state.options.idempotencyConflictStatus;
    return new HttpReply(
      status,
      JSON.stringify({
        type: 'https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.10',
        title: 'Conflict',
        status,
        'o:errorDetails': [
          {
            detail:
              'A request with the same idempotency key is already submitted. Use a unique idempotency key.',
            'o:errorCode': 'IDEMPOTENCY_ERROR',
          },
        ],
      }),
      {
        'content-type': 'application/vnd.oracle.resource+json; type=error; charset=UTF-8',
        location: `${call.origin}/services/rest/async/v1/job/${earlier.id}`,
      },
    );
  }
  const job = jobs.submit(runs, { idempotencyKey: key, batch: options.batch, parallel: options.parallel });
  return new HttpReply(202, '', {
    location: `${call.origin}/services/rest/async/v1/job/${job.id}`,
    'preference-applied': options.preferenceApplied ?? 'respond-async',
  });
}
