// Public API of @netsuite-oauth/emulator: named exports only.
export type {
  AddCertificateOptions,
  CertificateInfo,
  CreateIntegrationOptions,
  CreateUserOptions,
  DeployRestletOptions,
  EmulatorAdmin,
  FaultOptions,
  IntegrationInfo,
  UserInfo,
} from './admin.js';
export {
  generateTestCertificate,
  type TestCertificate,
  type TestCertificateOptions,
  type TestKeyType,
} from './certificate.js';
export type {
  ConsentPolicy,
  Counters,
  Grant,
  RequestLogEntry,
  RestletHandler,
  RestletRequest,
  RouteName,
} from './context.js';
export { EmulatorError, type EmulatorErrorCode, isEmulatorError } from './errors.js';
export type { SeedOptions } from './seed.js';
export {
  DEFAULT_USER_EMAIL,
  DEFAULT_USER_PASSWORD,
  type Emulator,
  type EmulatorEndpoints,
  type EmulatorOptions,
  startEmulator,
} from './server.js';
