import type { IHttpOperation } from '@stoplight/types';
import express, {
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
  type Router,
} from 'express';
import { carriesContent } from './carriesContent.ts';
import { isOutOfDescriptors } from './outOfDescriptors.ts';
import { ProblemError } from './ProblemError.ts';

export interface BodyLimit {
  maxBytes: number;
  /** Which setting raises the limit, for the 413's detail. */
  setting: string;
}

/**
 * JSON and form bodies for the API routes (never the bucket, which streams its
 * own bytes). body-parser's failures become problems that say what to send.
 * The limit is chosen per operation (matched before this runs), so an endpoint
 * that takes inline images does not raise the limit of every other one.
 */
export function parseBody(defaultLimit: BodyLimit, byOperationId: Record<string, BodyLimit> = {}) {
  const fallback = parsersFor(defaultLimit);
  const special = new Map(Object.entries(byOperationId).map(([id, limit]) => [id, parsersFor(limit)]));
  return (req: Request, res: Response, next: NextFunction) => {
    // Nothing to parse: spare the request the parsers' router.
    if (!carriesContent(req)) return next();
    const operationId = (res.locals.operation as IHttpOperation | undefined)?.iid;
    const parsers = (operationId && special.get(operationId)) || fallback;
    parsers(req, res, next);
  };
}

function parsersFor(limit: BodyLimit): Router {
  const json = express.json({
    limit: limit.maxBytes,
    type: ['application/json', 'application/*+json'],
    strict: true,
  });
  const form = express.urlencoded({ limit: limit.maxBytes, extended: false, parameterLimit: 50 });
  // A router runs the parsers and then the error translation, as app.use did when the limit was global.
  const onlyWithContent =
    (parser: RequestHandler): RequestHandler =>
    (req, res, next) =>
      carriesContent(req) ? parser(req, res, next) : next();
  return express.Router().use(onlyWithContent(json), onlyWithContent(form), translateBodyErrors(limit));
}

function translateBodyErrors({ maxBytes, setting }: BodyLimit) {
  return (error: unknown, _req: Request, _res: Response, next: NextFunction) => {
    // Reading the body failed for want of file descriptors (even loading a decoder): not the client's doing.
    if (isOutOfDescriptors(error)) return next(error);
    const type = (error as { type?: string }).type;
    if (type === 'entity.parse.failed') {
      next(
        new ProblemError('malformed-json', {
          detail: `The body is not valid JSON: ${(error as Error).message}. Send a JSON object.`,
          errors: [{ location: 'body', field: '/', message: 'not valid JSON' }],
        }),
      );
    } else if (type === 'entity.too.large') {
      next(
        new ProblemError('payload-too-large', {
          detail: `The body is larger than ${maxBytes} bytes, this endpoint's limit (config \`${setting}\`).`,
        }),
      );
    } else if (type === 'charset.unsupported' || type === 'encoding.unsupported') {
      next(
        new ProblemError('unsupported-media-type', {
          detail: `${(error as Error).message}. Send UTF-8, uncompressed.`,
        }),
      );
    } else if (type === 'request.aborted' || type === 'request.size.invalid') {
      next(
        new ProblemError('validation-failed', {
          detail: 'The body ended before its declared Content-Length.',
        }),
      );
    } else if (type === 'parameters.too.many') {
      next(new ProblemError('payload-too-large', { detail: 'The form has too many parameters.' }));
    } else if (isClientError(error)) {
      // Anything else body-parser blames on the request, e.g. a gzip body that does not inflate.
      next(
        new ProblemError('validation-failed', {
          detail: `The body could not be read: ${(error as Error).message}.`,
        }),
      );
    } else {
      next(error);
    }
  };
}

function isClientError(error: unknown): boolean {
  const status = (error as { status?: unknown }).status;
  return (
    typeof status === 'number' &&
    status >= 400 &&
    status < 500 &&
    (error as { expose?: unknown }).expose === true
  );
}
