/**
 * The one way time enters the flow. Business time — token and upload URL
 * expiry, processing delays, callback retries — is read from a partner's
 * clock, which a test can advance or freeze (see BusinessClock), so nothing
 * else reads Date.now() for those decisions.
 */
export interface Clock {
  now(): Date;
}

/** Runs `run` when the clock reaches `due`; `cancel` drops it if it has not run yet. */
export interface ScheduledTask {
  readonly due: Date;
  cancel(): void;
}

export interface Scheduler {
  /**
   * Schedules work at a business instant. While the clock runs in real time it
   * fires when wall time gets there; advancing the clock past `due` fires it at
   * once. What `run` returns is awaited by an advance, so a test that advances
   * sees the work done.
   */
  at(due: Date, run: () => unknown): ScheduledTask;
}

export type BusinessClock = Clock & Scheduler;

export const systemClock: Clock = { now: () => new Date() };
