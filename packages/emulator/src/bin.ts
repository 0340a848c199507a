#!/usr/bin/env node
import { startFromArgs } from './cli.js';
import { isEmulatorError } from './errors.js';

startFromArgs(process.argv.slice(2))
  .then(({ emulator, output, warnings }) => {
    for (const warning of warnings) process.stderr.write(`${warning}\n`);
    process.stdout.write(output);
    if (!emulator) return;
    const stop = (): void => {
      void emulator.close().then(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  })
  .catch((error: unknown) => {
    const message = isEmulatorError(error) || error instanceof Error ? error.message : String(error);
    process.stderr.write(`netsuite-emulator: ${message}\n`);
    process.exit(1);
  });
