import type { Submission } from './Submission.ts';

/**
 * Tenant isolation: a partner sees only its own submissions. Another partner's
 * correlation id must look exactly like one that does not exist (404, never
 * 403), or ids would leak across tenants.
 */
export function visibleTo(submission: Submission | undefined, partnerId: string): Submission | undefined {
  return submission?.partnerId === partnerId ? submission : undefined;
}
