import { netsuiteEndpoints, readBodyCapped } from '@netsuite-oauth/core';
import {
  CertificatesApiError,
  CertificatesError,
  type CertificatesErrorCode,
  optionError,
} from './errors.js';
import {
  DUPLICATE_CODES,
  LIMIT_CODES,
  type NetSuiteCertificate,
  readCertificate,
  readErrorCode,
  readList,
} from './wire.js';

/**
 * A bearer token for the endpoint: a string, or a function such as a token manager's `getAccessToken`.
 *
 * @example
 * const accessToken: AccessTokenSource = () => manager.getAccessToken();
 */
export type AccessTokenSource = string | (() => Promise<string> | string);

/**
 * Options of {@link createCertificatesClient}.
 *
 * @example
 * const options: CertificatesClientOptions = { accountId: '1234567_SB1', clientId, accessToken: () => manager.getAccessToken() };
 */
export interface CertificatesClientOptions {
  /** The NetSuite account id, `1234567` or `1234567_SB1`. */
  readonly accountId: string;
  /** Serve every endpoint from this origin (the emulator, a proxy). */
  readonly origin?: string | URL | undefined;
  /** Allow an `http:` origin on a loopback host. @default false */
  readonly allowInsecureLoopback?: boolean | undefined;
  /** The integration record's Client ID whose certificates are managed. */
  readonly clientId: string;
  /**
   * A token of that integration with the `rest_webservices` scope, whose role has "Manage own OAuth 2.0 Client
   * Credentials certificates" (a client-credentials token, or one from the Authorization Code Grant).
   */
  readonly accessToken: AccessTokenSource;
  /** @default globalThis.fetch */
  readonly fetch?: typeof globalThis.fetch | undefined;
  /** Deadline of each call in ms. @default 15000 */
  readonly timeoutMs?: number | undefined;
}

/**
 * Options of {@link CertificatesClient.upload}: Oracle's documented body (article_0209112025).
 *
 * @example
 * await client.upload({ certificatePem, role: 3, entity: -5 });
 */
export interface UploadCertificateOptions {
  /** The X.509 certificate, PEM (public part only; never the private key). Sent as `fileContent`. */
  readonly certificatePem: string;
  /** The role's internal id the certificate maps to. */
  readonly role: number | string;
  /** The entity's (employee's) internal id the certificate maps to. */
  readonly entity: number | string;
}

/**
 * NetSuite's certificate rotation endpoint for one integration.
 *
 * @example
 * const active = (await client.list()).filter((c) => c.status === 'ACTIVE');
 */
export interface CertificatesClient {
  readonly clientId: string;
  /** Every certificate of the integration (active, revoked, expired). */
  list(): Promise<NetSuiteCertificate[]>;
  /** Maps a new certificate to the integration, a role and an entity; resolves the new certificate. */
  upload(options: UploadCertificateOptions): Promise<NetSuiteCertificate>;
  /** Revokes one certificate of the integration. */
  revoke(certificateId: string): Promise<void>;
}

const MAX_BODY = 1024 * 1024;
const ID = /^-?\d{1,12}$/;
const CERTIFICATE_ID = /^[\w-]{1,200}$/;

function idOf(value: unknown, name: string): number {
  const s = typeof value === 'number' ? String(value) : value;
  if (typeof s !== 'string' || !ID.test(s) || !Number.isSafeInteger(Number(s))) {
    throw optionError(`${name} must be an internal id (an integer such as 3 or -5)`);
  }
  return Number(s);
}

function statusCode(status: number, errorCode: string | undefined): CertificatesErrorCode {
  if (status === 401) return 'ERR_CERTIFICATES_UNAUTHORIZED';
  if (status === 403) return 'ERR_CERTIFICATES_FORBIDDEN';
  if (status === 404) return 'ERR_CERTIFICATES_NOT_FOUND';
  if (errorCode !== undefined && LIMIT_CODES.has(errorCode)) return 'ERR_CERTIFICATES_LIMIT';
  if (errorCode !== undefined && DUPLICATE_CODES.has(errorCode)) return 'ERR_CERTIFICATES_DUPLICATE';
  if (status === 400) return 'ERR_CERTIFICATES_REFUSED';
  return 'ERR_CERTIFICATES_HTTP';
}

const MESSAGES: Record<string, string> = {
  ERR_CERTIFICATES_UNAUTHORIZED:
    'the access token was refused (expired, revoked, or without rest_webservices)',
  ERR_CERTIFICATES_FORBIDDEN:
    'forbidden: the role needs "Manage own OAuth 2.0 Client Credentials certificates", and the token must be of this integration',
  ERR_CERTIFICATES_NOT_FOUND: 'no such certificate',
  ERR_CERTIFICATES_LIMIT: 'the integration already has 5 active certificates: revoke one first',
  ERR_CERTIFICATES_DUPLICATE: 'this certificate is already mapped: generate a new one',
  ERR_CERTIFICATES_REFUSED: 'netsuite refused the certificate (format, key type or size, or validity)',
};

/**
 * Creates a client for NetSuite's 2026.1 certificate endpoint (`GET`/`POST …/oauth2/v1/clients/{clientId}/certificates`,
 * `POST …/certificates/{id}/revoke`). Uploads send exactly Oracle's documented body `{ fileContent, role, entity }`.
 * Response shapes are not documented and read leniently (UNCONFIRMED, see `wire.ts`).
 *
 * @example
 * const client = createCertificatesClient({ accountId: emu.accountId, origin: emu.url, allowInsecureLoopback: true,
 *   clientId, accessToken: () => manager.getAccessToken() });
 * const created = await client.upload({ certificatePem, role: 3, entity: -5 });
 * @throws {CertificatesError} `ERR_CERTIFICATES_INVALID_OPTION` synchronously for bad options; the calls reject
 *   with the codes of the README's errors table (`CertificatesApiError` for an HTTP answer).
 * @see https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/article_0209112025.html
 */
export function createCertificatesClient(options: CertificatesClientOptions): CertificatesClient {
  if (typeof options !== 'object' || options === null) throw optionError('options must be an object');
  const { clientId, accessToken } = options;
  if (typeof clientId !== 'string' || !/^[\w-]{1,256}$/.test(clientId)) {
    throw optionError('clientId must be the integration record’s Client ID');
  }
  if (typeof accessToken !== 'string' && typeof accessToken !== 'function') {
    throw optionError('accessToken must be a token string or a function returning one');
  }
  const doFetch = options.fetch ?? globalThis.fetch;
  if (typeof doFetch !== 'function') throw optionError('fetch must be a function');
  const timeoutMs = options.timeoutMs ?? 15_000;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 600_000) {
    throw optionError('timeoutMs must be a whole number of milliseconds from 1 to 600000');
  }
  let base: string;
  try {
    base = netsuiteEndpoints(options.accountId, {
      ...(options.origin === undefined ? {} : { origin: options.origin }),
      allowInsecureLoopback: options.allowInsecureLoopback === true,
    }).certificatesUrl(clientId);
  } catch (cause) {
    throw new CertificatesError('ERR_CERTIFICATES_INVALID_OPTION', 'accountId or origin is not valid', {
      cause,
    });
  }

  const token = async (): Promise<string> => {
    let value: unknown;
    try {
      value = typeof accessToken === 'string' ? accessToken : await accessToken();
    } catch (cause) {
      throw new CertificatesError('ERR_CERTIFICATES_ACCESS_TOKEN', 'the access token source failed', {
        cause,
      });
    }
    if (typeof value !== 'string' || !/^[\w\-.~+/]+=*$/.test(value)) {
      throw new CertificatesError(
        'ERR_CERTIFICATES_ACCESS_TOKEN',
        'the access token source did not return a token',
      );
    }
    return value;
  };

  const call = async (method: 'GET' | 'POST', url: string, body?: unknown): Promise<unknown> => {
    const headers: Record<string, string> = {
      authorization: `Bearer ${await token()}`,
      accept: 'application/json',
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      response = await doFetch(url, {
        method,
        headers,
        redirect: 'manual',
        signal,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (cause) {
      if (signal.aborted) {
        throw new CertificatesError('ERR_CERTIFICATES_TIMEOUT', `no answer within ${timeoutMs} ms`);
      }
      throw new CertificatesError(
        'ERR_CERTIFICATES_NETWORK',
        'the certificates endpoint could not be reached',
        {
          cause: cause instanceof Error ? new Error(cause.message) : undefined,
        },
      );
    }
    const raw = await readBodyCapped(response, MAX_BODY).catch(() => undefined);
    let parsed: unknown;
    try {
      parsed = raw === undefined || raw === '' ? undefined : JSON.parse(raw);
    } catch {
      parsed = undefined;
    }
    if (response.status < 200 || response.status >= 300) {
      const errorCode = readErrorCode(parsed);
      const code = statusCode(response.status, errorCode);
      const message = MESSAGES[code] ?? `the certificates endpoint answered ${response.status}`;
      throw new CertificatesApiError(
        code,
        `${message} (${response.status}${errorCode ? ` ${errorCode}` : ''})`,
        response.status,
        errorCode,
      );
    }
    return parsed;
  };

  return Object.freeze({
    clientId,
    async list(): Promise<NetSuiteCertificate[]> {
      return readList(await call('GET', base));
    },
    async upload(upload: UploadCertificateOptions): Promise<NetSuiteCertificate> {
      if (typeof upload !== 'object' || upload === null)
        throw optionError('upload options must be an object');
      const pem = upload.certificatePem;
      if (typeof pem !== 'string' || !pem.includes('-----BEGIN CERTIFICATE-----') || pem.length > 64_000) {
        throw optionError('certificatePem must be a PEM X.509 certificate');
      }
      if (/PRIVATE KEY-----/.test(pem))
        throw optionError('certificatePem holds a private key: upload the certificate only');
      const body = {
        fileContent: pem,
        role: idOf(upload.role, 'role'),
        entity: idOf(upload.entity, 'entity'),
      };
      return readCertificate(await call('POST', base, body));
    },
    async revoke(certificateId: string): Promise<void> {
      if (typeof certificateId !== 'string' || !CERTIFICATE_ID.test(certificateId)) {
        throw optionError('certificateId must be a certificate id (letters, digits, _ and -)');
      }
      await call('POST', `${base}/${encodeURIComponent(certificateId)}/revoke`, {});
    },
  });
}
