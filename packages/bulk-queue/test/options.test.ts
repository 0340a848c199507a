import { describe, expect, it } from 'vitest';
import { createBulkQueue, isBulkQueueError, startBulkWorker } from '../src/index.js';

const connection = { host: '127.0.0.1', port: 1, lazyConnect: true, maxRetriesPerRequest: null };
const clientFor = () => {
  throw new Error('not called');
};

function code(call: () => unknown): string | undefined {
  try {
    call();
  } catch (error) {
    return isBulkQueueError(error) ? error.code : `not a BulkQueueError: ${String(error)}`;
  }
  return undefined;
}

describe('bad options throw ERR_BULK_INVALID_OPTION synchronously, before any connection', () => {
  it.each([
    ['no options', () => createBulkQueue(undefined as never)],
    ['no connection', () => createBulkQueue({} as never)],
    ['a bad queue name', () => createBulkQueue({ connection, name: 'a b' })],
    ['a bad prefix', () => createBulkQueue({ connection, prefix: '' })],
    ['a worker without clientFor', () => startBulkWorker({ connection } as never)],
    ['a worker concurrency of 0', () => startBulkWorker({ connection, clientFor, concurrency: 0 })],
    ['a lock shorter than 500 ms', () => startBulkWorker({ connection, clientFor, lockDurationMs: 10 })],
    [
      'a fractional stalled interval',
      () => startBulkWorker({ connection, clientFor, stalledIntervalMs: 1.5 }),
    ],
  ])('%s', (_name, call) => {
    expect(code(call)).toBe('ERR_BULK_INVALID_OPTION');
  });
});
