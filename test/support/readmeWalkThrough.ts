import { execFile, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

/** The README's examples run curl and jq, as a reader would. */
export const hasCurlAndJq = spawnSync('sh', ['-c', 'command -v curl && command -v jq']).status === 0;

/** The fenced blocks of one language (`bash` by default) of one README section (`## <heading>`), in order. */
export function readmeBlocks(heading: string, lang = 'bash'): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf(`## ${heading}\n`);
  if (start === -1) throw new Error(`README has no section "## ${heading}"`);
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end);
  return [...section.matchAll(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, 'g'))].map(
    (m) => m[1] as string,
  );
}

/**
 * Runs blocks in one shell from the repository root (variables flow from block to block as they
 * do for a reader; the fixture paths are relative to the root) against `baseUrl`, and returns the
 * whole output, each block's preceded by a `--- block N` line.
 */
export async function runReadmeBlocks(blocks: string[], baseUrl: string, tmpDir: string): Promise<string> {
  const script = [
    'set -euo pipefail',
    `cd ${JSON.stringify(ROOT)}`,
    ...blocks.map((b, i) => `echo "--- block ${i + 1}"\n${b}`),
  ].join('\n');
  const { stdout } = await run('bash', ['-c', script], {
    env: { ...process.env, BASE: baseUrl, TMPDIR: tmpDir },
    timeout: 30_000,
  });
  return stdout;
}

/** The curl walk-through against `baseUrl`: each block's output. */
export async function runCurlWalkThrough(baseUrl: string, tmpDir: string): Promise<string[]> {
  const blocks = readmeBlocks('Walk through the flow with curl');
  const stdout = await runReadmeBlocks(blocks, baseUrl, tmpDir);
  return blocks.map(
    (_, i) => stdout.split(`--- block ${i + 1}\n`)[1]?.split(`--- block ${i + 2}\n`)[0] ?? '',
  );
}
