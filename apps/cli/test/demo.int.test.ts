import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectNoSecrets, runCli } from './run-cli.js';

const home = mkdtempSync(join(tmpdir(), 'cli-demo-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('demo', () => {
  it('runs every step against an in-process emulator', async () => {
    const result = await runCli(['demo'], { env: { HOME: home } });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const steps = result.stdout.split('\n').filter((l) => /^\s*\d+\. /.test(l));
    expect(steps).toHaveLength(10);
    for (const line of steps) expect(line).toMatch(/✓ .+\d+(\.\d)? m?s/);
    for (const words of [
      'client credentials',
      'read a customer',
      'SuiteQL',
      'RESTlet',
      'authorization code',
      'refresh',
      'revoke',
    ]) {
      expect(result.stdout).toContain(words);
    }
    expect(result.stdout).toMatch(/refreshing again → invalid_grant/);
    expect(result.stdout).toContain('All 10 steps passed');
    expectNoSecrets(result, []);
    expect(result.stdout).not.toMatch(/eyJ[\w-]{10,}\.[\w-]{10,}\.[\w-]{10,}/);
  });

  it('reports the steps as JSON', async () => {
    const result = await runCli(['demo', '--json'], { env: { HOME: home } });
    expect(result.code).toBe(0);
    const out = JSON.parse(result.stdout) as {
      ok: boolean;
      steps: { ok: boolean; ms: number; title: string }[];
    };
    expect(out.ok).toBe(true);
    expect(out.steps.map((s) => s.ok)).toEqual(Array(10).fill(true));
    expect(out.steps.every((s) => Number.isInteger(s.ms) && s.ms >= 0)).toBe(true);
  });

  it("is the root's `pnpm demo`, run through the same quiet build as `pnpm nso`", () => {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.demo).toBe('node scripts/nso.mjs demo');
    expect(pkg.scripts.nso).toBe('node scripts/nso.mjs');
  });
});
