import express, { type Router } from 'express';
import { servedDocument } from '../../http/servedDocument.ts';
import type { AdminServices } from '../AdminServices.ts';

/** The admin API describing itself, and the metrics scrape (same auth rule, outside /__admin by convention). */
export function adminDocumentRoutes(admin: AdminServices): Router {
  const router = express.Router();
  router.get('/__admin/openapi.json', (req, res) => {
    // Named after the request's origin, as the partner document is, so /docs can try it out.
    res
      .vary('Host')
      .json(
        servedDocument(
          admin.openApiDocument,
          { protocol: req.protocol, hostHeader: req.headers.host },
          admin.publicUrl,
        ),
      );
  });
  router.get('/metrics', async (_req, res) => {
    const text = await admin.metrics.render();
    res.set('Cache-Control', 'no-store').type(admin.metrics.contentType).send(text);
  });
  return router;
}
