import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { requireAdminToken } from '../admin/requireAdminToken.ts';
import type { AppServices } from './AppServices.ts';
import { ProblemError } from './ProblemError.ts';
import { renderProblem } from './renderProblem.ts';
import { healthRoutes } from './routes/healthRoutes.ts';

/**
 * What a `--role worker` instance answers on its port: liveness, readiness and metrics for the
 * orchestrator and Prometheus; everything else says where the API is.
 */
export function createWorkerApp(
  services: Pick<AppServices, 'health' | 'version' | 'settings' | 'log'> & {
    admin: Pick<AppServices['admin'], 'metrics' | 'token'>;
  },
): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(healthRoutes(services));
  app.get('/metrics', requireAdminToken(services.admin.token), async (_req, res) => {
    const text = await services.admin.metrics.render();
    res.set('Cache-Control', 'no-store').type(services.admin.metrics.contentType).send(text);
  });
  app.use((_req, _res, next) =>
    next(
      new ProblemError('not-found', {
        detail:
          'This instance runs with --role worker: it scores and sends callbacks, and serves only /healthz, /readyz and /metrics. The partner and admin APIs are on the api instances.',
      }),
    ),
  );
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) return;
    if (error instanceof ProblemError) return renderProblem(res, error, req.originalUrl);
    services.log.error(`${req.method} ${req.originalUrl} failed`, error);
    renderProblem(res, new ProblemError('internal-error'), req.originalUrl);
  });
  return app;
}
