import { authenticateBearer } from './bearer.js';
import type { Call } from './call.js';
import { HttpReply, htmlEscape } from './http.js';

/** What a RESTlet handler receives. */
export interface RestletRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** URL parameters except `script` and `deploy`. */
  readonly params: Readonly<Record<string, string>>;
  /** Parsed JSON for `application/json`, the raw text otherwise, `undefined` without a body. */
  readonly body: unknown;
  readonly contentType: string | undefined;
  /** Who called: from the access token. */
  readonly auth: {
    readonly clientId: string;
    readonly roleId: number;
    readonly entityId: number;
    readonly scopes: readonly string[];
  };
}

/** A RESTlet entry point: return a value (objects are sent as JSON) or throw (400 with NetSuite's error body). */
export type RestletHandler = (request: RestletRequest) => unknown;

export interface Restlet {
  readonly scriptId: string;
  readonly deployId: string;
  readonly handlers: Partial<Record<'get' | 'post' | 'put' | 'delete', RestletHandler>>;
}

const BODY_TYPES = new Set(['application/json', 'application/xml', 'text/plain']);

/** Formats a RESTlet error the way NetSuite does for the request's content type (section_4634920277.html). */
export function restletError(
  status: number,
  code: string,
  message: string,
  contentType = 'application/json',
): HttpReply {
  if (contentType === 'application/xml') {
    return new HttpReply(
      status,
      `<error><code>${htmlEscape(code)}</code><message>${htmlEscape(message)}</message></error>`,
      {
        'content-type': 'application/xml; charset=UTF-8',
      },
    );
  }
  if (contentType === 'text/plain') {
    return new HttpReply(status, `error code: ${code}\nerror message: ${message}`, {
      'content-type': 'text/plain; charset=UTF-8',
    });
  }
  return new HttpReply(status, JSON.stringify({ error: { code, message } }), {
    'content-type': 'application/json; charset=UTF-8',
  });
}

export function restletKey(scriptId: string, deployId: string): string {
  return `${scriptId}\u0000${deployId}`;
}

/** The built-in `customscript_echo` / `customdeploy_echo` RESTlet: answers with what it was sent. */
export function echoRestlet(): Restlet {
  const echo = (request: RestletRequest) => ({
    method: request.method,
    params: request.params,
    body: request.body ?? null,
    contentType: request.contentType ?? null,
    auth: { clientId: request.auth.clientId, roleId: request.auth.roleId, entityId: request.auth.entityId },
  });
  return {
    scriptId: 'customscript_echo',
    deployId: 'customdeploy_echo',
    handlers: { get: echo, post: echo, put: echo, delete: echo },
  };
}

/** `GET|POST|PUT|DELETE /app/site/hosting/restlet.nl?script=…&deploy=…` (section_4618456734.html). */
export async function handleRestlet(call: Call): Promise<HttpReply> {
  const { state } = call;
  const rawType = call.req.headers['content-type'];
  const contentType = typeof rawType === 'string' ? (rawType.split(';')[0] ?? '').trim() : undefined;
  const method = call.method;
  if (method !== 'GET' && method !== 'POST' && method !== 'PUT' && method !== 'DELETE') {
    return restletError(405, 'INVALID_REQUEST', `The method ${method} is not supported by RESTlets.`);
  }
  const info = authenticateBearer(call, 'restlets');
  const script = call.url.searchParams.get('script') ?? '';
  const deploy = call.url.searchParams.get('deploy') ?? '';
  const restlet = state.restlets.get(restletKey(script, deploy));
  const errType = contentType !== undefined && BODY_TYPES.has(contentType) ? contentType : 'application/json';
  if (!restlet) {
    return restletError(
      400,
      'SSS_INVALID_SCRIPTLET_ID',
      'That Suitelet is invalid, disabled, or no longer exists.',
      errType,
    );
  }
  const raw = await call.body();
  const hasBody = raw.length > 0;
  if (hasBody && (method === 'GET' || method === 'DELETE')) {
    return restletError(
      400,
      'INVALID_REQUEST',
      `A ${method} request cannot have a body; send input as URL parameters.`,
      errType,
    );
  }
  if (hasBody && (contentType === undefined || !BODY_TYPES.has(contentType))) {
    return restletError(
      415,
      'INVALID_CONTENT_TYPE',
      'Content-Type must be application/json, application/xml or text/plain.',
    );
  }
  const handler = restlet.handlers[method.toLowerCase() as 'get' | 'post' | 'put' | 'delete'];
  if (!handler)
    return restletError(
      405,
      'INVALID_REQUEST',
      `The script has no ${method.toLowerCase()} entry point.`,
      errType,
    );
  let body: unknown;
  if (hasBody) {
    const text = raw.toString('utf8');
    if (contentType === 'application/json') {
      try {
        body = JSON.parse(text);
      } catch {
        return restletError(400, 'SYNTAX_ERROR', 'SyntaxError: Unexpected token in JSON.', errType);
      }
    } else body = text;
  }
  const params: Record<string, string> = {};
  for (const [k, v] of call.url.searchParams) if (k !== 'script' && k !== 'deploy') params[k] = v;
  let result: unknown;
  try {
    result = await handler({
      method,
      params,
      body,
      contentType,
      auth: { clientId: info.clientId, roleId: info.roleId, entityId: info.entityId, scopes: info.scopes },
    });
  } catch (error) {
    const code =
      typeof (error as { name?: unknown })?.name === 'string' && (error as { name: string }).name !== 'Error'
        ? (error as { name: string }).name
        : 'UNEXPECTED_ERROR';
    const message = error instanceof Error ? error.message : String(error);
    return restletError(400, code, message.slice(0, 4000), errType);
  }
  const responseType =
    contentType === 'application/json' || contentType === 'application/xml' ? contentType : 'text/plain';
  let text: string;
  try {
    text = typeof result === 'string' ? result : result === undefined ? '' : (JSON.stringify(result) ?? '');
  } catch {
    return restletError(
      400,
      'INVALID_RETURN_DATA_FORMAT',
      'The script returned a value that cannot be serialised.',
      errType,
    );
  }
  return new HttpReply(200, text, { 'content-type': `${responseType}; charset=UTF-8` });
}
