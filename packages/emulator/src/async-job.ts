/** A `Prefer: respond-async` job: the request already ran, its result waits for the client to fetch it. */
export interface AsyncJob {
  readonly id: string;
  readonly createdAt: number;
  readonly idempotencyKey: string | undefined;
  readonly result: { status: number; body: string; headers: Record<string, string> };
  readonly startTime: number;
}
