import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { adminRoutes, isAdminPath } from '../admin/adminRoutes.ts';
import { bucketErrorHandler } from '../bucket/bucketFailure.ts';
import { dashboardRoutes, isDashboardPath } from '../dashboard/dashboardRoutes.ts';
import { journalRequests } from '../journal/journalRequests.ts';
import { countRequests } from '../metrics/countRequests.ts';
import { StorageError } from '../store/StorageError.ts';
import type { AppServices } from './AppServices.ts';
import { allowOrigins } from './allowOrigins.ts';
import { checkContentType } from './checkContentType.ts';
import { checkRequestContract, matchOperation } from './contractMiddleware.ts';
import { onlyForPaths } from './onlyForPaths.ts';
import { isOutOfDescriptors, OUT_OF_DESCRIPTORS_DETAIL } from './outOfDescriptors.ts';
import { ProblemError } from './ProblemError.ts';
import { parseBody } from './parseBody.ts';
import { refuseForeignHost } from './refuseForeignHost.ts';
import { renderProblem } from './renderProblem.ts';
import { docsRoutes } from './routes/docsRoutes.ts';
import { FACEMATCH_MODULE_OPERATION, moduleRoutes } from './routes/moduleRoutes.ts';
import { operationsRoutes } from './routes/operationsRoutes.ts';
import { submissionRoutes } from './routes/submissionRoutes.ts';
import { tokenRoutes } from './routes/tokenRoutes.ts';
import { scenarioFaults } from './scenarioFaults.ts';

const API_CORS = {
  methods: ['GET', 'HEAD', 'POST'],
  allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key'],
  exposeHeaders: ['Location', 'Retry-After', 'WWW-Authenticate'],
  maxAgeSeconds: 600,
};

const BUCKET_CORS = {
  methods: ['GET', 'HEAD', 'PUT'],
  allowHeaders: ['Content-Type'],
  exposeHeaders: ['ETag', 'x-oss-request-id'],
  maxAgeSeconds: 600,
};

/**
 * The whole HTTP surface as an express app that never listens: supertest, the
 * Pact provider verification and the CLI all mount the same thing.
 */
export function createApp(services: AppServices): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  // A request reads each partner's clock once (the token, the flow and its journal entry ask for it).
  app.use((_req, _res, next) => services.admin.control.clocks.readOnce(next));
  // First, so every answer is journalled and counted, refusals included. Journal times are wall-clock:
  // they say when a request really arrived, whatever a partner's test clock reads.
  app.use(
    journalRequests({
      journal: services.admin.journal,
      now: () => new Date(),
      // The journal is about partner traffic: the operator's own pages and calls would bury it.
      skip: (path) => isAdminPath(path) || isDashboardPath(path),
      onError: (error) => services.log.warn(`a request could not be journalled: ${(error as Error).message}`),
      objectOwner: services.objectOwner,
      bearerPartner: async (token) => {
        const verified = await services.tokens.verify(token);
        // An expired token is still genuine: its near miss belongs to the partner it was issued to.
        return verified.ok ? verified.partner.clientId : verified.expiredFor;
      },
      businessNow: (partnerId) => services.admin.control.clocks.now(partnerId),
    }),
  );
  app.use(countRequests(services.admin.metrics));
  // The admin API has its own contract and auth; the partner contract below would 404 its paths.
  app.use(onlyForPaths(isAdminPath, adminRoutes(services.admin, services.settings, services.log.warn)));
  // The dashboard is not part of the partner contract either: its files are served before it.
  // Its routes match paths case-insensitively, as express does by default. It answers to the
  // admin API's names only: under another name every call its page makes would be refused.
  const dashboard = express
    .Router()
    .use(refuseForeignHost(services.admin.names), dashboardRoutes(services.dashboard));
  app.use(onlyForPaths((path) => isDashboardPath(path.toLowerCase()), dashboard));
  // Preflights are answered before the contract, which lists no OPTIONS and would say 405.
  const apiCors = allowOrigins({ origins: services.settings.cors.apiOrigins, ...API_CORS });
  app.use((req, res, next) => (req.path.startsWith('/bucket/') ? next() : apiCors(req, res, next)));
  app.use(
    matchOperation(services.contract, services.settings.validateResponses, (message) =>
      services.log.warn(`response breaks the OpenAPI contract: ${message}`),
    ),
  );
  // The bucket reads its own raw bytes, so it sits before any body parser.
  app.use(
    '/bucket',
    allowOrigins({ origins: services.settings.cors.bucketOrigins, ...BUCKET_CORS }),
    scenarioFaults(services),
    services.bucketRouter,
    bucketErrorHandler((error) => services.log.error('bucket request failed', error)),
  );
  app.use(checkContentType());
  app.use(
    parseBody(
      { maxBytes: services.settings.maxJsonBytes, setting: 'maxJsonBytes' },
      {
        [FACEMATCH_MODULE_OPERATION]: {
          maxBytes: services.settings.moduleMaxBodyBytes,
          setting: 'modules.maxBodyBytes',
        },
      },
    ),
  );
  app.use(checkRequestContract(services.contract));
  app.use(tokenRoutes(services));
  app.use(submissionRoutes(services));
  app.use(moduleRoutes(services));
  app.use(operationsRoutes(services));
  app.use(docsRoutes(services));
  app.use((_req, _res, next) => next(new ProblemError('not-found')));
  app.use(renderErrors(services));
  return app;
}

function renderErrors(services: AppServices) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) return;
    if (error instanceof ProblemError) return renderProblem(res, error, req.originalUrl);
    if (isOutOfDescriptors(error)) {
      services.log.warn(
        `${req.method} ${req.originalUrl}: answered 503, out of file descriptors (${(error as Error).message})`,
      );
      const retryAfter = String(services.settings.retryAfterSeconds);
      return renderProblem(
        res,
        new ProblemError('service-unavailable', {
          detail: OUT_OF_DESCRIPTORS_DETAIL,
          headers: { 'Retry-After': retryAfter },
        }),
        req.originalUrl,
      );
    }
    if (error instanceof StorageError) {
      // A warning, not a stack trace per request: while the store is away every request ends here.
      services.log.warn(
        `${req.method} ${req.originalUrl}: answered 503, nothing was accepted (${error.message})`,
      );
      const retryAfter = String(services.settings.retryAfterSeconds);
      return renderProblem(
        res,
        new ProblemError('storage-unavailable', { headers: { 'Retry-After': retryAfter } }),
        req.originalUrl,
      );
    }
    if (error instanceof URIError) {
      // A path with broken percent-encoding, e.g. /v1/submissions/%E0%A4%A.
      const detail = 'The URL is not valid percent-encoding; encode reserved characters as %XX.';
      return renderProblem(res, new ProblemError('validation-failed', { detail }), req.originalUrl);
    }
    services.log.error(`${req.method} ${req.originalUrl} failed`, error);
    renderProblem(res, new ProblemError('internal-error'), req.originalUrl);
  };
}
