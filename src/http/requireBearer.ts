import type { NextFunction, Request, Response } from 'express';
import { bearerChallenge } from '../auth/bearerChallenge.ts';
import type { AppServices } from './AppServices.ts';
import { ProblemError } from './ProblemError.ts';

const AUTHORIZATION = { field: 'authorization', location: 'header' } as const;

/** Puts the calling partner in `res.locals.partner`, or answers 401 with a Bearer challenge (RFC 6750). */
export function requireBearer(tokens: AppServices['tokens']) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const header = req.headers.authorization;
    const match = header ? /^Bearer +([^ ]+) *$/i.exec(header) : null;
    if (!match?.[1]) {
      // RFC 6750 §3.1: a request with no credentials gets the bare challenge, no error code.
      const detail = header
        ? 'The Authorization header is not of the form `Bearer <token>`.'
        : 'Send `Authorization: Bearer <token>`; get a token from POST /v1/oauth/token.';
      return next(
        new ProblemError(
          'invalid-token',
          {
            detail,
            headers: {
              'WWW-Authenticate': header ? bearerChallenge('invalid_request', detail) : bearerChallenge(),
            },
          },
          { rule: header ? 'token-malformed' : 'token-missing', message: detail, ...AUTHORIZATION },
        ),
      );
    }
    const verified = await tokens.verify(match[1]);
    if (!verified.ok) {
      return next(
        new ProblemError(
          'invalid-token',
          {
            detail: `${verified.description} Get a new token from POST /v1/oauth/token.`,
            headers: { 'WWW-Authenticate': bearerChallenge('invalid_token', verified.description) },
          },
          {
            rule: verified.expiredFor ? 'token-expired' : 'token-invalid',
            message: verified.description,
            ...AUTHORIZATION,
          },
        ),
      );
    }
    res.locals.partner = verified.partner;
    next();
  };
}
