import type { Context } from '../context.js';
import { decodeJwtPayload, tokenScopes } from '../jwt-claims.js';
import { maskSecret } from '../mask.js';
import { duration, printObject } from '../output.js';
import { clientCredentialsToken } from '../runtime.js';

/**
 * `token`: a client-credentials access token, masked unless --reveal.
 *
 * @example
 * await run(ctx) // exit code
 */
export async function run(ctx: Context): Promise<number> {
  const started = ctx.now();
  const { tokens: token, cached } = await clientCredentialsToken(ctx, { fresh: ctx.flag('fresh') });
  const reveal = ctx.flag('reveal');
  if (reveal && ctx.format !== 'json') {
    ctx.outRaw(`${token.accessToken}\n`);
    return 0;
  }
  const claims = decodeJwtPayload(token.accessToken);
  const result = {
    accessToken: reveal ? token.accessToken : maskSecret(token.accessToken),
    tokenType: 'Bearer',
    expiresAt: new Date(token.expiresAt).toISOString(),
    expiresIn: duration(token.expiresAt - ctx.now()),
    scopes: tokenScopes(token.accessToken)?.join(','),
    subject: typeof claims?.sub === 'string' ? claims.sub : undefined,
    fromStore: cached,
    store: ctx.settings().store,
    tookMs: ctx.now() - started,
  };
  if (reveal) {
    // Printed on request only, so bypass the redactor for this one line.
    ctx.outRaw(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  }
  printObject(ctx, result);
  return 0;
}
