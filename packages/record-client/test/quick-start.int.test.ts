// The README quick start, run as written, with the real layers: jwt-assertion → oauth-flows TokenManager → record-client.
import { generateTestCertificate, startEmulator } from '@netsuite-oauth/emulator';
import { createAssertionSigner } from '@netsuite-oauth/jwt-assertion';
import { createTokenManager } from '@netsuite-oauth/oauth-flows';
import { memoryTokenStore } from '@netsuite-oauth/token-store';
import { expect, it } from 'vitest';
import { createNetSuiteClient } from '../src/index.js';

it('README quick start: an oauth-flows TokenManager is a token source as is', async () => {
  const emu = await startEmulator({ port: 0 });
  try {
    const { clientId } = await emu.admin.createIntegration({ grants: ['client_credentials'] });
    const cert = await generateTestCertificate();
    const { certificateId } = await emu.admin.addCertificate({
      clientId,
      certificatePem: cert.certificatePem,
    });
    const signer = await createAssertionSigner({
      key: cert.privateKeyPem,
      certificateId,
      clientId,
      audience: emu.endpoints.tokenUrl,
    });
    const account = { accountId: emu.accountId, origin: emu.url, allowInsecureLoopback: true };
    const token = createTokenManager({
      store: memoryTokenStore(),
      key: 'quick-start',
      grant: { type: 'client_credentials', signer, ...account },
    });
    const client = createNetSuiteClient({ ...account, token });

    const { id } = await client.records.create('customer', { companyName: 'Acme', subsidiary: { id: '1' } });
    const customer = await client.records.get('customer', id, { fields: ['companyName'] });
    expect(customer.companyName).toBe('Acme');
    const rows = [];
    for await (const row of client.suiteql('SELECT id FROM customer WHERE id = ?', { params: [id] }))
      rows.push(row);
    expect(rows).toEqual([{ id }]);
    await token.close();
  } finally {
    await emu.close();
  }
});
