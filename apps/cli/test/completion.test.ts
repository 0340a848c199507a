import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli.js';
import { memoryIo } from './helpers.js';

let dir: string;
let script: string;

async function completionScript(shell: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const m = memoryIo({ NO_COLOR: '1' });
  const code = await runCli(['completion', shell], m.io);
  return { code, stdout: m.stdout, stderr: m.stderr };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cli-completion-'));
  script = join(dir, 'nso.bash');
  writeFileSync(script, (await completionScript('bash')).stdout);
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs real bash: loads the script and asks its completion function what follows `words` (the last is the one being typed). */
function complete(...words: string[]): string[] {
  const out = execFileSync(
    'bash',
    [
      '--noprofile',
      '--norc',
      '-c',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash script, not a template
      'source "$0"; COMP_WORDS=("${@}"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _netsuite_oauth_complete; printf "%s\\n" "${COMPREPLY[@]}"',
      script,
      ...words,
    ],
    { cwd: dir, encoding: 'utf8' },
  );
  return out.split('\n').filter(Boolean);
}

describe('completion', () => {
  it('bash: the script completes commands, subcommands, options and option values', () => {
    expect(complete('nso', 'rec')).toEqual(['record']);
    expect(complete('netsuite-oauth', 'record', 'del')).toEqual(['delete']);
    expect(complete('nso', 'config', 's')).toEqual(['show', 'set']);
    expect(complete('nso', 'suiteql', '--li')).toEqual(['--limit']);
    // An option before the command, with its value, is skipped when finding the command.
    expect(complete('nso', '--profile', 'prod', 'record', 'delete', 'customer', '1', '--y')).toEqual([
      '--yes',
    ]);
    expect(complete('nso', 'record', 'list', 'customer', '--cs')).toEqual(['--csv']);
    expect(complete('nso', 'token', '--store', 'r')).toEqual(['redis']);
    expect(complete('nso', 'completion', '')).toEqual(['bash', 'zsh', 'fish']);
    expect(complete('nso', '')).toContain('login');
    // A file argument completes file names.
    writeFileSync(join(dir, 'customers.ndjson'), '');
    expect(complete('nso', 'record', 'import', 'customer', '--file', 'cust')).toEqual(['customers.ndjson']);
  });

  it('bash: registers the function for netsuite-oauth and nso', () => {
    const out = execFileSync(
      'bash',
      ['--noprofile', '--norc', '-c', 'source "$0"; complete -p netsuite-oauth nso', script],
      {
        encoding: 'utf8',
      },
    );
    expect(out).toContain('-F _netsuite_oauth_complete netsuite-oauth');
    expect(out).toContain('-F _netsuite_oauth_complete nso');
  });

  it('zsh loads the bash script through bashcompinit; fish gets its own complete lines', async () => {
    const zsh = await completionScript('zsh');
    expect(zsh.code).toBe(0);
    expect(zsh.stdout).toMatch(/^#compdef netsuite-oauth nso\n/);
    expect(zsh.stdout).toContain('autoload -U +X bashcompinit && bashcompinit');
    expect(zsh.stdout).toContain('complete -o default -F _netsuite_oauth_complete netsuite-oauth nso');
    const fish = await completionScript('fish');
    expect(fish.code).toBe(0);
    expect(fish.stdout).toContain("complete -c nso -n __fish_use_subcommand -a record -d 'record commands'");
    expect(fish.stdout).toMatch(
      /^complete -c netsuite-oauth -n '__fish_seen_subcommand_from suiteql' -l limit -r -F -d /m,
    );
    expect(fish.stdout).toMatch(
      /^complete -c nso -n '__fish_seen_subcommand_from record; and not __fish_seen_subcommand_from [a-z ]+' -a delete /m,
    );
  });

  it('refuses an unknown shell (exit 2)', async () => {
    const r = await completionScript('powershell');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: no completion for "powershell"\nhint: use one of: bash, zsh, fish\n$/);
  });
});
