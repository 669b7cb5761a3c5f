import type { IHttpOperation } from '@stoplight/types';
import type { NextFunction, Request, Response } from 'express';
import { acceptedMediaTypes, takesNoBody } from './acceptedMediaTypes.ts';
import { carriesContent } from './carriesContent.ts';
import type { ContractValidator, ExchangeRequest } from './contractValidator.ts';
import { ProblemError } from './ProblemError.ts';
import { responseRecorder } from './responseRecorder.ts';

/**
 * Every request is matched to an operation of the OpenAPI document before any
 * route sees it (unknown path → 404, known path with another method → 405),
 * and its response can be checked against that operation on the way out.
 */
export function matchOperation(
  contract: ContractValidator,
  validateResponses: 'off' | 'log' | 'enforce',
  onViolation: (message: string) => void,
  /** Where to look for the endpoints that do exist, said in a 404. */
  notFoundDetail?: string,
) {
  return (req: Request, res: Response, next: NextFunction) => {
    // HEAD is GET without a body (RFC 9110), as express routes it; the contract lists GET only.
    const isHead = req.method === 'HEAD';
    // Routing reads method and path only: the headers and body are gathered once, for the check.
    const method = isHead ? 'GET' : req.method;
    const match = contract.match({ method, path: req.path, query: {}, headers: {} });
    // Under /bucket the object store answers everything itself, in S3 XML, as a real one would.
    if (match.kind !== 'matched' && req.path.startsWith('/bucket/')) return next();
    if (match.kind === 'no-path')
      return next(new ProblemError('not-found', notFoundDetail ? { detail: notFoundDetail } : {}));
    if (match.kind === 'no-method') return next(new ProblemError('method-not-allowed'));
    res.locals.operation = match.operation;
    // A stream never completes, so there is no body to check, and holding its chunks for a check
    // at the end would grow without bound; the document says so on the operation.
    if (validateResponses !== 'off' && !isHead && !streamsEvents(match.operation)) {
      responseRecorder(res, (response) => {
        // A 304 answers a browser's conditional GET (If-None-Match on express's ETag): HTTP's own
        // reply that the copy it holds is current, with no content for the contract to check.
        if (response.statusCode === 304) return null;
        const violations = contract.checkResponse(match.operation, response);
        if (violations.length === 0) return null;
        onViolation(`${req.method} ${req.path} → ${response.statusCode}: ${violations.join('; ')}`);
        return validateResponses === 'enforce' ? violations : null;
      });
    }
    next();
  };
}

/**
 * Runs after the body parsers: headers, query, path and body against the
 * operation. (The bucket never gets here; it answers its own errors in S3 XML.)
 */
export function checkRequestContract(contract: ContractValidator) {
  return (req: Request, res: Response, next: NextFunction) => {
    const operation = res.locals.operation as IHttpOperation | undefined;
    if (!operation) return next();
    const { unsupportedMediaType, errors, rules } = contract.checkRequest(operation, toExchange(req));
    if (unsupportedMediaType) {
      const detail = mediaTypeHint(req, operation);
      return next(
        new ProblemError(
          'unsupported-media-type',
          { detail },
          { rule: 'content-type', message: detail, field: 'content-type', location: 'header' },
        ),
      );
    }
    if (errors.length > 0) {
      // OAuth clients read RFC 6749's `error` member, so the token endpoint says invalid_request too.
      const oauth =
        req.path === '/v1/oauth/token'
          ? {
              error: 'invalid_request',
              error_description: errors.map((e) => `${e.field}: ${e.message}`).join('; '),
            }
          : {};
      const [first] = errors;
      const nearMiss = first && {
        rule: rules[0] ?? 'schema',
        message: first.message,
        field: first.field,
        location: first.location,
      };
      return next(new ProblemError('validation-failed', { errors, ...oauth }, nearMiss));
    }
    next();
  };
}

/** An operation whose success answer is a server-sent event stream (text/event-stream). */
function streamsEvents(operation: IHttpOperation): boolean {
  return operation.responses.some(
    (response) =>
      response.code.startsWith('2') &&
      (response.contents ?? []).some((content) => content.mediaType === 'text/event-stream'),
  );
}

const CONTENT_HEADERS = new Set(['content-type', 'content-length', 'content-encoding', 'transfer-encoding']);

function toExchange(req: Request): ExchangeRequest {
  const withContent = carriesContent(req);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || (!withContent && CONTENT_HEADERS.has(name))) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return {
    method: req.method,
    path: req.path,
    query: req.query as Record<string, string | string[]>,
    headers,
    body: withContent ? bodyForPrism(req) : undefined,
  };
}

/** Prism decodes form bodies itself, from the wire format; JSON it takes parsed. */
function bodyForPrism(req: Request): unknown {
  if (req.is('application/x-www-form-urlencoded') && req.body && typeof req.body === 'object') {
    return new URLSearchParams(req.body as Record<string, string>).toString();
  }
  return req.body;
}

function mediaTypeHint(req: Request, operation: IHttpOperation): string {
  const sent = req.headers['content-type'] ?? 'none';
  const accepted = acceptedMediaTypes(operation);
  if (accepted.length === 0) return `${takesNoBody(req)} (Content-Type ${sent} with a body is not accepted).`;
  return `Content-Type ${sent} is not accepted here: send ${accepted.join(' or ')}.`;
}
