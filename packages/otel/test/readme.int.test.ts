import { generateTestCertificate, startEmulator } from '@netsuite-oauth/emulator';
import { createAssertionSigner } from '@netsuite-oauth/jwt-assertion';
import { createTokenManager } from '@netsuite-oauth/oauth-flows';
import { createNetSuiteClient } from '@netsuite-oauth/record-client';
import { memoryTokenStore } from '@netsuite-oauth/token-store';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { expect, it } from 'vitest';
import { instrumentNetSuite } from '../src/index.js';

it('the README quick start runs against the emulator', async () => {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const instrumentation = instrumentNetSuite({ tracerProvider });

  const emu = await startEmulator({ port: 0 });
  const { clientId } = await emu.admin.createIntegration({ grants: ['client_credentials'] });
  const cert = await generateTestCertificate();
  const { certificateId } = await emu.admin.addCertificate({ clientId, certificatePem: cert.certificatePem });
  const signer = await createAssertionSigner({
    key: cert.privateKeyPem,
    certificateId,
    clientId,
    audience: emu.endpoints.tokenUrl,
  });
  const account = { accountId: emu.accountId, origin: emu.url, allowInsecureLoopback: true };
  const token = createTokenManager({
    store: memoryTokenStore(),
    key: 'demo',
    grant: { type: 'client_credentials', signer, ...account },
  });
  const client = createNetSuiteClient({ ...account, token });

  console.log(await client.governanceLimits());
  expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual([
    'POST token',
    'netsuite.token client_credentials',
    'GET system/v1/governanceLimits',
  ]);
  instrumentation.disable();
  await emu.close();
});
