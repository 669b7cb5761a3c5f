import type { NextFunction, Request, Response } from 'express';

export interface CorsPolicy {
  /** Origins allowed to call (`https://app.example.com`), or `*` for any; empty allows none. */
  origins: readonly string[];
  methods: readonly string[];
  /** Request headers a page may send beyond the CORS-safelisted ones. */
  allowHeaders: readonly string[];
  /** Response headers a page may read beyond the safelisted ones. */
  exposeHeaders: readonly string[];
  maxAgeSeconds: number;
}

/**
 * CORS per the Fetch standard, for pages and web views that call the API or
 * upload to a presigned URL. Credentials are never allowed (requests carry a
 * bearer token or a signature, not cookies), so `*` can be answered as is.
 * A preflight from an allowed origin is answered here with 204; from any
 * other origin it falls through to the usual answer (405), which the browser
 * reports as a CORS failure.
 */
export function allowOrigins(policy: CorsPolicy) {
  const any = policy.origins.includes('*');
  const methods = policy.methods.join(', ');
  const allowHeaders = policy.allowHeaders.join(', ');
  const exposeHeaders = policy.exposeHeaders.join(', ');
  return (req: Request, res: Response, next: NextFunction) => {
    if (policy.origins.length === 0) return next();
    // Caches must not hand one origin's answer to another.
    res.vary('Origin');
    const origin = req.headers.origin;
    if (origin === undefined || !(any || policy.origins.includes(origin))) return next();
    res.setHeader('Access-Control-Allow-Origin', any ? '*' : origin);
    const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
    if (!preflight) {
      if (exposeHeaders) res.setHeader('Access-Control-Expose-Headers', exposeHeaders);
      return next();
    }
    res.setHeader('Access-Control-Allow-Methods', methods);
    if (allowHeaders) res.setHeader('Access-Control-Allow-Headers', allowHeaders);
    res.setHeader('Access-Control-Max-Age', String(policy.maxAgeSeconds));
    res.setHeader('Content-Length', '0');
    res.status(204).end();
  };
}
