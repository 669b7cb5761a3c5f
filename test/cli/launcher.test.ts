import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dashboardDigest } from '../../src/cli/dashboardDigest.js';
import { sourceDigest } from '../../src/cli/sourceDigest.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

/*
 * The real launcher in a throw-away project: its own src/ (the launcher, the digest, and an
 * entry.ts that says it ran from sources), a dist/ whose entry says it is compiled, and the
 * repository's node_modules for tsx.
 */
let project: string;
beforeEach(() => {
  project = mkdtempSync(join(tmpdir(), 'launcher-'));
  mkdirSync(join(project, 'src/cli'), { recursive: true });
  for (const file of ['facematch-mock.js', 'sourceDigest.js', 'dashboardDigest.js'])
    cpSync(join(ROOT, 'src/cli', file), join(project, 'src/cli', file));
  writeFileSync(join(project, 'src/cli/entry.ts'), "const from: string = 'sources';\nconsole.log(from);\n");
  for (const file of ['package.json', 'tsconfig.json', 'tsconfig.build.json'])
    cpSync(join(ROOT, file), join(project, file));
  symlinkSync(join(ROOT, 'node_modules'), join(project, 'node_modules'));
});
afterEach(() => rmSync(project, { recursive: true, force: true }));

function writeBuild(sources: string) {
  mkdirSync(join(project, 'dist/cli'), { recursive: true });
  writeFileSync(join(project, 'dist/cli/entry.js'), "console.log('compiled');\n");
  writeFileSync(join(project, 'dist/build-stamp.json'), JSON.stringify({ sources }));
}

const launch = (args: string[] = []) =>
  run(process.execPath, [join(project, 'src/cli/facematch-mock.js'), ...args], { timeout: 30_000 });

/** A dashboard source and, optionally, a build of it stamped with `sources`. */
function writeDashboard(sources?: string) {
  mkdirSync(join(project, 'ui/src'), { recursive: true });
  writeFileSync(join(project, 'ui/src/main.tsx'), 'export {};\n');
  if (sources === undefined) return;
  mkdirSync(join(project, 'ui/dist'), { recursive: true });
  writeFileSync(join(project, 'ui/dist/index.html'), '<!doctype html>');
  writeFileSync(join(project, 'ui/dist/build-stamp.json'), JSON.stringify({ sources }));
}

describe('the facematch-mock launcher', () => {
  it('runs the compiled build when it was built from these sources, silently', async () => {
    writeBuild(sourceDigest(project));
    const { stdout, stderr } = await launch();
    expect(stdout.trim()).toBe('compiled');
    expect(stderr).toBe('');
  });

  it('runs the sources through tsx, and says so, when there is no build', async () => {
    const { stdout, stderr } = await launch();
    expect(stdout.trim()).toBe('sources');
    expect(stderr).toMatch(/no compiled build in dist\/.*npm run build/);
  });

  it('never runs a build made from other sources: an edit after the build runs from sources', async () => {
    writeBuild(sourceDigest(project));
    writeFileSync(join(project, 'src/cli/entry.ts'), "console.log('sources, edited');\n");
    const { stdout, stderr } = await launch();
    expect(stdout.trim()).toBe('sources, edited');
    expect(stderr).toMatch(/dist\/ was built from other sources.*npm run build/);
  });

  it('serves with a current dashboard build silently, and says when the dashboard is missing or stale', async () => {
    writeBuild(sourceDigest(project));
    writeDashboard();
    writeDashboard(dashboardDigest(project));
    expect((await launch(['serve'])).stderr).toBe('');

    writeFileSync(join(project, 'ui/src/main.tsx'), 'export const edited = true;\n');
    const stale = await launch(['serve']);
    expect(stale.stdout.trim()).toBe('compiled');
    expect(stale.stderr).toMatch(/dashboard \(\/ui\) was built from other sources.*npm run build/);

    rmSync(join(project, 'ui/dist'), { recursive: true });
    expect((await launch(['serve'])).stderr).toMatch(/dashboard \(\/ui\) has not been built.*npm run build/);
    // Other commands have no dashboard to serve.
    expect((await launch(['score'])).stderr).toBe('');
  });
});
