import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { ProblemError } from '../http/ProblemError.ts';

const CHALLENGE = 'Bearer realm="facematch-mock admin"';

/**
 * Lets every request through when no admin token is configured (the default, as WireMock does);
 * otherwise only those that send it as a bearer token. Both sides are hashed before the
 * constant-time comparison, so neither the content nor the length of the token leaks by timing.
 */
export function requireAdminToken(token: string | undefined) {
  if (token === undefined) return (_req: Request, _res: Response, next: NextFunction) => next();
  const expected = digest(token);
  return (req: Request, _res: Response, next: NextFunction) => {
    const header = req.headers.authorization;
    const sent = header ? /^Bearer +(\S+) *$/i.exec(header)?.[1] : undefined;
    if (sent !== undefined && timingSafeEqual(digest(sent), expected)) return next();
    const detail = sent
      ? 'The admin token sent does not match the one this server was started with.'
      : 'Send `Authorization: Bearer <admin token>`: this server was started with --admin-token.';
    next(
      new ProblemError(
        'admin-token-required',
        { detail, headers: { 'WWW-Authenticate': CHALLENGE } },
        { rule: sent ? 'admin-token-mismatch' : 'admin-token-missing', message: detail },
      ),
    );
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
