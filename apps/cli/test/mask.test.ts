import { describe, expect, it } from 'vitest';
import { colors, useColor } from '../src/color.js';
import { createRedactor, maskSecret } from '../src/mask.js';

describe('maskSecret', () => {
  it('shows at most four characters at each end, never more than a quarter', () => {
    expect(maskSecret('eyJhbGciOiJQUzI1NiJ9.eyJzdWIiOiIzOzcifQ.c2lnbmF0dXJl')).toBe('eyJh…dXJl (52 chars)');
    expect(maskSecret('abcdefghij')).toBe('ab…ij (10 chars)');
    expect(maskSecret('abc')).toBe('*** (3 chars)');
    expect(maskSecret('')).toBe('(empty)');
  });
});

describe('createRedactor', () => {
  it('masks registered secrets, JWTs and private keys', () => {
    const r = createRedactor();
    r.register('s3cr3t-value-123');
    r.register('abc'); // too short to register
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----';
    const out = r.redact(`secret=s3cr3t-value-123 token=eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl abc ${pem}`);
    expect(out).toBe('secret=[redacted] token=[redacted jwt] abc [redacted private key]');
  });

  it('masks the longer of two overlapping secrets whole', () => {
    const r = createRedactor();
    r.register('secret');
    r.register('secret-and-more');
    expect(r.redact('x secret-and-more y')).toBe('x [redacted] y');
  });
});

describe('useColor', () => {
  it('colours only on a TTY', () => {
    expect(useColor({ isTTY: true, env: {} })).toBe(true);
    expect(useColor({ isTTY: false, env: {} })).toBe(false);
    expect(useColor({ isTTY: undefined, env: {} })).toBe(false);
  });

  it('never colours with NO_COLOR, --no-color or TERM=dumb', () => {
    expect(useColor({ isTTY: true, env: { NO_COLOR: '1' } })).toBe(false);
    expect(useColor({ isTTY: true, env: {}, flag: false })).toBe(false);
    expect(useColor({ isTTY: true, env: { TERM: 'dumb' } })).toBe(false);
  });

  it('FORCE_COLOR forces colour on, but NO_COLOR still wins', () => {
    expect(useColor({ isTTY: false, env: { FORCE_COLOR: '1' } })).toBe(true);
    expect(useColor({ isTTY: false, env: { FORCE_COLOR: '0' } })).toBe(false);
    expect(useColor({ isTTY: false, env: { FORCE_COLOR: '1', NO_COLOR: '1' } })).toBe(false);
  });

  it('colors(false) is the identity', () => {
    expect(colors(false).red('x')).toBe('x');
    expect(colors(true).red('x')).toBe('\u001b[31mx\u001b[39m');
  });
});
