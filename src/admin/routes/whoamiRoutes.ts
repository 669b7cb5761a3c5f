import express, { type Router } from 'express';
import { adminCallerOf } from '../AdminCaller.ts';
import type { AdminServices } from '../AdminServices.ts';
import type { components } from '../generated/admin.ts';

/** GET /__admin/whoami: whom the request is answered for, so a dashboard can say so and hide what is not its caller's. */
export function whoamiRoutes(admin: AdminServices): Router {
  const router = express.Router();
  router.get('/__admin/whoami', (_req, res) => {
    const caller = adminCallerOf(res);
    const body: components['schemas']['AdminCaller'] = {
      role: caller.role,
      partner: caller.role === 'partner' ? (admin.partners.find(caller.clientId) ?? null) : null,
      authenticatedBy: caller.authenticatedBy,
    };
    res.set('Cache-Control', 'no-store').json(body);
  });
  return router;
}
