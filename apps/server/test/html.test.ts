import { describe, expect, it } from 'vitest';
import { escapeHtml, html } from '../src/html.js';
import { errorPage, table } from '../src/pages.js';

describe('html escaping', () => {
  it('escapes the five HTML metacharacters', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });

  it('escapes interpolated values but not nested templates', () => {
    const inner = html`<b>${'<i>'}</b>`;
    expect(html`<p>${inner}${'<script>'}</p>`.html).toBe('<p><b>&lt;i&gt;</b>&lt;script&gt;</p>');
  });

  it('escapes record values and column names coming from NetSuite', () => {
    const out = table([{ '<th>': '<img src=x onerror=alert(1)>', id: 1 }]).html;
    expect(out).not.toContain('<img');
    expect(out).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(out).toContain('&lt;th&gt;');
  });

  it('renders an error page without markup injection', () => {
    const page = errorPage({ status: 400, title: '<x>', message: '"><script>', connected: false });
    expect(page).not.toContain('<script>');
    expect(page).toContain('&quot;&gt;&lt;script&gt;');
  });
});
