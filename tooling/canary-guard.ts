// A setup file of every test run (tooling/vitest.ts): whatever a test file writes to stdout or stderr, or through
// the console, must not contain a canary. Tests mark every secret they seed (token, secret, key, code, cookie…)
// with the word CANARY in capitals, so one look at the whole suite's output finds any secret that leaked into a
// log, an error report or a warning, in any package — not only in the files that check for leaks themselves.
import { afterAll } from 'vitest';

const MARK = 'CANARY';
const hits: string[] = [];

function scan(where: string, value: unknown): void {
  const text =
    typeof value === 'string' ? value : value instanceof Uint8Array ? Buffer.from(value).toString() : '';
  if (text.includes(MARK) && hits.length < 5) {
    // Only where, never the text: the report itself must not repeat the secret.
    hits.push(where);
  }
}

for (const stream of ['stdout', 'stderr'] as const) {
  const target = process[stream];
  const write = target.write.bind(target);
  target.write = ((chunk: unknown, ...rest: unknown[]) => {
    scan(stream, chunk);
    return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof target.write;
}
for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
  const original = console[method].bind(console);
  console[method] = (...args: unknown[]) => {
    for (const arg of args) {
      if (typeof arg === 'string') scan(`console.${method}`, arg);
      else if (arg instanceof Error) scan(`console.${method}`, `${arg.message}\n${arg.stack ?? ''}`);
      else if (arg !== null && typeof arg === 'object') {
        try {
          scan(`console.${method}`, JSON.stringify(arg));
        } catch {
          // not serialisable: nothing a log line would show either
        }
      }
    }
    original(...args);
  };
}

afterAll(() => {
  if (hits.length > 0) {
    throw new Error(`a canary secret reached the test output (${hits.join(', ')})`);
  }
});
