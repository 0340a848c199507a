import type { TokenStore } from '@netsuite-oauth/token-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, connect, type Harness, startHarness } from './helpers.js';

// The server keeps one token manager for its whole life (one key per connection, plus the machine-to-machine
// key): a page view takes the connection's token from memory instead of building a manager that reads the store.

let h: Harness;
const reads = new Map<string, number>();
const watch = (store: TokenStore): TokenStore => ({
  capabilities: store.capabilities,
  get: (key) => {
    reads.set(key, (reads.get(key) ?? 0) + 1);
    return store.get(key);
  },
  set: (key, entry) => store.set(key, entry),
  delete: (key) => store.delete(key),
  lock: (key, options) => store.lock!(key, options),
  compareAndSet: (key, entry, condition) => store.compareAndSet!(key, entry, condition),
});
const grantReads = () =>
  [...reads].filter(([key]) => key.startsWith('tokens:')).reduce((sum, [, n]) => sum + n, 0);

beforeAll(async () => {
  h = await startHarness({ wrapStore: watch });
});
afterAll(async () => {
  await h?.close();
});

describe('one token manager for the server’s life', () => {
  it('page views of a connected user take its token from memory: no store read, no token request', async () => {
    const agent = new Agent(h.server.url);
    await connect(agent);
    expect((await agent.request('/customers')).status).toBe(200);
    const before = { reads: grantReads(), tokens: (await h.emulator.admin.counters()).token };
    for (let i = 0; i < 10; i++) expect((await agent.request('/customers')).status).toBe(200);
    expect(grantReads()).toBe(before.reads);
    expect((await h.emulator.admin.counters()).token).toBe(before.tokens);
  });

  it('concurrent page views after the access token expired share one refresh', async () => {
    const agent = new Agent(h.server.url);
    await connect(agent);
    expect((await agent.request('/customers')).status).toBe(200);
    const before = (await h.emulator.admin.counters()).tokenByGrant.refresh_token ?? 0;
    h.clock.advance(2 * 3600_000);
    try {
      const pages = await Promise.all(Array.from({ length: 8 }, () => agent.request('/customers')));
      expect(pages.map((p) => p.status)).toEqual(Array(8).fill(200));
      expect((await h.emulator.admin.counters()).tokenByGrant.refresh_token ?? 0).toBe(before + 1);
    } finally {
      h.clock.advance(-2 * 3600_000);
    }
  });

  it('users are kept apart: two connections, two grants; disconnecting one leaves the other connected', async () => {
    const [a, b] = [new Agent(h.server.url), new Agent(h.server.url)];
    await connect(a);
    const aRefresh = h.last.refreshToken;
    await connect(b);
    const bRefresh = h.last.refreshToken;
    expect(aRefresh).not.toBe(bRefresh);
    for (const agent of [a, b]) expect((await agent.request('/customers')).status).toBe(200);
    // disconnecting one leaves the other connected
    const dash = await a.request('/dashboard');
    expect((await a.request('/disconnect', { form: { csrf: Agent.csrf(dash) } })).status).toBe(303);
    expect((await b.request('/customers')).status).toBe(200);
    expect((await a.request('/customers')).status).not.toBe(200);
  });
});
