import express, { type Router } from 'express';
import { ProblemError } from '../../http/ProblemError.ts';
import type { AdminServices } from '../AdminServices.ts';

export function partnerRoutes(admin: AdminServices): Router {
  const router = express.Router();
  router.get('/__admin/partners', (_req, res) => {
    res.json({ partners: admin.partners.list() });
  });
  router.get('/__admin/partners/:clientId', (req, res) => {
    const clientId = req.params.clientId as string;
    const partner = admin.partners.find(clientId);
    if (!partner) {
      throw new ProblemError('partner-not-found', {
        detail: `No partner "${clientId}" is configured. GET /__admin/partners lists the client ids.`,
      });
    }
    res.json(partner);
  });
  return router;
}
