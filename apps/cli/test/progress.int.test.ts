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
  /** A clock that moves 150 ms at every reading, so each row may redraw the line (at most every 100 ms). */
  function ticking(m: ReturnType<typeof memoryIo>): void {
    let t = 1_000_000;
    Object.assign(m.io, { now: () => (t += 150) });
  }

  it("suiteql shows a bar with NetSuite's total, the rate and an ETA, then clears it and prints the count", async () => {
    const m = memoryIo({ ...fx.env, NETSUITE_OAUTH_STORE: 'memory', NO_COLOR: '1' }, { tty: true });
    ticking(m);
    expect(await runCli(['suiteql', 'SELECT id FROM customer', '--page-size', '5'], m.io)).toBe(0);
    // 30 seeded customers: totalResults is 30, known from the first row.
    const lines = m.stderr.split('\r\u001b[2K');
    expect(lines).toContainEqual(expect.stringMatching(/^\[█*░+\] 1\/30 rows {2}3% {2}\d+\/s ETA \S+$/));
    expect(lines).toContainEqual(expect.stringMatching(/^\[█+░*\] 29\/30 rows {2}96% {2}\d+\/s ETA \S+$/));
    const last = m.stderr.split('\r\u001b[2K').at(-1) ?? '';
    expect(last).toMatch(/^30 rows in \S+ m?s\n$/);
    expect(m.stdout.trim().split('\n')).toHaveLength(32);
  });

  it('with --limit the total is the limit; record list shows its total too', async () => {
    const m = memoryIo({ ...fx.env, NETSUITE_OAUTH_STORE: 'memory', NO_COLOR: '1' }, { tty: true });
    ticking(m);
    expect(
      await runCli(['suiteql', 'SELECT id FROM customer', '--limit', '12', '--page-size', '5'], m.io),
    ).toBe(0);
    expect(m.stderr).toMatch(/ 1\/12 rows {2}8% /);
    expect(m.stderr).toMatch(/ 11\/12 rows {2}91% /);
    expect(m.stderr.split('\r\u001b[2K').at(-1)).toMatch(/^12 rows in \S+ m?s \(stopped at --limit 12\)\n$/);
    const list = memoryIo({ ...fx.env, NETSUITE_OAUTH_STORE: 'memory', NO_COLOR: '1' }, { tty: true });
    ticking(list);
    expect(await runCli(['record', 'list', 'customer', '--limit', '1000'], list.io)).toBe(0);
    expect(list.stderr).toMatch(/\] 1\/30 ids {2}3% /);
  });

  it('shows no progress when stderr is not a TTY', async () => {
    const m = memoryIo({ ...fx.env, NETSUITE_OAUTH_STORE: 'memory' }, { tty: false });
    expect(await runCli(['suiteql', 'SELECT id FROM customer', '--limit', '3'], m.io)).toBe(0);
    expect(m.stderr).not.toContain('\r');
    expect(m.stderr).toMatch(/^3 rows in /);
  });
});
