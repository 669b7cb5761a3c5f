// Plain JavaScript: the launcher needs it before any TypeScript loader exists, and the
// build script records the same digest next to the code it compiled.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Files whose content decides what the compiler emits, besides the sources themselves. */
const COMPILER_INPUTS = ['tsconfig.json', 'tsconfig.build.json', 'package.json'];

/**
 * A digest of everything the build compiles (src/ and the compiler settings), so a dist/
 * built from other sources is told apart from a current one by content, not by timestamps
 * that checkouts and copies rewrite.
 *
 * @param {string} root the repository root
 * @returns {string} hex sha256
 */
export function sourceDigest(root) {
  const hash = createHash('sha256');
  const files = [...listFiles(join(root, 'src')), ...COMPILER_INPUTS.map((name) => join(root, name))];
  for (const file of files) {
    hash.update(relative(root, file));
    hash.update('\0');
    hash.update(readFileSync(file));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** @param {string} dir @returns {string[]} */
function listFiles(dir) {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
  return entries.flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}
