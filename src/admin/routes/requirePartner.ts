import type { Partner } from '../../auth/Partner.ts';
import { ProblemError } from '../../http/ProblemError.ts';

/** The configured partner named in an admin path, or a 404 that lists the ones that exist. */
export function requirePartner(partners: ReadonlyMap<string, Partner>, clientId: string): Partner {
  const partner = partners.get(clientId);
  if (!partner) {
    throw new ProblemError('partner-not-found', {
      detail: `No partner "${clientId}" is configured; known: ${[...partners.keys()].join(', ')}.`,
    });
  }
  return partner;
}
