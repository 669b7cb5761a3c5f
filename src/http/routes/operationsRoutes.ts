import express, { type Router } from 'express';
import type { AppServices } from '../AppServices.ts';
import { ProblemError } from '../ProblemError.ts';
import { PROBLEMS, type ProblemCode } from '../problemCatalogue.ts';
import { healthRoutes } from './healthRoutes.ts';

export function operationsRoutes(services: AppServices): Router {
  const router = express.Router();
  router.use(healthRoutes(services));
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
