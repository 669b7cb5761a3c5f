import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CallbackVerificationError, verifyCallback } from '../../src/client/index.ts';
import { closedPortUrl } from '../support/receiver.ts';
import { DEMO } from '../support/testServer.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

function section(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('## Contract testing in CI\n');
  if (start === -1) throw new Error('README has no section "## Contract testing in CI"');
  return readme.slice(start, readme.indexOf('\n## ', start + 1));
}
const blocks = (lang: string) =>
  [...section().matchAll(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, 'g'))].map((m) => m[1] as string);

let receiverUrl: string;
let closeReceiver: () => Promise<void>;
let workDir: string;
beforeAll(async () => {
  // The sample receiver: verifies signatures and freshness, acknowledges retries.
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        verifyCallback(
          { headers: req.headers, rawBody: Buffer.concat(chunks) },
          { secret: DEMO.webhookSecret },
        );
        res.writeHead(204).end();
      } catch (error) {
        res.writeHead(error instanceof CallbackVerificationError ? 400 : 500).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callbacks`;
  closeReceiver = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  workDir = mkdtempSync(join(tmpdir(), 'readme-ci-'));
});
afterAll(async () => {
  await closeReceiver?.();
  rmSync(workDir, { recursive: true, force: true });
});

it('runs the README block as written, and the CI jobs run only its commands after npm ci', async () => {
  const [block] = blocks('bash');
  expect(block).toBeDefined();
  const port = new URL(await closedPortUrl()).port;
  // `npx facematch-mock` is this checkout's own binary, as it is in a partner's node_modules/.bin.
  const script = [
    'set -euo pipefail',
    // In a background job (`&`, a subshell) the function execs node, so the EXIT trap's kill reaches the
    // server itself rather than a subshell whose node child would outlive the test.
    `npx() { if [ "$1" = facematch-mock ]; then shift; local bin=${JSON.stringify(join(ROOT, 'src/cli/facematch-mock.js'))}; if [ "$BASHPID" != "$$" ]; then exec node "$bin" "$@"; fi; node "$bin" "$@"; else command npx "$@"; fi; }`,
    "trap 'kill $(jobs -p) 2>/dev/null || true' EXIT",
    // A partner's project: its pacts/ folder, and its own working directory for the log.
    `cd ${JSON.stringify(workDir)}`,
    `ln -sfn ${JSON.stringify(join(ROOT, 'pacts'))} pacts`,
    block,
  ].join('\n');
  const { stdout } = await run('bash', ['-c', script], {
    env: {
      ...process.env,
      PORT: port,
      RECEIVER_URL: receiverUrl,
      WEBHOOK_SECRET: DEMO.webhookSecret,
      TMPDIR: workDir,
    },
    cwd: workDir,
    timeout: 90_000,
  });
  expect(stdout).toContain('COMPATIBLE: 3 of 3');
  expect(stdout).toContain('PASSED: 19 interaction(s)');
  expect(stdout).toContain('PASSED: 6 of 6 checks passed');

  const tested = new Set(
    (block as string)
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean),
  );
  const [github, gitlab] = blocks('yaml');
  const githubRun = (github as string).split('- run: |\n')[1] as string;
  const githubLines = githubRun
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const gitlabLines = (gitlab as string)
    .split('script:\n')[1]
    ?.split('\n')
    .map((l) => l.trim().replace(/^- /, ''))
    .filter((l) => l && l !== 'npm ci') as string[];
  expect(githubLines.length).toBeGreaterThan(0);
  expect(githubLines.filter((l) => !tested.has(l))).toEqual([]);
  expect(gitlabLines.filter((l) => !tested.has(l))).toEqual([]);
  expect(gitlabLines).toEqual([...tested]);
});
