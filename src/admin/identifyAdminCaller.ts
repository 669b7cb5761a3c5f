import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { ProblemError } from '../http/ProblemError.ts';
import { type AdminCaller, setAdminCaller } from './AdminCaller.ts';

const CHALLENGE = 'Bearer realm="facematch-mock admin"';

/** The partner API's own check of an access token (signature, issuer, audience, expiry on the partner's clock). */
export type VerifyPartnerToken = (
  token: string,
) => Promise<
  { ok: true; partner: { clientId: string } } | { ok: false; description: string; expiredFor?: string }
>;

/**
 * Decides whom an admin request is answered for, from its bearer token, and records it for the
 * routes (adminCallerOf): the operator token is the operator; a partner's access token, verified
 * exactly as the partner API verifies it, is that partner. Anything else is the operator while no
 * operator token is configured (open, the default, as WireMock's admin API is) and a 401
 * otherwise. The operator token is compared on hashes of both sides in constant time, so neither
 * its content nor its length leaks by timing. Without `verifyPartnerToken` (a worker's /metrics)
 * only the operator token is taken.
 */
export function identifyAdminCaller(options: {
  operatorToken: string | undefined;
  verifyPartnerToken?: VerifyPartnerToken | undefined;
}) {
  const { operatorToken, verifyPartnerToken } = options;
  const expected = operatorToken === undefined ? undefined : digest(operatorToken);
  const open: AdminCaller = { role: 'operator', authenticatedBy: 'open' };
  return async (req: Request, res: Response, next: NextFunction) => {
    const header = req.headers.authorization;
    const sent = header ? /^Bearer +(\S+) *$/i.exec(header)?.[1] : undefined;
    if (sent !== undefined && expected !== undefined && timingSafeEqual(digest(sent), expected)) {
      setAdminCaller(res, { role: 'operator', authenticatedBy: 'operator-token' });
      return next();
    }
    const verified = sent !== undefined && verifyPartnerToken ? await verifyPartnerToken(sent) : undefined;
    if (verified?.ok) {
      setAdminCaller(res, {
        role: 'partner',
        clientId: verified.partner.clientId,
        authenticatedBy: 'partner-token',
      });
      return next();
    }
    if (expected === undefined) {
      setAdminCaller(res, open);
      return next();
    }
    const detail = refusal(sent, verified, verifyPartnerToken !== undefined);
    next(
      new ProblemError(
        'admin-token-required',
        { detail, headers: { 'WWW-Authenticate': CHALLENGE } },
        {
          rule:
            sent === undefined
              ? 'admin-token-missing'
              : verified?.expiredFor
                ? 'token-expired'
                : 'admin-token-mismatch',
          message: detail,
        },
      ),
    );
  };
}

/** Why the token was refused, and what to send instead. */
function refusal(
  sent: string | undefined,
  verified: Awaited<ReturnType<VerifyPartnerToken>> | undefined,
  partnersMaySignIn: boolean,
): string {
  const instead = partnersMaySignIn
    ? 'Send `Authorization: Bearer <operator token>` (this server was started with --admin-token), or a partner access token from POST /v1/oauth/token for that partner’s own data.'
    : 'Send `Authorization: Bearer <operator token>`: this server was started with --admin-token.';
  if (sent === undefined) return instead;
  if (verified && !verified.ok && verified.expiredFor) {
    return `The access token of partner ${verified.expiredFor} has expired (on its own clock): get a new one from POST /v1/oauth/token.`;
  }
  // A token shaped like a JWT was meant as a partner token: say what its check found.
  if (verified && !verified.ok && sent.split('.').length === 3) {
    return `The token sent is not the operator token, nor an access token this server accepts: ${verified.description}`;
  }
  return `The token sent does not match the operator token this server was started with. ${instead}`;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
