import express, { type Router } from 'express';
import type { AppServices } from '../AppServices.ts';
import { ProblemError } from '../ProblemError.ts';
import { PROBLEMS, type ProblemCode } from '../problemCatalogue.ts';
import { servedDocument } from '../servedDocument.ts';
import { healthRoutes } from './healthRoutes.ts';

export function operationsRoutes(services: AppServices): Router {
  const router = express.Router();
  router.use(healthRoutes(services));
  router.get('/openapi.json', (req, res) => {
    // The servers differ by Host: a cache must not hand one name's document to another.
    res
      .vary('Host')
      .json(
        servedDocument(
          services.openApiDocument,
          { protocol: req.protocol, hostHeader: req.headers.host },
          services.publicUrl,
        ),
      );
  });
  router.get('/problems/:code', (req, res) => {
    const code = req.params.code as string;
    if (!Object.hasOwn(PROBLEMS, code))
      throw new ProblemError('not-found', { detail: `No problem type "${code}".` });
    res.json({ code, ...PROBLEMS[code as ProblemCode] });
  });
  return router;
}
