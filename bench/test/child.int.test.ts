import { Pool } from 'undici';
import { describe, expect, it } from 'vitest';
import { startServer } from '../src/lib/child.mjs';
import { closedLoop } from '../src/lib/rounds.mjs';

describe('startServer with the hello-world server', () => {
  it('starts it in its own process on 127.0.0.1, serves load, and stops it', async () => {
    const server = await startServer(new URL('../src/servers/hello.mjs', import.meta.url));
    expect(server.info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.pid).not.toBe(process.pid);
    const pool = new Pool(server.info.url, { connections: 4 });
    const result = await closedLoop({
      concurrency: 4,
      durationMs: 100,
      op: async () => {
        const response = await pool.request({ path: '/', method: 'GET' });
        expect(await response.body.text()).toBe('hello world');
      },
    });
    await pool.close();
    expect(result.errors).toBe(0);
    expect(result.done).toBeGreaterThan(0);
    await expect(server.call('nope')).rejects.toThrow('unknown op nope');
    await server.stop();
    expect(() => process.kill(server.pid, 0)).toThrow();
    await expect(server.call('nope')).rejects.toThrow('server has exited');
  });

  it('rejects when the server script fails before it is ready', async () => {
    await expect(
      startServer(new URL('../src/servers/missing.mjs', import.meta.url), { timeoutMs: 10_000 }),
    ).rejects.toThrow(/exited before it was ready|failed to start/);
  });
});
