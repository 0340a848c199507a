// issue 6: token acquisitions/s against the emulator (client credentials, private_key_jwt, PS256 on
// RSA-3072 and ES256 on P-256 in a full run, ES256 only with --quick) — ours vs a hand-written fetch + jose client, openid-client and oauth4webapi configured for
// NetSuite — and the cached getAccessToken() path in ops/s.
import { availableParallelism } from 'node:os';
import { importPKCS8 } from 'jose';
import * as oauth from 'oauth4webapi';
import * as openid from 'openid-client';
import { handWrittenTokenClient, startEmulatorProcess } from '../lib/emulator.mjs';
import { closedLoopWithCpu, interleave, timedLoop } from '../lib/rounds.mjs';
import { plan, requireExports, shortfallCause, tryImport } from '../lib/setup.mjs';
import { pairedRatio, summarize } from '../lib/stats.mjs';

const SCOPE = ['rest_webservices', 'restlets'];
const KY_REF = 'the same hand-written client posting with plain ky';

// NetSuite wants aud = the token URL, the scope inside the assertion and `typ: JWT` in the header; both
// generic libraries follow RFC 7523bis (aud = issuer, no typ), so they need their modifyAssertion hook.
function netsuiteAssertion(tokenUrl) {
  return (header, payload) => {
    header.typ = 'JWT';
    payload.aud = tokenUrl;
    payload.scope = SCOPE;
  };
}

async function openidClientToken(info, keyIndex) {
  const { privateKeyPem, certificateId, algorithm } = info.keys[keyIndex];
  const key = await importPKCS8(privateKeyPem, algorithm);
  const config = new openid.Configuration(
    { issuer: info.url, token_endpoint: info.tokenUrl },
    info.clientId,
    {},
    openid.PrivateKeyJwt(
      { key, kid: certificateId },
      { [openid.modifyAssertion]: netsuiteAssertion(info.tokenUrl) },
    ),
  );
  openid.allowInsecureRequests(config);
  return async () => (await openid.clientCredentialsGrant(config)).access_token;
}

async function oauth4webapiToken(info, keyIndex) {
  const { privateKeyPem, certificateId, algorithm } = info.keys[keyIndex];
  const key = await importPKCS8(privateKeyPem, algorithm);
  const as = { issuer: info.url, token_endpoint: info.tokenUrl };
  const client = { client_id: info.clientId };
  const auth = oauth.PrivateKeyJwt(
    { key, kid: certificateId },
    { [oauth.modifyAssertion]: netsuiteAssertion(info.tokenUrl) },
  );
  return async () => {
    const response = await oauth.clientCredentialsGrantRequest(as, client, auth, new URLSearchParams(), {
      [oauth.allowInsecureRequests]: true,
    });
    return (await oauth.processClientCredentialsResponse(as, client, response)).access_token;
  };
}

async function ourPieces(info, keyIndex) {
  const jwt = requireExports(
    await tryImport('@netsuite-oauth/jwt-assertion'),
    '@netsuite-oauth/jwt-assertion',
    ['createAssertionSigner'],
  );
  const flows = requireExports(
    await tryImport('@netsuite-oauth/oauth-flows'),
    '@netsuite-oauth/oauth-flows',
    ['requestClientCredentialsToken'],
  );
  const { privateKeyPem, certificateId } = info.keys[keyIndex];
  const signer = await jwt.createAssertionSigner({
    key: privateKeyPem,
    certificateId,
    clientId: info.clientId,
    audience: info.tokenUrl,
    scope: SCOPE,
  });
  // The same signer letting as many signatures on the thread pool as there are cores (the default leaves one
  // core to the event loop): the throughput side of that trade-off, measured for the algorithms it gates.
  const coresSigner = await jwt.createAssertionSigner({
    key: privateKeyPem,
    certificateId,
    clientId: info.clientId,
    audience: info.tokenUrl,
    scope: SCOPE,
    threadPoolConcurrency: availableParallelism(),
  });
  const account = { accountId: info.accountId, origin: info.url, allowInsecureLoopback: true };
  return { jwt, flows, signer, coresSigner, account };
}

// One key type: ours, the hand-written references, openid-client and oauth4webapi in interleaved rounds.
async function acquisitionPass({ info, keyIndex, concurrency, rounds, warmup, sliceMs, emu, problems, log }) {
  const { algorithm: alg, keyType } = info.keys[keyIndex];
  const variants = [];
  const perCpu = new Map();
  const add = (name, op) =>
    variants.push({
      name,
      measure: async () => {
        const { opsPerSecond, opsPerCpuSecond, clientCpuSeconds, done, errors, firstError } =
          await closedLoopWithCpu({
            server: emu,
            concurrency,
            durationMs: sliceMs,
            op,
          });
        if (errors) throw new Error(`${name}: ${errors} failed token requests: ${firstError?.message}`);
        perCpu.set(name, [...(perCpu.get(name) ?? []), opsPerCpuSecond]);
        addCpu(name, (clientCpuSeconds * 1e6) / done);
        return opsPerSecond;
      },
    });
  let ours;
  const clientCpu = new Map();
  const addCpu = (name, micros) => clientCpu.set(name, [...(clientCpu.get(name) ?? []), micros]);
  try {
    ours = await ourPieces(info, keyIndex);
    add('ours', () => ours.flows.requestClientCredentialsToken({ ...ours.account, signer: ours.signer }));
    if (ours.signer.algorithm !== 'ES256') {
      add('ours-cores', () =>
        ours.flows.requestClientCredentialsToken({ ...ours.account, signer: ours.coresSigner }),
      );
    }
  } catch (error) {
    problems.push(error.message);
  }
  add('hand', await handWrittenTokenClient(info, { keyIndex }));
  add('hand-ky', await handWrittenTokenClient(info, { keyIndex, http: 'ky' }));
  for (const [name, factory] of [
    ['openid-client', openidClientToken],
    ['oauth4webapi', oauth4webapiToken],
  ]) {
    try {
      const op = await factory(info, keyIndex);
      await op();
      add(name, op);
    } catch (error) {
      problems.push(`${name} could not get a token from the emulator: ${error.message}`);
    }
  }
  const samples = await interleave({
    rounds,
    warmup,
    onError: (v, e) => problems.push(`${v.name}: ${e.message}`),
    variants,
  });
  log(`token acquisition (${alg}, concurrency ${concurrency}) done`);
  const ref = 'hand-written fetch + jose';
  for (const [name, values] of perCpu) perCpu.set(name, values.slice(-rounds));
  for (const [name, values] of clientCpu) clientCpu.set(name, values.slice(-rounds));
  const rowsOf = (figures) => [
    {
      name: '@netsuite-oauth/oauth-flows `requestClientCredentialsToken`',
      samples: figures.get('ours') ?? [],
      ref: [ref, KY_REF],
    },
    ...(figures.has('ours-cores')
      ? [
          {
            name: `the same, signer with \`threadPoolConcurrency: ${availableParallelism()}\` (every core)`,
            samples: figures.get('ours-cores') ?? [],
            ref: [ref, '@netsuite-oauth/oauth-flows `requestClientCredentialsToken`'],
          },
        ]
      : []),
    { name: 'openid-client `clientCredentialsGrant`', samples: figures.get('openid-client') ?? [], ref },
    {
      name: 'oauth4webapi `clientCredentialsGrantRequest`',
      samples: figures.get('oauth4webapi') ?? [],
      ref,
    },
    { name: KY_REF, samples: figures.get('hand-ky') ?? [], ref },
    { name: ref, samples: figures.get('hand') ?? [], isReference: true },
  ];
  const at = `concurrency ${concurrency}`;
  const acquisitionCpu = {
    title: `Token acquisition at ${at}: requests per CPU-second (${alg} / ${keyType}; client and emulator processes together)`,
    short: `Token acquisition (${alg}, c=${concurrency}) per CPU-second`,
    unit: 'req/s',
    figure: 'median req per CPU-s',
    rows: rowsOf(perCpu),
  };
  const acquisitionClientCpu = {
    title: `Token acquisition at ${at}: client CPU time per request (${alg} / ${keyType}; all threads of the client process)`,
    short: `Token acquisition (${alg}, c=${concurrency}) client CPU per request`,
    unit: 'µs',
    summary: false,
    rows: rowsOf(clientCpu),
  };
  const acquisition = {
    title: `Token acquisition (client credentials, ${alg} / ${keyType}, ${at})`,
    short: `Token acquisition (${alg}, c=${concurrency})`,
    unit: 'req/s',
    rows: rowsOf(samples),
  };
  const ratio = pairedRatio(samples.get('ours') ?? [], samples.get('hand'));
  const cpuRatio = pairedRatio(perCpu.get('ours') ?? [], perCpu.get('hand') ?? []);
  const viaKy = pairedRatio(samples.get('ours') ?? [], samples.get('hand-ky') ?? []);
  const goal = concurrency === 1 ? 0.95 : 1.0;
  const target = {
    issue: concurrency === 1 ? '#6 oauth-flows' : '#17 oauth-flows',
    target: `token acquisitions/s at concurrency ${concurrency} ≥ ${goal.toFixed(2)}× a hand-written fetch + jose client (${alg} / ${keyType})`,
    measured: ratio.n
      ? `${ratio.median.toFixed(3)}× (per CPU-second: ${cpuRatio.median.toFixed(2)}×; vs the same client on ky: ${viaKy.median.toFixed(2)}×)`
      : 'not measured',
    met: ratio.n ? ratio.median >= goal : null,
    cause:
      ratio.n && ratio.median < goal
        ? shortfallCause({
            goal,
            cpuRatio: cpuRatio.median,
            otherwise:
              'not profiled here; see the client CPU table — likely the per-request work the hand-written ' +
              'client skips (option checks, strict response validation, error mapping)',
          })
        : undefined,
  };
  const targets = [target];
  const cores = pairedRatio(samples.get('ours-cores') ?? [], samples.get('hand') ?? []);
  if (cores.n) {
    targets.push({
      issue: '#17 jwt-assertion',
      target: `token acquisitions/s at concurrency ${concurrency} with the signer's threadPoolConcurrency = ${availableParallelism()} (every core) vs the hand-written client (${alg}; report: the default leaves one core to the event loop)`,
      measured: `${cores.median.toFixed(3)}× (default signer ${ratio.median.toFixed(3)}×)`,
      met: null,
    });
  }
  if (concurrency === 1) {
    // Issue 17 asks ≥ 1.0× at c=1 as well; the older issue-6 target (0.95×) stays for comparison.
    targets.push({
      ...target,
      issue: '#17 oauth-flows',
      target: target.target.replace('≥ 0.95×', '≥ 1.00×'),
      met: ratio.n ? ratio.median >= 1.0 : null,
      cause:
        ratio.n && ratio.median < 1.0
          ? (target.cause ??
            shortfallCause({ goal: 1.0, cpuRatio: cpuRatio.median, otherwise: 'see the client CPU table' }))
          : undefined,
    });
  }
  return { sections: [acquisition, acquisitionCpu, acquisitionClientCpu], targets, ours };
}

export async function run({ quick, log }) {
  const problems = [];
  const { rounds, warmup, sliceMs } = plan(quick, { rounds: 7, sliceMs: 600 }, { sliceMs: 100 });
  const emu = await startEmulatorProcess({
    keyTypes: quick ? ['ec-p256'] : ['rsa-3072', 'ec-p256'],
    concurrencyLimit: 1000,
  });
  try {
    const info = emu.info;
    const sections = [];
    const targets = [];
    let ours;
    // One pass per key type (PS256 first: the issue's headline figure) and concurrency (1, then 16), each its
    // own interleaved rounds.
    for (let keyIndex = 0; keyIndex < info.keys.length; keyIndex++) {
      for (const concurrency of [1, 16]) {
        const pass = await acquisitionPass({
          info,
          keyIndex,
          concurrency,
          rounds,
          warmup,
          sliceMs,
          emu,
          problems,
          log,
        });
        sections.push(...pass.sections);
        targets.push(...pass.targets);
        ours ??= pass.ours;
      }
    }

    // The cached path: a token manager over the memory store, token already in the store.
    const cached = {
      title: 'Cached `getAccessToken()` (memory store, token in cache)',
      short: 'Cached getAccessToken()',
      unit: 'ops/s',
      rows: [],
    };
    let manager;
    try {
      if (!ours) throw new Error('our packages are not available');
      const flows = requireExports(ours.flows, '@netsuite-oauth/oauth-flows', ['createTokenManager']);
      const stores = requireExports(
        await tryImport('@netsuite-oauth/token-store'),
        '@netsuite-oauth/token-store',
        ['memoryTokenStore'],
      );
      manager = flows.createTokenManager({
        store: stores.memoryTokenStore(),
        key: 'bench',
        grant: { type: 'client_credentials', ...ours.account, signer: ours.signer },
      });
      const first = await manager.getAccessToken();
      if (typeof first !== 'string' || (await manager.getAccessToken()) !== first) {
        throw new Error('getAccessToken() did not serve the cached token');
      }
    } catch (error) {
      problems.push(`cached getAccessToken: ${error.message}`);
      manager = undefined;
    }
    // Reference: the least a cache can do — an async function that reads a Map and checks expiry.
    const map = new Map([['bench', { value: 'token', expiresAt: Date.now() + 3_600_000 }]]);
    const minimal = async () => {
      const entry = map.get('bench');
      if (entry && entry.expiresAt - 60_000 > Date.now()) return entry.value;
      throw new Error('expired');
    };
    const cachedSamples = await interleave({
      rounds,
      warmup,
      onError: (v, e) => problems.push(`${v.name}: ${e.message}`),
      variants: [
        ...(manager
          ? [
              {
                name: 'ours',
                measure: () =>
                  timedLoop({
                    durationMs: sliceMs / 2,
                    op: () => manager.getAccessToken(),
                    isAsync: true,
                    batch: 64,
                  }),
              },
            ]
          : []),
        {
          name: 'map',
          measure: () => timedLoop({ durationMs: sliceMs / 2, op: minimal, isAsync: true, batch: 64 }),
        },
      ],
    });
    const mapRef = 'async Map lookup + expiry check';
    cached.rows.push(
      {
        name: '@netsuite-oauth/oauth-flows `TokenManager.getAccessToken()`',
        samples: cachedSamples.get('ours') ?? [],
        ref: mapRef,
      },
      { name: mapRef, samples: cachedSamples.get('map'), isReference: true },
    );
    const cachedStats = summarize(cachedSamples.get('ours') ?? []);
    targets.push({
      issue: '#6 oauth-flows',
      target: 'cached getAccessToken() > 1,000,000 ops/s (memory store)',
      measured: cachedStats.n
        ? `${Math.round(cachedStats.median).toLocaleString('en-US')} ops/s`
        : 'not measured',
      met: cachedStats.n ? cachedStats.median > 1_000_000 : null,
    });
    await manager?.close?.();
    return {
      title: 'Token acquisition and the cached token (issues 6, 17)',
      intro:
        'Against the emulator in its own process. Every variant signs a fresh assertion with the same key ' +
        '(in a full run PS256 with RSA-3072, then ES256 with P-256, each in its own rounds; ES256 only with ' +
        '`--quick`) and posts it, with 1 and then 16 requests in flight (closed loop); openid-client and oauth4webapi use their `modifyAssertion` hook to set ' +
        '`aud` to the token URL, put `scope` in the assertion and `typ: JWT` in its header, as NetSuite requires.',
      sections: [...sections, cached],
      targets,
      notes: [],
      problems,
      failed: problems.length > 0,
    };
  } finally {
    await emu.stop();
  }
}
