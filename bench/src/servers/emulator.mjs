// The emulator in its own process, set up for benchmarks: one confidential integration with the
// client-credentials grant and one mapped certificate per requested key type. Options arrive as JSON
// in argv[2]; admin operations are forwarded from the parent (`call('admin', op, ...args)`).
import { failChild, serveChild } from '../lib/child.mjs';

const ALG = {
  'rsa-3072': 'PS256',
  'rsa-4096': 'PS512',
  'ec-p256': 'ES256',
  'ec-p384': 'ES384',
  'ec-p521': 'ES512',
};

async function main() {
  const options = JSON.parse(process.argv[2] ?? '{}');
  const { startEmulator } = await import('@netsuite-oauth/emulator');
  const { generateCertificate } = await import('@netsuite-oauth/jwt-assertion');
  const emu = await startEmulator({
    port: 0,
    host: '127.0.0.1',
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.concurrencyLimit !== undefined ? { concurrencyLimit: options.concurrencyLimit } : {}),
  });
  const integration = await emu.admin.createIntegration({
    name: 'bench',
    grants: ['client_credentials'],
    scopes: ['rest_webservices', 'restlets'],
  });
  const keys = [];
  for (const keyType of options.keyTypes ?? ['rsa-3072']) {
    const cert = await generateCertificate({ keyType, commonName: 'bench' });
    const { certificateId } = await emu.admin.addCertificate({
      clientId: integration.clientId,
      certificatePem: cert.certificatePem,
    });
    keys.push({
      keyType,
      algorithm: cert.algorithm ?? ALG[keyType],
      privateKeyPem: cert.privateKeyPem,
      certificateId,
    });
  }
  serveChild({
    info: {
      url: emu.url,
      accountId: emu.accountId,
      tokenUrl: emu.endpoints.tokenUrl,
      recordUrl: emu.endpoints.recordUrl,
      suiteqlUrl: emu.endpoints.suiteqlUrl,
      clientId: integration.clientId,
      keys,
    },
    handlers: {
      admin: (op, ...args) => {
        if (typeof emu.admin[op] !== 'function') throw new Error(`emulator admin has no ${op}`);
        return emu.admin[op](...args);
      },
    },
    close: () => emu.close(),
  });
}

main().catch(failChild);
