import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorAdmin } from './admin.js';
import { handleAdminHttp } from './admin-http.js';
import { handleAsync } from './async-routes.js';
import { handleAuthorizeGet, handleAuthorizePost } from './authorize.js';
import { authenticateBearer } from './bearer.js';
import type { Call } from './call.js';
import { handleCertificates } from './certificates-api.js';
import { faultReply } from './faults.js';
import { concurrencyReply, HttpReply, JSON_TYPE, nsError, readBody, send, sleep } from './http.js';
import { handleMetadata } from './metadata.js';
import { handleKeys, handleRevoke, handleToken } from './oauth.js';
import { handleRecord } from './records.js';
import type { RequestLogEntry } from './request-log.js';
import { handleRestlet, restletError } from './restlets.js';
import { classifyRoute, GOVERNED_ROUTES, type RouteName } from './routes.js';
import type { EmulatorState } from './state.js';
import { handleSuiteql } from './suiteql.js';
import { handleSystem } from './system.js';

/** What the request pipeline reads from the running emulator; `state` changes on every admin reset. */
export interface PipelineContext {
  state(): EmulatorState;
  /** `http://127.0.0.1:PORT`, known once the server listens. */
  origin(): string;
  readonly admin: EmulatorAdmin;
  /** What `GET /_emulator` answers. */
  info(): unknown;
  /** The handler of another account of the same emulator, by host label (a NetSuite host name in `Host`). */
  forward?(hostLabel: string): ((req: IncomingMessage, res: ServerResponse) => Promise<void>) | undefined;
}

const NETSUITE_HOST = /^([a-z0-9-]+)\.(?:app|suitetalk\.api|restlets\.api)\.netsuite\.com(?::\d+)?$/i;

// The Date header changes once a second; format it once a second.
let dateSecond = Number.NaN;
let dateText = '';
function httpDate(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(second * 1000).toUTCString();
  }
  return dateText;
}

/**
 * The request pipeline: classify the route, log and count it, check the account host, apply injected faults,
 * governance and latency, dispatch to the route handler, and send the reply with the emulator clock's `Date`.
 */
export function createRequestHandler(
  context: PipelineContext,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async function onRequest(req, res) {
    // Elapsed time for the request log: a monotonic clock, not the emulator's movable one.
    const started = performance.now();
    const current = context.state();
    // A NetSuite host name picks the account, as on NetSuite: another account of this emulator answers it.
    const named = NETSUITE_HOST.exec(req.headers.host ?? '')?.[1]?.toLowerCase();
    if (named !== undefined && named !== current.options.hostLabel) {
      const other = context.forward?.(named);
      if (other) return other(req, res);
    }
    const options = current.options;
    const origin = context.origin();
    const method = req.method ?? 'GET';
    let url: URL;
    try {
      url = new URL(req.url ?? '/', origin);
    } catch {
      url = new URL('/_invalid', origin);
    }
    const route = classifyRoute(url.pathname);
    const counters = current.counters;
    counters.requests++;
    counters[route]++;
    const entry: RequestLogEntry = {
      seq: ++current.logSeq,
      time: '',
      at: current.now(),
      method,
      route,
      path: url.pathname.slice(0, 500),
      status: 0,
      durationMs: 0,
    };
    if (options.requestLogSize > 0 && route !== 'admin') {
      current.log.push(entry);
      if (current.log.length > options.requestLogSize * 2)
        current.log.splice(0, current.log.length - options.requestLogSize);
    }
    let bodyPromise: Promise<Buffer> | undefined;
    const call: Call = {
      state: current,
      req,
      url,
      method,
      origin,
      entry,
      body: () => {
        bodyPromise ??= readBody(req, options.maxBodyBytes);
        return bodyPromise;
      },
    };
    let governed = false;
    let reply: HttpReply;
    try {
      if (route !== 'admin') {
        if (named !== undefined && named !== options.hostLabel) {
          throw nsError(404, 'INVALID_REQUEST', 'This emulator does not serve that account.');
        }
        const faultIndex = current.faults.findIndex((f) => f.route === route || f.route === '*');
        const fault = faultIndex >= 0 ? current.faults[faultIndex] : undefined;
        if (fault) {
          fault.remaining--;
          if (fault.remaining <= 0) current.faults.splice(faultIndex, 1);
          counters.faultsInjected++;
          entry.fault = true;
          if (fault.latencyMs) await sleep(fault.latencyMs);
          if (fault.drop) {
            entry.status = 0;
            req.socket.destroy();
            return;
          }
          if (fault.malformed) {
            throw new HttpReply(fault.status ?? 200, '{"items":[{"links":[],"id":', {
              'content-type': JSON_TYPE,
            });
          }
          if (fault.status !== undefined) throw faultReply(route, fault.status, fault.body);
        }
      }
      if (GOVERNED_ROUTES.has(route)) {
        // A running async job holds a slot too (when the cost model says so).
        if (counters.inFlight + current.asyncJobs.slotsHeld >= current.concurrencyLimit) {
          counters.concurrencyRejected++;
          entry.reason = 'ConcurrencyLimitExceeded';
          throw route === 'restlet'
            ? restletError(
                400,
                'SSS_REQUEST_LIMIT_EXCEEDED',
                'Too many concurrent requests. Request blocked.',
              )
            : concurrencyReply();
        }
        governed = true;
        counters.inFlight++;
        if (counters.inFlight > counters.maxInFlight) counters.maxInFlight = counters.inFlight;
        current.asyncJobs.observe();
      }
      const latency =
        (current.latency.get(route) ?? (route === 'admin' ? 0 : (current.latency.get('*') ?? 0))) +
        (governed ? current.costModel.requestMs : 0);
      if (latency > 0 && route === 'suiteql') {
        // A query only reads, so it runs during the modelled latency rather than after it: the request takes the
        // longer of the two, and the emulator's own query time (one worker, shared by every slot) is not added to
        // the latency a client is measured against.
        const work = dispatch(context, call, route).then(
          (value) => () => value,
          (error: unknown) => () => {
            throw error;
          },
        );
        await sleep(latency);
        reply = (await work)();
      } else {
        if (latency > 0) await sleep(latency);
        reply = await dispatch(context, call, route);
      }
    } catch (error) {
      if (error instanceof HttpReply) reply = error;
      else {
        entry.reason = 'UnexpectedError';
        reply = nsError(500, 'UNEXPECTED_ERROR', 'An unexpected error occurred.');
      }
    } finally {
      if (governed) {
        counters.inFlight--;
        current.asyncJobs.pump();
      }
    }
    entry.status = reply.status;
    counters.byStatus[reply.status] = (counters.byStatus[reply.status] ?? 0) + 1;
    entry.durationMs = Math.round((performance.now() - started) * 1000) / 1000;
    send(res, reply.status, reply.body, { date: httpDate(current.now()), ...reply.headers });
  };
}

async function dispatch(context: PipelineContext, call: Call, route: RouteName): Promise<HttpReply> {
  const m = call.method;
  switch (route) {
    case 'token':
      return handleToken(call);
    case 'revoke':
      return handleRevoke(call);
    case 'keys':
      return handleKeys(call);
    case 'authorize':
      if (m === 'GET') return handleAuthorizeGet(call);
      if (m === 'POST') return handleAuthorizePost(call);
      throw new HttpReply(405, '', { allow: 'GET, POST' });
    case 'record':
      call.roleId = authenticateBearer(call, 'rest_webservices').roleId;
      return handleRecord(call);
    case 'metadata':
      call.roleId = authenticateBearer(call, 'rest_webservices').roleId;
      return handleMetadata(call);
    case 'suiteql':
      call.roleId = authenticateBearer(call, 'rest_webservices').roleId;
      return handleSuiteql(call);
    case 'async':
      authenticateBearer(call, 'rest_webservices');
      return handleAsync(call);
    case 'system':
      return handleSystem(call);
    case 'restlet':
      return handleRestlet(call);
    case 'certificates':
      return handleCertificates(call, context.admin);
    case 'admin':
      return handleAdminHttp(call, context.admin, { info: context.info });
    default:
      throw nsError(404, 'INVALID_REQUEST', 'The requested resource does not exist.', {
        'o:errorUrl': call.url.pathname,
      });
  }
}
