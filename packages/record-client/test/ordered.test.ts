import { describe, expect, it } from 'vitest';
import { OrderedWork } from '../src/ordered.js';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('OrderedWork (the reorder buffer of batch runs and exports)', () => {
  it('hands results out in queue order, whatever order they settle in', async () => {
    const work = new OrderedWork<string>();
    const [a, b, c] = [deferred<string>(), deferred<string>(), deferred<string>()];
    work.start(() => a.promise);
    const middle = work.start(() => b.promise);
    work.start(() => c.promise, work.indexOf(middle) + 1);
    expect([work.size, work.running]).toEqual([3, 3]);
    c.resolve('c');
    expect(await work.next(undefined, 'test')).toBe('changed');
    b.resolve('b');
    expect(await work.next(undefined, 'test')).toBe('changed');
    a.resolve('a');
    const out: string[] = [];
    for (;;) {
      const step = await work.next(undefined, 'test');
      if (step === 'empty') break;
      if (step !== 'changed') out.push(step.value);
    }
    expect(out).toEqual(['a', 'b', 'c']);
    expect(work.running).toBe(0);
  });

  it('rethrows a failure at its place in the queue, as ERR_RECORD_ABORTED when the signal aborted', async () => {
    const work = new OrderedWork<number>();
    work.start(async () => 1);
    work.start(async () => {
      throw new Error('boom');
    });
    await work.settle();
    expect(await work.next(undefined, 'test')).toEqual({ value: 1 });
    await expect(work.next(undefined, 'test')).rejects.toThrow('boom');
    const aborted = new OrderedWork<number>();
    const controller = new AbortController();
    controller.abort();
    aborted.start(async () => {
      throw new Error('cancelled');
    });
    await aborted.settle();
    await expect(aborted.next(controller.signal, 'export')).rejects.toMatchObject({
      code: 'ERR_RECORD_ABORTED',
      message: 'export aborted by the caller',
    });
  });
});
