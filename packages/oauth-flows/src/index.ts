// Public API of @netsuite-oauth/oauth-flows: named exports only.
export {
  type AuthorizationCallback,
  type AuthorizationCallbackOptions,
  type AuthorizationPrompt,
  type AuthorizationRequest,
  type AuthorizationRequestOptions,
  createAuthorizationRequest,
  type ExchangeCodeOptions,
  exchangeAuthorizationCode,
  parseAuthorizationCallback,
} from './authorization-code.js';
export {
  type AssertionSignerLike,
  type ClientCredentialsOptions,
  requestClientCredentialsToken,
} from './client-credentials.js';
export type { ClientCredentialsGrant } from './client-credentials-strategy.js';
export {
  type AuthorizationServerEvent,
  oauthFlowsChannels,
  type TokenCacheEvent,
  type TokenEvent,
  type TokenInvalidateEvent,
  type TokenLockEvent,
} from './diagnostics.js';
export { type OAuthErrorContext, oauthErrorHint } from './error-hints.js';
export {
  AuthorizationResponseError,
  isOAuthFlowError,
  OAuthFlowError,
  type OAuthFlowErrorCode,
  OAuthResponseError,
} from './errors.js';
export type { FetchLike } from './http.js';
export type { AccountOptions, OAuthClient, TransportOptions } from './options.js';
export { type RefreshOptions, refreshAccessToken } from './refresh.js';
export type { RefreshTokenGrant } from './refresh-token-strategy.js';
export { type RevokeOptions, revokeToken } from './revoke.js';
export type { TokenStoreLike } from './store-types.js';
export {
  createTokenManager,
  type TokenManager,
  type TokenManagerGrant,
  type TokenManagerOptions,
} from './token-manager.js';
export {
  createTokenManagers,
  type GrantResolver,
  type LogoutResult,
  type TokenManagers,
  type TokenManagersOptions,
  type TokenManagersStats,
} from './token-managers.js';
export { isTokenSet, TokenSet, type TokenSetInit } from './token-set.js';
