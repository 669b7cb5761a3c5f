import express, { type Router } from 'express';
import { checkRequestContract, matchOperation } from '../http/contractMiddleware.ts';
import { ProblemError } from '../http/ProblemError.ts';
import { parseBody } from '../http/parseBody.ts';
import { refuseForeignHost } from '../http/refuseForeignHost.ts';
import { adminCallerOf } from './AdminCaller.ts';
import type { AdminServices } from './AdminServices.ts';
import { controlRoutes } from './controlRoutes.ts';
import { identifyAdminCaller } from './identifyAdminCaller.ts';
import { refuseCrossSite } from './refuseCrossSite.ts';
import { refuseOperatorOnly } from './refuseOperatorOnly.ts';
import { adminDocumentRoutes } from './routes/adminDocumentRoutes.ts';
import { eventRoutes } from './routes/eventRoutes.ts';
import { journalRoutes } from './routes/journalRoutes.ts';
import { partnerRoutes } from './routes/partnerRoutes.ts';
import { timelineRoutes } from './routes/timelineRoutes.ts';
import { whoamiRoutes } from './routes/whoamiRoutes.ts';

/** One route group per admin area; a new area adds its group here. */
export const ADMIN_ROUTE_GROUPS: ReadonlyArray<(admin: AdminServices) => Router> = [
  adminDocumentRoutes,
  whoamiRoutes,
  journalRoutes,
  partnerRoutes,
  timelineRoutes,
  eventRoutes,
  (admin) => express.Router().use('/__admin', controlRoutes(admin.control)),
];

const WHERE_TO_LOOK = 'GET /__admin/openapi.json lists the admin endpoints.';

/** The operator surface: everything under /__admin, and /metrics. */
export function isAdminPath(path: string): boolean {
  return path === '/metrics' || path === '/__admin' || path.startsWith('/__admin/');
}

/**
 * The admin API, to mount at the root before the partner contract (which would 404 its paths).
 * It passes every other request on untouched, and has the partner API's machinery with its own
 * document: its own callers (the operator token, or a partner's access token scoped to that
 * partner; see callerScope.ts), openapi/admin.yaml for requests and (when validation is on)
 * responses, problem+json errors from the same catalogue.
 */
export function adminRoutes(
  admin: AdminServices,
  settings: { maxJsonBytes: number; validateResponses: 'off' | 'log' | 'enforce' },
  warn: (message: string) => void,
): Router {
  const router = express.Router();
  router.use((req, _res, next) => next(isAdminPath(req.path) ? undefined : 'router'));
  router.use(
    identifyAdminCaller({ operatorToken: admin.token, verifyPartnerToken: admin.verifyPartnerToken }),
  );
  router.use(
    matchOperation(
      admin.contract,
      settings.validateResponses,
      (message) => warn(`admin response breaks openapi/admin.yaml: ${message}`),
      WHERE_TO_LOOK,
    ),
  );
  // After matchOperation, so these answers are checked against openapi/admin.yaml like any other.
  router.use(
    refuseForeignHost(admin.names, {
      // A page can neither know the operator token nor send it cross-origin: a scrape or script
      // that reaches the server by a container or load-balancer name need not be listed.
      exempt: (res) => adminCallerOf(res).authenticatedBy === 'operator-token',
      operatorTokenSet: admin.token !== undefined,
    }),
  );
  router.use(refuseCrossSite(admin.names));
  router.use(refuseOperatorOnly());
  router.use(parseBody({ maxBytes: settings.maxJsonBytes, setting: 'maxJsonBytes' }));
  router.use(checkRequestContract(admin.contract));
  for (const group of ADMIN_ROUTE_GROUPS) router.use(group(admin));
  router.use((_req, _res, next) => next(new ProblemError('not-found', { detail: WHERE_TO_LOOK })));
  return router;
}
