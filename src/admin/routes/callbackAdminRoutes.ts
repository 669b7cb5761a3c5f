import express, { type Router } from 'express';
import type { CallbackDeliveryRecord } from '../../domain/CallbackDelivery.ts';
import { ProblemError } from '../../http/ProblemError.ts';
import type { ControlServices } from '../ControlServices.ts';
import { deliveryNotFound, findVisibleDelivery, partnerFilter } from '../callerScope.ts';
import { deliveryBody } from './submissionAdminRoutes.ts';

/** Completion-callback deliveries with every attempt, and a redeliver action; a partner's own only. */
export function callbackAdminRoutes(control: ControlServices): Router {
  const router = express.Router();

  router.get('/callbacks', async (req, res) => {
    const { partner, correlationId, state } = req.query as Record<string, string | undefined>;
    const partnerId = partnerFilter(res, partner);
    if (partnerId === null) return void res.json({ deliveries: [] });
    const deliveries = await control.store.deliveries.list({
      ...(partnerId === undefined ? {} : { partnerId }),
      ...(correlationId === undefined ? {} : { correlationId }),
      ...(state === undefined ? {} : { state: state as CallbackDeliveryRecord['state'] }),
    });
    res.json({ deliveries: deliveries.map(deliveryBody) });
  });

  router.post('/callbacks/:webhookId/redeliver', async (req, res) => {
    const webhookId = req.params.webhookId as string;
    await findVisibleDelivery(res, control, webhookId);
    const answer = await control.redeliver(webhookId);
    if (answer.kind === 'not-found') throw deliveryNotFound(webhookId);
    if (answer.kind === 'in-progress') {
      throw new ProblemError('delivery-in-progress', {
        detail: `Delivery ${webhookId} is still being attempted (next at ${answer.record.nextAttemptAt ?? 'now'}); wait for it to end.`,
      });
    }
    if (answer.kind === 'no-secret') {
      throw new ProblemError('delivery-unsignable', {
        detail: `Partner ${answer.record.partnerId} has no usable webhook secret, so the delivery cannot be signed.`,
      });
    }
    res.status(202).json(deliveryBody(answer.record));
  });

  return router;
}
