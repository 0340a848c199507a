import { describe, expect, it } from 'vitest';
import { parseFirstForm } from '../src/form-login.js';

describe('parseFirstForm', () => {
  it('reads hidden fields, the email and password inputs and the buttons', () => {
    const form =
      parseFirstForm(`<p>x</p><form method="post" action="/app/login/oauth2/authorize.nl" id="login-form">
<input type="hidden" name="txn" value="a&amp;b"><input type="hidden" name="action" value="login">
<input id="email" name="email" type="email"><input id="password" name="password" type="password">
<button type="submit" id="login-submit">Log In</button></form>`);
    expect(form).toEqual({
      action: '/app/login/oauth2/authorize.nl',
      method: 'POST',
      fields: [
        ['txn', 'a&b'],
        ['action', 'login'],
      ],
      hasPassword: true,
      emailField: 'email',
      passwordField: 'password',
      buttons: [],
    });
  });

  it('takes the first option of a select and named buttons', () => {
    const form = parseFirstForm(`<form method='post' action='/x'><input type="hidden" name="txn" value="t">
<select id="role" name="role"><option value="1000">A</option><option value="3">B</option></select>
<button type="submit" name="decision" value="allow">Allow</button><button type="submit" name="decision" value="deny">Deny</button></form>`);
    expect(form?.fields).toEqual([
      ['txn', 't'],
      ['role', '1000'],
    ]);
    expect(form?.buttons).toEqual([
      ['decision', 'allow'],
      ['decision', 'deny'],
    ]);
  });

  it('returns undefined without a form', () => {
    expect(parseFirstForm('<p class="error">The redirect_uri does not match</p>')).toBeUndefined();
  });
});
