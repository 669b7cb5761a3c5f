#!/usr/bin/env node
// Compiles src/ to dist/ with tsc (tsconfig.build.json) and records which sources it compiled,
// so the launcher (src/cli/facematch-mock.js) can tell a current build from a stale one; then
// builds the dashboard (ui/ → ui/dist/, served at /ui) with Vite, stamped the same way.
// `--postinstall`: where the compiler is absent (`npm install --omit=dev`) or the sources do not
// compile, say so and succeed: the launcher then runs the sources through tsx. Without Vite the
// dashboard cannot be built: that is said too, and /ui says how to build it.
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sourceDigest } from '../src/cli/sourceDigest.js';
import { buildDashboard } from './build-dashboard.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const postinstall = process.argv.includes('--postinstall');
const dist = join(root, 'dist');
const partial = join(root, 'dist.partial');

process.exitCode = build() || (await dashboard());

async function dashboard() {
  const started = performance.now();
  try {
    await buildDashboard(root);
  } catch (error) {
    const reason = `the dashboard (ui/) was not built: ${error instanceof Error ? error.message : error}`;
    if (!postinstall) {
      process.stderr.write(`[build] ${reason}\n`);
      return 1;
    }
    process.stderr.write(
      `[build] ${reason}; /ui will say so. \`npm install\` with dev dependencies, then \`npm run build\`.\n`,
    );
    return 0;
  }
  process.stdout.write(
    `[build] built the dashboard (ui/) into ui/dist/ in ${Math.round(performance.now() - started)} ms\n`,
  );
  return 0;
}

function build() {
  let tsc;
  try {
    tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  } catch {
    return giveUp('typescript is not installed (a dev dependency)');
  }
  // Digest before compiling: a file edited during the build makes the result stale, not falsely current.
  const sources = sourceDigest(root);
  const started = performance.now();
  rmSync(partial, { recursive: true, force: true });
  const compiled = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', partial], {
    cwd: root,
    stdio: 'inherit',
  });
  if (compiled.status !== 0) {
    rmSync(partial, { recursive: true, force: true });
    return giveUp(`tsc failed (exit ${compiled.status ?? compiled.signal})`);
  }
  copyDataFiles(join(root, 'src'), partial);
  writeFileSync(join(partial, 'build-stamp.json'), `${JSON.stringify({ sources }, null, 2)}\n`);
  rmSync(dist, { recursive: true, force: true });
  renameSync(partial, dist);
  process.stdout.write(`[build] compiled src/ to dist/ in ${Math.round(performance.now() - started)} ms\n`);
  return 0;
}

/**
 * Files the code reads next to itself at run time (demo.config.json, the PostgreSQL migrations) go
 * beside the compiled modules.
 */
function copyDataFiles(from, to) {
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    if (entry.isDirectory()) copyDataFiles(source, join(to, entry.name));
    else if (entry.name.endsWith('.json') || entry.name.endsWith('.sql'))
      cpSync(source, join(to, entry.name));
  }
}

function giveUp(reason) {
  rmSync(dist, { recursive: true, force: true });
  if (!postinstall) {
    process.stderr.write(`[build] ${reason}\n`);
    return 1;
  }
  process.stderr.write(
    `[build] ${reason}: no compiled build; facematch-mock will run the TypeScript sources through tsx (slower start).\n`,
  );
  return 0;
}
