/** Route names used by counters, latency, faults and the request log. */
export type RouteName =
  | 'token'
  | 'revoke'
  | 'keys'
  | 'authorize'
  | 'certificates'
  | 'record'
  | 'metadata'
  | 'suiteql'
  | 'async'
  | 'system'
  | 'restlet'
  | 'admin'
  | 'unknown';

export const ROUTE_NAMES: readonly RouteName[] = [
  'token',
  'revoke',
  'keys',
  'authorize',
  'certificates',
  'record',
  'metadata',
  'suiteql',
  'async',
  'system',
  'restlet',
  'admin',
  'unknown',
];

/** Routes that count against the account's concurrency limit (REST web services and RESTlets share it). */
export const GOVERNED_ROUTES: ReadonlySet<RouteName> = new Set<RouteName>([
  'record',
  'metadata',
  'suiteql',
  'async',
  'system',
  'restlet',
  'certificates',
]);

/** The route a request path belongs to. */
export function classifyRoute(path: string): RouteName {
  if (
    path === '/services/rest/record/v1/metadata-catalog' ||
    path.startsWith('/services/rest/record/v1/metadata-catalog/')
  )
    return 'metadata';
  if (path.startsWith('/services/rest/record/v1/')) return 'record';
  if (path === '/services/rest/query/v1/suiteql') return 'suiteql';
  if (path === '/app/site/hosting/restlet.nl') return 'restlet';
  if (path === '/services/rest/auth/oauth2/v1/token') return 'token';
  if (path === '/services/rest/auth/oauth2/v1/revoke') return 'revoke';
  if (path === '/services/rest/auth/oauth2/v1/keys') return 'keys';
  if (path.startsWith('/services/rest/auth/oauth2/v1/clients/')) return 'certificates';
  if (path === '/app/login/oauth2/authorize.nl') return 'authorize';
  if (path.startsWith('/services/rest/async/v1/')) return 'async';
  if (path.startsWith('/services/rest/system/v1/')) return 'system';
  if (path === '/_emulator' || path.startsWith('/_emulator/')) return 'admin';
  return 'unknown';
}
