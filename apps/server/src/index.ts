// Public API of @netsuite-oauth/server: named exports only. The app runs from `main.ts`; these exports are
// what its tests and anyone embedding the demo use.
export { type App, type AppOptions, createApp, type DescribedError, describeError } from './app.js';
export { ENVIRONMENT, parseServerEnv, type ServerEnvConfig } from './config.js';
export { clearSessionCookie, parseCookies, SESSION_COOKIE, sessionCookie } from './cookies.js';
export { isServerError, ServerError, type ServerErrorCode } from './errors.js';
export type { CallbackParams, NetSuiteGateway, RowPage, TokenInfo } from './gateway.js';
export { escapeHtml, html, type SafeHtml } from './html.js';
export { MAX_BODY_BYTES, readForm, type SecurityHeaderOptions, securityHeaders } from './http.js';
export { createNetSuiteGateway, type M2MSettings, type NetSuiteGatewayOptions } from './netsuite.js';
export { DEFAULT_RETURN_TO, safeReturnTo } from './return-to.js';
export {
  type ConnectionLimits,
  type NetSuiteAccountOptions,
  type RunningServer,
  type StartServerOptions,
  startServer,
} from './server.js';
export {
  type Connection,
  type Session,
  type SessionData,
  SessionManager,
  type SessionManagerOptions,
} from './session.js';
export type { KeyValueStore } from './store.js';
export { type CreatedStore, createStoreFromConfig } from './store-setup.js';
export {
  type LoginTransaction,
  type TakeFailure,
  TransactionStore,
  type TransactionStoreOptions,
} from './transactions.js';
