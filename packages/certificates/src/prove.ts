import { netsuiteEndpoints } from '@netsuite-oauth/core';
import { createAssertionSigner } from '@netsuite-oauth/jwt-assertion';
import { requestClientCredentialsToken } from '@netsuite-oauth/oauth-flows';
import { CertificatesError } from './errors.js';

/** Where the token endpoint is and how to reach it: the account options every function here shares. */
export interface ProveTarget {
  readonly accountId: string;
  readonly origin?: string | URL | undefined;
  readonly allowInsecureLoopback?: boolean | undefined;
  readonly clientId: string;
  readonly fetch?: typeof globalThis.fetch | undefined;
  readonly timeoutMs?: number | undefined;
  readonly scope?: string | readonly string[] | undefined;
  readonly now: () => number;
}

/** True when a client-credentials token is issued for `certificateId` signed with `privateKeyPem`. */
export async function tokenWorks(
  target: ProveTarget,
  privateKeyPem: string,
  certificateId: string,
): Promise<boolean> {
  const account = {
    accountId: target.accountId,
    ...(target.origin === undefined ? {} : { origin: target.origin }),
    allowInsecureLoopback: target.allowInsecureLoopback === true,
  };
  const signer = await createAssertionSigner({
    key: privateKeyPem,
    certificateId,
    clientId: target.clientId,
    audience: netsuiteEndpoints(account.accountId, account).tokenUrl,
    scope: target.scope ?? ['rest_webservices'],
    now: target.now,
  });
  try {
    await requestClientCredentialsToken({
      ...account,
      signer,
      now: target.now,
      ...(target.fetch === undefined ? {} : { fetch: target.fetch }),
      ...(target.timeoutMs === undefined ? {} : { timeoutMs: target.timeoutMs }),
    });
    return true;
  } catch (error) {
    if ((error as { name?: unknown }).name === 'OAuthResponseError') return false;
    throw new CertificatesError('ERR_CERTIFICATES_NETWORK', 'the token endpoint could not be reached', {
      cause: error,
    });
  }
}

/** Proves a token can be had with the new certificate, retrying while it propagates. */
export async function proveCertificate(
  target: ProveTarget,
  privateKeyPem: string,
  certificateId: string,
  attempts: number,
  delayMs: number,
): Promise<void> {
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    if (await tokenWorks(target, privateKeyPem, certificateId)) return;
    if (attempt < attempts) await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
  throw new CertificatesError(
    'ERR_CERTIFICATES_PROOF_FAILED',
    `no token could be obtained with the new certificate after ${attempts} attempts (it may still be propagating: run again)`,
  );
}
