/**
 * Reads a response body as UTF-8 text, at most `maxBytes` bytes after decoding; resolves `undefined` (and
 * cancels the body) when it is larger, so each package can answer with its own typed error.
 *
 * Fast path: an unencoded body with a declared `Content-Length` within the cap is read in one go (fetch
 * enforces the length). With `Content-Encoding` the declared length is the compressed size and fetch inflates
 * without limit, so such a body — or one without a length — is counted chunk by chunk (docs/security.md#transport).
 *
 * @example
 * const text = await readBodyCapped(response, 1024 * 1024);
 * if (text === undefined) throw new MyError('ERR_X_RESPONSE_TOO_LARGE', 'response body exceeds 1 MiB');
 */
export async function readBodyCapped(response: Response, maxBytes: number): Promise<string | undefined> {
  const declared = response.headers.get('content-length');
  const length = declared === null ? Number.NaN : Number(declared);
  if (length > maxBytes) {
    await response.body?.cancel().catch(() => {});
    return undefined;
  }
  const body = response.body;
  if (body === null) return '';
  const encoding = response.headers.get('content-encoding');
  if (Number.isFinite(length) && (encoding === null || /^\s*(identity)?\s*$/i.test(encoding))) {
    return await response.text();
  }
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return new TextDecoder().decode(chunks[0]);
  const all = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    all.set(chunk, at);
    at += chunk.byteLength;
  }
  return new TextDecoder().decode(all);
}
