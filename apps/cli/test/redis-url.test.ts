import { describe, expect, it } from 'vitest';
import { isLoopbackOrTls } from '../src/runtime.js';

describe('isLoopbackOrTls (the --store redis warning)', () => {
  it.each([
    'redis://127.0.0.1:6379',
    'redis://127.8.9.10',
    'redis://localhost',
    'redis://LOCALHOST:6379/0',
    'redis://[::1]:6379',
    'rediss://cache.internal:6380',
    'rediss://user:pw@10.0.0.5',
  ])('%s needs no warning', (url) => {
    expect(isLoopbackOrTls(url)).toBe(true);
  });

  it.each([
    'redis://cache.internal:6379',
    'redis://10.0.0.5',
    'redis://0.0.0.0:6379',
    'redis://127.0.0.1.evil.example',
    'redis://localhost.evil.example',
    'not a url',
    '',
  ])('%s gets the warning', (url) => {
    expect(isLoopbackOrTls(url)).toBe(false);
  });
});
