import express, { type Router } from 'express';
import type { ControlServices } from './ControlServices.ts';
import { callbackAdminRoutes } from './routes/callbackAdminRoutes.ts';
import { clockAdminRoutes } from './routes/clockAdminRoutes.ts';
import { providerStateRoutes } from './routes/providerStateRoutes.ts';
import { resetAdminRoutes } from './routes/resetAdminRoutes.ts';
import { scenarioAdminRoutes } from './routes/scenarioAdminRoutes.ts';
import { submissionAdminRoutes } from './routes/submissionAdminRoutes.ts';

/** The admin routes that drive the flow: scenarios, clocks, submissions, callbacks, Pact provider states (mounted at /__admin). */
export function controlRoutes(control: ControlServices): Router {
  const router = express.Router();
  router.use(scenarioAdminRoutes(control));
  router.use(clockAdminRoutes(control));
  router.use(submissionAdminRoutes(control));
  router.use(callbackAdminRoutes(control));
  router.use(resetAdminRoutes(control));
  router.use(providerStateRoutes(control));
  return router;
}
