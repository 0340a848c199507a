// The rules for the two ids a client assertion carries, in one place: the signer refuses what they refuse, and
// checkClientCredentialsSetup() reports the same findings in plain words.

// An Application ID (a GUID, with or without braces) where the Client ID belongs.
const GUID = /^\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?$/i;
// A certificate thumbprint: SHA-1 or SHA-256 in hex, bare or in the colon form (`AB:CD:…`).
const FINGERPRINT = /^(?:[0-9a-f]{2}:){19,}[0-9a-f]{2}$|^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;
const PRINTABLE = /^[\x21-\x7e]+$/;
/** What NetSuite shows as a Client ID: 64 hex characters. */
export const USUAL_CLIENT_ID = /^[0-9a-f]{64}$/i;
/** What NetSuite shows as a Certificate ID: about 43 base64url characters. */
export const USUAL_CERTIFICATE_ID = /^[A-Za-z0-9_-]{20,128}$/;

/** Why `clientId` cannot be a Client ID (JWT `iss`), or undefined when it can. */
export function clientIdProblem(clientId: string): string | undefined {
  if (GUID.test(clientId))
    return 'clientId looks like the Application ID (a GUID); use the integration record’s Client ID';
  if (!PRINTABLE.test(clientId))
    return 'clientId must be printable ASCII without spaces (the integration record’s Client ID)';
  return undefined;
}

/** Why `certificateId` cannot be a Certificate ID (JWT `kid`), or undefined when it can. */
export function certificateIdProblem(certificateId: string): string | undefined {
  if (FINGERPRINT.test(certificateId))
    return 'certificateId looks like a certificate fingerprint; use the Certificate ID NetSuite generated for the mapping';
  if (!PRINTABLE.test(certificateId))
    return 'certificateId must be printable ASCII without spaces (the Certificate ID NetSuite generated)';
  return undefined;
}
