// `@netsuite-oauth/token-store/adapter`: what a token store adapter is built from. Applications do not need it; the
// stores in this repository (file, Redis) and third-party adapters use it to check their arguments the same way.
export { decodeBase64Url, encodeBase64Url } from './base64url.js';
export { assertStore } from './prefixed.js';
export {
  assertCondition,
  assertEntry,
  assertKey,
  MAX_KEY_LENGTH,
  MAX_LOCK_TTL_MS,
  MAX_LOCK_WAIT_MS,
  normalizeLockOptions,
} from './validate.js';
export { waitUntil } from './wait.js';
