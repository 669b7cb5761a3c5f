import type { Response } from 'express';
import type { components } from './generated/admin.ts';

/**
 * Whom an admin request is answered for, decided once per request by identifyAdminCaller from
 * its bearer token: the operator (every partner) or one partner (its own data only).
 */
export type AdminCaller =
  | {
      role: 'operator';
      authenticatedBy: Exclude<components['schemas']['AdminCaller']['authenticatedBy'], 'partner-token'>;
    }
  | { role: 'partner'; clientId: string; authenticatedBy: 'partner-token' };

const OPEN_OPERATOR: AdminCaller = { role: 'operator', authenticatedBy: 'open' };

export function setAdminCaller(res: Response, caller: AdminCaller): void {
  res.locals.adminCaller = caller;
}

/**
 * The caller identifyAdminCaller recorded. A route group mounted on its own (as a test may mount
 * one) has no identification in front of it and no token check either: it is the open API, the
 * operator's, so defaulting to the operator grants nothing the mounting did not already.
 */
export function adminCallerOf(res: Response): AdminCaller {
  return (res.locals.adminCaller as AdminCaller | undefined) ?? OPEN_OPERATOR;
}
