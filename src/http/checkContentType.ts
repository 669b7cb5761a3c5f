import type { IHttpOperation } from '@stoplight/types';
import type { NextFunction, Request, Response } from 'express';
import { acceptedMediaTypes, takesNoBody } from './acceptedMediaTypes.ts';
import { carriesContent } from './carriesContent.ts';
import { ProblemError } from './ProblemError.ts';

// RFC 9110 §8.3.1: type "/" subtype *( OWS ";" OWS parameter ), parameter values a token or quoted.
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const QUOTED = '"(?:[^"\\\\]|\\\\.)*"';
const MEDIA_TYPE = new RegExp(
  `^${TOKEN}/${TOKEN}(?:[ \\t]*;[ \\t]*${TOKEN}=(?:${TOKEN}|${QUOTED}))*[ \\t]*$`,
);

/**
 * A Content-Type that is not one media type (`application/json, text/plain`, a
 * lone `json`) cannot be matched to anything the operation accepts: refuse it
 * as a 415 naming the header, before a body parser or the contract check trips
 * over it.
 */
export function checkContentType() {
  return (req: Request, res: Response, next: NextFunction) => {
    const sent = req.headers['content-type'];
    if (!carriesContent(req)) return next();
    if (sent === undefined || sent.trim() === '') {
      // A body with no type would be skipped by every parser and the request handled as if it had
      // none (a create without its documentType, say): refuse it, saying what to send. Proxies and
      // HTTP libraries often send an empty chunked body, so it is the bytes that decide, not headers.
      if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined)
        return next();
      return whenBodyIsEmpty(req, res, next, () => {
        const accepted = acceptedMediaTypes(res.locals.operation as IHttpOperation | undefined);
        next(
          new ProblemError('unsupported-media-type', {
            detail:
              accepted.length > 0
                ? `The request has a body but no Content-Type: send Content-Type: ${accepted.join(' or ')}.`
                : `${takesNoBody(req)}.`,
            errors: [{ location: 'header', field: 'content-type', message: 'missing, with a body' }],
            headers: { Connection: 'close' },
          }),
        );
      });
    }
    if (MEDIA_TYPE.test(sent)) return next();
    const shown = sent.length > 100 ? `${sent.slice(0, 100)}…` : sent;
    next(
      new ProblemError('unsupported-media-type', {
        detail: `Content-Type "${shown}" is not a single media type: send exactly one, e.g. application/json.`,
        errors: [
          { location: 'header', field: 'content-type', message: 'not a media type (RFC 9110 §8.3.1)' },
        ],
      }),
    );
  };
}

/**
 * Reads a body no parser will take (it has no Content-Type): empty, the request goes on as if it had
 * none; at its first byte, `refuse` answers (the connection is closed after, with the rest unread).
 */
function whenBodyIsEmpty(req: Request, res: Response, next: NextFunction, refuse: () => void): void {
  let settled = false;
  const settle = (then: () => void) => {
    if (settled) return;
    settled = true;
    req.off('data', onData);
    then();
  };
  const onData = (chunk: Buffer) => {
    if (chunk.length > 0) settle(refuse);
  };
  req.on('data', onData);
  req.once('end', () => settle(next));
  req.once('error', (error) => settle(() => next(error)));
  res.once('close', () => settle(() => undefined));
}
