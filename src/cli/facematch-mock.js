#!/usr/bin/env node
// The installed command. It runs the JavaScript compiled at install time (dist/), because
// compiling TypeScript on every start was most of the cold start. A dist/ built from other
// sources than the ones beside it (an edit, a checkout, a failed build) would silently run
// old code, so then the sources run through tsx instead, after one line saying why.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dashboardStaleness } from './dashboardDigest.js';
import { sourceDigest } from './sourceDigest.js';

// onnxruntime-node 1.30 starts HTTPS telemetry uploads unless told not to; a mock that handles face
// images sends nothing anywhere (the Docker image sets the same). Set before anything loads it.
process.env.ORT_DISABLE_TELEMETRY ??= '1';

const root = fileURLToPath(new URL('../../', import.meta.url));
// The server still starts: /ui shows the last build, or a page saying how to build one.
const dashboardWhy = process.argv[2] === 'serve' ? dashboardStaleness(root) : undefined;
if (dashboardWhy !== undefined) {
  process.stderr.write(`facematch-mock: ${dashboardWhy}; run \`npm run build\` to (re)build it.\n`);
}
const why = staleness();
if (why === undefined) {
  await import('../../dist/cli/entry.js');
} else {
  process.stderr.write(
    `facematch-mock: ${why}; running the TypeScript sources through tsx (slower start). Run \`npm run build\` to start from compiled code.\n`,
  );
  const { register } = await import('tsx/esm/api');
  register();
  await import('./entry.ts');
}

/** Why dist/ cannot be trusted, or undefined when it was built from exactly these sources. */
function staleness() {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(new URL('../../dist/build-stamp.json', import.meta.url), 'utf8'));
  } catch {
    return 'no compiled build in dist/';
  }
  return stamp.sources === sourceDigest(root) ? undefined : 'dist/ was built from other sources';
}
