import { chooseAlgorithm } from './algorithms.js';
import { inspectCertificate } from './certificate.js';
import { isJwtAssertionError } from './errors.js';
import { certificateIdProblem, clientIdProblem, USUAL_CERTIFICATE_ID, USUAL_CLIENT_ID } from './ids.js';
import { describeKey, importPrivateKey, type KeyInfo, type PrivateKeyInput } from './keys.js';

/** How one finding of {@link checkClientCredentialsSetup} came out. */
export type SetupCheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

/** One finding: which part of the setup, how it came out, what was seen, and what to do about it. */
export interface SetupFinding {
  readonly check: 'client id' | 'certificate id' | 'private key' | 'algorithm' | 'certificate';
  readonly status: SetupCheckStatus;
  /** What was found, in plain words; never a key, secret or full id. */
  readonly detail: string;
  /** What to do, when the status is not `ok`. */
  readonly hint?: string | undefined;
}

/** Options of {@link checkClientCredentialsSetup}: what the signer would take, every field optional. */
export interface SetupCheckOptions {
  /** The integration record's Client ID (JWT `iss`). */
  readonly clientId?: string | undefined;
  /** The Certificate ID of the mapping (JWT `kid`). */
  readonly certificateId?: string | undefined;
  /** The private key, in any form {@link createAssertionSigner} takes. */
  readonly key?: PrivateKeyInput | undefined;
  readonly passphrase?: string | undefined;
  /** The algorithm the signer would be asked for. @default the key's own */
  readonly algorithm?: string | undefined;
  /** The certificate uploaded to NetSuite (PEM or DER): expiry, NetSuite's rules and whether the key matches. */
  readonly certificate?: string | Uint8Array | undefined;
  /** Days before expiry that make the certificate a warning. @default 30 */
  readonly warnDays?: number | undefined;
  /** The clock (epoch milliseconds). @default Date.now */
  readonly now?: (() => number) | undefined;
}

function message(error: unknown): string {
  return isJwtAssertionError(error) ? error.message : 'could not be read';
}

function clientIdFinding(clientId: string | undefined): SetupFinding {
  if (!clientId)
    return {
      check: 'client id',
      status: 'fail',
      detail: 'not set',
      hint: 'the Client ID shown once when the integration record was saved',
    };
  const problem = clientIdProblem(clientId);
  if (problem)
    return {
      check: 'client id',
      status: 'fail',
      detail: problem.replace(/^clientId /, ''),
      hint: 'the JWT iss must be the Client ID (64 hex characters), not the Application ID; NetSuite answers server_error or invalid_client otherwise',
    };
  if (USUAL_CLIENT_ID.test(clientId))
    return { check: 'client id', status: 'ok', detail: `${clientId.slice(0, 8)}… (64 hex characters)` };
  return {
    check: 'client id',
    status: 'warn',
    detail: 'not the usual 64 hex characters',
    hint: 'copy the Client ID (consumer key) from the integration record',
  };
}

function certificateIdFinding(certificateId: string | undefined, clientId: string | undefined): SetupFinding {
  if (!certificateId)
    return {
      check: 'certificate id',
      status: 'fail',
      detail: 'not set',
      hint: 'the Certificate ID from Setup > Integration > Manage Authentication > OAuth 2.0 Client Credentials (M2M) Setup',
    };
  const problem =
    certificateIdProblem(certificateId) ??
    (certificateId === clientId ? 'certificateId is the client id' : undefined);
  if (problem)
    return {
      check: 'certificate id',
      status: 'fail',
      detail: problem.replace(/^certificateId /, ''),
      hint: 'the kid is the Certificate ID NetSuite generated when the certificate was mapped (about 43 characters), not a thumbprint',
    };
  if (USUAL_CERTIFICATE_ID.test(certificateId))
    return { check: 'certificate id', status: 'ok', detail: certificateId };
  return {
    check: 'certificate id',
    status: 'warn',
    detail: 'unusual form',
    hint: 'NetSuite certificate ids are about 43 base64url characters',
  };
}

function keyFinding(options: SetupCheckOptions): { finding: SetupFinding; info?: KeyInfo } {
  if (options.key === undefined)
    return {
      finding: {
        check: 'private key',
        status: 'fail',
        detail: 'not set',
        hint: 'the private key of the certificate uploaded to NetSuite',
      },
    };
  try {
    const info = describeKey(importPrivateKey(options.key, options.passphrase));
    const detail = info.family === 'rsa' ? `RSA ${info.bits} bits` : `EC ${info.curve ?? info.bits}`;
    return { finding: { check: 'private key', status: 'ok', detail }, info };
  } catch (error) {
    const text = message(error);
    const encrypted = /passphrase|decrypt/i.test(text);
    return {
      finding: {
        check: 'private key',
        status: 'fail',
        detail: encrypted ? 'cannot decrypt the key' : text.replace(/^key /, ''),
        hint: encrypted
          ? 'give the passphrase of the encrypted key'
          : 'NetSuite accepts RSA 3072/4096-bit or EC P-256/P-384/P-521 keys: make a new key pair and certificate (generateCertificate())',
      },
    };
  }
}

function algorithmFinding(info: KeyInfo, algorithm: string | undefined): SetupFinding {
  try {
    const chosen = chooseAlgorithm(info, algorithm);
    return { check: 'algorithm', status: 'ok', detail: algorithm ? chosen : `${chosen} (from the key)` };
  } catch (error) {
    return {
      check: 'algorithm',
      status: 'fail',
      detail: algorithm ?? 'unknown',
      hint: message(error).replace(/^algorithm /, ''),
    };
  }
}

function certificateFinding(options: SetupCheckOptions, keyUsable: boolean): SetupFinding {
  const now = options.now ?? Date.now;
  let info: ReturnType<typeof inspectCertificate>;
  try {
    info = inspectCertificate(options.certificate as string | Uint8Array, {
      ...(keyUsable && options.key !== undefined ? { privateKey: options.key } : {}),
      passphrase: options.passphrase,
      now,
    });
  } catch (error) {
    return { check: 'certificate', status: 'fail', detail: message(error) };
  }
  const until = info.notAfter.toISOString().slice(0, 10);
  if (info.expired)
    return {
      check: 'certificate',
      status: 'fail',
      detail: `expired on ${until}`,
      hint: 'make a new certificate, upload and map it in NetSuite, and use its new certificate id',
    };
  if (info.matchesPrivateKey === false)
    return {
      check: 'certificate',
      status: 'fail',
      detail: 'does not match the private key',
      hint: 'the key signs, NetSuite verifies with the uploaded certificate: they must be one pair',
    };
  if (!info.acceptedByNetSuite)
    return {
      check: 'certificate',
      status: 'fail',
      detail: info.problems.join('; ') || 'NetSuite would refuse it',
    };
  if (info.daysLeft < (options.warnDays ?? 30))
    return {
      check: 'certificate',
      status: 'warn',
      detail: `expires in ${info.daysLeft} days (${until})`,
      hint: 'rotate it now: NetSuite allows up to 5 active certificates per integration',
    };
  return {
    check: 'certificate',
    status: 'ok',
    detail: `valid until ${until} (${info.daysLeft} days)${info.matchesPrivateKey ? ', matches the key' : ''}`,
  };
}

/**
 * Checks a client-credentials setup the way NetSuite will judge it, without any request: the Client ID (not the
 * Application ID), the Certificate ID (not a thumbprint), the key (RSA 3072/4096 or EC P-256/384/521), the
 * algorithm (no RS256; the curve fits the hash), and the certificate (expiry, NetSuite's rules, that the key
 * matches). The same rules {@link createAssertionSigner} enforces, reported one finding each instead of thrown.
 * Never throws; a finding never holds a key or a secret.
 *
 * @example
 * for (const f of checkClientCredentialsSetup({ clientId, certificateId, key: pem, certificate: certPem }))
 *   console.log(f.status, f.check, f.detail, f.hint ?? '');
 * @see https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_162790605110.html
 */
export function checkClientCredentialsSetup(options: SetupCheckOptions = {}): SetupFinding[] {
  const findings: SetupFinding[] = [
    clientIdFinding(options.clientId),
    certificateIdFinding(options.certificateId, options.clientId),
  ];
  const key = keyFinding(options);
  findings.push(key.finding);
  if (key.info) findings.push(algorithmFinding(key.info, options.algorithm));
  findings.push(
    options.certificate === undefined
      ? { check: 'certificate', status: 'skip', detail: 'not given: expiry and key match not checked' }
      : certificateFinding(options, key.info !== undefined),
  );
  return findings;
}
