import express, { type Router } from 'express';
import { authenticateClient } from '../../auth/authenticateClient.ts';
import type { OAuthError } from '../../auth/OAuthError.ts';
import { parseClientCredentials } from '../../auth/parseClientCredentials.ts';
import type { AppServices } from '../AppServices.ts';
import { ProblemError } from '../ProblemError.ts';
import type { ProblemCode } from '../problemCatalogue.ts';

const PROBLEM_FOR: Record<OAuthError['error'], ProblemCode> = {
  invalid_request: 'invalid-request',
  invalid_client: 'invalid-client',
  unsupported_grant_type: 'unsupported-grant-type',
  invalid_scope: 'invalid-request',
};

/** The Token Gateway: OAuth 2.0 client credentials → RS256 access token. */
export function tokenRoutes(services: AppServices): Router {
  const router = express.Router();
  router.post('/v1/oauth/token', async (req, res) => {
    const parsed = parseClientCredentials({ authorization: req.headers.authorization, body: req.body ?? {} });
    if (!parsed.ok) throw oauthProblem(parsed.error);
    const authenticated = authenticateClient(parsed, services.tokens.findPartner);
    if (!authenticated.ok) throw oauthProblem(authenticated.error);
    res.locals.partner = authenticated.partner;
    // RFC 6749 §5.1: token responses must never be cached.
    res
      .set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' })
      .json(await services.tokens.issue(authenticated.partner, parsed.scope));
  });
  router.get('/.well-known/jwks.json', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').json(services.tokens.jwks());
  });
  return router;
}

function oauthProblem(error: OAuthError): ProblemError {
  return new ProblemError(PROBLEM_FOR[error.error], {
    detail: error.description,
    error: error.error,
    error_description: error.description,
    ...(error.field
      ? { errors: [{ location: 'body' as const, field: `/${error.field}`, message: error.description }] }
      : {}),
    ...(error.wwwAuthenticate ? { headers: { 'WWW-Authenticate': error.wwwAuthenticate } } : {}),
  });
}
