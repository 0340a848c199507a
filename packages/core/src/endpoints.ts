import { parseAccountId } from './account.js';
import { NetSuiteConfigError } from './errors.js';

/** Options of {@link netsuiteEndpoints}. */
export interface EndpointOptions {
  /**
   * Serve every NetSuite host family from this one origin (the emulator, a proxy, a test server).
   * Must be `https:`, or `http:` on a loopback host with {@link EndpointOptions.allowInsecureLoopback}.
   */
  readonly origin?: string | URL | undefined;
  /** Allow an `http:` origin on 127.0.0.0/8, `[::1]` or `localhost`. @default false */
  readonly allowInsecureLoopback?: boolean | undefined;
}

/** Every URL a client needs for one NetSuite account. */
export interface NetSuiteEndpoints {
  readonly accountId: string;
  readonly hostLabel: string;
  /** `https://<acct>.app.netsuite.com`: UI and OAuth authorize page. */
  readonly appOrigin: string;
  /** `https://<acct>.suitetalk.api.netsuite.com`: REST web services and the token endpoint. */
  readonly restOrigin: string;
  /** `https://<acct>.restlets.api.netsuite.com`: RESTlets. */
  readonly restletOrigin: string;
  readonly authorizeUrl: string;
  readonly tokenUrl: string;
  readonly revokeUrl: string;
  /** Base of the REST Record API, without a trailing slash: `…/services/rest/record/v1`. */
  readonly recordUrl: string;
  readonly suiteqlUrl: string;
  /** Base of async job URLs: `…/services/rest/async/v1`. */
  readonly asyncUrl: string;
  /** Base of the system service: `…/services/rest/system/v1` (serverTime, governanceLimits). */
  readonly systemUrl: string;
  /** `…/app/site/hosting/restlet.nl` on the RESTlet host. */
  readonly restletUrl: string;
  /** The 2026.1 certificate rotation endpoint of one integration. */
  certificatesUrl(clientId: string): string;
}

const LOOPBACK_HOST = /^(?:127(?:\.\d{1,3}){3}|\[::1\]|localhost)$/i;

/**
 * True when `url` is on a loopback host (127.0.0.0/8, `[::1]`, `localhost`).
 *
 * @example
 * isLoopbackUrl(new URL(emu.url)) // true: http is fine there
 */
export function isLoopbackUrl(url: URL): boolean {
  return LOOPBACK_HOST.test(url.hostname);
}

/**
 * True when `host` — a bind address (`127.0.0.1`, `::1`, `0.0.0.0`) or an HTTP `Host` header (`localhost:3000`,
 * `[::1]:4010`) — names a loopback address only this machine can reach. Anything unparsable is false.
 *
 * @example
 * isLoopbackHost('127.0.0.1') // true
 * isLoopbackHost('[::1]:4010') // true
 * isLoopbackHost('0.0.0.0') // false
 * isLoopbackHost('rebind.example:4010') // false
 */
export function isLoopbackHost(host: string): boolean {
  if (typeof host !== 'string' || !/^[A-Za-z0-9.:[\]-]{1,300}$/.test(host)) return false;
  // A bare IPv6 address (two colons or more, no brackets) is bracketed so that it parses as a host.
  const authority = !host.startsWith('[') && (host.match(/:/g)?.length ?? 0) > 1 ? `[${host}]` : host;
  try {
    return isLoopbackUrl(new URL(`http://${authority}`));
  } catch {
    return false;
  }
}

// Schemes whose traffic is encrypted whatever the host.
const TLS_PROTOCOLS: ReadonlySet<string> = new Set(['https:', 'wss:', 'rediss:']);

/**
 * True for a URL whose traffic stays on this machine (a loopback host) or is encrypted (`https:`, `wss:`,
 * `rediss:`): the ones where a secret sent in clear never crosses a network (docs/security.md#at-rest). False
 * for anything unparseable.
 *
 * @example
 * isLoopbackOrTls('redis://127.0.0.1:6379') // true
 * isLoopbackOrTls('rediss://cache.internal:6380') // true
 * isLoopbackOrTls('redis://cache.internal:6379') // false: tokens would cross the network in clear
 */
export function isLoopbackOrTls(url: string | URL): boolean {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    return false;
  }
  return TLS_PROTOCOLS.has(parsed.protocol) || isLoopbackUrl(parsed);
}

/**
 * Checks an origin override and returns it without a trailing slash.
 *
 * @throws {NetSuiteConfigError} `ERR_CORE_INVALID_ORIGIN` for anything but a bare `http(s)` origin,
 *   `ERR_CORE_INSECURE_ORIGIN` for `http:` off loopback or without `allowInsecureLoopback`.
 */
export function checkOrigin(origin: string | URL, allowInsecureLoopback = false): string {
  let url: URL;
  try {
    url = new URL(String(origin));
  } catch (cause) {
    throw new NetSuiteConfigError('ERR_CORE_INVALID_ORIGIN', 'origin must be an absolute http(s) URL', {
      cause,
    });
  }
  if (
    url.username ||
    url.password ||
    url.search ||
    url.hash ||
    (url.pathname !== '/' && url.pathname !== '')
  ) {
    throw new NetSuiteConfigError(
      'ERR_CORE_INVALID_ORIGIN',
      'origin must be a bare origin such as https://example.com:8443 (no path, query, fragment or credentials)',
    );
  }
  if (url.protocol === 'https:') return url.origin;
  if (url.protocol === 'http:') {
    if (allowInsecureLoopback && isLoopbackUrl(url)) return url.origin;
    throw new NetSuiteConfigError(
      'ERR_CORE_INSECURE_ORIGIN',
      isLoopbackUrl(url)
        ? 'origin uses http: set allowInsecureLoopback to talk to a local emulator'
        : 'origin must use https (http is only allowed on a loopback host with allowInsecureLoopback)',
    );
  }
  throw new NetSuiteConfigError('ERR_CORE_INVALID_ORIGIN', 'origin must use https: or http:');
}

/**
 * The endpoints of one NetSuite account, from its account id.
 *
 * Without `origin`, URLs follow NetSuite's account-specific domains; with it, every host family is served
 * from that one origin (how the emulator works), so the same code runs against either by configuration.
 *
 * @example
 * netsuiteEndpoints('1234567_SB1').tokenUrl
 * // 'https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/auth/oauth2/v1/token'
 * netsuiteEndpoints('1234567_SB1', { origin: emulator.url, allowInsecureLoopback: true }).tokenUrl
 * @throws {NetSuiteConfigError} on a bad account id or origin.
 * @see https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_158081952044.html
 */
export function netsuiteEndpoints(accountId: string, options: EndpointOptions = {}): NetSuiteEndpoints {
  const account = parseAccountId(accountId);
  let appOrigin: string;
  let restOrigin: string;
  let restletOrigin: string;
  if (options.origin !== undefined) {
    const origin = checkOrigin(options.origin, options.allowInsecureLoopback ?? false);
    appOrigin = origin;
    restOrigin = origin;
    restletOrigin = origin;
  } else {
    appOrigin = `https://${account.hostLabel}.app.netsuite.com`;
    restOrigin = `https://${account.hostLabel}.suitetalk.api.netsuite.com`;
    restletOrigin = `https://${account.hostLabel}.restlets.api.netsuite.com`;
  }
  const oauth = `${restOrigin}/services/rest/auth/oauth2/v1`;
  return {
    accountId: account.id,
    hostLabel: account.hostLabel,
    appOrigin,
    restOrigin,
    restletOrigin,
    authorizeUrl: `${appOrigin}/app/login/oauth2/authorize.nl`,
    tokenUrl: `${oauth}/token`,
    revokeUrl: `${oauth}/revoke`,
    recordUrl: `${restOrigin}/services/rest/record/v1`,
    suiteqlUrl: `${restOrigin}/services/rest/query/v1/suiteql`,
    asyncUrl: `${restOrigin}/services/rest/async/v1`,
    systemUrl: `${restOrigin}/services/rest/system/v1`,
    restletUrl: `${restletOrigin}/app/site/hosting/restlet.nl`,
    certificatesUrl(clientId: string): string {
      if (typeof clientId !== 'string' || !/^[A-Za-z0-9_-]{1,128}$/.test(clientId)) {
        throw new NetSuiteConfigError('ERR_CORE_INVALID_ORIGIN', 'clientId must be letters, digits, _ or -');
      }
      return `${restletOrigin}/services/rest/auth/oauth2/v1/clients/${clientId}/certificates`;
    },
  };
}
