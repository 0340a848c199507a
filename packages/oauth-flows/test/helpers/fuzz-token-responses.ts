import { inspect } from 'node:util';
import fc from 'fast-check';
import { expect } from 'vitest';
import {
  exchangeAuthorizationCode,
  isOAuthFlowError,
  refreshAccessToken,
  requestClientCredentialsToken,
  TokenSet,
} from '../../src/index.js';
import { ACCOUNT } from './mock-as.js';

// G11: fuzzed token-endpoint responses. Every case must end as a valid TokenSet or a typed error with a stable
// code, and no secret (ours or a token in the body) may appear in any error output. The default suite runs it for
// a few seconds, `pnpm test:long` for 100,000 cases and for a 60-second time box.
const CODES = new Set([
  'ERR_OAUTH_RESPONSE',
  'ERR_OAUTH_UNEXPECTED_STATUS',
  'ERR_OAUTH_INVALID_RESPONSE',
  'ERR_OAUTH_UNSUPPORTED_TOKEN_TYPE',
  'ERR_OAUTH_REDIRECT',
  'ERR_OAUTH_RESPONSE_TOO_LARGE',
]);

const canary = (tag: string) => `CANARY${tag}${Math.floor(Math.random() * 1e9).toString(36)}Z`;

function leaks(error: unknown, secrets: string[]): string | undefined {
  const texts: string[] = [];
  let current: unknown = error;
  for (let i = 0; i < 10 && current !== undefined && current !== null; i++) {
    if (current instanceof Error) texts.push(current.message, current.stack ?? '');
    current = (current as { cause?: unknown }).cause;
  }
  texts.push(
    JSON.stringify(error) ?? '',
    inspect(error, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
    String(error),
  );
  const all = texts.join('\n');
  return secrets.find((s) => all.includes(s));
}

const anyValue = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('bearer', 'Bearer', 'BEARER', 'mac', 'DPoP', '', '3600', '-1', '1e309', 'NaN', ' 60 '),
);

/** Runs the G11 property with `parameters` (fast-check's numRuns, time limit…); answers what it saw. */
export async function fuzzTokenResponses(
  parameters: fc.Parameters<unknown>,
): Promise<{ cases: number; ok: number; ms: number }> {
  let cases = 0;
  let ok = 0;
  const started = performance.now();
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(200, 200, 200, 201, 204, 301, 302, 307, 308, 400, 401, 403, 404, 429, 500, 502, 503),
      fc.constantFrom(
        'application/json',
        'application/json; charset=utf-8',
        'Application/JSON',
        'application/problem+json',
        'text/html',
        'text/plain',
        '',
      ),
      fc.record(
        {
          access_token: fc.oneof(fc.constant('@AT'), anyValue),
          token_type: anyValue,
          expires_in: anyValue,
          refresh_token: fc.oneof(fc.constant('@RT2'), anyValue),
          scope: anyValue,
          error: fc.oneof(fc.constantFrom('invalid_grant', 'invalid_client', '@RT', '@SECRET'), anyValue),
          error_description: fc.oneof(
            fc.constantFrom('bad @RT here', '@CODE!', 'x @AT y', '@VERIFIER'),
            anyValue,
          ),
        },
        { requiredKeys: [] },
      ),
      fc.constantFrom('valid', 'json', 'json', 'json', 'array', 'null', 'empty', 'garbage', 'truncated'),
      fc.constantFrom('refresh', 'exchange', 'cc'),
      async (status, contentType, fields, shape, flow) => {
        cases += 1;
        const secrets = {
          '@AT': canary('AT'),
          '@RT2': canary('RTNEW'),
          '@RT': canary('RT'),
          '@SECRET': canary('SECRET'),
          '@CODE': canary('CODE'),
          '@VERIFIER': `V${canary('VERIFIER')}${'v'.repeat(30)}`,
        };
        const fill = (v: unknown) =>
          typeof v === 'string'
            ? v.replace(/@(AT|RT2|RT|SECRET|CODE|VERIFIER)/g, (m) => secrets[m as keyof typeof secrets])
            : v;
        const obj = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, fill(v)]));
        const text =
          shape === 'valid'
            ? JSON.stringify({
                ...obj,
                access_token: secrets['@AT'],
                token_type: 'Bearer',
                expires_in: 3600,
                refresh_token: secrets['@RT2'],
                scope: 'restlets',
              })
            : shape === 'json'
              ? JSON.stringify(obj)
              : shape === 'array'
                ? JSON.stringify([obj])
                : shape === 'null'
                  ? 'null'
                  : shape === 'empty'
                    ? ''
                    : shape === 'garbage'
                      ? `<html>${String(obj.access_token)}</html>`
                      : JSON.stringify(obj).slice(0, -3);
        const fetchImpl = async () =>
          new Response(status === 204 ? null : text, {
            status,
            headers: {
              'content-type': contentType,
              ...(status >= 300 && status < 400 ? { location: 'https://evil.example/' } : {}),
            },
          });
        const common = { accountId: ACCOUNT, fetch: fetchImpl, timeoutMs: 2000 };
        const assertion = `eyJhbGciOiJQUzI1NiJ9.${canary('ASSERTION')}.sig`;
        // What the client holds for this flow, plus any token the body carried.
        const known =
          flow === 'refresh'
            ? [secrets['@RT'], secrets['@SECRET']]
            : flow === 'exchange'
              ? [secrets['@CODE'], secrets['@VERIFIER'], secrets['@SECRET']]
              : [assertion];
        const inBody =
          shape === 'valid'
            ? [secrets['@AT'], secrets['@RT2']]
            : [obj.access_token, obj.refresh_token].filter(
                (v): v is string => typeof v === 'string' && v.startsWith('CANARY'),
              );
        const all = [...known, ...inBody];
        let result: unknown;
        try {
          if (flow === 'refresh') {
            result = await refreshAccessToken({
              ...common,
              client: { clientId: 'cid', clientSecret: secrets['@SECRET'] },
              refreshToken: secrets['@RT'],
            });
          } else if (flow === 'exchange') {
            result = await exchangeAuthorizationCode({
              ...common,
              client: { clientId: 'cid', clientSecret: secrets['@SECRET'] },
              code: secrets['@CODE'],
              codeVerifier: secrets['@VERIFIER'],
              redirectUri: 'https://app.example.com/cb',
            });
          } else {
            result = await requestClientCredentialsToken({
              ...common,
              signer: { sign: async () => assertion },
            });
          }
        } catch (error) {
          if (!isOAuthFlowError(error) || !CODES.has(error.code)) {
            throw new Error(
              `untyped error: ${String((error as Error)?.name)} ${String((error as { code?: string })?.code)}`,
            );
          }
          const leaked = leaks(error, all);
          if (leaked) throw new Error(`canary leaked in ${error.code}`);
          return;
        }
        ok += 1;
        expect(result).toBeInstanceOf(TokenSet);
        const tokens = result as TokenSet;
        expect(status).toBe(200);
        expect(tokens.accessToken.length).toBeGreaterThan(0);
        expect(Number.isFinite(tokens.expiresAt)).toBe(true);
        const shown = `${JSON.stringify(tokens)}${inspect(tokens, { depth: 10 })}${String(tokens)}`;
        expect([...all, ...Object.values(secrets)].some((s) => shown.includes(s))).toBe(false);
      },
    ),
    parameters,
  );
  return { cases, ok, ms: performance.now() - started };
}
