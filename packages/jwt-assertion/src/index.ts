// Public API of @netsuite-oauth/jwt-assertion: named exports only.
export { ACCEPTED_ALGORITHMS, type AssertionAlgorithm } from './algorithms.js';
export {
  type CertificateInfo,
  type CertificateKeyType,
  type GenerateCertificateOptions,
  type GeneratedCertificate,
  generateCertificate,
  type InspectCertificateOptions,
  inspectCertificate,
  MAX_VALIDITY_DAYS,
} from './certificate.js';
export { isJwtAssertionError, JwtAssertionError, type JwtAssertionErrorCode } from './errors.js';
export type { NetSuiteCurve, PrivateJwk, PrivateKeyInput } from './keys.js';
export {
  type CertificateExpiryWarning,
  createMultiCertificateSigner,
  jwtAssertionChannels,
  type MultiCertificateSigner,
  type MultiCertificateSignerOptions,
  type SignerCertificate,
} from './multi-signer.js';
export {
  checkClientCredentialsSetup,
  type SetupCheckOptions,
  type SetupCheckStatus,
  type SetupFinding,
} from './setup-check.js';
export {
  type AssertionScope,
  type AssertionSigner,
  type AssertionSignerOptions,
  createAssertionSigner,
  createClientAssertion,
  DEFAULT_LIFETIME_SECONDS,
  MAX_LIFETIME_SECONDS,
  NETSUITE_SCOPES,
  type SignOptions,
} from './signer.js';
