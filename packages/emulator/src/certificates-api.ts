import type { CertificateInfo, EmulatorAdmin } from './admin.js';
import { authenticateBearer } from './bearer.js';
import { type Call, jsonReply } from './call.js';
import { isEmulatorError } from './errors.js';
import { type HttpReply, mediaType, nsError, safeDecode } from './http.js';

// ---------------------------------------------------------------------------------------------------------------
// Wire shapes. Oracle documents the request (article_0209112025: `{"fileContent": "<PEM>", "role": <id>,
// "entity": <id>}`) but not one response body or error code of this endpoint. Every response shape and error code
// below is the emulator's choice, UNCONFIRMED against a real account, and kept here in one place so that a
// correction is a change to this block only (and to `@netsuite-oauth/certificates`' `wire.ts`, which reads it).
// ---------------------------------------------------------------------------------------------------------------

/** UNCONFIRMED: one certificate as the list, create and revoke answers show it. */
function wire(c: CertificateInfo, now: number) {
  return {
    certificate_id: c.certificateId,
    status: c.revoked ? 'REVOKED' : Date.parse(c.notAfter) < now ? 'EXPIRED' : 'ACTIVE',
    entity: c.entityId,
    role: String(c.roleId),
    algorithm: c.keyType,
    valid_from: c.notBefore,
    valid_until: c.notAfter,
  };
}

/** UNCONFIRMED: the list answer. */
const listReply = (items: unknown[]) => jsonReply(200, { count: items.length, items });
/** UNCONFIRMED: the create answer (status 200 with the new certificate, not 201/204). */
const createdReply = (item: unknown) => jsonReply(200, item);
/** UNCONFIRMED: error codes of the endpoint (the body is NetSuite's usual `o:errorDetails` shape). */
const CERTIFICATE_ERRORS = {
  limit: 'CERTIFICATE_LIMIT_EXCEEDED',
  duplicate: 'DUPLICATE_CERTIFICATE',
  invalid: 'INVALID_CONTENT',
  permission: 'INSUFFICIENT_PERMISSION',
  missing: 'NONEXISTENT_ID',
} as const;

/** An id in the documented body: a number, or a string of digits (`-5`, `"3"`). */
function idField(body: Record<string, unknown>, name: 'role' | 'entity'): number {
  const value = body[name];
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^-?\d{1,12}$/.test(value)
        ? Number(value)
        : Number.NaN;
  if (!Number.isSafeInteger(n)) {
    throw nsError(
      400,
      CERTIFICATE_ERRORS.invalid,
      `The ${name} field is required and must be an internal ID.`,
    );
  }
  return n;
}

/** Reads the documented upload body: JSON with `fileContent` (the PEM), `role` and `entity`. */
async function uploadBody(call: Call): Promise<{ pem: string; role: number; entity: number }> {
  if (mediaType(call.req) !== 'application/json') {
    throw nsError(415, 'INVALID_CONTENT_TYPE', 'The request body must be application/json.');
  }
  let body: unknown;
  try {
    body = JSON.parse((await call.body()).toString('utf8'));
  } catch {
    throw nsError(400, CERTIFICATE_ERRORS.invalid, 'The request body is not valid JSON.');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw nsError(400, CERTIFICATE_ERRORS.invalid, 'The request body must be a JSON object.');
  }
  const fields = body as Record<string, unknown>;
  if (typeof fields.fileContent !== 'string' || fields.fileContent === '') {
    throw nsError(400, CERTIFICATE_ERRORS.invalid, 'The fileContent field is required: the certificate PEM.');
  }
  return { pem: fields.fileContent, role: idField(fields, 'role'), entity: idField(fields, 'entity') };
}

/**
 * NetSuite's 2026.1 certificate rotation endpoint (article_92130837826.html, article_0209112025.html):
 * `GET|POST …/oauth2/v1/clients/{clientId}/certificates`, `POST …/certificates/{id}/revoke`. Bearer token with
 * `rest_webservices`, of the integration itself, whose role has "Manage own OAuth 2.0 Client Credentials
 * certificates". The upload obeys the M2M rules: RSA 3072/4096 or EC P-256/384/521, two years at most, one
 * mapping per certificate, at most 5 active per integration.
 */
export async function handleCertificates(call: Call, admin: EmulatorAdmin): Promise<HttpReply> {
  const info = authenticateBearer(call, 'rest_webservices');
  const parts = call.url.pathname
    .slice('/services/rest/auth/oauth2/v1/clients/'.length)
    .split('/')
    .map(safeDecode);
  const [clientId, collection, certId, action] = parts;
  if (collection !== 'certificates' || parts.length > 4)
    throw nsError(404, 'INVALID_REQUEST', 'The requested resource does not exist.');
  if (clientId !== info.clientId) {
    throw nsError(
      403,
      CERTIFICATE_ERRORS.permission,
      'You can manage only the certificates of your own integration.',
    );
  }
  if (call.state.rolesWithoutCertificatePermission.has(info.roleId)) {
    throw nsError(
      403,
      CERTIFICATE_ERRORS.permission,
      'Your role needs the Manage own OAuth 2.0 Client Credentials certificates permission.',
    );
  }
  try {
    if (certId === undefined && call.method === 'GET') {
      const now = call.state.now();
      return listReply((await admin.listCertificates(clientId)).map((c) => wire(c, now)));
    }
    if (certId === undefined && call.method === 'POST') {
      const { pem, role, entity } = await uploadBody(call);
      const created = await admin.addCertificate({
        clientId,
        certificatePem: pem,
        roleId: role,
        entityId: entity,
      });
      return createdReply(wire(created, call.state.now()));
    }
    if (certId !== undefined && action === 'revoke' && parts.length === 4 && call.method === 'POST') {
      const mine = (await admin.listCertificates(clientId)).find((c) => c.certificateId === certId);
      if (!mine) throw nsError(404, CERTIFICATE_ERRORS.missing, 'Certificate does not exist.');
      await admin.revokeCertificate(certId);
      return jsonReply(200, wire({ ...mine, revoked: true }, call.state.now()));
    }
  } catch (error) {
    if (isEmulatorError(error)) {
      const code =
        error.code === 'ERR_EMULATOR_CERTIFICATE_LIMIT'
          ? CERTIFICATE_ERRORS.limit
          : error.code === 'ERR_EMULATOR_DUPLICATE_CERTIFICATE'
            ? CERTIFICATE_ERRORS.duplicate
            : CERTIFICATE_ERRORS.invalid;
      throw nsError(400, code, error.message);
    }
    throw error;
  }
  throw nsError(405, 'INVALID_REQUEST', 'The method is not allowed on this resource.');
}
