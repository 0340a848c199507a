import { describe, expect, it } from 'vitest';
import { apiErrorHint } from '../src/index.js';

describe('apiErrorHint', () => {
  it('explains NetSuite REST error codes, the most likely cause first', () => {
    expect(apiErrorHint('INVALID_LOGIN', 401)).toContain('Login Audit Trail');
    expect(apiErrorHint('INVALID_LOGIN', 401)).toContain('Most likely the token expired or was revoked');
    expect(apiErrorHint('NONEXISTENT_ID', 404)).toContain('no record with that id');
    expect(apiErrorHint('CONCURRENCY_LIMIT_EXCEEDED', 429)).toContain('concurrency limit');
  });

  it('treats a 401 without a code as INVALID_LOGIN, and adds nothing it does not know', () => {
    expect(apiErrorHint(undefined, 401)).toBe(apiErrorHint('INVALID_LOGIN'));
    expect(apiErrorHint('SOMETHING_NEW', 400)).toBeUndefined();
    expect(apiErrorHint('__proto__')).toBeUndefined();
    expect(apiErrorHint(undefined)).toBeUndefined();
  });
});
