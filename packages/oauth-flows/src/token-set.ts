import { inspect } from 'node:util';

/**
 * The fields of a {@link TokenSet}.
 *
 * @example
 * new TokenSet({ accessToken, tokenType: 'Bearer', expiresAt: Date.now() + 3_600_000 } satisfies TokenSetInit);
 */
export interface TokenSetInit {
  readonly accessToken: string;
  readonly tokenType: 'Bearer';
  /** When the access token expires, epoch ms on the local clock (receive time + `expires_in`). */
  readonly expiresAt: number;
  readonly refreshToken?: string | undefined;
  /** When the refresh token stops working, epoch ms on the local clock, when known or estimated. */
  readonly refreshTokenExpiresAt?: number | undefined;
  /** The granted scope, when the server said (NetSuite does not). */
  readonly scope?: string | undefined;
}

const REDACTED = '[redacted]';

/**
 * Tokens from a token endpoint. Redacts itself: `JSON.stringify`, `util.inspect` and `String()` never show
 * the access or refresh token, so a token set that reaches a log leaks nothing.
 *
 * Read the fields directly; to persist one, use {@link serializeTokenSet}.
 *
 * @example
 * const tokens = await requestClientCredentialsToken(options);
 * fetch(url, { headers: { authorization: `Bearer ${tokens.accessToken}` } });
 * console.log(tokens); // TokenSet { accessToken: '[redacted]', tokenType: 'Bearer', expiresAt: … }
 */
export class TokenSet implements TokenSetInit {
  readonly accessToken: string;
  readonly tokenType = 'Bearer' as const;
  readonly expiresAt: number;
  readonly refreshToken?: string | undefined;
  readonly refreshTokenExpiresAt?: number | undefined;
  readonly scope?: string | undefined;

  constructor(init: TokenSetInit) {
    this.accessToken = init.accessToken;
    this.expiresAt = init.expiresAt;
    if (init.refreshToken !== undefined) this.refreshToken = init.refreshToken;
    if (init.refreshTokenExpiresAt !== undefined) this.refreshTokenExpiresAt = init.refreshTokenExpiresAt;
    if (init.scope !== undefined) this.scope = init.scope;
    Object.freeze(this);
  }

  /** A redacted view: what `JSON.stringify` prints. */
  toJSON(): Record<string, unknown> {
    return {
      accessToken: REDACTED,
      tokenType: this.tokenType,
      expiresAt: this.expiresAt,
      ...(this.refreshToken === undefined ? {} : { refreshToken: REDACTED }),
      ...(this.refreshTokenExpiresAt === undefined
        ? {}
        : { refreshTokenExpiresAt: this.refreshTokenExpiresAt }),
      ...(this.scope === undefined ? {} : { scope: this.scope }),
    };
  }

  toString(): string {
    return '[TokenSet]';
  }

  [inspect.custom](
    _depth: number,
    options: { stylize?: unknown },
    inspectFn: typeof inspect = inspect,
  ): string {
    return `TokenSet ${inspectFn(this.toJSON(), options as Parameters<typeof inspect>[1])}`;
  }
}

/**
 * True when `value` is a {@link TokenSet}.
 *
 * @example
 * if (isTokenSet(value)) console.log(value.expiresAt);
 */
export function isTokenSet(value: unknown): value is TokenSet {
  return value instanceof TokenSet;
}
