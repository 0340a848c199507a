import { type Emulator, startEmulator } from '@netsuite-oauth/emulator';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createNetSuiteClient } from '../src/index.js';
import { emulatorTokenSource } from './helpers/emulator-token.js';

// The emulator runs on a clock of its own, so jumping the machine's wall clock (fake `Date`) moves only the client.
const epoch = Date.now() - performance.now();
let emu: Emulator;
let accessToken: string;

beforeAll(async () => {
  emu = await startEmulator({
    port: 0,
    seed: { customers: 2 },
    asyncJobDelayMs: 60_000,
    now: () => epoch + performance.now(),
  });
  accessToken = await (await emulatorTokenSource(emu)).getAccessToken();
});
afterAll(async () => {
  await emu.close();
});
afterEach(() => {
  vi.useRealTimers();
});

const HOUR = 3_600_000;

/** A fetch that runs `after` once, when the first response matching `match` has arrived. */
function fetchThatJumps(match: RegExp, after: () => Promise<void> | void): typeof fetch {
  let done = false;
  return async (input, init) => {
    const response = await fetch(input, init);
    const url = input instanceof Request ? input.url : String(input);
    if (!done && match.test(url)) {
      done = true;
      await after();
    }
    return response;
  };
}

function client(fetchImpl: typeof fetch, extra: Partial<Parameters<typeof createNetSuiteClient>[0]> = {}) {
  return createNetSuiteClient({
    accountId: emu.accountId,
    origin: emu.url,
    allowInsecureLoopback: true,
    token: async () => accessToken,
    fetch: fetchImpl,
    ...extra,
  });
}

describe('deadlines count elapsed time on the monotonic clock', () => {
  it('a wall-clock jump between attempts does not use up the retry deadline', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    await emu.admin.injectFault({ route: 'record', count: 1, status: 503 });
    const c = client(
      fetchThatJumps(/\/record\/v1\//, () => {
        vi.setSystemTime(Date.now() + HOUR);
      }),
      { deadlineMs: 30_000, retry: { baseDelayMs: 5, maxDelayMs: 10 } },
    );
    const [first] = await emu.admin.seedRecords('customer', [{ companyName: 'Clock Co' }]);
    await expect(c.records.get('customer', first as string)).resolves.toMatchObject({
      companyName: 'Clock Co',
    });
    const counters = await emu.admin.counters();
    expect(counters.faultsInjected).toBe(1);
    expect(counters.byStatus[503]).toBe(1);
  });

  it('a wall-clock jump while an async job is pending does not use up waitTimeoutMs', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const c = client(
      fetchThatJumps(/\/async\/v1\/job\/[^/]+$/, async () => {
        vi.setSystemTime(Date.now() + HOUR);
        // The job is due on the emulator's clock at the next poll.
        await emu.admin.advanceClock(61_000);
      }),
    );
    const job = await c.records.createAsync(
      'customer',
      { companyName: 'Clock Co', subsidiary: { id: '1' } },
      { pollIntervalMs: 10, maxPollIntervalMs: 20, waitTimeoutMs: 10_000 },
    );
    expect(job.id).toMatch(/^\d+$/);
  });
});
