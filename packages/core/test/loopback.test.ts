import { describe, expect, it } from 'vitest';
import { isLoopbackOrTls } from '../src/index.js';

describe('isLoopbackOrTls (plain traffic that never leaves the machine, or TLS)', () => {
  it.each([
    'redis://127.0.0.1:6379',
    'redis://127.8.9.10',
    'redis://localhost',
    'redis://LOCALHOST:6379/0',
    'redis://[::1]:6379',
    'rediss://cache.internal:6380',
    'rediss://user:pw@10.0.0.5',
    'https://example.com',
    'http://127.0.0.1:3000',
  ])('%s is safe', (url) => {
    expect(isLoopbackOrTls(url)).toBe(true);
  });

  it.each([
    'redis://cache.internal:6379',
    'redis://10.0.0.5',
    'redis://0.0.0.0:6379',
    'redis://127.0.0.1.evil.example',
    'redis://localhost.evil.example',
    'http://example.com',
    'not a url',
    '',
  ])('%s is not', (url) => {
    expect(isLoopbackOrTls(url)).toBe(false);
  });
});
