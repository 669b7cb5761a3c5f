// Builds the dashboard (ui/) into ui/dist/ with Vite and stamps it with the digest of what it
// built from, so the launcher and the tests can tell a current build from a stale one.
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dashboardDigest, dashboardStaleness } from '../src/cli/dashboardDigest.js';

/**
 * @param {string} root the repository root
 * @param {{ ifStale?: boolean }} [options] `ifStale`: do nothing when ui/dist/ is current
 * @returns {Promise<'built' | 'current'>}
 */
export async function buildDashboard(root, options = {}) {
  if (options.ifStale && dashboardStaleness(root) === undefined) return 'current';
  // Throws where Vite is absent (`npm install --omit=dev`): the caller says what that means.
  const { build } = await import('vite');
  const sources = dashboardDigest(root);
  const out = join(root, 'ui', 'dist');
  const partial = join(root, 'ui', 'dist.partial');
  rmSync(partial, { recursive: true, force: true });
  await build({
    configFile: join(root, 'ui', 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir: partial, emptyOutDir: true },
  });
  writeFileSync(join(partial, 'build-stamp.json'), `${JSON.stringify({ sources }, null, 2)}\n`);
  // Swapped in whole: a server reading ui/dist/ never sees half a build.
  rmSync(out, { recursive: true, force: true });
  renameSync(partial, out);
  return 'built';
}
