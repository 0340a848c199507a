// One-off scaffold for package skeletons (kept for adding new packages: node scripts/scaffold.mjs).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const V = {
  jose: '6.2.18',
  ky: '1.14.3',
  redis: '6.3.1',
  x509: '2.2.0',
  sqljs: '1.17.0',
  fc: '4.11.0',
  vitest: '4.1.12',
};
const ws = 'workspace:*';
const pkgs = [
  { dir: 'packages/core', desc: 'NetSuite account ids, endpoints and the shared error base.', deps: {} },
  {
    dir: 'packages/jwt-assertion',
    desc: 'NetSuite OAuth 2.0 client assertions (PS256/ES256), keys and X.509 certificates.',
    deps: { '@netsuite-oauth/core': ws, jose: V.jose, '@peculiar/x509': V.x509 },
    dev: { '@netsuite-oauth/emulator': ws, 'fast-check': V.fc },
  },
  {
    dir: 'packages/token-store',
    desc: 'The TokenStore contract, a memory store and an encryption wrapper.',
    deps: {},
  },
  {
    dir: 'packages/token-store-file',
    desc: 'Encrypted, atomic, cross-process file token store for @netsuite-oauth.',
    deps: { '@netsuite-oauth/token-store': ws },
    dev: { '@netsuite-oauth/token-store-test-suite': ws },
  },
  {
    dir: 'packages/token-store-redis',
    desc: 'Redis token store with locks and compare-and-set for @netsuite-oauth.',
    deps: { '@netsuite-oauth/token-store': ws },
    peer: { redis: '>=5.0.0' },
    dev: { '@netsuite-oauth/token-store-test-suite': ws, '@netsuite-oauth/test-utils': ws, redis: V.redis },
  },
  {
    dir: 'packages/token-store-test-suite',
    desc: 'describeTokenStore(): the conformance suite for @netsuite-oauth token stores.',
    deps: { '@netsuite-oauth/token-store': ws },
    peer: { vitest: '>=4.0.0' },
    dev: { vitest: V.vitest },
  },
  {
    dir: 'packages/oauth-flows',
    desc: 'NetSuite OAuth 2.0: client credentials, authorization code + PKCE, refresh, revoke and a token manager.',
    deps: { '@netsuite-oauth/core': ws, ky: V.ky },
    dev: {
      '@netsuite-oauth/emulator': ws,
      '@netsuite-oauth/jwt-assertion': ws,
      '@netsuite-oauth/token-store': ws,
      '@netsuite-oauth/token-store-file': ws,
      '@netsuite-oauth/token-store-redis': ws,
      '@netsuite-oauth/test-utils': ws,
      redis: V.redis,
      jose: V.jose,
      'oidc-provider': '9.13.3',
      'fast-check': V.fc,
    },
  },
  {
    dir: 'packages/record-client',
    desc: 'NetSuite REST Record API, SuiteQL and RESTlets within NetSuite governance.',
    deps: { '@netsuite-oauth/core': ws, ky: V.ky },
    dev: {
      '@netsuite-oauth/emulator': ws,
      '@netsuite-oauth/oauth-flows': ws,
      '@netsuite-oauth/jwt-assertion': ws,
      '@netsuite-oauth/token-store': ws,
      '@netsuite-oauth/governance-redis': ws,
      '@netsuite-oauth/test-utils': ws,
      redis: V.redis,
      'fast-check': V.fc,
    },
  },
  {
    dir: 'packages/governance-redis',
    desc: 'A cross-process NetSuite concurrency budget in Redis for @netsuite-oauth/record-client.',
    deps: {},
    peer: { redis: '>=5.0.0' },
    dev: { '@netsuite-oauth/test-utils': ws, redis: V.redis },
  },
  {
    dir: 'packages/emulator',
    desc: 'A local NetSuite: OAuth 2.0 server, REST Record API, SuiteQL, RESTlets and governance, for tests and demos.',
    deps: { '@netsuite-oauth/core': ws, jose: V.jose, 'sql.js': V.sqljs },
    dev: { '@types/sql.js': '1.4.11', 'fast-check': V.fc },
    bin: { 'netsuite-emulator': './dist/bin.js' },
  },
  {
    dir: 'apps/cli',
    name: '@netsuite-oauth/cli',
    desc: 'Demo CLI: from nothing to a NetSuite record in one command.',
    private: true,
    deps: {
      '@netsuite-oauth/core': ws,
      '@netsuite-oauth/emulator': ws,
      '@netsuite-oauth/jwt-assertion': ws,
      '@netsuite-oauth/oauth-flows': ws,
      '@netsuite-oauth/record-client': ws,
      '@netsuite-oauth/token-store': ws,
      '@netsuite-oauth/token-store-file': ws,
      '@netsuite-oauth/token-store-redis': ws,
      redis: V.redis,
    },
    dev: { '@netsuite-oauth/test-utils': ws },
    bin: { 'netsuite-oauth': './dist/main.js' },
  },
  {
    dir: 'apps/server',
    name: '@netsuite-oauth/server',
    desc: 'Demo web server: Connect to NetSuite with the Authorization Code Grant.',
    private: true,
    deps: {
      '@netsuite-oauth/core': ws,
      '@netsuite-oauth/emulator': ws,
      '@netsuite-oauth/jwt-assertion': ws,
      '@netsuite-oauth/oauth-flows': ws,
      '@netsuite-oauth/record-client': ws,
      '@netsuite-oauth/token-store': ws,
      '@netsuite-oauth/token-store-file': ws,
      '@netsuite-oauth/token-store-redis': ws,
      redis: V.redis,
    },
    dev: { '@netsuite-oauth/test-utils': ws, 'playwright-core': '1.65.1', 'fast-check': V.fc },
  },
];

for (const p of pkgs) {
  const name = p.name ?? `@netsuite-oauth/${p.dir.split('/')[1]}`;
  const isApp = p.dir.startsWith('apps/');
  mkdirSync(join(p.dir, 'src'), { recursive: true });
  mkdirSync(join(p.dir, 'test'), { recursive: true });
  const pkg = {
    name,
    version: '0.0.0',
    description: p.desc,
    ...(p.private ? { private: true } : {}),
    license: 'MIT',
    type: 'module',
    ...(isApp
      ? {}
      : {
          exports: {
            '.': { types: './dist/index.d.ts', default: './dist/index.js' },
            './package.json': './package.json',
          },
          main: './dist/index.js',
          types: './dist/index.d.ts',
          files: ['dist', 'README.md'],
          sideEffects: false,
          repository: {
            type: 'git',
            url: 'git+https://github.com/netsuite-oauth/netsuite-oauth.git',
            directory: p.dir,
          },
          keywords: ['netsuite', 'oauth2'],
          publishConfig: { access: 'public' },
        }),
    ...(p.bin ? { bin: p.bin } : {}),
    engines: { node: '>=20.19' },
    scripts: {
      build: 'tsup',
      ...(isApp ? {} : { 'check:package': 'publint --strict && attw --pack . --profile esm-only' }),
      typecheck: 'tsc -p tsconfig.json',
      lint: 'biome check .',
      'test:unit': 'vitest run --mode unit',
      'test:int': 'vitest run --mode int',
    },
    ...(Object.keys(p.deps).length ? { dependencies: p.deps } : {}),
    ...(p.peer ? { peerDependencies: p.peer } : {}),
    ...(p.dev ? { devDependencies: p.dev } : {}),
  };
  const pj = join(p.dir, 'package.json');
  if (!existsSync(pj)) writeFileSync(pj, `${JSON.stringify(pkg, null, 2)}\n`);
  const files = {
    'tsconfig.json': `${JSON.stringify({ extends: '../../tsconfig.base.json', include: ['src', 'test', '*.config.ts'] }, null, 2)}\n`,
    'tsup.config.ts': `import { packageConfig } from '../../tooling/tsup.js';\n\nexport default packageConfig();\n`,
    'vitest.config.ts': `import { packageVitestConfig } from '../../tooling/vitest.js';\n\nexport default packageVitestConfig('${p.dir.split('/')[1]}');\n`,
    'src/index.ts': `// Public API of ${name}: named exports only.\nexport {};\n`,
    'README.md': `# ${name}\n\n${p.desc}\n`,
  };
  for (const [f, c] of Object.entries(files)) {
    const fp = join(p.dir, f);
    if (!existsSync(fp)) writeFileSync(fp, c);
  }
}
