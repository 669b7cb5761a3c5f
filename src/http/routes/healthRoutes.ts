import express, { type Router } from 'express';
import type { AppServices } from '../AppServices.ts';

/** Liveness and readiness, for load balancers and orchestrators: every role answers them. */
export function healthRoutes(services: Pick<AppServices, 'health' | 'version' | 'settings'>): Router {
  const router = express.Router();
  // Liveness only: the process answers. Whether it can do work is /readyz's question.
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', version: services.version });
  });
  router.get('/readyz', async (_req, res) => {
    const health = await services.health();
    if (health.status !== 'ok') res.set('Retry-After', String(services.settings.retryAfterSeconds));
    res.status(health.status === 'ok' ? 200 : 503).json(health);
  });
  return router;
}
