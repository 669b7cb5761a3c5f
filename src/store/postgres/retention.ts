import type { StoreOptions } from '../SandboxStore.ts';

/**
 * The instants before which data has expired, on the store's wall clock (StoreOptions.now, never
 * the database's: tests move it). Something that began at or before a cutoff reads as absent,
 * as src/retention/isExpired.ts decides for the other adapters.
 */
export interface Cutoffs {
  /** Submissions (with their delivery and counters) created at or before this have expired. */
  submissions: Date;
  /** Images uploaded at or before this have expired. */
  images: Date;
  /** Idempotency-Key answers stored at or before this have expired. */
  answers: Date;
}

export function cutoffs(options: Pick<StoreOptions, 'now' | 'retention'>): Cutoffs {
  const now = options.now().getTime();
  return {
    submissions: new Date(now - options.retention.submissionSeconds * 1000),
    images: new Date(now - options.retention.imageSeconds * 1000),
    answers: new Date(now - options.retention.submissionSeconds * 1000),
  };
}
