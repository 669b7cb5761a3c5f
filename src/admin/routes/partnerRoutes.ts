import express, { type Router } from 'express';
import type { AdminServices } from '../AdminServices.ts';
import { ownPartner, visiblePartnerIds } from '../callerScope.ts';

export function partnerRoutes(admin: AdminServices): Router {
  const router = express.Router();
  const { partners } = admin.control;
  router.get('/__admin/partners', (_req, res) => {
    const visible = new Set(visiblePartnerIds(res, partners));
    res.json({ partners: admin.partners.list().filter((p) => visible.has(p.clientId)) });
  });
  router.get('/__admin/partners/:clientId', (req, res) => {
    const { clientId } = ownPartner(res, partners, req.params.clientId as string);
    res.json(admin.partners.find(clientId));
  });
  return router;
}
