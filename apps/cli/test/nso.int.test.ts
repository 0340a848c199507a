import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'cli-nso-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function clean(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) if (!k.startsWith('NETSUITE_')) out[k] = v;
  return { ...out, HOME: dir, XDG_CONFIG_HOME: join(dir, 'config'), NO_COLOR: '1' };
}

describe('pnpm nso: the one command that works from a fresh clone', () => {
  it('runs the CLI through the root script, hints included', () => {
    const r = spawnSync('pnpm', ['nso', 'tokn'], { cwd: ROOT, encoding: 'utf8', env: clean(process.env) });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(
      'error: unknown command "tokn"\nhint: did you mean "token"? Run "pnpm nso --help"',
    );
  });

  it('resolves relative paths against the directory pnpm was started from (INIT_CWD)', () => {
    const r = spawnSync(
      process.execPath,
      [
        'scripts/nso.mjs',
        'cert',
        'generate',
        '--key-type',
        'ec-p256',
        '--out-key',
        'k.pem',
        '--out-cert',
        'c.pem',
      ],
      { cwd: ROOT, encoding: 'utf8', env: { ...clean(process.env), INIT_CWD: dir } },
    );
    expect(r.status).toBe(0);
    // The build before it is quiet: only the command's own output.
    expect(r.stdout + r.stderr).not.toMatch(/tsup|publint|Tasks:|turbo|cache/i);
    expect(r.stderr).toContain(`next: upload ${join(dir, 'c.pem')}`);
    expect(existsSync(join(dir, 'k.pem'))).toBe(true);
    expect(existsSync(join(dir, 'c.pem'))).toBe(true);
    expect(existsSync(join(ROOT, 'k.pem'))).toBe(false);
  });
});
