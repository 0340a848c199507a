import { randomBytes } from 'node:crypto';
/** Token facts the dashboard shows: expiry times only, never a token. */
export interface TokenInfo {
  readonly expiresAt: number;
  readonly refreshTokenExpiresAt?: number | undefined;
}

/** The names NetSuite gives a role and an entity (each may be missing). */
export interface Names {
  readonly role?: string | undefined;
  readonly entity?: string | undefined;
}

/** One page of rows. */
export interface RowPage {
  readonly rows: readonly Record<string, unknown>[];
  readonly hasMore: boolean;
}

/** What the callback learned from NetSuite's redirect. */
export interface CallbackParams {
  readonly code: string;
  readonly role?: string | undefined;
  readonly entity?: string | undefined;
  readonly company?: string | undefined;
}

/** What the background-access page shows: the certificate in use, never its key. */
export interface BackgroundAccess {
  readonly certificateId: string;
  readonly algorithm: string;
  readonly notAfter: number;
  readonly role: number;
  readonly entity: number;
  readonly enabledAt: number;
  /** The certificate replaced by the last rotation, and whether it is revoked yet. */
  readonly previous?: { readonly certificateId: string; readonly revoked: boolean } | undefined;
}

/** Background access (client credentials onboarded from a login) and its certificate's rotation. */
export interface BackgroundGateway {
  status(): Promise<BackgroundAccess | undefined>;
  /** Onboards: uploads a new certificate for the role and entity of the user's login, with the user's token. */
  enable(tokenKey: string, mapping: { role: string; entity: string }): Promise<BackgroundAccess>;
  /** Rotates the certificate (generate, upload, prove, switch, revoke the old one after the overlap). */
  rotate(): Promise<BackgroundAccess>;
  /** One call on client credentials alone: a token and the first customers. */
  run(): Promise<{ expiresAt: number; rows: readonly Record<string, unknown>[] }>;
}

/**
 * Everything the web layer asks of NetSuite, implemented with our packages in `netsuite.ts`. Tokens go in and
 * out of the token store here, keyed by a connection's `tokenKey`; they never reach the web layer.
 */
export interface NetSuiteGateway {
  readonly accountId: string;
  readonly tokenUrl: string;
  /** Origins the browser is sent to for login and consent (for the CSP `form-action`). */
  readonly loginOrigins: readonly string[];
  readonly usesEmulator: boolean;
  /** A new authorization request; `issuer` is what a callback's `iss` must equal, if it carries one (RFC 9207). */
  startAuthorization(
    redirectUri: string,
  ): Promise<{ url: string; state: string; codeVerifier: string; issuer: string }>;
  parseCallback(url: URL, expectedState: string, expectedIssuer: string): CallbackParams;
  connect(tokenKey: string, code: string, codeVerifier: string, redirectUri: string): Promise<TokenInfo>;
  tokenInfo(tokenKey: string): Promise<TokenInfo | undefined>;
  refresh(tokenKey: string): Promise<TokenInfo>;
  /** Revokes the tokens at NetSuite and deletes them here; deletes them even when revocation fails. */
  disconnect(tokenKey: string): Promise<{ revoked: boolean }>;
  listCustomers(tokenKey: string, page: { offset: number; limit: number }): Promise<RowPage>;
  getCustomer(tokenKey: string, id: string): Promise<Record<string, unknown>>;
  /** A record of any type with its JSON Schema from the metadata catalog, read in parallel. */
  typedRecord(
    tokenKey: string,
    type: string,
    id: string,
  ): Promise<{ schema: Record<string, unknown>; record: Record<string, unknown> }>;
  suiteql(tokenKey: string, query: string, page: { offset: number; limit: number }): Promise<RowPage>;
  /**
   * The names of the role and entity a login acts as, from SuiteQL's `role` and `employee` tables with the
   * login's own token; a name the role may not read is left out (never an error).
   */
  names(tokenKey: string, ids: { role?: string | undefined; entity?: string | undefined }): Promise<Names>;
  /**
   * Background access: a certificate the server onboarded with a user's login (Authorization Code token), so it
   * runs on client credentials from then on; rotated from the page.
   */
  readonly background?: BackgroundGateway | undefined;
  /** The machine-to-machine panel, when a certificate is configured. */
  readonly m2m?:
    | {
        readonly clientId: string;
        readonly certificateId: string;
        readonly algorithm?: string | undefined;
        run(): Promise<{ expiresAt: number; rows: readonly Record<string, unknown>[] }>;
      }
    | undefined;
  close(): Promise<void>;
}

/**
 * The store key of a new connection's grant, carrying the instant its session ends: the gateway stores the
 * grant no longer than that, so a session that expires (or whose cookie is lost) takes its refresh token with it.
 *
 * @example
 * grantKey(session.data.expiresAt) // 'tokens:1767225600000:Xq3…'
 */
export function grantKey(expiresAt: number): string {
  return `tokens:${Math.floor(expiresAt)}:${randomBytes(32).toString('base64url')}`;
}

/** The end of life a {@link grantKey} carries, if `key` is one. */
export function grantKeyExpiry(key: string): number | undefined {
  const m = /^tokens:(\d{1,16}):/.exec(key);
  return m ? Number(m[1]) : undefined;
}
