// Runs one benchmark suite in a fresh process (so heap figures and JIT state are its own) and sends
// its result to the parent over IPC.
const [suiteId, ...flags] = process.argv.slice(2);
const quick = flags.includes('--quick');

function finish(message) {
  // Leave once the message is out, even if a handle (a stray socket, a timer) was left open.
  process.send(message, () => process.exit(0));
}

try {
  const suite = await import(new URL(`../suites/${suiteId}.mjs`, import.meta.url));
  const result = await suite.run({
    quick,
    log: (line) => process.stderr.write(`  [${suiteId}] ${line}\n`),
  });
  finish({ type: 'done', result });
} catch (error) {
  finish({ type: 'failed', message: String(error?.stack ?? error) });
}
