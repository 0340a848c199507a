import type { KeyObject } from 'node:crypto';

/** Scopes an integration record can enable. */
export const KNOWN_SCOPES = new Set(['rest_webservices', 'restlets', 'suite_analytics', 'mcp']);
/** Grants an integration record can enable. */
export type Grant = 'client_credentials' | 'authorization_code';
/** The integration record's Consent Policy: Always Ask, Ask First Time, Never Ask (section_162626471013.html). */
export type ConsentPolicy = 'always' | 'first_time' | 'never';

/** An integration record (client id, secret, grants, redirect URIs, scopes, token lifetimes). */
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

/** A row of "OAuth 2.0 Client Credentials (M2M) Setup": certificate → integration, role and entity. */
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
