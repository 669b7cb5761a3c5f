import type { Response } from 'express';
import type { Partner } from '../auth/Partner.ts';
import type { CallbackDeliveryRecord } from '../domain/CallbackDelivery.ts';
import type { Submission } from '../domain/Submission.ts';
import { ProblemError } from '../http/ProblemError.ts';
import { adminCallerOf } from './AdminCaller.ts';
import type { ControlServices } from './ControlServices.ts';

/*
 * What the caller of an admin request may see, decided here and nowhere else: the operator sees
 * every partner, a partner its own client id only. Whatever belongs to another partner is refused
 * with exactly the answer an unknown id gets (same problem, same detail with the id in it), so a
 * partner cannot learn whether another partner, submission or delivery exists.
 */

/** The client ids the caller may see. */
export function visiblePartnerIds(res: Response, partners: ReadonlyMap<string, Partner>): string[] {
  const caller = adminCallerOf(res);
  return caller.role === 'operator' ? [...partners.keys()] : [caller.clientId];
}

/** Whether the caller may see this partner's data. */
export function maySee(res: Response, partnerId: string): boolean {
  const caller = adminCallerOf(res);
  return caller.role === 'operator' || caller.clientId === partnerId;
}

/** The configured partner named in an admin path, when the caller may see it; a 404 listing those it may otherwise. */
export function ownPartner(res: Response, partners: ReadonlyMap<string, Partner>, clientId: string): Partner {
  const partner = partners.get(clientId);
  if (partner && maySee(res, clientId)) return partner;
  throw new ProblemError('partner-not-found', {
    detail: `No partner "${clientId}" is configured; known: ${visiblePartnerIds(res, partners).join(', ')}.`,
  });
}

/**
 * The partner a list is narrowed to: what the request asked for (`partner=`), within what the
 * caller may see. `undefined` is every partner (the operator asking for no filter); `null` is no
 * partner at all (a partner naming another), which the route answers with an empty list, as it
 * does for a client id nobody has.
 */
export function partnerFilter(res: Response, requested: string | undefined): string | undefined | null {
  const caller = adminCallerOf(res);
  if (caller.role === 'operator') return requested;
  return requested === undefined || requested === caller.clientId ? caller.clientId : null;
}

/** A submission the caller may see, or the 404 an unknown correlation id gets. */
export async function findVisibleSubmission(
  res: Response,
  control: Pick<ControlServices, 'store'>,
  correlationId: string,
): Promise<Submission> {
  return visibleOr(res, await control.store.submissions.get(correlationId), () =>
    submissionNotFound(correlationId),
  );
}

export function submissionNotFound(correlationId: string): ProblemError {
  return new ProblemError('submission-not-found', { detail: `No submission ${correlationId} exists.` });
}

/** A callback delivery the caller may see, or the 404 an unknown webhook id gets. */
export async function findVisibleDelivery(
  res: Response,
  control: Pick<ControlServices, 'store'>,
  webhookId: string,
): Promise<CallbackDeliveryRecord> {
  return visibleOr(res, await control.store.deliveries.get(webhookId), () => deliveryNotFound(webhookId));
}

export function deliveryNotFound(webhookId: string): ProblemError {
  return new ProblemError('delivery-not-found', { detail: `No callback delivery ${webhookId} exists.` });
}

/** A partner's record, when it exists and the caller may see it; otherwise the not-found an unknown id gets. */
function visibleOr<T extends { partnerId: string }>(
  res: Response,
  record: T | undefined,
  notFound: () => ProblemError,
): T {
  if (record && maySee(res, record.partnerId)) return record;
  throw notFound();
}
