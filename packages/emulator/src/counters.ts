/** Request counters since start or the last reset, from {@link EmulatorAdmin.counters}. */
export interface Counters {
  requests: number;
  token: number;
  tokenByGrant: Record<string, number>;
  authorize: number;
  revoke: number;
  keys: number;
  certificates: number;
  record: number;
  /** Metadata catalog requests (`/record/v1/metadata-catalog…`). */
  metadata: number;
  suiteql: number;
  async: number;
  system: number;
  restlet: number;
  admin: number;
  unknown: number;
  inFlight: number;
  maxInFlight: number;
  concurrencyRejected: number;
  faultsInjected: number;
  byStatus: Record<string, number>;
  /** Async jobs accepted (single requests and batches). */
  asyncJobs: number;
  /** Tasks of async jobs run (one per record of a batch). */
  asyncTasks: number;
  /** Concurrency slots held by running jobs now, and at most. */
  jobSlotsHeld: number;
  maxJobSlotsHeld: number;
  /** Most slots in use at once: requests in flight plus jobs holding a slot. */
  maxSlotsInUse: number;
}

export function emptyCounters(): Counters {
  return {
    requests: 0,
    token: 0,
    tokenByGrant: {},
    authorize: 0,
    revoke: 0,
    keys: 0,
    certificates: 0,
    record: 0,
    metadata: 0,
    suiteql: 0,
    async: 0,
    system: 0,
    restlet: 0,
    admin: 0,
    unknown: 0,
    inFlight: 0,
    maxInFlight: 0,
    concurrencyRejected: 0,
    faultsInjected: 0,
    byStatus: {},
    asyncJobs: 0,
    asyncTasks: 0,
    jobSlotsHeld: 0,
    maxJobSlotsHeld: 0,
    maxSlotsInUse: 0,
  };
}
