/** A string of HTML that is already escaped. */
export interface SafeHtml {
  readonly html: string;
}

/**
 * Escapes text for HTML element content and quoted attribute values.
 *
 * @example
 * escapeHtml('<a href="x">') // '&lt;a href=&quot;x&quot;&gt;'
 */
export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * Template tag that escapes every interpolated value unless it is {@link SafeHtml} (or an array of it).
 *
 * @example
 * html`<p>${userInput}</p>`.html
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return { html: out };
}

function render(value: unknown): string {
  if (Array.isArray(value)) return value.map(render).join('');
  if (value !== null && typeof value === 'object' && 'html' in value) return String((value as SafeHtml).html);
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(value);
}

/**
 * The one script, served from `/static/local-time.js` (the CSP allows scripts from this origin only, never inline):
 * every `<time data-relative>` is shown in the reader's language and time zone ("in 59 minutes", and the exact
 * local time beside it and in its tooltip), redrawn every 30 s. Without it the page keeps the server's English and
 * UTC.
 */
export const LOCAL_TIME_SCRIPT = `'use strict';
(() => {
  const lang = (navigator.languages && navigator.languages[0]) || navigator.language || 'en';
  const relative = new Intl.RelativeTimeFormat(lang, { numeric: 'auto' });
  const exact = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' });
  const render = () => {
    for (const el of document.querySelectorAll('time[data-relative]')) {
      const at = Date.parse(el.getAttribute('datetime') || '');
      if (Number.isNaN(at)) continue;
      const seconds = Math.round((at - Date.now()) / 1000);
      const abs = Math.abs(seconds);
      const [unit, size] = abs >= 172800 ? ['day', 86400] : abs >= 3600 ? ['hour', 3600] : abs >= 60 ? ['minute', 60] : ['second', 1];
      el.textContent = relative.format(Math.round(seconds / size), unit);
      el.title = exact.format(at);
      const beside = el.nextElementSibling;
      if (beside && beside.classList.contains('exact-time')) beside.textContent = '(' + exact.format(at) + ')';
    }
  };
  render();
  setInterval(render, 30000);
})();
`;

/** The stylesheet, served from `/static/app.css` (the CSP allows no inline style). */
export const STYLESHEET = `
:root { color-scheme: light; font-family: system-ui, sans-serif; }
*, *::before, *::after { box-sizing: border-box; }
body { margin: 0; background: #f5f6f8; color: #1d2330; }
header { background: #1d2b3a; color: #fff; padding: .8rem 1rem; display: flex; flex-wrap: wrap; gap: .5rem 1.25rem; align-items: center; }
header a { color: #cfe3ff; text-decoration: none; }
header .brand { font-weight: 700; color: #fff; flex-basis: 100%; }
main { max-width: 60rem; margin: 1rem auto; background: #fff; padding: 1rem; border-radius: 8px; box-shadow: 0 1px 3px #0002; overflow-wrap: break-word; }
@media (min-width: 40rem) {
  header { padding: .8rem 1.5rem; }
  header .brand { flex-basis: auto; }
  main { margin: 1.5rem auto; padding: 1.5rem 2rem; }
}
h1 { margin-top: 0; font-size: 1.5rem; }
.scroll { overflow-x: auto; margin: 1rem 0; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid #e3e6ea; font-size: .92rem; vertical-align: top; }
th { background: #f0f2f5; }
dl { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: .3rem 1.2rem; }
dt { font-weight: 600; }
dd { margin: 0; min-width: 0; }
form.inline { display: inline; }
button { background: #2563eb; color: #fff; border: 0; border-radius: 5px; padding: .5rem 1rem; font-size: .95rem; cursor: pointer; margin: 0 .25rem .25rem 0; }
button.secondary { background: #475569; }
button.danger { background: #b91c1c; }
textarea { width: 100%; min-height: 6rem; font-family: ui-monospace, monospace; font-size: .9rem; }
.notice { background: #ecfdf5; border: 1px solid #a7f3d0; padding: .6rem 1rem; border-radius: 5px; }
.warning { background: #fffbeb; border: 1px solid #fcd34d; padding: .6rem 1rem; border-radius: 5px; }
.error { background: #fef2f2; border: 1px solid #fecaca; padding: .6rem 1rem; border-radius: 5px; }
.muted { color: #556070; font-size: .85rem; }
code { background: #f0f2f5; padding: 0 .25rem; border-radius: 3px; overflow-wrap: anywhere; }
nav.pager { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; }
`;
