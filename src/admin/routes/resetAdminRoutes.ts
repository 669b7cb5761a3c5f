import express, { type Router } from 'express';
import type { ControlServices } from '../ControlServices.ts';
import { ownPartner } from '../callerScope.ts';

/**
 * A clean slate: everything (the operator's alone, which openapi/admin.yaml declares and
 * refuseOperatorOnly enforces), or one partner's state only.
 */
export function resetAdminRoutes(control: ControlServices): Router {
  const router = express.Router();
  router.post('/reset', async (_req, res) => {
    res.json({ partner: null, removed: await control.reset() });
  });
  router.post('/partners/:clientId/reset', async (req, res) => {
    const { clientId } = ownPartner(res, control.partners, req.params.clientId as string);
    res.json({ partner: clientId, removed: await control.reset(clientId) });
  });
  return router;
}
