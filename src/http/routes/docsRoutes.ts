import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import express, { type Router } from 'express';
import type { AppServices } from '../AppServices.ts';
import { ProblemError } from '../ProblemError.ts';
import { renderDocsPage } from '../renderDocsPage.ts';

/** The renderer's files we serve, by name: nothing else from node_modules is reachable. */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

const assetsDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

export function docsRoutes(services: AppServices): Router {
  const router = express.Router();
  const title = (services.openApiDocument as { info?: { title?: string } }).info?.title ?? 'API';
  // The admin document is listed second: the partner contract is what most readers came for.
  // (With an admin token set, the browser cannot fetch it and Swagger UI says so.)
  const page = renderDocsPage(title, [
    { name: 'Partner API', url: '/openapi.json' },
    { name: 'Admin API (mock only)', url: '/__admin/openapi.json' },
  ]);
  const loaded = new Map<string, Buffer>();

  router.get('/docs', (_req, res) => {
    res.type('html').send(page);
  });
  router.get('/docs/:asset', (req, res) => {
    const name = req.params.asset as string;
    const type = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
    if (!type)
      throw new ProblemError('not-found', { detail: `No file "${name}" under /docs; open /docs itself.` });
    let bytes = loaded.get(name);
    if (!bytes) {
      // Read on first use: most runs never open the reference.
      bytes = readFileSync(join(assetsDir, name));
      loaded.set(name, bytes);
    }
    res.set('Cache-Control', 'public, max-age=86400').type(type).send(bytes);
  });
  return router;
}
