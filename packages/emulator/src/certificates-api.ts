import type { CertificateInfo, EmulatorAdmin } from './admin.js';
import { authenticateBearer } from './bearer.js';
import { type Call, jsonReply } from './call.js';
import { isEmulatorError } from './errors.js';
import { type HttpReply, mediaType, nsError, safeDecode } from './http.js';

/** The wire form of a certificate; `now` is the emulator's (movable) clock, so expiry follows `advanceClock`. */
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

/**
 * NetSuite's 2026.1 certificate rotation endpoint (article_92130837826.html):
 * `GET|POST …/oauth2/v1/clients/{clientId}/certificates`, `POST …/certificates/{id}/revoke`.
 * The request and response bodies are not documented in detail; the emulator's shape is a guess (see README).
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
      'INSUFFICIENT_PERMISSION',
      'You can manage only the certificates of your own integration.',
    );
  }
  try {
    if (certId === undefined && call.method === 'GET') {
      const now = call.state.now();
      const items = (await admin.listCertificates(clientId)).map((c) => wire(c, now));
      return jsonReply(200, { count: items.length, items });
    }
    if (certId === undefined && call.method === 'POST') {
      const type = mediaType(call.req);
      const raw = (await call.body()).toString('utf8');
      let pem: unknown = raw;
      let body: Record<string, unknown> = {};
      if (type === 'application/json') {
        try {
          body = JSON.parse(raw) as Record<string, unknown>;
        } catch {
          throw nsError(400, 'INVALID_CONTENT', 'The request body is not valid JSON.');
        }
        pem = body?.certificate;
      }
      const created = await admin.addCertificate({
        clientId,
        certificatePem: pem as string,
        roleId: typeof body.role === 'number' ? body.role : info.roleId,
        entityId:
          typeof body.entity === 'number' || typeof body.entity === 'string' ? body.entity : info.entityId,
      });
      return jsonReply(200, wire(created, call.state.now()));
    }
    if (certId !== undefined && action === 'revoke' && call.method === 'POST') {
      const mine = (await admin.listCertificates(clientId)).some((c) => c.certificateId === certId);
      if (!mine) throw nsError(404, 'NONEXISTENT_ID', 'Certificate does not exist.');
      await admin.revokeCertificate(certId);
      return jsonReply(200, { certificate_id: certId, status: 'REVOKED' });
    }
  } catch (error) {
    if (isEmulatorError(error)) throw nsError(400, 'INVALID_CONTENT', error.message);
    throw error;
  }
  throw nsError(405, 'INVALID_REQUEST', 'The method is not allowed on this resource.');
}
