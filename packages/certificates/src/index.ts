// Public API of @netsuite-oauth/certificates: named exports only.
export {
  type AccessTokenSource,
  type CertificatesClient,
  type CertificatesClientOptions,
  createCertificatesClient,
  type UploadCertificateOptions,
} from './client.js';
export {
  CertificatesApiError,
  CertificatesError,
  type CertificatesErrorCode,
  isCertificatesError,
} from './errors.js';
export { type CertificateExpiry, certificateExpiry } from './expiry.js';
export { type OnboardOptions, type OnboardResult, onboardClientCredentials } from './onboard.js';
export {
  type CertificateSwitch,
  type NewCertificateKey,
  type RotateCertificateOptions,
  type RotationPhase,
  type RotationResult,
  type RotationState,
  type RotationStateStore,
  readRotationState,
  rotateCertificate,
} from './rotate.js';
export type { NetSuiteCertificate } from './wire.js';
