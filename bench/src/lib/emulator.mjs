import { randomUUID } from 'node:crypto';
import { importPKCS8, SignJWT } from 'jose';
import ky from 'ky';
import { startServer } from './child.mjs';

/**
 * Starts the emulator in its own process (see servers/emulator.mjs) and returns its handle.
 *
 * @example
 * const emu = await startEmulatorProcess({ concurrencyLimit: 1000 });
 * emu.info.url; await emu.call('admin', 'setConcurrencyLimit', 5); await emu.stop();
 */
export function startEmulatorProcess(options = {}) {
  return startServer(new URL('../servers/emulator.mjs', import.meta.url), {
    args: [JSON.stringify(options)],
    timeoutMs: 300_000,
  });
}

/**
 * The hand-written reference client for the client-credentials grant: jose signs the assertion and
 * global fetch posts it. About what a careful integrator writes without a library.
 *
 * @example
 * const getToken = await handWrittenTokenClient(emu.info);
 * const accessToken = await getToken();
 * const viaKy = await handWrittenTokenClient(emu.info, { http: 'ky' }); // the same, posted with plain ky
 */
export async function handWrittenTokenClient(
  { tokenUrl, clientId, keys },
  { keyIndex = 0, http = 'fetch' } = {},
) {
  const post =
    http === 'ky' ? (url, init) => ky.post(url, { ...init, retry: 0, throwHttpErrors: false }) : fetch;
  const { privateKeyPem, certificateId, algorithm } = keys[keyIndex];
  const key = await importPKCS8(privateKeyPem, algorithm);
  return async () => {
    const now = Math.floor(Date.now() / 1000);
    const assertion = await new SignJWT({ scope: ['rest_webservices', 'restlets'] })
      .setProtectedHeader({ typ: 'JWT', alg: algorithm, kid: certificateId })
      .setIssuer(clientId)
      .setAudience(tokenUrl)
      .setIssuedAt(now)
      .setExpirationTime(now + 300)
      .setJti(randomUUID())
      .sign(key);
    const response = await post(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
      }),
    });
    const body = await response.json();
    if (!response.ok || typeof body.access_token !== 'string') {
      throw new Error(`token request failed: ${response.status} ${body.error ?? ''}`);
    }
    return body.access_token;
  };
}
