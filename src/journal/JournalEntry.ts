import type { NearMiss } from './NearMiss.ts';

/** Which part of the server a request reached. */
export type JournalArea = 'api' | 'bucket' | 'module';

export interface JournalEntry {
  /** Increasing per process (`req_1`, `req_2`, …), so entries sort and page by id. */
  id: string;
  /** When the request arrived, ISO 8601, wall-clock time. */
  at: string;
  /**
   * The same instant on the partner's test clock, so a request can be placed among submission and
   * callback times (business time) when a test has moved the clock; null when no partner is known.
   */
  businessAt: string | null;
  method: string;
  /** The path and query as sent, with signatures and secrets replaced by `***`. */
  path: string;
  area: JournalArea;
  /** 0 when the client went away before an answer was sent. */
  status: number;
  durationMs: number;
  partnerId: string | null;
  correlationId: string | null;
  /** For every 4xx: the rule or check that refused the request. */
  nearMiss: NearMiss | null;
}

export interface JournalFilter {
  partnerId?: string;
  correlationId?: string;
  status?: number;
  method?: string;
  pathPrefix?: string;
  nearMissesOnly?: boolean;
  /** Newest first, at most this many. */
  limit?: number;
}
