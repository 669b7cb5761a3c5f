import type { NextFunction, Request, Response } from 'express';
import { ProblemError } from '../http/ProblemError.ts';
import type { ServerNames } from '../http/serverNames.ts';

const CHANGES_NOTHING = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * 403 `cross-site-request` for what a browser sends on behalf of another site's page: a form or
 * a `fetch` to POST /__admin/reset, an `<img>` of a face image. Browsers say whose page asks:
 * `Origin` on every request that is cross-origin or changes something, and (to trustworthy URLs
 * such as localhost) `Sec-Fetch-Site` on all. A request with neither comes from no page (curl, a
 * test suite, Pact) and passes, as does a link followed from elsewhere (a navigation shows the
 * answer to the user, never to the page). The operator token does not lift this: a page cannot
 * send it cross-origin anyway, since the admin API grants no CORS.
 */
export function refuseCrossSite(names: ServerNames) {
  return (req: Request, _res: Response, next: NextFunction) => {
    const origin = req.headers.origin;
    if (origin !== undefined) {
      if (names.ownsOrigin(origin, req.headers.host)) return next();
      return next(refusal('Origin', `Origin ${origin} is not a page of this server.`));
    }
    const site = req.headers['sec-fetch-site'];
    const navigation = req.headers['sec-fetch-mode'] === 'navigate' && CHANGES_NOTHING.has(req.method);
    if (site === 'cross-site' && !navigation) {
      return next(
        refusal(
          'Sec-Fetch-Site',
          'Sec-Fetch-Site: cross-site: the request was made for a page of another site.',
        ),
      );
    }
    // Browsers always send Origin with a same-site change; without one, whose page it is cannot be told.
    if (site === 'same-site' && !CHANGES_NOTHING.has(req.method)) {
      return next(
        refusal('Sec-Fetch-Site', 'Sec-Fetch-Site: same-site without an Origin: the page cannot be told.'),
      );
    }
    next();
  };
}

function refusal(field: 'Origin' | 'Sec-Fetch-Site', message: string): ProblemError {
  const detail =
    `${message} The admin API takes browser requests only from this server's own pages (the dashboard at /ui), ` +
    'so that no web page you visit can reset or read it; scripts and test suites send no Origin and are not affected. ' +
    'If the page is yours, add its host to admin.allowedHosts (--admin-allowed-hosts, FACEMATCH_ADMIN_ALLOWED_HOSTS).';
  return new ProblemError('cross-site-request', { detail, errors: [{ location: 'header', field, message }] });
}
