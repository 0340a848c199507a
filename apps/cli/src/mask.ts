/**
 * Masks a secret for display: the first and last four characters (never more than a quarter of it)
 * around an ellipsis, with its length. Short values are fully hidden.
 *
 * @example
 * maskSecret('eyJhbGciOiJQUzI1NiJ9.eyJzdWIiOiIzOzcifQ.c2lnbmF0dXJl') // 'eyJh…dXJl (52 chars)'
 * maskSecret('abc') // '*** (3 chars)'
 */
export function maskSecret(value: string): string {
  if (value.length === 0) return '(empty)';
  const show = Math.min(4, Math.floor(value.length / 4));
  if (show < 2) return `*** (${value.length} chars)`;
  return `${value.slice(0, show)}…${value.slice(-show)} (${value.length} chars)`;
}

const JWT = /eyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}/g;
const PEM = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g;

/**
 * Removes secrets from text before it reaches the screen: every registered secret, any JWT and any
 * private-key PEM block. The CLI passes all of its output through one of these.
 *
 * @example
 * const r = createRedactor(); r.register(clientSecret); r.redact(`secret=${clientSecret}`) // 'secret=[redacted]'
 */
export interface Redactor {
  /** Remember a secret value (ignored when shorter than 6 characters, to avoid masking ordinary words). */
  register(secret: string | undefined): void;
  redact(text: string): string;
}

/** Creates a {@link Redactor}. */
export function createRedactor(): Redactor {
  const secrets = new Set<string>();
  return {
    register(secret) {
      if (typeof secret === 'string' && secret.length >= 6) secrets.add(secret);
    },
    redact(text) {
      let out = text;
      // Longest first, so a secret containing another is masked whole.
      for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
        if (out.includes(secret)) out = out.split(secret).join('[redacted]');
      }
      return out.replace(PEM, '[redacted private key]').replace(JWT, '[redacted jwt]');
    },
  };
}
