import { describe, expect, it } from 'vitest';
import { oauthErrorHint } from '../src/index.js';

describe('oauthErrorHint', () => {
  it('names the most likely cause for the request the error answered', () => {
    expect(oauthErrorHint('invalid_grant', 'client_credentials')).toMatch(
      /^most likely the certificate id \(kid\)/,
    );
    expect(oauthErrorHint('invalid_grant', 'authorization_code')).toMatch(/^the authorization code expired/);
    expect(oauthErrorHint('invalid_grant', 'refresh_token')).toMatch(/^the refresh token expired/);
    expect(oauthErrorHint('invalid_client', 'client_credentials')).toContain('certificate id (kid)');
    expect(oauthErrorHint('invalid_client', 'authorization_code')).toContain('client secret');
    expect(oauthErrorHint('server_error', 'client_credentials')).toContain('Application ID');
  });

  it('falls back to the general meaning without a context, and knows nothing it was not told', () => {
    expect(oauthErrorHint('invalid_grant')).toMatch(/^the grant was refused/);
    expect(oauthErrorHint('invalid_scope')).toContain('scope');
    for (const value of ['nonsense', '__proto__', 'constructor', 'toString', ''])
      expect(oauthErrorHint(value, 'client_credentials')).toBeUndefined();
  });
});
