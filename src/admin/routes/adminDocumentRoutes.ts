import express, { type Router } from 'express';
import type { AdminServices } from '../AdminServices.ts';

/** The admin API describing itself, and the metrics scrape (same auth rule, outside /__admin by convention). */
export function adminDocumentRoutes(admin: AdminServices): Router {
  const router = express.Router();
  router.get('/__admin/openapi.json', (_req, res) => {
    res.json(admin.openApiDocument);
  });
  router.get('/metrics', async (_req, res) => {
    const text = await admin.metrics.render();
    res.set('Cache-Control', 'no-store').type(admin.metrics.contentType).send(text);
  });
  return router;
}
