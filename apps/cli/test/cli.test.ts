import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/cli.js';
import { COMMANDS } from '../src/commands.js';
import { memoryIo } from './helpers.js';

const ESC = '\u001b[';

describe('runCli: arguments and help', () => {
  it('prints the version', async () => {
    const m = memoryIo();
    expect(await runCli(['--version'], m.io, '1.2.3')).toBe(0);
    expect(m.stdout).toBe('1.2.3\n');
  });

  it('prints the main help with no arguments and with --help', async () => {
    for (const argv of [[], ['--help'], ['help']]) {
      const m = memoryIo();
      expect(await runCli(argv, m.io)).toBe(0);
      expect(m.stdout).toContain('Usage');
      for (const c of COMMANDS) expect(m.stdout).toContain(c.name);
    }
  });

  it('has help with examples for every command (the emulator shows its own flags)', async () => {
    const emulator = memoryIo();
    expect(await runCli(['emulator', '--help'], emulator.io)).toBe(0);
    expect(emulator.stdout).toContain('--env-file <file>');
    expect(emulator.stdout).toContain('--seed-customers <n>');
    for (const c of COMMANDS.filter((spec) => !spec.passThrough)) {
      const m = memoryIo();
      expect(await runCli([...c.name.split(' '), '--help'], m.io)).toBe(0);
      expect(m.stdout).toContain(`pnpm nso ${c.usage}`);
      expect(m.stdout).toContain('Examples');
      expect(c.examples.length).toBeGreaterThan(0);
      expect(m.stdout).not.toContain(ESC); // not a TTY: no colour
    }
  });

  it('README: the commands table lists every command, each row in two cells (a | inside code is escaped)', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const table = readme.slice(readme.indexOf('## Commands'), readme.indexOf('### Bulk import'));
    const rows = table.split('\n').filter((l) => l.startsWith('| `'));
    for (const row of rows) expect(row.replace(/\\\|/g, '').split('|').length, row).toBe(4);
    const named = rows.map((r) => /^\| `([a-z ]+?)(?: [<"[]|`)/.exec(r)?.[1]);
    for (const c of COMMANDS) expect(named, c.name).toContain(c.name);
    // Every command the README shows runs as `pnpm nso`, the root script that works from a fresh clone.
    expect(readme).not.toMatch(/^netsuite-oauth /m);
  });

  it('asks before record delete on a terminal: a wrong answer deletes nothing, --yes skips the question', async () => {
    const asked = memoryIo({ NO_COLOR: '1' }, { tty: true });
    Object.assign(asked.stdin, { isTTY: true });
    asked.stdin.end('106\n');
    expect(await runCli(['record', 'delete', 'customer', '107'], asked.io)).toBe(1);
    expect(asked.stderr).toContain('Delete customer 107 in NetSuite? Type the id to confirm');
    expect(asked.stderr).toContain('error: not deleted: customer 107 was not confirmed');
    const yes = memoryIo({ NO_COLOR: '1' }, { tty: true });
    Object.assign(yes.stdin, { isTTY: true });
    // It goes on to the request, which needs an account: exit 3, without a question.
    expect(await runCli(['record', 'delete', 'customer', '107', '--yes'], yes.io)).toBe(3);
    expect(yes.stderr).not.toContain('Type the id');
  });

  it('with --json, an error is one JSON line on stderr (code, message, hint, exit code), stdout empty', async () => {
    const m = memoryIo();
    expect(await runCli(['token', '--json'], m.io)).toBe(3);
    expect(m.stdout).toBe('');
    const lines = m.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({
      error: {
        code: 'ERR_CLI_CONFIG',
        message: 'missing account id',
        exitCode: 3,
        hint: expect.stringContaining('NETSUITE_ACCOUNT_ID'),
      },
    });
  });

  it('colours help on a TTY, but not with NO_COLOR', async () => {
    const tty = memoryIo({}, { tty: true });
    await runCli(['--help'], tty.io);
    expect(tty.stdout).toContain(`${ESC}1m`);
    const noColor = memoryIo({ NO_COLOR: '1' }, { tty: true });
    await runCli(['--help'], noColor.io);
    expect(noColor.stdout).not.toContain(ESC);
  });

  it('suggests the closest command for a typo (exit 2)', async () => {
    const m = memoryIo();
    expect(await runCli(['tokn'], m.io)).toBe(2);
    expect(m.stderr).toBe(
      'error: unknown command "tokn"\nhint: did you mean "token"? Run "pnpm nso --help"\n',
    );
  });

  it("shows a group's subcommands", async () => {
    const help = memoryIo();
    expect(await runCli(['record', '--help'], help.io)).toBe(0);
    expect(help.stdout).toContain('record get');
    const bare = memoryIo();
    expect(await runCli(['record'], bare.io)).toBe(2);
    expect(bare.stderr).toContain('record delete');
    const unknown = memoryIo();
    expect(await runCli(['record', 'fetch'], unknown.io)).toBe(2);
    expect(unknown.stderr).toContain('unknown command "record fetch"');
  });

  it('rejects unknown options, missing and extra arguments (exit 2)', async () => {
    const unknown = memoryIo();
    expect(await runCli(['token', '--bogus'], unknown.io)).toBe(2);
    expect(unknown.stderr).toBe('error: unknown option \'--bogus\'\nhint: run "pnpm nso token --help"\n');
    const missing = memoryIo();
    expect(await runCli(['record', 'get', 'customer'], missing.io)).toBe(2);
    expect(missing.stderr).toContain('missing argument');
    const extra = memoryIo();
    expect(await runCli(['token', 'extra'], extra.io)).toBe(2);
    expect(extra.stderr).toContain('unexpected argument "extra"');
  });

  it('refuses --json with --csv, and --csv where it does not apply', async () => {
    const both = memoryIo();
    expect(await runCli(['suiteql', 'SELECT 1', '--json', '--csv'], both.io)).toBe(2);
    expect(both.stderr).toContain('--json and --csv cannot be used together');
    const csv = memoryIo();
    expect(await runCli(['token', '--csv'], csv.io)).toBe(2);
  });

  it('reports missing configuration as one line plus a hint (exit 3)', async () => {
    const m = memoryIo();
    expect(await runCli(['token'], m.io)).toBe(3);
    expect(m.stderr).toBe(
      'error: missing account id\nhint: set --account or NETSUITE_ACCOUNT_ID (e.g. 1234567_SB1)\n',
    );
    expect(m.stdout).toBe('');
  });

  it('checks option values before any network call', async () => {
    const days = memoryIo();
    expect(await runCli(['cert', 'generate', '--days', '800'], days.io)).toBe(2);
    expect(days.stderr).toContain('--days must be a whole number from 1 to 730');
    const keyType = memoryIo();
    expect(await runCli(['cert', 'generate', '--key-type', 'rsa-2048'], keyType.io)).toBe(2);
    expect(keyType.stderr).toContain('unknown --key-type "rsa-2048"');
  });
});
