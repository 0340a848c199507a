import { randomBytes, randomUUID } from 'node:crypto';
import { isLoopbackUrl } from '@netsuite-oauth/core';
import { parseCertificate } from './certificate.js';
import { type CostModel, resolveCostModel } from './cost-model.js';
import type { Counters } from './counters.js';
import {
  addCustomField,
  addCustomRecordType,
  type CustomFieldOptions,
  type Customizations,
  type CustomRecordTypeOptions,
  listCustomizations,
} from './customization.js';
import { EmulatorError } from './errors.js';
import type { Fault } from './faults.js';
import { type ConsentPolicy, type Grant, type Integration, KNOWN_SCOPES } from './integration.js';
import { randomHex } from './random.js';
import type { RequestLogEntry } from './request-log.js';
import { type RestletHandler, restletKey } from './restlets.js';
import { ROUTE_NAMES, type RouteName } from './routes.js';
import type { EmulatorState } from './state.js';
import { RecordValidationError } from './store.js';
import { hashPassword, type User } from './user.js';

/** Options of {@link EmulatorAdmin.createIntegration}; mirrors NetSuite's integration record. */
export interface CreateIntegrationOptions {
  /** @default 'Emulator integration' */
  readonly name?: string | undefined;
  /** A confidential client has a secret; a public one ("Public Client" ticked) has none. @default true */
  readonly confidential?: boolean | undefined;
  /** @default ['client_credentials', 'authorization_code'] (public clients: ['authorization_code']) */
  readonly grants?: readonly Grant[] | undefined;
  /** Exact redirect URIs: `https://`, a custom scheme, or `http://` on a loopback host (see `allowHttpLoopbackRedirectUris`). */
  readonly redirectUris?: readonly string[] | undefined;
  /** @default ['rest_webservices', 'restlets'] */
  readonly scopes?: readonly string[] | undefined;
  /** Consent Policy: Always Ask, Ask First Time, Never Ask. @default 'always' */
  readonly consentPolicy?: ConsentPolicy | undefined;
  /** Public clients' refresh-token validity, 1–720. @default 48 */
  readonly refreshTokenValidityHours?: number | undefined;
  /** Public clients' "Maximum Time For Token Rotation", 1–720. @default 168 */
  readonly rotationMaxHours?: number | undefined;
  /** Integration State: Enabled. @default true */
  readonly enabled?: boolean | undefined;
}

/** An integration record as created; `clientSecret` is shown once, as in NetSuite. */
export interface IntegrationInfo {
  readonly clientId: string;
  readonly clientSecret?: string | undefined;
  readonly applicationId: string;
  readonly name: string;
  readonly confidential: boolean;
  readonly grants: Grant[];
  readonly redirectUris: string[];
  readonly scopes: string[];
  readonly consentPolicy: ConsentPolicy;
  readonly refreshTokenValidityHours: number;
  readonly rotationMaxHours: number;
  readonly enabled: boolean;
}

/** Options of {@link EmulatorAdmin.createUser}: a login user for the authorize page (also an employee record). */
export interface CreateUserOptions {
  readonly email: string;
  readonly password: string;
  readonly name?: string | undefined;
  /** @default [{ id: 1000, name: 'NetSuite OAuth Integration' }] */
  readonly roles?: ReadonlyArray<{ readonly id: number; readonly name: string }> | undefined;
}

/** A created login user; `entityId` is what the authorize redirect reports as `entity`. */
export interface UserInfo {
  readonly entityId: string;
  readonly email: string;
  readonly name: string;
  readonly roles: Array<{ id: number; name: string }>;
}

/** Options of {@link EmulatorAdmin.addCertificate}: map a certificate to an integration, role and entity (M2M setup). */
export interface AddCertificateOptions {
  readonly clientId: string;
  readonly certificatePem: string;
  /** @default 1000 */
  readonly roleId?: number | undefined;
  /** @default the default user's entity */
  readonly entityId?: number | string | undefined;
}

/** A certificate mapping; `certificateId` is the `kid` of client assertions. */
export interface CertificateInfo {
  readonly certificateId: string;
  readonly clientId: string;
  readonly roleId: number;
  readonly entityId: string;
  readonly keyType: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly revoked: boolean;
}

/** The role permissions the emulator models, for {@link EmulatorAdmin.setRolePermissions}. */
export interface RolePermissions {
  /** "Manage own OAuth 2.0 Client Credentials certificates": needed on the certificates endpoint. */
  readonly manageOwnCertificates: boolean;
}

/** Options of {@link EmulatorAdmin.deployRestlet}: entry points by HTTP method. */
export interface DeployRestletOptions {
  readonly scriptId: string;
  readonly deployId: string;
  readonly handlers: Partial<Record<'get' | 'post' | 'put' | 'delete', RestletHandler>>;
}

/** Options of {@link EmulatorAdmin.injectFault}. */
export interface FaultOptions {
  /** A route name (`token`, `record`, `suiteql`, `restlet`, …) or `*` for every non-admin route. */
  readonly route: RouteName | '*';
  /** How many of the next matching requests get the fault. @default 1 */
  readonly count?: number | undefined;
  readonly status?: number | undefined;
  /** Body to send with `status` (objects as JSON). @default a NetSuite-shaped error for the status */
  readonly body?: unknown;
  readonly latencyMs?: number | undefined;
  /** Answer with a truncated JSON body. */
  readonly malformed?: boolean | undefined;
  /** Destroy the connection without answering. */
  readonly drop?: boolean | undefined;
}

/**
 * The in-process admin handle; every operation is also on the HTTP admin API under `/_emulator/…` (see the README).
 * Bad input rejects with an {@link EmulatorError}.
 *
 * @example
 * const { clientId, clientSecret } = await emu.admin.createIntegration({ redirectUris: ['https://app.example.com/cb'] });
 * await emu.admin.setConcurrencyLimit(2);
 * await emu.admin.setLatency({ route: 'record', ms: 200 });
 * await emu.admin.setCostModel({ requestMs: 100, recordMs: 1, jobHoldsSlot: true });
 * await emu.admin.injectFault({ route: 'token', count: 1, status: 503 });
 * await emu.admin.advanceClock(3_600_000);
 * const { maxInFlight } = await emu.admin.counters();
 */
export interface EmulatorAdmin {
  createIntegration(options?: CreateIntegrationOptions): Promise<IntegrationInfo>;
  updateIntegration(
    clientId: string,
    changes: Pick<
      CreateIntegrationOptions,
      'enabled' | 'scopes' | 'redirectUris' | 'grants' | 'consentPolicy' | 'name'
    >,
  ): Promise<IntegrationInfo>;
  createUser(options: CreateUserOptions): Promise<UserInfo>;
  addCertificate(options: AddCertificateOptions): Promise<CertificateInfo>;
  revokeCertificate(certificateId: string): Promise<void>;
  listCertificates(clientId: string): Promise<CertificateInfo[]>;
  /**
   * Grants or withdraws a role's "Manage own OAuth 2.0 Client Credentials certificates" permission, which the
   * certificates endpoint checks (every role has it until withdrawn).
   */
  setRolePermissions(roleId: number, permissions: RolePermissions): Promise<void>;
  /**
   * What a sandbox refresh does to the M2M setup: every certificate mapping is gone (section_162686838198.html).
   * Resolves the number of mappings wiped.
   */
  sandboxRefresh(): Promise<{ certificatesWiped: number }>;
  seedRecords(type: string, records: ReadonlyArray<Record<string, unknown>>): Promise<string[]>;
  deployRestlet(options: DeployRestletOptions): Promise<{ url: string }>;
  /**
   * Adds a custom field (`custentity_…`, `custbody_…`, `custitem_…`, `custrecord_…`): the metadata catalog
   * lists it, records accept and return it, SuiteQL sees its column.
   */
  addCustomField(options: CustomFieldOptions): Promise<Customizations['customFields'][number]>;
  /** Adds a custom record type (`customrecord_…`) with its fields, served like any record type. */
  addCustomRecordType(options: CustomRecordTypeOptions): Promise<Customizations['customRecordTypes'][number]>;
  /** The custom fields and custom record types added so far (a reset removes them). */
  customizations(): Promise<Customizations>;
  setConcurrencyLimit(limit: number): Promise<void>;
  setLatency(options: { route: RouteName | '*'; ms: number }): Promise<void>;
  /** Changes fields of the cost model (the rest keep their values); returns the model now in force. */
  setCostModel(model: Partial<CostModel>): Promise<CostModel>;
  /** The cost model in force. */
  costModel(): Promise<CostModel>;
  injectFault(options: FaultOptions): Promise<void>;
  clearFaults(): Promise<void>;
  advanceClock(ms: number): Promise<number>;
  setClock(epochMs: number): Promise<number>;
  now(): number;
  counters(): Promise<Counters>;
  requestLog(): Promise<RequestLogEntry[]>;
  reset(): Promise<void>;
}

const REDIRECT_SCHEME = /^[a-z][a-z0-9+.-]*:/i;

function optionError(message: string): EmulatorError {
  return new EmulatorError('ERR_EMULATOR_INVALID_OPTION', message);
}

function intInRange(value: unknown, name: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw optionError(`${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function checkRedirectUri(uri: unknown, allowHttpLoopback: boolean): string {
  if (typeof uri !== 'string' || uri.length > 2000 || !REDIRECT_SCHEME.test(uri)) {
    throw optionError('each redirect URI must be an absolute URI');
  }
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw optionError('each redirect URI must be an absolute URI');
  }
  if (url.hash) throw optionError('a redirect URI must not have a fragment');
  const scheme = url.protocol.toLowerCase();
  if (['javascript:', 'data:', 'file:', 'vbscript:', 'blob:'].includes(scheme)) {
    throw optionError(`redirect URI scheme ${scheme} is not allowed`);
  }
  if (scheme === 'http:') {
    const loopback = isLoopbackUrl(url);
    if (!loopback || !allowHttpLoopback) {
      throw optionError(
        loopback
          ? 'http redirect URIs are refused (allowHttpLoopbackRedirectUris is false, as strict NetSuite)'
          : 'http redirect URIs are only allowed on a loopback host; NetSuite wants https or a custom scheme',
      );
    }
  }
  return uri;
}

function integrationInfo(i: Integration, withSecret: boolean): IntegrationInfo {
  return {
    clientId: i.clientId,
    ...(withSecret && i.clientSecret !== undefined ? { clientSecret: i.clientSecret } : {}),
    applicationId: i.applicationId,
    name: i.name,
    confidential: i.confidential,
    grants: [...i.grants],
    redirectUris: [...i.redirectUris],
    scopes: [...i.scopes],
    consentPolicy: i.consentPolicy,
    refreshTokenValidityHours: i.refreshTokenValidityHours,
    rotationMaxHours: i.rotationMaxHours,
    enabled: i.enabled,
  };
}

function checkGrants(value: unknown, confidential: boolean): Set<Grant> {
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    value.some((g) => g !== 'client_credentials' && g !== 'authorization_code')
  ) {
    throw optionError('grants must be a non-empty array of client_credentials and authorization_code');
  }
  if (!confidential && value.includes('client_credentials')) {
    throw optionError('client_credentials is not available to public clients (NetSuite)');
  }
  return new Set(value as Grant[]);
}

function checkScopes(value: unknown): Set<string> {
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    value.some((s) => typeof s !== 'string' || !KNOWN_SCOPES.has(s))
  ) {
    throw optionError('scopes must be a non-empty array of rest_webservices, restlets, suite_analytics, mcp');
  }
  return new Set(value as string[]);
}

function checkConsent(value: unknown): ConsentPolicy {
  if (value !== 'always' && value !== 'first_time' && value !== 'never') {
    throw optionError('consentPolicy must be always, first_time or never');
  }
  return value;
}

function certInfo(c: {
  certificateId: string;
  clientId: string;
  roleId: number;
  entityId: number;
  keyType: string;
  notBefore: number;
  notAfter: number;
  revoked: boolean;
}): CertificateInfo {
  return {
    certificateId: c.certificateId,
    clientId: c.clientId,
    roleId: c.roleId,
    entityId: String(c.entityId),
    keyType: c.keyType,
    notBefore: new Date(c.notBefore).toISOString(),
    notAfter: new Date(c.notAfter).toISOString(),
    revoked: c.revoked,
  };
}

export const DEFAULT_ROLE = { id: 1000, name: 'NetSuite OAuth Integration' } as const;

/** The operations behind both the in-process handle and the HTTP admin API. */
export function createAdmin(
  getState: () => EmulatorState,
  hooks: { origin: () => string; reset: () => Promise<void>; defaultEntityId: () => number | undefined },
): EmulatorAdmin {
  const admin: EmulatorAdmin = {
    async createIntegration(options = {}) {
      const state = getState();
      if (!isObject(options)) throw optionError('options must be an object');
      const confidential = options.confidential ?? true;
      if (typeof confidential !== 'boolean') throw optionError('confidential must be a boolean');
      const name = options.name ?? 'Emulator integration';
      if (typeof name !== 'string' || name.length === 0 || name.length > 100)
        throw optionError('name must be 1–100 characters');
      const grants = checkGrants(
        options.grants ??
          (confidential ? ['client_credentials', 'authorization_code'] : ['authorization_code']),
        confidential,
      );
      const redirect = options.redirectUris ?? [];
      if (!Array.isArray(redirect) || redirect.length > 20)
        throw optionError('redirectUris must be an array of at most 20 URIs');
      const redirectUris = redirect.map((u) =>
        checkRedirectUri(u, state.options.allowHttpLoopbackRedirectUris),
      );
      const enabled = options.enabled ?? true;
      if (typeof enabled !== 'boolean') throw optionError('enabled must be a boolean');
      const integration: Integration = {
        clientId: randomHex(32),
        clientSecret: confidential ? randomHex(32) : undefined,
        applicationId: randomUUID().toUpperCase(),
        name,
        confidential,
        grants,
        redirectUris,
        scopes: checkScopes(options.scopes ?? ['rest_webservices', 'restlets']),
        consentPolicy: checkConsent(options.consentPolicy ?? 'always'),
        refreshTokenValidityHours: intInRange(
          options.refreshTokenValidityHours,
          'refreshTokenValidityHours',
          1,
          720,
          48,
        ),
        rotationMaxHours: intInRange(options.rotationMaxHours, 'rotationMaxHours', 1, 720, 168),
        enabled,
      };
      state.integrations.set(integration.clientId, integration);
      return integrationInfo(integration, true);
    },

    async updateIntegration(clientId, changes) {
      const state = getState();
      const integration = typeof clientId === 'string' ? state.integrations.get(clientId) : undefined;
      if (!integration)
        throw new EmulatorError('ERR_EMULATOR_UNKNOWN_CLIENT', 'clientId is not a known integration');
      if (!isObject(changes)) throw optionError('changes must be an object');
      if (changes.enabled !== undefined) {
        if (typeof changes.enabled !== 'boolean') throw optionError('enabled must be a boolean');
        integration.enabled = changes.enabled;
      }
      if (changes.scopes !== undefined) integration.scopes = checkScopes(changes.scopes);
      if (changes.grants !== undefined)
        integration.grants = checkGrants(changes.grants, integration.confidential);
      if (changes.consentPolicy !== undefined)
        integration.consentPolicy = checkConsent(changes.consentPolicy);
      if (changes.redirectUris !== undefined) {
        if (!Array.isArray(changes.redirectUris)) throw optionError('redirectUris must be an array');
        integration.redirectUris = changes.redirectUris.map((u) =>
          checkRedirectUri(u, state.options.allowHttpLoopbackRedirectUris),
        );
      }
      if (changes.name !== undefined) {
        if (typeof changes.name !== 'string' || changes.name.length === 0 || changes.name.length > 100)
          throw optionError('name must be 1–100 characters');
        integration.name = changes.name;
      }
      return integrationInfo(integration, false);
    },

    async createUser(options) {
      const state = getState();
      if (!isObject(options)) throw optionError('options must be an object');
      const { email, password } = options;
      if (typeof email !== 'string' || !/^[^\s@]{1,64}@[^\s@]{1,190}$/.test(email))
        throw optionError('email must be an email address');
      if (typeof password !== 'string' || password.length === 0 || password.length > 256)
        throw optionError('password must be 1–256 characters');
      const key = email.trim().toLowerCase();
      if (state.usersByEmail.has(key))
        throw new EmulatorError('ERR_EMULATOR_DUPLICATE_USER', 'a user with this email already exists');
      const name = options.name ?? email.split('@')[0] ?? email;
      if (typeof name !== 'string' || name.length > 100)
        throw optionError('name must be at most 100 characters');
      const roles = options.roles ?? [DEFAULT_ROLE];
      if (
        !Array.isArray(roles) ||
        roles.length === 0 ||
        roles.length > 20 ||
        roles.some((r) => !isObject(r) || !Number.isInteger(r.id) || typeof r.name !== 'string')
      ) {
        throw optionError('roles must be a non-empty array of { id: integer, name: string }');
      }
      const [first, ...rest] = name.split(' ');
      const { id } = state.store.create('employee', {
        firstName: first || name,
        lastName: rest.join(' ') || (first ?? name),
        email: key,
        entityId: name,
      });
      const user: User = {
        entityId: id,
        email: key,
        passwordHash: hashPassword(password),
        name,
        roles: roles.map((r) => ({ id: r.id, name: r.name })),
      };
      state.users.set(id, user);
      state.usersByEmail.set(key, user);
      for (const role of user.roles) state.store.putRole(role.id, role.name);
      return { entityId: String(id), email: key, name, roles: user.roles.map((r) => ({ ...r })) };
    },

    async addCertificate(options) {
      const state = getState();
      if (!isObject(options)) throw optionError('options must be an object');
      const integration =
        typeof options.clientId === 'string' ? state.integrations.get(options.clientId) : undefined;
      if (!integration)
        throw new EmulatorError('ERR_EMULATOR_UNKNOWN_CLIENT', 'clientId is not a known integration');
      const parsed = parseCertificate(options.certificatePem);
      const now = state.now();
      if (parsed.notAfter <= now)
        throw new EmulatorError('ERR_EMULATOR_INVALID_CERTIFICATE', 'certificate has expired');
      const roleId = intInRange(options.roleId, 'roleId', -1_000_000, 1_000_000_000, DEFAULT_ROLE.id);
      const rawEntity = options.entityId ?? hooks.defaultEntityId() ?? 0;
      const entityId =
        typeof rawEntity === 'string' && /^\d{1,12}$/.test(rawEntity) ? Number(rawEntity) : rawEntity;
      if (typeof entityId !== 'number' || !Number.isInteger(entityId))
        throw optionError('entityId must be an integer');
      const active = [...state.certificates.values()].filter(
        (c) => c.clientId === integration.clientId && !c.revoked && c.notAfter > now,
      );
      if (active.length >= 5) {
        throw new EmulatorError(
          'ERR_EMULATOR_CERTIFICATE_LIMIT',
          'an integration can have at most 5 active certificates',
        );
      }
      for (const c of state.certificates.values()) {
        if (c.fingerprint === parsed.fingerprint && (c.clientId !== integration.clientId || !c.revoked)) {
          // One certificate maps to exactly one integration + role + entity (section_162686838198.html).
          throw new EmulatorError(
            'ERR_EMULATOR_DUPLICATE_CERTIFICATE',
            'this certificate is already mapped; use a new certificate',
          );
        }
      }
      const mapping = {
        certificateId: randomBytes(32).toString('base64url'),
        clientId: integration.clientId,
        roleId,
        entityId,
        publicKey: parsed.publicKey,
        keyType: parsed.keyType,
        notBefore: parsed.notBefore,
        notAfter: parsed.notAfter,
        fingerprint: parsed.fingerprint,
        createdAt: now,
        revoked: false,
      };
      state.certificates.set(mapping.certificateId, mapping);
      return certInfo(mapping);
    },

    async revokeCertificate(certificateId) {
      const cert = typeof certificateId === 'string' ? getState().certificates.get(certificateId) : undefined;
      if (!cert)
        throw new EmulatorError(
          'ERR_EMULATOR_UNKNOWN_CERTIFICATE',
          'certificateId is not a known certificate',
        );
      cert.revoked = true;
    },

    async listCertificates(clientId) {
      return [...getState().certificates.values()].filter((c) => c.clientId === clientId).map(certInfo);
    },

    async setRolePermissions(roleId, permissions) {
      const state = getState();
      const id = intInRange(roleId, 'roleId', -1_000_000, 1_000_000_000, 0);
      if (!isObject(permissions) || typeof permissions.manageOwnCertificates !== 'boolean')
        throw optionError('permissions must be { manageOwnCertificates: boolean }');
      if (permissions.manageOwnCertificates) state.rolesWithoutCertificatePermission.delete(id);
      else state.rolesWithoutCertificatePermission.add(id);
    },

    async sandboxRefresh() {
      const state = getState();
      const certificatesWiped = state.certificates.size;
      state.certificates.clear();
      return { certificatesWiped };
    },

    async seedRecords(type, records) {
      const state = getState();
      if (typeof type !== 'string' || !state.store.typeDef(type)) {
        throw new EmulatorError(
          'ERR_EMULATOR_UNKNOWN_RECORD_TYPE',
          'type must be a record type the emulator serves (customer, salesOrder, a custom record type, …)',
        );
      }
      if (!Array.isArray(records) || records.some((r) => !isObject(r)))
        throw optionError('records must be an array of objects');
      try {
        return state.store.batch(() =>
          records.map((r) => String(state.store.create(type, r, { nameValidation: 'error' }).id)),
        );
      } catch (error) {
        if (error instanceof RecordValidationError) {
          throw new EmulatorError(
            'ERR_EMULATOR_INVALID_RECORD',
            `record refused: ${error.detail}`.slice(0, 300),
          );
        }
        throw error;
      }
    },

    async deployRestlet(options) {
      const state = getState();
      if (!isObject(options)) throw optionError('options must be an object');
      const { scriptId, deployId, handlers } = options;
      const id = /^[A-Za-z0-9_]{1,100}$/;
      if (typeof scriptId !== 'string' || !id.test(scriptId))
        throw optionError('scriptId must be letters, digits or _');
      if (typeof deployId !== 'string' || !id.test(deployId))
        throw optionError('deployId must be letters, digits or _');
      if (
        !isObject(handlers) ||
        Object.entries(handlers).some(
          ([k, v]) => !['get', 'post', 'put', 'delete'].includes(k) || typeof v !== 'function',
        )
      ) {
        throw optionError('handlers must map get/post/put/delete to functions');
      }
      state.restlets.set(restletKey(scriptId, deployId), { scriptId, deployId, handlers });
      return { url: `${hooks.origin()}/app/site/hosting/restlet.nl?script=${scriptId}&deploy=${deployId}` };
    },

    async addCustomField(options) {
      const field = addCustomField(getState().store, options);
      return {
        recordType: options.recordType,
        scriptId: field.name,
        type: field.kind,
        label: field.label ?? field.name,
      };
    },

    async addCustomRecordType(options) {
      const def = addCustomRecordType(getState().store, options);
      return { scriptId: def.name, name: def.customName ?? def.name };
    },

    async customizations() {
      return listCustomizations(getState().store);
    },

    async setConcurrencyLimit(limit) {
      getState().concurrencyLimit = intInRange(limit, 'limit', 1, 10_000, 5);
    },

    async setLatency(options) {
      if (!isObject(options)) throw optionError('options must be an object');
      const route = options.route;
      if (route !== '*' && !ROUTE_NAMES.includes(route))
        throw optionError(`route must be * or one of ${ROUTE_NAMES.join(', ')}`);
      const ms = intInRange(options.ms, 'ms', 0, 600_000, 0);
      if (ms === 0) getState().latency.delete(route);
      else getState().latency.set(route, ms);
    },

    async setCostModel(model) {
      const state = getState();
      state.costModel = resolveCostModel(model, state.costModel);
      return state.costModel;
    },

    async costModel() {
      return getState().costModel;
    },

    async injectFault(options) {
      if (!isObject(options)) throw optionError('options must be an object');
      const route = options.route;
      if (route !== '*' && !ROUTE_NAMES.includes(route))
        throw optionError(`route must be * or one of ${ROUTE_NAMES.join(', ')}`);
      const fault: Fault = {
        route,
        remaining: intInRange(options.count, 'count', 1, 1_000_000, 1),
        ...(options.status === undefined
          ? {}
          : { status: intInRange(options.status, 'status', 100, 599, 500) }),
        ...(options.body === undefined ? {} : { body: options.body }),
        ...(options.latencyMs === undefined
          ? {}
          : { latencyMs: intInRange(options.latencyMs, 'latencyMs', 0, 600_000, 0) }),
        ...(options.malformed ? { malformed: true } : {}),
        ...(options.drop ? { drop: true } : {}),
      };
      if (fault.status === undefined && !fault.malformed && !fault.drop && fault.latencyMs === undefined) {
        throw optionError('a fault needs status, malformed, drop or latencyMs');
      }
      getState().faults.push(fault);
    },

    async clearFaults() {
      getState().faults = [];
    },

    async advanceClock(ms) {
      const state = getState();
      if (typeof ms !== 'number' || !Number.isFinite(ms) || Math.abs(ms) > 100 * 365 * 86_400_000)
        throw optionError('ms must be a finite number');
      state.clockOffset += ms;
      return state.now();
    },

    async setClock(epochMs) {
      const state = getState();
      if (typeof epochMs !== 'number' || !Number.isFinite(epochMs) || epochMs < 0 || epochMs > 8.64e15) {
        throw optionError('epochMs must be a valid epoch time in milliseconds');
      }
      state.clockOffset += epochMs - state.now();
      return state.now();
    },

    now() {
      return getState().now();
    },

    async counters() {
      const state = getState();
      return { ...structuredClone(state.counters), ...state.asyncJobs.stats() };
    },

    async requestLog() {
      const state = getState();
      return state.log.slice(-state.options.requestLogSize).map(({ at, ...e }) => ({
        ...e,
        time: new Date(at ?? 0).toISOString(),
      }));
    },

    reset() {
      return hooks.reset();
    },
  };
  return admin;
}
