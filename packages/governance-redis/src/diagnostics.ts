import { channel } from 'node:diagnostics_channel';

/**
 * The `node:diagnostics_channel` names the Redis limiter publishes on; nothing is built or published while a channel
 * has no subscriber. Every field: `docs/observability.md`.
 *
 * @example
 * import { subscribe } from 'node:diagnostics_channel';
 * subscribe(governanceRedisChannels.lease, (e) => console.log((e as LeaseEvent).action, (e as LeaseEvent).key));
 * @see https://nodejs.org/api/diagnostics_channel.html
 */
export const governanceRedisChannels = Object.freeze({
  /** A lease of the shared budget taken, given back, or found gone on renewal: {@link LeaseEvent}. */
  lease: 'netsuite-oauth:governance-redis:lease',
} as const);

/**
 * A lease of the shared concurrency budget (one Redis key per account).
 *
 * @example
 * subscribe(governanceRedisChannels.lease, (e) => { const l = e as LeaseEvent; if (l.action === 'lost') alert(l.key) });
 */
export interface LeaseEvent {
  /** The Redis key of the budget. */
  readonly key: string;
  readonly limit: number;
  /** `acquire`, `release`, or `lost`: a renewal found the lease expired while its request still ran. */
  readonly action: 'acquire' | 'release' | 'lost';
  /** `acquire`: from the call to `acquire` to the grant, ms; 0 otherwise. */
  readonly waitedMs: number;
}

export const leaseChannel = channel(governanceRedisChannels.lease);
