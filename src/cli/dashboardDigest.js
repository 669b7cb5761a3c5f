// Plain JavaScript, like sourceDigest.js: the launcher checks the dashboard's build before any
// TypeScript loader exists, and the build script stamps the same digest beside what it built.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Where the build goes (and its half-written predecessor): output, not input. */
const OUTPUT = new Set(['dist', 'dist.partial']);

/**
 * A digest of everything the dashboard's build reads (ui/ and package.json, which pins its
 * libraries), so a ui/dist/ built from other sources is told apart from a current one.
 *
 * @param {string} root the repository root
 * @returns {string} hex sha256
 */
export function dashboardDigest(root) {
  const hash = createHash('sha256');
  for (const file of [...listFiles(join(root, 'ui'), true), join(root, 'package.json')]) {
    hash.update(relative(root, file));
    hash.update('\0');
    hash.update(readFileSync(file));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/**
 * Why the dashboard at /ui cannot be trusted to match ui/, or undefined when it does.
 *
 * @param {string} root the repository root
 * @returns {string | undefined}
 */
export function dashboardStaleness(root) {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(join(root, 'ui', 'dist', 'build-stamp.json'), 'utf8'));
  } catch {
    return 'the dashboard (/ui) has not been built';
  }
  let sources;
  try {
    sources = dashboardDigest(root);
  } catch {
    // Installed without ui/ (a copied build only): nothing to compare against.
    return undefined;
  }
  return stamp.sources === sources ? undefined : 'the dashboard (/ui) was built from other sources';
}

/** @param {string} dir @param {boolean} top @returns {string[]} */
function listFiles(dir, top) {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
  return entries.flatMap((entry) => {
    if (!entry.isDirectory()) return [join(dir, entry.name)];
    return top && OUTPUT.has(entry.name) ? [] : listFiles(join(dir, entry.name), false);
  });
}
