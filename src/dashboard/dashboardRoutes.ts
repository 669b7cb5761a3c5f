import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Request, type Response, type Router } from 'express';
import { ProblemError } from '../http/ProblemError.ts';

/** The dashboard's pages and files; like the admin API, nothing a partner's own code calls. */
export function isDashboardPath(path: string): boolean {
  return path === '/ui' || path.startsWith('/ui/');
}

/**
 * Everything the page may load or call is on this server: the dashboard sends no request anywhere
 * else (the browser enforces it). Images are the admin API's own bytes or the user's local files.
 * "Try it" uploads to presigned URLs, which name the server's public URL: when the page was opened
 * under another name (127.0.0.1 for localhost, a port mapping), that origin is this server too.
 */
function contentSecurityPolicy(uploadOrigin: string): string {
  return [
    "default-src 'self'",
    "img-src 'self' blob: data:",
    `connect-src 'self' ${uploadOrigin}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
  ].join('; ');
}

/**
 * The dashboard at /ui: static files built from ui/ by `npm run build`. The files are public (they
 * hold no data); every figure the page shows comes from the admin API, which keeps its own token.
 * A missing build is answered with a page that says how to make one, never a blank page.
 */
export function dashboardRoutes({ dir, uploadOrigin }: { dir: string; uploadOrigin: string }): Router {
  const router = express.Router();
  const policy = contentSecurityPolicy(uploadOrigin);
  const assets = express.static(join(dir, 'assets'), {
    // Vite puts a content hash in every asset name, so a file never changes under its name.
    immutable: true,
    maxAge: '365d',
    index: false,
    dotfiles: 'ignore',
    fallthrough: true,
  });
  router.use('/ui/assets', assets, (req, _res, next) => {
    const detail = `No dashboard file "${req.path}"; open /ui itself (a rebuild renames the files).`;
    next(new ProblemError('not-found', { detail }));
  });
  const page = (_req: Request, res: Response) => {
    let html: string;
    try {
      // Read on every request: `npm run build` while the server runs shows the new page on reload.
      html = readFileSync(join(dir, 'index.html'), 'utf8');
    } catch {
      res.status(503).set('Cache-Control', 'no-store').type('html').send(MISSING_BUILD_PAGE);
      return;
    }
    res.set('Content-Security-Policy', policy);
    res.set('Referrer-Policy', 'no-referrer');
    res.set('Cache-Control', 'no-cache').type('html').send(html);
  };
  router.get('/ui', page);
  router.get('/ui/', page);
  return router;
}

const MISSING_BUILD_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>facematch-mock dashboard: not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5">
<main>
<h1>The dashboard has not been built</h1>
<p>This server has no build of the dashboard in <code>ui/dist/</code>. Build it from the repository with
<code>npm run build</code> (it needs the dev dependencies: run <code>npm install</code> first), then reload this page.</p>
<p>Everything the dashboard shows also comes from the admin API: see <a href="/docs">/docs</a>.</p>
</main>
</body></html>
`;
