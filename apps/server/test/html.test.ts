import { describe, expect, it } from 'vitest';
import { escapeHtml, html } from '../src/html.js';
import { errorPage, relativeTime, table } from '../src/pages.js';

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

describe('relativeTime', () => {
  const now = Date.UTC(2026, 0, 1);
  it('says how far a moment is, in the largest whole unit', () => {
    expect(relativeTime(now + 3_540_000, now)).toBe('in 59 minutes');
    expect(relativeTime(now + 60_000, now)).toBe('in 1 minute');
    expect(relativeTime(now - 2 * 3_600_000, now)).toBe('2 hours ago');
    expect(relativeTime(now + 7 * 86_400_000, now)).toBe('in 7 days');
    expect(relativeTime(now + 30_000, now)).toBe('in 30 seconds');
    expect(relativeTime(now - 2_000, now)).toBe('just now');
  });
});
