import express, { type Router } from 'express';
import { ProblemError } from '../../http/ProblemError.ts';
import type { ControlServices } from '../ControlServices.ts';
import { deliveryBody } from './submissionAdminRoutes.ts';

/** Completion-callback deliveries with every attempt, and a redeliver action. */
export function callbackAdminRoutes(control: ControlServices): Router {
  const router = express.Router();

  router.get('/callbacks', async (req, res) => {
    const { partner, correlationId, state } = req.query as Record<string, string | undefined>;
    const ids =
      correlationId !== undefined
        ? [correlationId]
        : control.submissions
            .values()
            .filter((s) => partner === undefined || s.partnerId === partner)
            .map((s) => s.correlationId);
    const records = (await Promise.all(ids.map((id) => control.callbacks.deliveries(id)))).flat();
    const deliveries = records
      .filter(
        (r) =>
          (partner === undefined || r.partnerId === partner) && (state === undefined || r.state === state),
      )
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
    res.json({ deliveries: deliveries.map(deliveryBody) });
  });

  router.post('/callbacks/:webhookId/redeliver', async (req, res) => {
    const webhookId = req.params.webhookId as string;
    const answer = await control.callbacks.redeliver(webhookId);
    if (answer.kind === 'not-found') {
      throw new ProblemError('delivery-not-found', { detail: `No callback delivery ${webhookId} exists.` });
    }
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
