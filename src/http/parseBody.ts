import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { carriesContent } from './carriesContent.ts';
import { ProblemError } from './ProblemError.ts';

/**
 * JSON and form bodies for the API routes (never the bucket, which streams its
 * own bytes). body-parser's failures become problems that say what to send.
 */
export function parseBody(maxBytes: number) {
  const json = express.json({
    limit: maxBytes,
    type: ['application/json', 'application/*+json'],
    strict: true,
  });
  const form = express.urlencoded({ limit: maxBytes, extended: false, parameterLimit: 50 });
  const onlyWithContent =
    (parser: RequestHandler): RequestHandler =>
    (req, res, next) =>
      carriesContent(req) ? parser(req, res, next) : next();
  return [onlyWithContent(json), onlyWithContent(form), translateBodyErrors(maxBytes)];
}

function translateBodyErrors(maxBytes: number) {
  return (error: unknown, _req: Request, _res: Response, next: NextFunction) => {
    const type = (error as { type?: string }).type;
    if (type === 'entity.parse.failed') {
      next(
        new ProblemError('malformed-json', {
          detail: `The body is not valid JSON: ${(error as Error).message}. Send a JSON object.`,
          errors: [{ location: 'body', field: '/', message: 'not valid JSON' }],
        }),
      );
    } else if (type === 'entity.too.large') {
      next(new ProblemError('payload-too-large', { detail: `The body is larger than ${maxBytes} bytes.` }));
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
