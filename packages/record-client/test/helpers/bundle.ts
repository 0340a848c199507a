import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = join(here, '..', '..');
const packagesDir = join(packageDir, '..');

interface EsbuildLike {
  build(options: Record<string, unknown>): Promise<unknown>;
}

/**
 * Bundles a TypeScript entry (and the workspace sources it imports) into one ESM file a child process can run with
 * plain `node`. esbuild comes with tsup, already a dev dependency. The file lands in `.artifacts/` of this package,
 * so its external imports (redis) resolve from this package's node_modules.
 */
export async function bundleForChild(entry: string, name: string): Promise<string> {
  const rootRequire = createRequire(join(packagesDir, '..', 'package.json'));
  const esbuild = createRequire(rootRequire.resolve('tsup'))('esbuild') as EsbuildLike;
  const outdir = join(packageDir, '.artifacts');
  mkdirSync(outdir, { recursive: true });
  const outfile = join(outdir, `${name}.mjs`);
  await esbuild.build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: ['redis'],
    alias: {
      '@netsuite-oauth/core': join(packagesDir, 'core', 'src', 'index.ts'),
      '@netsuite-oauth/governance-redis': join(packagesDir, 'governance-redis', 'src', 'index.ts'),
    },
    logLevel: 'silent',
  });
  return outfile;
}
