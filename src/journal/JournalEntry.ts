import type { NearMiss } from './NearMiss.ts';

/** Which part of the server a request reached. */
export type JournalArea = 'api' | 'bucket' | 'module';

export interface JournalEntry {
  /** Increasing per process (`req_1`, `req_2`, …), so entries sort and page by id. */
  id: string;
  /** When the request arrived, ISO 8601. */
  at: string;
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
