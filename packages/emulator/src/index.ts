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
export { type CliStart, startFromArgs } from './cli.js';
export { type CostModel, DEFAULT_COST_MODEL } from './cost-model.js';
export type { Counters } from './counters.js';
export type { CustomFieldOptions, Customizations, CustomRecordTypeOptions } from './customization.js';
export { EmulatorError, type EmulatorErrorCode, isEmulatorError } from './errors.js';
export type { ConsentPolicy, Grant } from './integration.js';
export type { EmulatorAccountOptions, EmulatorOptions } from './options.js';
export type { RequestLogEntry } from './request-log.js';
export type { RestletHandler, RestletRequest } from './restlets.js';
export type { RouteName } from './routes.js';
export type { SeedOptions } from './seed.js';
export {
  DEFAULT_USER_EMAIL,
  DEFAULT_USER_PASSWORD,
  type Emulator,
  type EmulatorAccount,
  type EmulatorEndpoints,
  startEmulator,
} from './server.js';
