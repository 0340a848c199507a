import { X509Certificate } from 'node:crypto';
import { onboardClientCredentials, rotateCertificate } from '@netsuite-oauth/certificates';
import { netsuiteEndpoints } from '@netsuite-oauth/core';
import { createAssertionSigner, createMultiCertificateSigner } from '@netsuite-oauth/jwt-assertion';
import {
  createAuthorizationRequest,
  createTokenManagers,
  exchangeAuthorizationCode,
  OAuthResponseError,
  parseAuthorizationCallback,
  type TokenManager,
  type TokenManagerGrant,
  type TokenSet,
} from '@netsuite-oauth/oauth-flows';
import {
  createConcurrencyLimiter,
  createNetSuiteClient,
  type NetSuiteClient,
  type TokenSource,
} from '@netsuite-oauth/record-client';
import type { TokenEntry } from '@netsuite-oauth/token-store';
import { ServerError } from './errors.js';
import {
  type BackgroundAccess,
  type BackgroundGateway,
  grantKeyExpiry,
  type NetSuiteGateway,
  type RowPage,
  type TokenInfo,
} from './gateway.js';
import { type GatewayStep, toServerError } from './netsuite-errors.js';
import type { KeyValueStore } from './store.js';

/** The machine-to-machine (client credentials) settings: an integration and a certificate mapped to it. */
export interface M2MSettings {
  readonly clientId: string;
  readonly certificateId: string;
  /** PEM private key of the certificate (PKCS#8). Kept in memory only. */
  readonly privateKeyPem: string;
}

/** Options of {@link createNetSuiteGateway}. */
export interface NetSuiteGatewayOptions {
  readonly accountId: string;
  /** Origin of every NetSuite endpoint (the emulator); omit for real NetSuite. */
  readonly origin?: string | undefined;
  /** Allow `http:` on a loopback `origin` (the emulator). @default false */
  readonly allowInsecureLoopback?: boolean | undefined;
  readonly clientId: string;
  /** Confidential clients have a secret; public ones none. */
  readonly clientSecret?: string | undefined;
  /** @default ['rest_webservices'] */
  readonly scopes?: readonly string[] | undefined;
  readonly m2m?: M2MSettings | undefined;
  /** Where token sets are kept (server-side only). */
  readonly store: KeyValueStore;
  readonly usesEmulator?: boolean | undefined;
  readonly fetch?: typeof globalThis.fetch | undefined;
  readonly now?: (() => number) | undefined;
  /** Concurrent requests to NetSuite from this server. @default 5 */
  readonly concurrency?: number | undefined;
  /**
   * How long the old certificate stays active after a background-access rotation, so every process of the app
   * picks up the new one first. @default 0 (the demo is one process: the old one is revoked at once)
   */
  readonly backgroundOverlapMs?: number | undefined;
  /** Connections (and the machine-to-machine key) whose tokens are held in memory at once. @default 1000 */
  readonly maxCachedConnections?: number | undefined;
}

const ROW_KEYS_DROPPED = new Set(['links']);
const BACKGROUND_KEY_PREFIX = 'background-key:';

/**
 * The server's way to NetSuite, built on `oauth-flows` (authorization code + PKCE, refresh, revoke, client
 * credentials), `record-client` (records, SuiteQL) and `jwt-assertion` (the machine-to-machine signer).
 * Token sets live in the token store under each connection's key and never leave the server.
 *
 * @example
 * const gateway = createNetSuiteGateway({ accountId: emu.accountId, origin: emu.url, allowInsecureLoopback: true,
 *   clientId, clientSecret, store });
 * @throws {ServerError} `ERR_SERVER_INVALID_OPTION` for a bad account id, origin or client id.
 */
export function createNetSuiteGateway(options: NetSuiteGatewayOptions): NetSuiteGateway {
  let endpoints: ReturnType<typeof netsuiteEndpoints>;
  try {
    endpoints = netsuiteEndpoints(options.accountId, {
      origin: options.origin,
      allowInsecureLoopback: options.allowInsecureLoopback ?? false,
    });
  } catch (cause) {
    throw new ServerError('ERR_SERVER_INVALID_OPTION', 'netsuite account id or origin is not valid', {
      cause,
    });
  }
  if (typeof options.clientId !== 'string' || !/^[\x21-\x7e]{1,256}$/.test(options.clientId)) {
    throw new ServerError('ERR_SERVER_INVALID_OPTION', 'clientId must be the integration’s client id');
  }
  const now = options.now ?? Date.now;
  const store = options.store;
  // Grants live in the store no longer than their session (see grantKey): a lost cookie ends the grant too.
  const grants = capGrantExpiry(store);
  const account = {
    accountId: endpoints.accountId,
    origin: options.origin,
    allowInsecureLoopback: options.allowInsecureLoopback ?? false,
  };
  const transport = {
    fetch: options.fetch,
    now,
  };
  const client = {
    clientId: options.clientId,
    clientSecret: options.clientSecret,
  };
  const scopes = options.scopes ?? ['rest_webservices'];
  // One budget for every user of this server: NetSuite limits concurrent requests per account.
  const limiter = createConcurrencyLimiter(options.concurrency ?? 5);
  const sessionGrant: TokenManagerGrant = { type: 'refresh_token', ...account, client };
  const m2mSettings = options.m2m;
  const m2mKey = m2mSettings === undefined ? undefined : `m2m:${m2mSettings.clientId}`;

  // One token manager for the server's life, for every connection's grant and the machine-to-machine key: a
  // page view reads a cached token from memory, concurrent requests of one user share one refresh (and, on a
  // shared store, so do the server's other processes), and at most `maxCachedConnections` keys stay in memory.
  const managers = createTokenManagers({
    store: grants,
    ...transport,
    maxCachedKeys: options.maxCachedConnections ?? 1000,
    async resolve(key): Promise<TokenManagerGrant | undefined> {
      if (key === m2mKey && m2mSettings !== undefined) {
        const signer = await createAssertionSigner({
          key: m2mSettings.privateKeyPem,
          certificateId: m2mSettings.certificateId,
          clientId: m2mSettings.clientId,
          // The account's own token URL, also behind an origin override: it names the account, so NetSuite (and
          // the emulator) refuse an assertion meant for another account (section_162755359851).
          accountId: endpoints.accountId,
          now,
        });
        return { type: 'client_credentials', ...account, signer };
      }
      if (key === backgroundKey) {
        const signer = await createMultiCertificateSigner({
          clientId: options.clientId,
          accountId: endpoints.accountId,
          now,
          // Read before every signature: a rotation's new certificate is used from the next token on.
          certificates: async () => {
            const record = await readBackground();
            const pem = record && (await store.get(`${BACKGROUND_KEY_PREFIX}${record.fingerprint}`))?.value;
            return record && pem ? [{ key: pem, certificateId: record.certificateId }] : [];
          },
        });
        return { type: 'client_credentials', ...account, signer };
      }
      return grantKeyExpiry(key) === undefined ? undefined : sessionGrant;
    },
  });

  // Background access: the record (no key) and the private key live in the server's store, which is encrypted at
  // rest (the demo's "secret storage"); the key never reaches a page or a log.
  const backgroundKey = `background:${options.clientId}`;
  interface BackgroundRecord extends BackgroundAccess {
    readonly fingerprint: string;
  }
  async function readBackground(): Promise<BackgroundRecord | undefined> {
    const entry = await store.get(backgroundKey);
    return entry === undefined ? undefined : (JSON.parse(entry.value) as BackgroundRecord);
  }
  async function writeBackground(record: BackgroundRecord): Promise<BackgroundAccess> {
    await store.set(backgroundKey, { value: JSON.stringify(record), expiresAt: record.notAfter });
    const { fingerprint: _, ...shown } = record;
    return shown;
  }
  const saveKey = async (k: { fingerprint: string; privateKeyPem: string; notAfter: Date }) => {
    await store.set(`${BACKGROUND_KEY_PREFIX}${k.fingerprint}`, {
      value: k.privateKeyPem,
      expiresAt: k.notAfter.getTime(),
    });
  };
  const loadKey = async (fingerprint: string) =>
    (await store.get(`${BACKGROUND_KEY_PREFIX}${fingerprint}`))?.value;

  const background: BackgroundGateway = {
    async status() {
      const record = await readBackground();
      if (!record) return undefined;
      const { fingerprint: _, ...shown } = record;
      return shown;
    },
    async enable(tokenKey, mapping) {
      return await withManager(tokenKey, async (manager) => {
        const ready = await onboardClientCredentials({
          ...account,
          clientId: options.clientId,
          accessToken: () => manager.getAccessToken(),
          role: mapping.role,
          entity: mapping.entity,
          keyType: 'ec-p256',
          saveKey,
          fetch: options.fetch,
          now,
          proveAttempts: 3,
          proveDelayMs: 500,
        });
        return await writeBackground({
          certificateId: ready.certificateId,
          fingerprint: ready.fingerprint,
          algorithm: ready.algorithm,
          notAfter: ready.notAfter.getTime(),
          role: Number(mapping.role),
          entity: Number(mapping.entity),
          enabledAt: now(),
        });
      });
    },
    async rotate() {
      const record = await readBackground();
      if (!record) {
        throw new ServerError('ERR_SERVER_NOT_FOUND', 'background access is not enabled', { status: 404 });
      }
      let next: BackgroundRecord | undefined;
      const result = await rotateCertificate({
        ...account,
        clientId: options.clientId,
        // The background credentials themselves manage their certificate (no user needed).
        accessToken: () => managers.getAccessToken(backgroundKey),
        store,
        currentCertificateId: record.certificateId,
        role: record.role,
        entity: record.entity,
        keyType: 'ec-p256',
        overlapMs: options.backgroundOverlapMs ?? 0,
        proveAttempts: 3,
        proveDelayMs: 500,
        saveKey,
        loadKey,
        fetch: options.fetch,
        now,
        onSwitch: async (s) => {
          const pem = await loadKey(s.fingerprint);
          const x509 = pem === undefined ? undefined : new X509Certificate(s.certificatePem);
          next = {
            ...record,
            certificateId: s.certificateId,
            fingerprint: s.fingerprint,
            algorithm: s.algorithm,
            notAfter: x509 ? Date.parse(x509.validTo) : record.notAfter,
            previous: { certificateId: s.previousCertificateId, revoked: false },
          };
          await writeBackground(next);
        },
      });
      const current = next ?? (await readBackground()) ?? record;
      return await writeBackground({
        ...current,
        ...(current.previous ? { previous: { ...current.previous, revoked: result.status === 'done' } } : {}),
      });
    },
    async run() {
      const tokens = await managers.getTokenSet(backgroundKey);
      const result = await page(
        query(
          recordClient(managers.forKey(backgroundKey)),
          'SELECT id, entityid, companyname FROM customer ORDER BY id',
          5,
        ),
        0,
        5,
      );
      return { expiresAt: tokens.expiresAt, rows: result.rows };
    },
  };

  const notConnected = (cause: unknown) =>
    new ServerError('ERR_SERVER_NOT_CONNECTED', 'the netsuite connection has ended: connect again', {
      status: 401,
      cause,
    });

  // A connection's tokens, as a token manager (a view of the shared one: it holds nothing of its own). An ended
  // connection (refresh token expired, revoked or spent) is cleared and reported as not connected. A grant's
  // key is only ever asked for during its session (sessions live a fixed time), so its tokens are never served
  // past the session's end, in memory or from the store.
  async function withManager<T>(tokenKey: string, use: (manager: TokenManager) => Promise<T>): Promise<T> {
    try {
      return await use(managers.forKey(tokenKey));
    } catch (error) {
      if (connectionEnded(error)) {
        await managers.clear(tokenKey).catch(() => {});
        throw notConnected(error);
      }
      throw error;
    }
  }

  function recordClient(token: TokenSource) {
    return createNetSuiteClient({
      ...account,
      token,
      concurrency: limiter,
      fetch: options.fetch,
      now,
    });
  }

  async function page(
    rows: AsyncIterable<Record<string, unknown>>,
    offset: number,
    limit: number,
  ): Promise<RowPage> {
    const out: Record<string, unknown>[] = [];
    let index = 0;
    let hasMore = false;
    for await (const row of rows) {
      if (index >= offset + limit) {
        hasMore = true;
        break;
      }
      if (index >= offset) out.push(clean(row));
      index += 1;
    }
    return { rows: out, hasMore };
  }

  function query(ns: NetSuiteClient, text: string, limit: number): AsyncIterable<Record<string, unknown>> {
    // Page size = what is shown; NetSuite's offset paging needs limit ≥ 5. No prefetch: a page view reads what it shows.
    return ns.suiteql(text, { pageSize: Math.max(5, limit), prefetch: 0 });
  }

  let m2m: NetSuiteGateway['m2m'];
  if (m2mSettings !== undefined && m2mKey !== undefined) {
    m2m = {
      clientId: m2mSettings.clientId,
      certificateId: m2mSettings.certificateId,
      async run() {
        const tokens = await managers.getTokenSet(m2mKey);
        const result = await page(
          query(
            recordClient(managers.forKey(m2mKey)),
            'SELECT id, entityid, companyname FROM customer ORDER BY id',
            5,
          ),
          0,
          5,
        );
        return { expiresAt: tokens.expiresAt, rows: result.rows };
      },
    };
  }

  const gateway: NetSuiteGateway = {
    accountId: endpoints.accountId,
    tokenUrl: endpoints.tokenUrl,
    loginOrigins:
      options.origin === undefined
        ? [new URL(endpoints.authorizeUrl).origin, 'https://*.netsuite.com']
        : [new URL(endpoints.authorizeUrl).origin],
    usesEmulator: options.usesEmulator ?? false,
    async startAuthorization(redirectUri) {
      return await createAuthorizationRequest({ ...account, clientId: client.clientId, redirectUri, scopes });
    },
    parseCallback(url, expectedState, expectedIssuer) {
      // NetSuite sends no iss; one that is present must be the server the request went to (RFC 9207 §2.4).
      return parseAuthorizationCallback(url, { expectedState, expectedIssuer });
    },
    async connect(tokenKey, code, codeVerifier, redirectUri): Promise<TokenInfo> {
      const tokens = await exchangeAuthorizationCode({
        ...account,
        ...transport,
        client,
        code,
        codeVerifier,
        redirectUri,
      });
      await withManager(tokenKey, (manager) => manager.setTokenSet(tokens));
      return info(tokens);
    },
    async tokenInfo(tokenKey) {
      try {
        return await withManager(tokenKey, async (manager) => info(await manager.getTokenSet()));
      } catch (error) {
        if ((error as { code?: unknown }).code === 'ERR_SERVER_NOT_CONNECTED') return undefined;
        throw error;
      }
    },
    async refresh(tokenKey) {
      return await withManager(tokenKey, async (manager) => {
        const current = await manager.getTokenSet();
        await manager.invalidate(current.accessToken);
        return info(await manager.getTokenSet());
      });
    },
    async disconnect(tokenKey) {
      // The token manager's logout reads the stored grant as it is, without refreshing (NetSuite may be down),
      // deletes it locally whatever happens next, then revokes it (RFC 7009 §2).
      try {
        const { revoked } = await managers.logout(tokenKey);
        return { revoked };
      } catch {
        // The store failed: nothing is known about the grant at NetSuite.
        await grants.delete(tokenKey).catch(() => {});
        return { revoked: false };
      }
    },
    async listCustomers(tokenKey, { offset, limit }) {
      return await withManager(tokenKey, (manager) =>
        page(
          query(
            recordClient(manager),
            'SELECT id, entityid, companyname, email FROM customer ORDER BY id',
            limit,
          ),
          offset,
          limit,
        ),
      );
    },
    async getCustomer(tokenKey, id) {
      return await withManager(tokenKey, async (manager) =>
        clean(
          (await recordClient(manager).records.get('customer', id)) as unknown as Record<string, unknown>,
        ),
      );
    },
    async typedRecord(tokenKey, type, id) {
      return await withManager(tokenKey, async (manager) => {
        const client = recordClient(manager);
        const [schema, record] = await Promise.all([
          client.metadata.jsonSchema(type),
          client.records.get(type, id),
        ]);
        return {
          schema: schema as Record<string, unknown>,
          record: clean(record as Record<string, unknown>),
        };
      });
    },
    async suiteql(tokenKey, text, { offset, limit }) {
      return await withManager(tokenKey, (manager) =>
        page(query(recordClient(manager), text, limit), offset, limit),
      );
    },
    async names(tokenKey, ids) {
      const client = recordClient(managers.forKey(tokenKey));
      const first = async (text: string, id: string | undefined) => {
        if (id === undefined || !/^-?\d{1,12}$/.test(id)) return undefined;
        try {
          for await (const row of client.suiteql(text, { params: [id], pageSize: 5, prefetch: 0 }))
            return row;
        } catch {
          // The role may not read the table: the page shows the id.
        }
        return undefined;
      };
      const [role, entity] = await Promise.all([
        first('SELECT name FROM role WHERE id = ?', ids.role),
        first('SELECT entityid, firstname, lastname FROM employee WHERE id = ?', ids.entity),
      ]);
      const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
      const person = [text(entity?.firstname), text(entity?.lastname)].filter(Boolean).join(' ');
      return { role: text(role?.name), entity: person || text(entity?.entityid) };
    },
    m2m,
    background,
    async close() {
      // Waits for refreshes in flight, so a rotated refresh token is in the store before the store closes.
      await managers.close();
    },
  };
  return translated(gateway);
}

/**
 * The gateway as the web layer sees it: every package error leaves it translated once ({@link toServerError}),
 * by what the gateway was doing.
 */
function translated(gateway: NetSuiteGateway): NetSuiteGateway {
  const guard =
    <A extends unknown[], R>(step: GatewayStep, fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await fn(...args);
      } catch (error) {
        throw toServerError(error, step);
      }
    };
  const m2m = gateway.m2m;
  return {
    ...gateway,
    startAuthorization: guard('authorize', gateway.startAuthorization),
    parseCallback(url, expectedState, expectedIssuer) {
      try {
        return gateway.parseCallback(url, expectedState, expectedIssuer);
      } catch (error) {
        throw toServerError(error, 'callback');
      }
    },
    connect: guard('connect', gateway.connect),
    tokenInfo: guard('use', gateway.tokenInfo),
    refresh: guard('use', gateway.refresh),
    listCustomers: guard('use', gateway.listCustomers),
    getCustomer: guard('use', gateway.getCustomer),
    typedRecord: guard('use', gateway.typedRecord),
    suiteql: guard('use', gateway.suiteql),
    m2m: m2m && { ...m2m, run: guard('m2m', m2m.run) },
    background: gateway.background && {
      status: guard('use', gateway.background.status),
      enable: guard('use', gateway.background.enable),
      rotate: guard('m2m', gateway.background.rotate),
      run: guard('m2m', gateway.background.run),
    },
    close: gateway.close,
  };
}

/**
 * True when an error (or one it wraps, e.g. record-client's `ERR_RECORD_TOKEN`) says the connection's refresh
 * token is gone: expired, revoked, or already used.
 */
export function connectionEnded(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    const e = current as Error & { code?: unknown; error?: unknown };
    if (e.code === 'ERR_OAUTH_REAUTHENTICATION_REQUIRED' || e.code === 'ERR_SERVER_NOT_CONNECTED')
      return true;
    if (current instanceof OAuthResponseError && current.error === 'invalid_grant') return true;
    current = e.cause;
  }
  return false;
}

function info(tokens: TokenSet): TokenInfo {
  return { expiresAt: tokens.expiresAt, refreshTokenExpiresAt: tokens.refreshTokenExpiresAt };
}

function clean(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) if (!ROW_KEYS_DROPPED.has(key)) out[key] = value;
  return out;
}

/**
 * The store as the gateway keeps grants in it: an entry under a {@link grantKey} never outlives the instant the
 * key carries (its session's end), whatever lifetime its refresh token has.
 */
function capGrantExpiry(store: KeyValueStore): KeyValueStore {
  const cap = (key: string, entry: TokenEntry): TokenEntry => {
    const end = grantKeyExpiry(key);
    return end === undefined || entry.expiresAt <= end ? entry : { value: entry.value, expiresAt: end };
  };
  const capped: KeyValueStore = {
    capabilities: store.capabilities,
    get: (key) => store.get(key),
    set: (key, entry) => store.set(key, cap(key, entry)),
    delete: (key) => store.delete(key),
  };
  if (store.lock) {
    const lock = store.lock.bind(store);
    capped.lock = (key, lockOptions) => lock(key, lockOptions);
  }
  if (store.compareAndSet) {
    const compareAndSet = store.compareAndSet.bind(store);
    capped.compareAndSet = (key, entry, condition) => compareAndSet(key, cap(key, entry), condition);
  }
  return capped;
}
