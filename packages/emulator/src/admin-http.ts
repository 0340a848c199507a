import { createHash, timingSafeEqual } from 'node:crypto';
import { isLoopbackHost } from '@netsuite-oauth/core';
import type { EmulatorAdmin, FaultOptions } from './admin.js';
import { type Call, jsonReply } from './call.js';
import { generateTestCertificate, type TestKeyType } from './certificate.js';
import { isEmulatorError } from './errors.js';
import { HttpReply, mediaType, safeDecode } from './http.js';
import type { RestletRequest } from './restlets.js';

function adminError(status: number, code: string, message: string): HttpReply {
  return jsonReply(status, { error: { code, message } });
}

async function json(call: Call): Promise<Record<string, unknown>> {
  const raw = (await call.body()).toString('utf8');
  if (raw.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(raw);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch {
    throw adminError(400, 'ERR_EMULATOR_INVALID_OPTION', 'the body must be a JSON object');
  }
}

/**
 * Refuses what a web page in a browser could send: a cross-site request can be a "simple" POST (text/plain,
 * a form, no body) without any preflight, and a page that rebinds its DNS name to 127.0.0.1 sends its own
 * name as `Host`. So every change needs `Content-Type: application/json` (a preflight the emulator never
 * grants), and without an admin token only a loopback `Host` is served.
 */
function refuseBrowserRequests(call: Call, tokenChecked: boolean): HttpReply | undefined {
  if (!tokenChecked && !isLoopbackHost(call.req.headers.host ?? '')) {
    return adminError(
      403,
      'ERR_EMULATOR_ADMIN_HOST',
      'the admin API answers only to a loopback Host (or with X-Emulator-Admin-Token)',
    );
  }
  if (call.method !== 'GET' && call.method !== 'HEAD' && mediaType(call.req) !== 'application/json') {
    return adminError(415, 'ERR_EMULATOR_INVALID_OPTION', 'send application/json');
  }
  return undefined;
}

/** The HTTP admin API under `/_emulator/…` (documented in the README). */
export async function handleAdminHttp(
  call: Call,
  admin: EmulatorAdmin,
  extra: { info: () => unknown },
): Promise<HttpReply> {
  const expected = call.state.options.adminToken;
  if (expected !== undefined) {
    const given = String(call.req.headers['x-emulator-admin-token'] ?? '');
    const a = createHash('sha256').update(given).digest();
    const b = createHash('sha256').update(expected).digest();
    if (!timingSafeEqual(a, b))
      return adminError(401, 'ERR_EMULATOR_ADMIN_TOKEN', 'missing or wrong X-Emulator-Admin-Token');
  }
  const refused = refuseBrowserRequests(call, expected !== undefined);
  if (refused) return refused;
  const parts = call.url.pathname.split('/').slice(2).map(safeDecode);
  const [resource = '', id, action] = parts;
  const m = call.method;
  try {
    switch (`${m} ${resource}`) {
      case 'GET ':
        return jsonReply(200, extra.info());
      case 'POST integrations':
        return jsonReply(201, await admin.createIntegration(await json(call)));
      case 'PATCH integrations':
        return jsonReply(200, await admin.updateIntegration(id ?? '', await json(call)));
      case 'POST users':
        return jsonReply(201, await admin.createUser((await json(call)) as never));
      case 'POST certificates':
        if (id !== undefined && action === 'revoke') {
          await admin.revokeCertificate(id);
          return jsonReply(200, { certificateId: id, revoked: true });
        }
        return jsonReply(201, await admin.addCertificate((await json(call)) as never));
      case 'DELETE certificates':
        await admin.revokeCertificate(id ?? '');
        return jsonReply(200, { certificateId: id, revoked: true });
      case 'GET certificates':
        return jsonReply(200, { items: await admin.listCertificates(id ?? '') });
      case 'PUT roles': {
        const body = await json(call);
        if (action !== 'permissions' || !/^-?\d{1,10}$/.test(id ?? ''))
          return adminError(404, 'ERR_EMULATOR_NOT_FOUND', 'use PUT /_emulator/roles/{roleId}/permissions');
        await admin.setRolePermissions(Number(id), body as never);
        return jsonReply(200, { roleId: Number(id), ...body });
      }
      case 'POST sandbox-refresh':
        return jsonReply(200, await admin.sandboxRefresh());
      case 'POST test-certificates': {
        const body = await json(call);
        return jsonReply(
          201,
          generateTestCertificate({ keyType: (body.keyType ?? 'ec-p256') as TestKeyType }),
        );
      }
      case 'POST records': {
        const body = await json(call);
        return jsonReply(201, { ids: await admin.seedRecords(id ?? '', body.records as never) });
      }
      case 'POST restlets': {
        const body = await json(call);
        const response = body.response;
        const methods = Array.isArray(body.methods) ? body.methods : ['get', 'post', 'put', 'delete'];
        const handler = (req: RestletRequest) =>
          response === undefined
            ? { method: req.method, params: req.params, body: req.body ?? null }
            : response;
        const handlers: Record<string, typeof handler> = {};
        for (const method of methods) if (typeof method === 'string') handlers[method] = handler;
        return jsonReply(
          201,
          await admin.deployRestlet({
            scriptId: body.scriptId as string,
            deployId: body.deployId as string,
            handlers,
          }),
        );
      }
      case 'POST custom-fields':
        return jsonReply(201, await admin.addCustomField((await json(call)) as never));
      case 'POST custom-record-types':
        return jsonReply(201, await admin.addCustomRecordType((await json(call)) as never));
      case 'GET customizations':
        return jsonReply(200, await admin.customizations());
      case 'PUT concurrency': {
        const body = await json(call);
        await admin.setConcurrencyLimit(body.limit as number);
        return jsonReply(200, { limit: body.limit });
      }
      case 'PUT latency': {
        const body = await json(call);
        await admin.setLatency(body as never);
        return jsonReply(200, body);
      }
      case 'GET cost-model':
        return jsonReply(200, await admin.costModel());
      case 'PUT cost-model':
        return jsonReply(200, await admin.setCostModel(await json(call)));
      case 'POST faults':
        await admin.injectFault((await json(call)) as unknown as FaultOptions);
        return jsonReply(201, { ok: true });
      case 'DELETE faults':
        await admin.clearFaults();
        return jsonReply(200, { ok: true });
      case 'GET clock':
        return jsonReply(200, { now: admin.now(), iso: new Date(admin.now()).toISOString() });
      case 'POST clock': {
        const body = await json(call);
        const now =
          body.epochMs !== undefined
            ? await admin.setClock(body.epochMs as number)
            : await admin.advanceClock(body.advanceMs as number);
        return jsonReply(200, { now, iso: new Date(now).toISOString() });
      }
      case 'GET counters':
        return jsonReply(200, await admin.counters());
      case 'GET requests':
        return jsonReply(200, { items: await admin.requestLog() });
      case 'POST reset':
        await admin.reset();
        return jsonReply(200, { ok: true });
      default:
        return adminError(404, 'ERR_EMULATOR_NOT_FOUND', `no admin route ${m} /_emulator/${resource}`);
    }
  } catch (error) {
    if (error instanceof HttpReply) return error;
    if (isEmulatorError(error)) return adminError(400, error.code, error.message);
    throw error;
  }
}
