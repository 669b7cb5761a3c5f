import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { dashboardRoutes } from '../../src/dashboard/dashboardRoutes.ts';
import { ProblemError } from '../../src/http/ProblemError.ts';
import { renderProblem } from '../../src/http/renderProblem.ts';
import { startTestServer, testConfig } from '../support/testServer.ts';

const ADMIN_TOKEN = 'dashboard-admin-token-0123';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function appServing(files: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'dashboard-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  const app = express();
  app.use(dashboardRoutes({ dir, uploadOrigin: 'http://localhost:8080' }));
  app.use((_req, res) => res.status(418).end());
  // The server's own problem rendering, as createApp installs it.
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (error instanceof ProblemError) return renderProblem(res, error, req.originalUrl);
    res.status(500).end();
  });
  return app;
}

describe('the dashboard files at /ui', () => {
  it('serves the page with a policy that keeps every request on this server, and its hashed assets for a year', async () => {
    const app = appServing({ 'index.html': '<!doctype html><p>dashboard', 'assets/index-abc.js': 'x=1' });
    for (const path of ['/ui', '/ui/']) {
      const page = await request(app).get(path);
      expect(page.status).toBe(200);
      expect(page.text).toContain('dashboard');
      expect(page.headers['content-security-policy']).toContain("default-src 'self'");
      expect(page.headers['content-security-policy']).toContain("connect-src 'self' http://localhost:8080;");
      expect(page.headers['cache-control']).toBe('no-cache');
    }
    const asset = await request(app).get('/ui/assets/index-abc.js');
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect(asset.headers['cache-control']).toMatch(/immutable/);
  });

  it('answers a missing asset with a problem that says to reload /ui, not with the page', async () => {
    const app = appServing({ 'index.html': '<!doctype html>' });
    const missing = await request(app).get('/ui/assets/old-123.js');
    expect(missing.status).toBe(404);
    expect(missing.body.detail).toContain('open /ui itself');
    // Nothing but the assets folder is reachable: not the stamp, not a path outside it.
    expect((await request(app).get('/ui/build-stamp.json')).status).toBe(418);
    expect((await request(app).get('/ui/assets/..%2f..%2fetc%2fpasswd')).status).toBe(404);
  });

  it('says how to build the dashboard when there is no build, never a blank page', async () => {
    const page = await request(appServing({})).get('/ui');
    expect(page.status).toBe(503);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).toContain('npm run build');
  });
});

describe('the dashboard in the server', () => {
  it('is served off the partner auth and kept out of the journal, which records partner traffic', async () => {
    const server = await startTestServer({ admin: { ...testConfig().admin, token: ADMIN_TOKEN } });
    try {
      const page = await fetch(`${server.url}/ui`, { signal: AbortSignal.timeout(10_000) });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="app">');
      // The page is public; its data is not.
      const data = await fetch(`${server.url}/__admin/submissions`, { signal: AbortSignal.timeout(10_000) });
      expect(data.status).toBe(401);
      const journal = await fetch(`${server.url}/__admin/journal`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
        signal: AbortSignal.timeout(10_000),
      });
      const entries = ((await journal.json()) as { entries: Array<{ path: string }> }).entries;
      expect(entries.filter((entry) => entry.path.startsWith('/ui'))).toEqual([]);
    } finally {
      await server.stop();
    }
  });
});
