// issue 19 (finding 1): a signed-in page of the demo server must not slow down because anonymous visitors came
// before. Two demo servers, each started as users start it (`node apps/server/dist/main.js`, encrypted file
// store, in-process emulator), each with one signed-in user; one of them first gets 5,000 anonymous requests.
// Their dashboards are then measured in interleaved rounds: the figure is the paired ratio. The file store's
// own cost per write is measured the same way: one key written next to 10 keys vs next to many.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { closedLoop, interleave } from '../lib/rounds.mjs';
import { plan, tryImport } from '../lib/setup.mjs';
import { median, pairedRatio } from '../lib/stats.mjs';

const CONCURRENCY = 16;
const ANONYMOUS = 5_000;

/** Starts `main.js` of the demo server with its file store in `dir`; resolves its URL once it listens. */
async function startDemoServer(dir, key) {
  const main = join(
    dirname(createRequire(import.meta.url).resolve('@netsuite-oauth/server/package.json')),
    'dist',
    'main.js',
  );
  const child = spawn(process.execPath, [main], {
    env: {
      PATH: process.env.PATH ?? '',
      PORT: '0',
      TOKEN_STORE_FILE: join(dir, 'store'),
      TOKEN_STORE_KEY: key,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const url = await new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error('the demo server did not start within 120 s')), 120_000);
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      // Its request log keeps coming: read (and drop) it all, so the pipe never fills.
      if (text === undefined) return;
      text += chunk;
      const m = /NetSuite OAuth demo server: (http:\/\/127\.0\.0\.1:\d+)/.exec(text);
      if (m) {
        clearTimeout(timer);
        text = undefined;
        resolve(m[1]);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the demo server exited (${code})`));
    });
  });
  return {
    url,
    storeDir: join(dir, 'store'),
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A minimal browser: one cookie jar per origin, redirects not followed. */
function browser() {
  const jars = new Map();
  const request = async (url, { form } = {}) => {
    const target = new URL(url);
    const jar = jars.get(target.origin) ?? new Map();
    jars.set(target.origin, jar);
    const headers = {};
    if (jar.size) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const response = await fetch(target, {
      method: form ? 'POST' : 'GET',
      headers,
      redirect: 'manual',
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const name = pair.slice(0, pair.indexOf('=')).trim();
      const value = pair.slice(pair.indexOf('=') + 1).trim();
      if (value === '' || attrs.some((a) => /max-age=0$/i.test(a.trim()))) jar.delete(name);
      else jar.set(name, value);
    }
    return {
      status: response.status,
      location: response.headers.get('location'),
      body: await response.text(),
    };
  };
  return { request, jars };
}

const field = (body, name) => {
  const m = new RegExp(`name="${name}" value="([^"]+)"`).exec(body);
  if (!m) throw new Error(`no ${name} field on the page`);
  return m[1];
};

/** Signs in on the demo server through the emulator's login and consent pages; returns the session cookie. */
async function signIn(url) {
  const b = browser();
  const home = await b.request(`${url}/`);
  const connect = await b.request(`${url}/connect`, { form: { csrf: field(home.body, 'csrf') } });
  const authorize = new URL(connect.location);
  let page = await b.request(authorize.toString());
  if (page.body.includes('id="login-form"')) {
    page = await b.request(`${authorize.origin}${authorize.pathname}`, {
      form: {
        txn: field(page.body, 'txn'),
        action: 'login',
        email: 'admin@example.com',
        password: 'emulator-password',
      },
    });
  }
  if (page.body.includes('id="consent-form"')) {
    page = await b.request(`${authorize.origin}${authorize.pathname}`, {
      form: { txn: field(page.body, 'txn'), action: 'consent', decision: 'allow' },
    });
  }
  const callback = await b.request(page.location);
  if (callback.status !== 303) throw new Error(`sign-in failed: callback answered ${callback.status}`);
  const sid = b.jars.get(new URL(url).origin)?.get('__Host-nsdemo-sid');
  if (!sid) throw new Error('sign-in set no session cookie');
  return `__Host-nsdemo-sid=${sid}`;
}

function storeFigures(dir) {
  let files = 0;
  let bytes = 0;
  for (const name of readdirSync(dir)) {
    files += 1;
    bytes += statSync(join(dir, name)).size;
  }
  return { files, bytes };
}

/** Anonymous traffic of every kind the review found creating sessions, at `CONCURRENCY` in flight. */
async function anonymousTraffic(url, count) {
  const kinds = [
    () => fetch(`${url}/`, { redirect: 'manual' }),
    () => fetch(`${url}/m2m`, { redirect: 'manual' }),
    () =>
      fetch(`${url}/m2m`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'csrf=x',
      }),
    () =>
      fetch(`${url}/dashboard`, {
        redirect: 'manual',
        headers: { cookie: `__Host-nsdemo-sid=${'u'.repeat(43)}` },
      }),
  ];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) {
        const response = await kinds[next++ % kinds.length]();
        await response.arrayBuffer();
      }
    }),
  );
  return count / ((performance.now() - started) / 1000);
}

export async function run({ quick, log }) {
  const { rounds, warmup, sliceMs } = plan(quick, { rounds: 7, sliceMs: 600 }, { sliceMs: 60 });
  const sequential = quick ? 5 : 60;
  const anonymous = quick ? 200 : ANONYMOUS;
  const { generateEncryptionKey } = await tryImport('@netsuite-oauth/token-store');
  const root = mkdtempSync(join(tmpdir(), 'bench-server-'));
  const servers = [];
  try {
    for (const name of ['fresh', 'visited']) {
      const dir = join(root, name);
      const server = await startDemoServer(mkdtempSync(`${dir}-`), generateEncryptionKey());
      servers.push({ name, ...server, cookie: await signIn(server.url) });
    }
    const [fresh, visited] = servers;
    const storeBefore = storeFigures(visited.storeDir);
    const anonymousRate = await anonymousTraffic(visited.url, anonymous);
    const storeAfter = storeFigures(visited.storeDir);
    log(`server: ${anonymous} anonymous requests at ${anonymousRate.toFixed(0)} req/s`);

    const dashboard = (server) => async () => {
      const response = await fetch(`${server.url}/dashboard`, {
        headers: { cookie: server.cookie },
        redirect: 'manual',
      });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`dashboard answered ${response.status}`);
    };
    // One request in flight: median latency of `sequential` requests (ms).
    const latency = (server) => async () => {
      const times = [];
      for (let i = 0; i < sequential; i++) {
        const start = performance.now();
        await dashboard(server)();
        times.push(performance.now() - start);
      }
      return median(times);
    };
    const throughput = (server) => async () => {
      const result = await closedLoop({
        concurrency: CONCURRENCY,
        durationMs: sliceMs,
        op: dashboard(server),
      });
      if (result.errors) throw new Error(`${result.errors} failed requests: ${result.firstError?.message}`);
      return result.opsPerSecond;
    };
    const samples = await interleave({
      rounds,
      warmup,
      variants: [
        { name: 'fresh c1', measure: latency(fresh) },
        { name: 'visited c1', measure: latency(visited) },
        { name: 'fresh c16', measure: throughput(fresh) },
        { name: 'visited c16', measure: throughput(visited) },
      ],
    });
    log('server dashboards done');

    // The file store alone: one key written next to 10 keys vs next to many (per-key files: no difference).
    const { fileTokenStore } = await tryImport('@netsuite-oauth/token-store-file');
    const many = quick ? 200 : 2_000;
    const makeStore = async (name, keys) => {
      const store = fileTokenStore({
        path: join(root, name),
        keys: [{ id: 'k', key: generateEncryptionKey() }],
      });
      let next = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < keys)
            await store.set(`session:${next++}`, {
              value: 'x'.repeat(300),
              expiresAt: Date.now() + 3_600_000,
            });
        }),
      );
      return store;
    };
    const small = await makeStore('store-10', 10);
    const large = await makeStore(`store-${many}`, many);
    const writes = (store) => async () => {
      const times = [];
      for (let i = 0; i < (quick ? 5 : 40); i++) {
        const start = performance.now();
        await store.set('session:hot', {
          value: `v${i}`.padEnd(300, 'x'),
          expiresAt: Date.now() + 3_600_000,
        });
        times.push(performance.now() - start);
      }
      return median(times);
    };
    const storeSamples = await interleave({
      rounds,
      warmup,
      variants: [
        { name: 'small', measure: writes(small) },
        { name: 'large', measure: writes(large) },
      ],
    });
    await Promise.all([small.close(), large.close()]);
    log('file store done');

    const c1 = pairedRatio(samples.get('visited c1'), samples.get('fresh c1'));
    const c16 = pairedRatio(samples.get('visited c16'), samples.get('fresh c16'));
    const write = pairedRatio(storeSamples.get('large'), storeSamples.get('small'));
    const refServer = 'the same page on a server with no anonymous visitors';
    return {
      title: 'Demo server: signed-in pages after anonymous traffic (issue 19)',
      intro:
        `Two demo servers started as users start them (main.js, encrypted file store, in-process emulator), one ` +
        `signed-in user each; one got ${anonymous} anonymous requests first (GET /, GET and POST /m2m, an unknown ` +
        `session cookie on /dashboard, ${CONCURRENCY} in flight). Its store had ${storeBefore.files} files ` +
        `(${storeBefore.bytes} bytes) before them and ${storeAfter.files} files (${storeAfter.bytes} bytes) after.`,
      sections: [
        {
          title: 'Signed-in dashboard, one request in flight (median latency)',
          short: 'Dashboard latency after anonymous traffic, c=1',
          unit: 'ms',
          rows: [
            {
              name: `after ${anonymous} anonymous requests`,
              samples: samples.get('visited c1'),
              ref: refServer,
            },
            { name: refServer, samples: samples.get('fresh c1'), isReference: true },
          ],
        },
        {
          title: `Signed-in dashboard, ${CONCURRENCY} in flight`,
          short: `Dashboard req/s after anonymous traffic, c=${CONCURRENCY}`,
          unit: 'req/s',
          rows: [
            {
              name: `after ${anonymous} anonymous requests`,
              samples: samples.get('visited c16'),
              ref: refServer,
            },
            { name: refServer, samples: samples.get('fresh c16'), isReference: true },
          ],
        },
        {
          title: `File store: one write next to ${many} keys vs next to 10 (median latency)`,
          short: 'File store write latency, many keys vs few',
          unit: 'ms',
          rows: [
            {
              name: `write with ${many} keys in the store`,
              samples: storeSamples.get('large'),
              ref: 'with 10 keys',
            },
            { name: 'with 10 keys', samples: storeSamples.get('small'), isReference: true },
          ],
        },
      ],
      targets: [
        {
          issue: '#19 finding 1',
          target: `${anonymous} anonymous requests leave the store unchanged and a signed-in page as fast (ratio ≈ 1)`,
          measured:
            `store ${storeBefore.files}→${storeAfter.files} files; dashboard latency ×${c1.median.toFixed(2)} ` +
            `(c=1), req/s ×${c16.median.toFixed(2)} (c=${CONCURRENCY}); a file-store write next to ${many} keys ` +
            `×${write.median.toFixed(2)} the time next to 10`,
          met:
            storeAfter.files === storeBefore.files &&
            storeAfter.bytes === storeBefore.bytes &&
            c1.median < 1.25,
        },
      ],
      notes: [],
      problems: [],
    };
  } finally {
    await Promise.allSettled(servers.map((s) => s.stop()));
    rmSync(root, { recursive: true, force: true });
  }
}
