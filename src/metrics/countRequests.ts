import type { IHttpOperation } from '@stoplight/types';
import type { NextFunction, Request, Response } from 'express';
import { whenAnswered } from '../http/whenAnswered.ts';
import type { Metrics } from './Metrics.ts';

/**
 * Counts every answered request under its operation's path template (set by the contract
 * matcher), so `/v1/submissions/{correlationId}/status` is one series however many ids are polled.
 * Bucket keys outside the contract's upload template share `/bucket/{key}`; anything else no
 * contract knows is `unmatched`.
 */
export function countRequests(metrics: Pick<Metrics, 'httpRequest'>) {
  return (req: Request, res: Response, next: NextFunction) => {
    whenAnswered(res, (answered) => {
      if (!answered) return;
      const operation = res.locals.operation as IHttpOperation | undefined;
      const route =
        operation?.path ?? (req.originalUrl.startsWith('/bucket/') ? '/bucket/{key}' : 'unmatched');
      metrics.httpRequest({ method: req.method, route, status: res.statusCode });
    });
    next();
  };
}
