import { createRequire } from 'node:module';
import ky from 'ky';
import { Pool } from 'undici';

const require = createRequire(import.meta.url);

/**
 * The reference HTTP clients for a record GET with a Bearer token: global fetch, plain ky, an undici
 * Pool (the machine's limit for a Node client) and the npm peer netsuite-rest (got). Each `op()` reads
 * the JSON body and throws on a non-200 answer.
 *
 * @example
 * const clients = referenceClients({ origin: emu.info.url, path, token, connections: 16, accountId });
 * await clients.fetch();
 */
export function referenceClients({ origin, path, token, connections, accountId }) {
  const url = `${origin}${path}`;
  const headers = { authorization: `Bearer ${token}`, accept: 'application/json' };
  const kyClient = ky.create({ headers, retry: 0, timeout: false });
  const pool = new Pool(origin, { connections, pipelining: 1 });
  const NetsuiteRest = require('netsuite-rest');
  // netsuite-rest speaks OAuth 1.0 (TBA) only; its `heads` option overrides the Authorization header,
  // so it runs its full request path (signature included) but sends our Bearer token.
  const nsRest = new NetsuiteRest({
    consumer_key: 'bench',
    consumer_secret_key: 'bench',
    token: 'bench',
    token_secret: 'bench',
    realm: accountId,
    base_url: origin,
  });
  const nsPath = path.replace(/^\/services\/rest\//, '');
  return {
    fetch: async () => {
      const response = await fetch(url, { headers });
      if (response.status !== 200) throw new Error(`fetch: status ${response.status}`);
      return response.json();
    },
    ky: () => kyClient.get(url).json(),
    undici: async () => {
      const response = await pool.request({ path, method: 'GET', headers });
      if (response.statusCode !== 200) {
        await response.body.dump();
        throw new Error(`undici: status ${response.statusCode}`);
      }
      return response.body.json();
    },
    netsuiteRest: async () => {
      const response = await nsRest.request({ path: nsPath, heads: { Authorization: `Bearer ${token}` } });
      if (response.statusCode !== 200) throw new Error(`netsuite-rest: status ${response.statusCode}`);
      return response.data;
    },
    close: () => pool.close(),
  };
}
