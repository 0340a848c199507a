import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RETURN_TO, safeReturnTo } from '../src/return-to.js';

const ORIGIN = 'https://app.example';

function staysOnOrigin(target: string): boolean {
  // How a browser resolves a Location header against the page's URL.
  const resolved = new URL(target, `${ORIGIN}/callback`);
  return resolved.origin === ORIGIN;
}

describe('safeReturnTo', () => {
  it('keeps allow-listed paths of the app', () => {
    expect(safeReturnTo('/customers/42')).toBe('/customers/42');
    expect(safeReturnTo('/suiteql?q=SELECT+1&page=2')).toBe('/suiteql?q=SELECT+1&page=2');
    expect(safeReturnTo('/dashboard')).toBe('/dashboard');
  });

  it.each([
    'https://evil.example/',
    '//evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    '/%2F%2Fevil.example',
    '/%5Cevil.example',
    'javascript:alert(1)',
    '/dashboard/../..//evil.example',
    '/customers/../../evil',
    ' /dashboard',
    '/dashboard\n',
    '/dashboard#x',
    '/dashboard?x=<script>',
    '/\tdashboard',
    'http:/evil.example',
    '',
  ])('falls back to the default for %j', (value) => {
    expect(safeReturnTo(value)).toBe(DEFAULT_RETURN_TO);
  });

  it('answers non-strings with the default', () => {
    expect(safeReturnTo(undefined)).toBe(DEFAULT_RETURN_TO);
    expect(safeReturnTo(null)).toBe(DEFAULT_RETURN_TO);
    expect(safeReturnTo(42)).toBe(DEFAULT_RETURN_TO);
    expect(safeReturnTo(['/dashboard'])).toBe(DEFAULT_RETURN_TO);
  });

  it('never leaves the origin, for 20 000 fuzzed values', () => {
    const evilPrefix = fc.constantFrom(
      '',
      '/',
      '//',
      '\\',
      '/\\',
      '\\/',
      'https://',
      'http:',
      '//evil.example',
      '/%2f',
      '%2F%2F',
      '/\t/',
      '/dashboard',
      '/customers/',
      '/suiteql?',
      'javascript:',
      ' ',
    );
    const tail = fc.oneof(
      fc.string(),
      fc.webUrl(),
      fc.webPath(),
      fc.stringMatching(/^[\\/%.:@a-z0-9?#&=\t\n ]{0,30}$/),
    );
    fc.assert(
      fc.property(evilPrefix, tail, (prefix, rest) => {
        const out = safeReturnTo(prefix + rest);
        expect(out.startsWith('/')).toBe(true);
        expect(out.startsWith('//')).toBe(false);
        expect(out.includes('\\')).toBe(false);
        expect(staysOnOrigin(out)).toBe(true);
      }),
      { numRuns: 20_000 },
    );
  });
});
