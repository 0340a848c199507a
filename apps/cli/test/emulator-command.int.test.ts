import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectNoSecrets, MAIN, runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'cli-emu-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Reads `export K='v'` lines back into an env object. */
function readEnvFile(path: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^export ([A-Z_]+)='(.*)'$/.exec(line);
    if (m?.[1] && m[2] !== undefined) env[m[1]] = m[2].replace(/'\\''/g, "'");
  }
  return env;
}

describe('emulator command', () => {
  it('serves a ready integration that the other commands use, and stops on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [MAIN, 'emulator', '--port', '0', '--seed-customers', '3', '--json'],
      {
        env: { PATH: process.env.PATH ?? '', HOME: dir },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    try {
      const info = await new Promise<{ url: string; envFile: string; settings: Record<string, string> }>(
        (resolve, reject) => {
          child.stdout.setEncoding('utf8').on('data', (d: string) => {
            stdout += d;
            const line = stdout.split('\n')[0];
            if (stdout.includes('\n') && line) resolve(JSON.parse(line));
          });
          child.once('close', () => reject(new Error(`emulator command exited early: ${stderr}`)));
        },
      );
      expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      // The default env file, with the emulator's own flags (--seed-customers is not a flag of the CLI's own).
      expect(info.envFile).toBe(join(dir, '.config', 'netsuite-oauth', 'emulator', 'emulator.env'));
      expect(statSync(info.envFile).mode & 0o077).toBe(0);
      const env: Record<string, string> = { ...readEnvFile(info.envFile), HOME: dir };
      expect(env.NETSUITE_ORIGIN).toBe(info.url);
      expect(info.settings).not.toHaveProperty('NETSUITE_CLIENT_SECRET');
      expect(stdout).not.toContain(env.NETSUITE_CLIENT_SECRET ?? 'missing');

      const token = await runCli(['token', '--store', 'memory'], { env });
      expect(token.code).toBe(0);
      const rows = await runCli(
        ['suiteql', 'SELECT id FROM customer', '--limit', '2', '--json', '--store', 'memory'],
        { env },
      );
      expect(rows.code).toBe(0);
      expect(JSON.parse(rows.stdout)).toHaveLength(2);
      const all = await runCli(['suiteql', 'SELECT id FROM customer', '--json', '--store', 'memory'], {
        env,
      });
      expect(JSON.parse(all.stdout)).toHaveLength(3);
      for (const r of [token, rows]) expectNoSecrets(r, [env.NETSUITE_CLIENT_SECRET]);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(stderr).toContain('emulator stopped');
  });
});
