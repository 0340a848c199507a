// Requests/s at concurrency 16: a cached-token record GET on the emulator against a raw node:http hello-world,
// both served from one child process (so the client does not share their event loop), in the same run.
// Run after `pnpm build`:  node bench/throughput.mjs [seconds-per-target]
import { fork } from 'node:child_process';
import { Agent, createServer, request } from 'node:http';
import { fileURLToPath } from 'node:url';

const CONCURRENCY = 16;

async function serve() {
  const { startEmulator, generateTestCertificate } = await import('../dist/index.js');
  const { SignJWT } = await import('jose');
  const { createPrivateKey } = await import('node:crypto');
  const hello = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 5 });
    res.end('hello');
  });
  await new Promise((r) => hello.listen(0, '127.0.0.1', r));
  const emu = await startEmulator({ port: 0, concurrencyLimit: 1000, requestLogSize: 100000 });
  const integration = await emu.admin.createIntegration();
  const cert = generateTestCertificate();
  const { certificateId } = await emu.admin.addCertificate({
    clientId: integration.clientId,
    certificatePem: cert.certificatePem,
  });
  const now = Math.floor(Date.now() / 1000);
  const assertion = await new SignJWT({
    iss: integration.clientId,
    scope: ['rest_webservices'],
    aud: emu.endpoints.tokenUrl,
    iat: now,
    exp: now + 300,
  })
    .setProtectedHeader({ alg: cert.algorithm, typ: 'JWT', kid: certificateId })
    .sign(createPrivateKey(cert.privateKeyPem));
  const res = await fetch(emu.endpoints.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    }),
  });
  const { access_token } = await res.json();
  process.on('message', async (msg) => {
    if (msg === 'stats') {
      const log = (await emu.admin.requestLog())
        .filter((e) => e.route === 'record')
        .map((e) => e.durationMs)
        .sort((a, b) => a - b);
      process.send({
        p50: log[Math.floor(log.length / 2)],
        p99: log[Math.floor(log.length * 0.99)],
        n: log.length,
      });
    } else if (msg === 'exit') {
      await emu.close();
      hello.close();
      process.exit(0);
    }
  });
  process.send({ hello: hello.address().port, emulator: emu.port, token: access_token });
}

async function load(port, path, headers, seconds) {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let done = 0;
  const end = performance.now() + seconds * 1000;
  const one = () =>
    new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, headers, agent }, (res) => {
        if (res.statusCode !== 200) reject(new Error(`status ${res.statusCode}`));
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end();
    });
  const worker = async () => {
    while (performance.now() < end) {
      await one();
      done++;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  agent.destroy();
  return done / ((performance.now() - start) / 1000);
}

if (process.argv[2] === 'serve') {
  await serve();
} else {
  const seconds = Number(process.argv[2] ?? 5);
  const child = fork(fileURLToPath(import.meta.url), ['serve']);
  const setup = await new Promise((r) => child.once('message', r));
  const auth = { authorization: `Bearer ${setup.token}` };
  await load(setup.emulator, '/services/rest/record/v1/customer/1', auth, 1); // warm-up
  await load(setup.hello, '/', {}, 1);
  const hello = await load(setup.hello, '/', {}, seconds);
  const emulator = await load(setup.emulator, '/services/rest/record/v1/customer/1', auth, seconds);
  child.send('stats');
  const stats = await new Promise((r) => child.once('message', r));
  child.send('exit');
  console.log(`node ${process.version}, concurrency ${CONCURRENCY}, ${seconds}s per target`);
  console.log(`raw node:http hello-world: ${Math.round(hello)} req/s`);
  console.log(`emulator GET /record/v1/customer/1 (cached token): ${Math.round(emulator)} req/s`);
  console.log(`ratio emulator / hello-world: ${(emulator / hello).toFixed(2)}`);
  console.log(
    `emulator server time per record GET (handler, ${stats.n} samples): p50 ${stats.p50} ms, p99 ${stats.p99} ms`,
  );
}
