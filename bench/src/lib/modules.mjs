import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = new URL('../../../', import.meta.url);

/** Our published packages, in dependency order. */
export const OUR_PACKAGES = [
  'core',
  'jwt-assertion',
  'token-store',
  'token-store-file',
  'token-store-redis',
  'oauth-flows',
  'record-client',
  'governance-redis',
  'emulator',
];

/** The libraries users would otherwise pick, and the package of ours each one stands next to. */
export const PEERS = ['jose', 'ky', 'oauth4webapi', 'openid-client', 'netsuite-rest', 'undici'];

/** Which peer each of our packages is compared with (size and import time). */
export const PEER_OF = {
  'jwt-assertion': 'jose',
  'oauth-flows': 'openid-client',
  'record-client': 'netsuite-rest',
};

/**
 * Where each module's entry lives: our packages' built `dist/index.js`, and the peers as bench resolves them.
 * `missing` lists our packages that have no build.
 *
 * @example
 * const { modules, missing } = moduleEntries(); // modules: [{ name, label, url, ours }]
 */
export function moduleEntries() {
  const modules = [];
  const missing = [];
  for (const name of OUR_PACKAGES) {
    const url = new URL(`packages/${name}/dist/index.js`, repo);
    if (existsSync(url))
      modules.push({
        name,
        label: `@netsuite-oauth/${name}`,
        url: url.href,
        path: fileURLToPath(url),
        ours: true,
      });
    else missing.push(`@netsuite-oauth/${name}`);
  }
  for (const name of PEERS) {
    const url = import.meta.resolve(name);
    modules.push({ name, label: name, url, path: fileURLToPath(url), ours: false });
  }
  return { modules, missing };
}

/** The built CLI's entry, if it is built. */
export function cliEntry() {
  const url = new URL('apps/cli/dist/main.js', repo);
  return existsSync(url) ? fileURLToPath(url) : undefined;
}

export const repoUrl = repo;
export { pathToFileURL };
