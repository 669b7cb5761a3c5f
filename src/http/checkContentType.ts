import type { NextFunction, Request, Response } from 'express';
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
  return (req: Request, _res: Response, next: NextFunction) => {
    const sent = req.headers['content-type'];
    if (sent === undefined || !carriesContent(req) || MEDIA_TYPE.test(sent)) return next();
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
