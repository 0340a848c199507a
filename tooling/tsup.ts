import { defineConfig, type Options } from 'tsup';

/**
 * The one tsup configuration every package reuses: ESM only, `.d.ts`, sourcemaps, Node 20.19+.
 *
 * @example
 * // packages/<name>/tsup.config.ts
 * export default packageConfig();
 */
export function packageConfig(overrides: Options = {}): ReturnType<typeof defineConfig> {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    splitting: false,
    treeshake: true,
    ...overrides,
  });
}
