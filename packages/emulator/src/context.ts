import { createHash, generateKeyPairSync, type KeyObject, randomBytes, randomUUID, sign } from 'node:crypto';
import type { RecordStore } from './store.js';

export const KNOWN_SCOPES = new Set(['rest_webservices', 'restlets', 'suite_analytics', 'mcp']);
/** Grants an integration record can enable. */
export type Grant = 'client_credentials' | 'authorization_code';
/** The integration record's Consent Policy: Always Ask, Ask First Time, Never Ask (section_162626471013.html). */
export type ConsentPolicy = 'always' | 'first_time' | 'never';

export interface Integration {
  readonly clientId: string;
  readonly clientSecret: string | undefined;
  readonly applicationId: string;
  name: string;
  readonly confidential: boolean;
  grants: Set<Grant>;
  redirectUris: string[];
  scopes: Set<string>;
  consentPolicy: ConsentPolicy;
  refreshTokenValidityHours: number;
  rotationMaxHours: number;
  enabled: boolean;
}

export interface Role {
  readonly id: number;
  readonly name: string;
}

export interface User {
  readonly entityId: number;
  readonly email: string;
  readonly passwordHash: string;
  readonly name: string;
  readonly roles: Role[];
}

export interface CertificateMapping {
  readonly certificateId: string;
  readonly clientId: string;
  readonly roleId: number;
  readonly entityId: number;
  readonly publicKey: KeyObject;
  readonly keyType: string;
  readonly notBefore: number;
  readonly notAfter: number;
  readonly fingerprint: string;
  readonly createdAt: number;
  revoked: boolean;
}

export interface TokenFamily {
  readonly id: string;
  revoked: boolean;
  readonly accessTokens: Set<string>;
  readonly refreshTokens: Set<string>;
}

export interface AccessTokenInfo {
  readonly clientId: string;
  readonly scopes: readonly string[];
  readonly roleId: number;
  readonly entityId: number;
  readonly expiresAt: number;
  readonly grant: string;
  readonly family: TokenFamily | undefined;
  revoked: boolean;
}

export interface RefreshTokenInfo {
  readonly clientId: string;
  readonly scopes: readonly string[];
  readonly roleId: number;
  readonly entityId: number;
  readonly expiresAt: number;
  readonly chainStart: number;
  readonly family: TokenFamily;
  used: boolean;
}

export interface AuthCode {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scopes: readonly string[];
  readonly roleId: number;
  readonly entityId: number;
  readonly codeChallenge: string | undefined;
  readonly expiresAt: number;
  used: boolean;
  family: TokenFamily | undefined;
}

/** Route names used by counters, latency, faults and the request log. */
export type RouteName =
  | 'token'
  | 'revoke'
  | 'keys'
  | 'authorize'
  | 'certificates'
  | 'record'
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
  'suiteql',
  'async',
  'system',
  'restlet',
  'admin',
  'unknown',
];

export interface Fault {
  readonly route: RouteName | '*';
  remaining: number;
  readonly status?: number;
  readonly body?: unknown;
  readonly latencyMs?: number;
  readonly malformed?: boolean;
  readonly drop?: boolean;
}

export function hashPassword(password: string): string {
  return createHash('sha256').update(`netsuite-emulator:${password}`).digest('hex');
}

export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** Signs the JWTs the emulator issues (ES256, key made at start; clients must treat them as opaque). */
export class TokenSigner {
  private readonly privateKey: KeyObject;
  readonly publicJwk: Record<string, unknown>;
  readonly kid: string;

  constructor(accountId: string) {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.privateKey = pair.privateKey;
    this.kid = `c.${accountId}.emulator-${randomHex(4)}`;
    this.publicJwk = { ...pair.publicKey.export({ format: 'jwk' }), kid: this.kid, alg: 'ES256', use: 'sig' };
  }

  sign(payload: Record<string, unknown>): string {
    const header = Buffer.from(JSON.stringify({ kid: this.kid, typ: 'JWT', alg: 'ES256' })).toString(
      'base64url',
    );
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    const input = `${header}.${body}`;
    const signature = sign('sha256', Buffer.from(input), { key: this.privateKey, dsaEncoding: 'ieee-p1363' });
    return `${input}.${signature.toString('base64url')}`;
  }
}

export interface ResolvedOptions {
  readonly accountId: string;
  readonly hostLabel: string;
  readonly accessTokenTtlSeconds: number;
  readonly maxAssertionLifetimeSeconds: number;
  readonly assertionClockSkewSeconds: number;
  readonly authorizationCodeTtlSeconds: number;
  readonly confidentialRefreshTokenValidityHours: number;
  readonly allowHttpLoopbackRedirectUris: boolean;
  readonly allowClientSecretPost: boolean;
  readonly revokeTokensOnCodeReuse: boolean;
  readonly acceptSpaceSeparatedAssertionScope: boolean;
  readonly requireTransientHeader: boolean;
  readonly idempotencyConflictStatus: 400 | 409;
  readonly suiteqlMaxRows: number;
  readonly maxBodyBytes: number;
  readonly requestLogSize: number;
  readonly exposeReasons: boolean;
  readonly adminToken: string | undefined;
  readonly asyncJobDelayMs: number;
}

/** Request counters since start or the last reset, from {@link EmulatorAdmin.counters}. */
export interface Counters {
  requests: number;
  token: number;
  tokenByGrant: Record<string, number>;
  authorize: number;
  revoke: number;
  keys: number;
  certificates: number;
  record: number;
  suiteql: number;
  async: number;
  system: number;
  restlet: number;
  admin: number;
  unknown: number;
  inFlight: number;
  maxInFlight: number;
  concurrencyRejected: number;
  faultsInjected: number;
  byStatus: Record<string, number>;
}

export function emptyCounters(): Counters {
  return {
    requests: 0,
    token: 0,
    tokenByGrant: {},
    authorize: 0,
    revoke: 0,
    keys: 0,
    certificates: 0,
    record: 0,
    suiteql: 0,
    async: 0,
    system: 0,
    restlet: 0,
    admin: 0,
    unknown: 0,
    inFlight: 0,
    maxInFlight: 0,
    concurrencyRejected: 0,
    faultsInjected: 0,
    byStatus: {},
  };
}

/** One entry of the request log. Holds no token, secret, code or body. */
export interface RequestLogEntry {
  readonly seq: number;
  /** Emulator clock, ISO 8601. */
  time: string;
  /** Emulator clock, epoch ms (the ISO `time` is filled in when the log is read). */
  at?: number;
  readonly method: string;
  readonly route: RouteName;
  /** Path without the query string. */
  readonly path: string;
  status: number;
  durationMs: number;
  clientId?: string;
  /** Login-audit-trail style reason for a refusal (`MissingKey`, `AccessTokenExpired`, …). */
  reason?: string;
  fault?: boolean;
}

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

export interface AsyncJob {
  readonly id: string;
  readonly createdAt: number;
  readonly idempotencyKey: string | undefined;
  readonly result: { status: number; body: string; headers: Record<string, string> };
  readonly startTime: number;
}

/** All state of one emulator. */
export class EmulatorState {
  integrations = new Map<string, Integration>();
  users = new Map<number, User>();
  usersByEmail = new Map<string, User>();
  certificates = new Map<string, CertificateMapping>();
  accessTokens = new Map<string, AccessTokenInfo>();
  refreshTokens = new Map<string, RefreshTokenInfo>();
  codes = new Map<string, AuthCode>();
  usedJtis = new Map<string, number>();
  authTxns = new Map<string, AuthTxn>();
  sessions = new Map<string, { entityId: number; createdAt: number }>();
  consents = new Set<string>();
  restlets = new Map<string, Restlet>();
  jobs = new Map<string, AsyncJob>();
  idempotency = new Map<string, string>();
  faults: Fault[] = [];
  latency = new Map<string, number>();
  concurrencyLimit: number;
  counters: Counters = emptyCounters();
  log: RequestLogEntry[] = [];
  logSeq = 0;
  clockOffset = 0;
  jobSeq = 0;

  constructor(
    readonly options: ResolvedOptions,
    public store: RecordStore,
    readonly signer: TokenSigner,
    private readonly baseNow: () => number,
    concurrencyLimit: number,
  ) {
    this.concurrencyLimit = concurrencyLimit;
  }

  now(): number {
    return this.baseNow() + this.clockOffset;
  }

  newFamily(): TokenFamily {
    return { id: randomUUID(), revoked: false, accessTokens: new Set(), refreshTokens: new Set() };
  }

  issueAccessToken(input: {
    clientId: string;
    scopes: readonly string[];
    roleId: number;
    entityId: number;
    grant: string;
    family?: TokenFamily;
  }): { token: string; expiresIn: number } {
    const now = this.now();
    const iat = Math.floor(now / 1000);
    const ttl = this.options.accessTokenTtlSeconds;
    const integration = this.integrations.get(input.clientId);
    const token = this.signer.sign({
      sub: `${input.roleId};${input.entityId}`,
      aud: [`${integration?.applicationId ?? ''};${this.options.accountId}`, input.clientId],
      scope: input.scopes,
      iss: 'https://system.netsuite.com',
      oit: iat,
      exp: iat + ttl,
      iat,
      jti: `${this.options.accountId}.a.${randomUUID()}_${now}`,
    });
    this.accessTokens.set(token, {
      clientId: input.clientId,
      scopes: input.scopes,
      roleId: input.roleId,
      entityId: input.entityId,
      expiresAt: now + ttl * 1000,
      grant: input.grant,
      family: input.family,
      revoked: false,
    });
    input.family?.accessTokens.add(token);
    return { token, expiresIn: ttl };
  }

  issueRefreshToken(input: {
    clientId: string;
    scopes: readonly string[];
    roleId: number;
    entityId: number;
    family: TokenFamily;
    chainStart: number;
    expiresAt: number;
  }): string {
    const now = this.now();
    const token = this.signer.sign({
      sub: `${input.roleId};${input.entityId}`,
      aud: [input.clientId],
      scope: input.scopes,
      iss: 'https://system.netsuite.com',
      oit: Math.floor(input.chainStart / 1000),
      exp: Math.floor(input.expiresAt / 1000),
      iat: Math.floor(now / 1000),
      jti: `${this.options.accountId}.r.${randomUUID()}_${now}`,
    });
    this.refreshTokens.set(token, { ...input, used: false });
    input.family.refreshTokens.add(token);
    return token;
  }

  revokeFamily(family: TokenFamily): void {
    family.revoked = true;
    for (const t of family.accessTokens) {
      const info = this.accessTokens.get(t);
      if (info) info.revoked = true;
    }
  }

  /** Drops expired entries so long test runs do not grow without bound. */
  sweep(): void {
    const now = this.now();
    for (const [k, v] of this.accessTokens) if (v.expiresAt < now - 3_600_000) this.accessTokens.delete(k);
    for (const [k, v] of this.usedJtis) if (v < now - 3_600_000) this.usedJtis.delete(k);
    for (const [k, v] of this.codes) if (v.expiresAt < now - 3_600_000) this.codes.delete(k);
    for (const [k, v] of this.authTxns) if (v.createdAt < now - 3_600_000) this.authTxns.delete(k);
  }
}

export interface AuthTxn {
  readonly id: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scopes: readonly string[];
  readonly state: string;
  readonly codeChallenge: string | undefined;
  readonly prompt: readonly string[];
  readonly createdAt: number;
  entityId: number | undefined;
}
