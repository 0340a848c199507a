import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli.js';
import { memoryIo } from './helpers.js';
import { createFixture, type Fixture } from './setup-emulator.js';

let fx: Fixture;
beforeAll(async () => {
  fx = await createFixture();
});
afterAll(async () => {
  await fx?.close();
});

describe('progress on a TTY (in-process, real emulator)', () => {
  it('suiteql shows a running row count on stderr, then clears it and prints the total', async () => {
    const m = memoryIo({ ...fx.env, NETSUITE_OAUTH_STORE: 'memory', NO_COLOR: '1' }, { tty: true });
    expect(
      await runCli(['suiteql', 'SELECT id FROM customer', '--limit', '12', '--page-size', '5'], m.io),
    ).toBe(0);
    expect(m.stderr).toContain('\r\u001b[2K1 rows…');
    expect(m.stderr).toContain('\r\u001b[2K12 rows…');
    const last = m.stderr.split('\r\u001b[2K').at(-1) ?? '';
    expect(last).toMatch(/^12 rows in \S+ m?s \(stopped at --limit 12\)\n$/);
    expect(m.stdout.trim().split('\n')).toHaveLength(14);
  });

  it('shows no progress when stderr is not a TTY', async () => {
    const m = memoryIo({ ...fx.env, NETSUITE_OAUTH_STORE: 'memory' }, { tty: false });
    expect(await runCli(['suiteql', 'SELECT id FROM customer', '--limit', '3'], m.io)).toBe(0);
    expect(m.stderr).not.toContain('\r');
    expect(m.stderr).toMatch(/^3 rows in /);
  });
});
