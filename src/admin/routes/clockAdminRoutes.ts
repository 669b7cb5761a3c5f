import express, { type Router } from 'express';
import type { ControlServices } from '../ControlServices.ts';
import { ownPartner } from '../callerScope.ts';

/**
 * A partner's test clock (Stripe's test clocks are the model): advance it and
 * what falls due happens before the answer; freeze it; DELETE returns it to
 * real time.
 */
export function clockAdminRoutes(control: ControlServices): Router {
  const router = express.Router();
  const { clocks, partners } = control;
  const state = async (clientId: string) => ({ clientId, ...(await clocks.state(clientId)) });

  router.get('/partners/:clientId/clock', async (req, res) => {
    const { clientId } = ownPartner(res, partners, req.params.clientId as string);
    res.json(await state(clientId));
  });

  router.post('/partners/:clientId/clock', async (req, res) => {
    const { clientId } = ownPartner(res, partners, req.params.clientId as string);
    // openapi/admin.yaml has already checked the body: advanceSeconds 0…366 days and/or freeze.
    const body = req.body as { advanceSeconds?: number; freeze?: boolean };
    if (body.freeze === true) await clocks.freeze(clientId);
    if (body.advanceSeconds !== undefined) await clocks.advance(clientId, body.advanceSeconds * 1000);
    if (body.freeze === false) await clocks.resume(clientId);
    res.json(await state(clientId));
  });

  router.delete('/partners/:clientId/clock', async (req, res) => {
    const { clientId } = ownPartner(res, partners, req.params.clientId as string);
    await clocks.reset(clientId);
    res.json(await state(clientId));
  });

  return router;
}
