import type { AsyncJob, AsyncTask } from './async-jobs.js';
import { type Call, jsonReply } from './call.js';
import { HttpReply, NS_COLLECTION_TYPE, nsError } from './http.js';
import { offsetOutOfBounds, pageLinks, paging } from './records.js';

const PREFIX = '/services/rest/async/v1/';

function link(rel: string, href: string): { rel: string; href: string } {
  return { rel, href };
}

function iso(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

function taskProgress(done: boolean, task: AsyncTask): string {
  if (!done || task.outcome === undefined) return 'pending';
  return task.outcome.status < 400 ? 'succeeded' : 'failed';
}

/**
 * A finished job is `succeeded` when every task succeeded and `failed` when every task failed; a batch with both
 * is `partiallySucceeded` (UNCONFIRMED: Oracle documents only `pending`, `succeeded` and `failed`).
 */
function jobProgress(done: boolean, job: AsyncJob): string {
  if (!done) return 'pending';
  const failed = job.tasks.filter((t) => (t.outcome?.status ?? 500) >= 400).length;
  if (failed === 0) return 'succeeded';
  return failed === job.tasks.length ? 'failed' : 'partiallySucceeded';
}

function taskBody(base: string, done: boolean, task: AsyncTask): Record<string, unknown> {
  const out: Record<string, unknown> = {
    links: [link('self', `${base}/task/${task.id}`)],
    completed: done && task.outcome !== undefined,
    id: task.id,
    progress: taskProgress(done, task),
  };
  if (task.startTime !== undefined) out.startTime = iso(task.startTime);
  if (done && task.endTime !== undefined) out.endTime = iso(task.endTime);
  return out;
}

/**
 * A task's result inline, for `…/task?expandSubResources=true` (UNCONFIRMED: an emulator extension that spares one
 * request per task; with `expandTaskResults: false` the emulator answers as the plain list does).
 */
function inlineResult(task: AsyncTask): Record<string, unknown> | undefined {
  const outcome = task.outcome;
  if (!outcome) return undefined;
  const result: Record<string, unknown> = { status: outcome.status };
  const location = outcome.headers.location;
  if (location) result.location = location;
  if (outcome.body.length > 0) {
    try {
      result.body = JSON.parse(outcome.body);
    } catch {
      result.body = outcome.body;
    }
  }
  return result;
}

/** `/services/rest/async/v1/job/{id}[/task[/{taskId}[/result]]]`. */
export function handleAsync(call: Call): HttpReply {
  const { state } = call;
  if (call.method !== 'GET') throw nsError(405, 'INVALID_REQUEST', 'Async job resources are read with GET.');
  const parts = call.url.pathname.slice(PREFIX.length).split('/');
  const notFound = () =>
    nsError(404, 'NONEXISTENT_ID', 'Record does not exist.', { 'o:errorUrl': call.url.pathname });
  if (parts[0] !== 'job') throw nsError(404, 'INVALID_REQUEST', 'The requested resource does not exist.');
  const jobs = state.asyncJobs;
  const job = jobs.jobs.get(parts[1] ?? '');
  if (!job) return notFound();
  const base = `${call.origin}/services/rest/async/v1/job/${job.id}`;
  const done = jobs.completed(job);
  if (parts.length === 2) {
    return jsonReply(200, {
      links: [link('self', base)],
      completed: done,
      id: job.id,
      progress: jobProgress(done, job),
      ...(job.startTime === undefined ? {} : { startTime: iso(job.startTime) }),
      ...(done && job.endTime !== undefined ? { endTime: iso(job.endTime) } : {}),
      task: { links: [link('related', `${base}/task`)] },
    });
  }
  if (parts[2] !== 'task') return notFound();
  if (parts.length === 3) {
    const { limit, offset } = paging(call);
    const total = job.tasks.length;
    if (offset > 0 && offset >= total) return offsetOutOfBounds();
    const page = job.tasks.slice(offset, offset + limit);
    const hasMore = offset + page.length < total;
    const expand =
      state.options.expandTaskResults && call.url.searchParams.get('expandSubResources') === 'true';
    const extra = new URLSearchParams();
    if (expand) extra.set('expandSubResources', 'true');
    const items = page.map((task) => {
      if (!expand) return { links: [link('self', `${base}/task/${task.id}`)], id: task.id };
      const body = taskBody(base, done, task);
      const result = done ? inlineResult(task) : undefined;
      return result ? { ...body, result } : body;
    });
    return new HttpReply(
      200,
      JSON.stringify({
        links: pageLinks(`${base}/task`, extra, limit, offset, total, hasMore),
        count: items.length,
        hasMore,
        items,
        offset,
        totalResults: total,
      }),
      { 'content-type': NS_COLLECTION_TYPE },
    );
  }
  const task = job.tasks.find((t) => t.id === parts[3]);
  if (!task) return notFound();
  if (parts.length === 4) return jsonReply(200, taskBody(base, done, task));
  if (parts[4] === 'result' && parts.length === 5) {
    if (!done || !task.outcome) throw nsError(400, 'INVALID_REQUEST', 'The task is not completed yet.');
    return new HttpReply(task.outcome.status, task.outcome.body, task.outcome.headers);
  }
  return notFound();
}
