import type { IHttpOperation } from '@stoplight/types';
import type { NextFunction, Request, Response } from 'express';
import { ProblemError } from '../http/ProblemError.ts';
import { adminCallerOf } from './AdminCaller.ts';

/** The security scheme openapi/admin.yaml gives partner access tokens. */
const PARTNER_TOKEN_SCHEME = 'partnerToken';

/**
 * Refuses a partner, 403 `operator-only`, an operation whose `security` in openapi/admin.yaml
 * does not list the partner token: the document says which operations span every partner, so
 * the answer and the contract cannot drift apart. The operation's `x-partner-instead` says what
 * the partner can use instead (`{clientId}` becomes its own). Runs after matchOperation.
 */
export function refuseOperatorOnly() {
  return (req: Request, res: Response, next: NextFunction) => {
    const caller = adminCallerOf(res);
    const operation = res.locals.operation as IHttpOperation | undefined;
    if (caller.role === 'operator' || !operation || partnersMayCall(operation)) return next();
    const instead = operation.extensions?.['x-partner-instead'];
    const detail = [
      `${req.method} ${operation.path} spans every partner, so only the operator token reaches it.`,
      typeof instead === 'string' ? instead.replaceAll('{clientId}', caller.clientId) : '',
    ]
      .filter(Boolean)
      .join(' ');
    next(new ProblemError('operator-only', { detail }));
  };
}

function partnersMayCall(operation: IHttpOperation): boolean {
  return (operation.security ?? []).some((requirement) =>
    requirement.some((scheme) => scheme.key === PARTNER_TOKEN_SCHEME),
  );
}
