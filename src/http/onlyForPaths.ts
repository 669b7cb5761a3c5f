import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * Hands a request to `handler` only when `serves(path)` says it could answer it. Every router a
 * request passes through costs a traversal of its layers even when none of them applies, and
 * each partner request would otherwise walk through the admin API's and the dashboard's.
 */
export function onlyForPaths(serves: (path: string) => boolean, handler: RequestHandler): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) =>
    serves(req.path) ? handler(req, res, next) : next();
}
