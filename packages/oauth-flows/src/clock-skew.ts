import type { FormResponse } from './http.js';

/**
 * The authorization server's clock minus ours, as last seen in a `Date` header (RFC 9110 §6.6.1). Client
 * assertions are signed on the server's clock when this grows past a threshold.
 */
export class ClockSkew {
  /** Server minus local, ms (0 until a response with a `Date` header was seen). */
  skewMs = 0;

  /** Takes the skew from a token-endpoint response; passed as `onResponse` to the grant requests. */
  readonly observe = (response: FormResponse): void => {
    if (response.serverDate !== undefined) this.skewMs = response.serverDate - response.receivedAt;
  };
}
