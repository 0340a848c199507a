/** The tokens descending from one authorization: revoking the family revokes them all. */
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

/** A login in progress on the authorize page, between the first GET and the code redirect. */
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
