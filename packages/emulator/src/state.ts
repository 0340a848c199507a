import { randomUUID } from 'node:crypto';
import { AsyncJobs } from './async-jobs.js';
import type { CostModel } from './cost-model.js';
import { type Counters, emptyCounters } from './counters.js';
import type { Fault } from './faults.js';
import type { CertificateMapping, Integration } from './integration.js';
import type { ResolvedOptions } from './options.js';
import type { RequestLogEntry } from './request-log.js';
import type { Restlet } from './restlets.js';
import type { RecordStore } from './store.js';
import type { TokenSigner } from './token-signer.js';
import type { AccessTokenInfo, AuthCode, AuthTxn, RefreshTokenInfo, TokenFamily } from './tokens.js';
import type { User } from './user.js';

/** All state of one emulator. */
export class EmulatorState {
  integrations = new Map<string, Integration>();
  users = new Map<number, User>();
  usersByEmail = new Map<string, User>();
  certificates = new Map<string, CertificateMapping>();
  /** Roles refused "Manage own OAuth 2.0 Client Credentials certificates" (every role has it unless listed). */
  rolesWithoutCertificatePermission = new Set<number>();
  accessTokens = new Map<string, AccessTokenInfo>();
  refreshTokens = new Map<string, RefreshTokenInfo>();
  codes = new Map<string, AuthCode>();
  usedJtis = new Map<string, number>();
  authTxns = new Map<string, AuthTxn>();
  sessions = new Map<string, { entityId: number; createdAt: number }>();
  consents = new Set<string>();
  restlets = new Map<string, Restlet>();
  faults: Fault[] = [];
  latency = new Map<string, number>();
  concurrencyLimit: number;
  counters: Counters = emptyCounters();
  log: RequestLogEntry[] = [];
  logSeq = 0;
  clockOffset = 0;
  /** What requests, records and jobs cost (admin `setCostModel` changes it). */
  costModel: CostModel;
  readonly asyncJobs: AsyncJobs;

  constructor(
    readonly options: ResolvedOptions,
    public store: RecordStore,
    readonly signer: TokenSigner,
    private readonly baseNow: () => number,
    concurrencyLimit: number,
  ) {
    this.concurrencyLimit = concurrencyLimit;
    if (options.metadataLatencyMs > 0) this.latency.set('metadata', options.metadataLatencyMs);
    this.costModel = options.costModel;
    this.asyncJobs = new AsyncJobs({
      now: () => this.now(),
      concurrencyLimit: () => this.concurrencyLimit,
      inFlight: () => this.counters.inFlight,
      costModel: () => this.costModel,
      delayMs: options.asyncJobDelayMs,
    });
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
    family?: TokenFamily | undefined;
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
