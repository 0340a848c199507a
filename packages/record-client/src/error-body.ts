import type { NetSuiteErrorDetail } from './errors.js';

/** The fields read from an error response. */
export interface ParsedErrorBody {
  title?: string | undefined;
  errorCode?: string | undefined;
  errorPath?: string | undefined;
  detail?: string | undefined;
  details: NetSuiteErrorDetail[];
}

const MAX_TEXT = 500;

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function clip(value: string | undefined, redact: (s: string) => string): string | undefined {
  if (value === undefined) return undefined;
  const cleaned = redact(value);
  return cleaned.length > MAX_TEXT ? `${cleaned.slice(0, MAX_TEXT)}…` : cleaned;
}

function decodeXml(value: string): string {
  return value
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/**
 * Reads NetSuite's error shapes: the REST body (`title`, `o:errorDetails[]`, top-level `o:errorCode`),
 * the RESTlet JSON body `{"error":{"code","message"}}`, its XML form and its text form. Never throws.
 * `redact` removes the access token from any string taken from the body.
 */
export function parseErrorBody(text: string, redact: (s: string) => string): ParsedErrorBody {
  const out: ParsedErrorBody = { details: [] };
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch {
      return out;
    }
    if (json === null || typeof json !== 'object' || Array.isArray(json)) return out;
    const body = json as Record<string, unknown>;
    const error = body.error;
    if (error !== null && typeof error === 'object' && !Array.isArray(error)) {
      const e = error as Record<string, unknown>;
      const code = clip(str(e.code), redact);
      const message = clip(str(e.message), redact);
      if (code !== undefined) out.errorCode = code;
      if (message !== undefined) out.detail = message;
    }
    const title = clip(str(body.title), redact);
    if (title !== undefined) out.title = title;
    const rawDetails = body['o:errorDetails'];
    if (Array.isArray(rawDetails)) {
      for (const raw of rawDetails.slice(0, 20)) {
        if (raw === null || typeof raw !== 'object') continue;
        const d = raw as Record<string, unknown>;
        const entry: Record<string, string> = {};
        const pairs: [keyof NetSuiteErrorDetail, string][] = [
          ['detail', 'detail'],
          ['errorCode', 'o:errorCode'],
          ['errorPath', 'o:errorPath'],
          ['errorHeader', 'o:errorHeader'],
          ['errorQueryParam', 'o:errorQueryParam'],
          ['urlPath', 'o:urlPath'],
        ];
        for (const [key, wire] of pairs) {
          const value = clip(str(d[wire]), redact);
          if (value !== undefined) entry[key] = value;
        }
        out.details.push(entry);
      }
    }
    const first = out.details[0];
    const code = first?.errorCode ?? clip(str(body['o:errorCode']), redact);
    const detail = first?.detail ?? clip(str(body.detail), redact);
    const path = first?.errorPath ?? clip(str(body['o:errorPath']), redact);
    if (code !== undefined) out.errorCode ??= code;
    if (detail !== undefined) out.detail ??= detail;
    if (path !== undefined) out.errorPath = path;
    return out;
  }
  if (trimmed.startsWith('<')) {
    const code = /<code>([^<]{0,200})<\/code>/i.exec(trimmed)?.[1];
    const message = /<message>([^<]{0,2000})<\/message>/i.exec(trimmed)?.[1];
    const c = clip(code === undefined ? undefined : decodeXml(code.trim()), redact);
    const m = clip(message === undefined ? undefined : decodeXml(message.trim()), redact);
    if (c !== undefined) out.errorCode = c;
    if (m !== undefined) out.detail = m;
    return out;
  }
  const match = /error code:\s*([A-Z0-9_]{1,100})\s*(?:error message:\s*([\s\S]*))?/i.exec(trimmed);
  if (match?.[1]) {
    out.errorCode = clip(match[1], redact) as string;
    const m = clip(match[2]?.trim(), redact);
    if (m) out.detail = m;
  }
  return out;
}
