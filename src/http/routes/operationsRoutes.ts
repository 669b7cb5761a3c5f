import express, { type Router } from 'express';
import type { AppServices } from '../AppServices.ts';
import { ProblemError } from '../ProblemError.ts';
import { PROBLEMS, type ProblemCode } from '../problemCatalogue.ts';

export function operationsRoutes(services: AppServices): Router {
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
  router.get('/openapi.json', (_req, res) => {
    res.json(services.openApiDocument);
  });
  router.get('/problems/:code', (req, res) => {
    const code = req.params.code as string;
    if (!Object.hasOwn(PROBLEMS, code))
      throw new ProblemError('not-found', { detail: `No problem type "${code}".` });
    res.json({ code, ...PROBLEMS[code as ProblemCode] });
  });
  return router;
}
