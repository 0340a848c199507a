import { authenticateBearer } from './bearer.js';
import type { Call } from './call.js';
import { HttpReply, JSON_TYPE, NS_ERROR_TYPE, nsError, nsErrorBody } from './http.js';

/** `/services/rest/system/v1/serverTime` (article_0528010158.html) and `/governanceLimits` (article_0625010817.html). */
export function handleSystem(call: Call): HttpReply {
  authenticateBearer(call, 'rest_webservices');
  const path = call.url.pathname;
  if (call.method !== 'GET') throw nsError(405, 'INVALID_REQUEST', 'Use GET.');
  if (path === '/services/rest/system/v1/serverTime') {
    return new HttpReply(200, JSON.stringify({ serverTime: new Date(call.state.now()).toISOString() }), {
      'content-type': JSON_TYPE,
    });
  }
  if (path === '/services/rest/system/v1/governanceLimits') {
    const limit = call.state.concurrencyLimit;
    return new HttpReply(
      200,
      JSON.stringify({
        accountConcurrencyLimit: limit,
        accountUnallocatedConcurrencyLimit: limit,
        integrationConcurrencyLimit: limit,
        integrationLimitType: 'accountLimit',
      }),
      { 'content-type': JSON_TYPE },
    );
  }
  throw new HttpReply(404, nsErrorBody(404, 'INVALID_REQUEST', 'The requested resource does not exist.'), {
    'content-type': NS_ERROR_TYPE,
  });
}
