import { execFile, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/testServer.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
const hasTools = spawnSync('sh', ['-c', 'command -v curl && command -v jq']).status === 0;

/** The README's "Admin API" section: its `bash` blocks, and the `json` output it shows for them. */
function adminSection(): { bash: string[]; json: string[] } {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('## Admin API');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const blocks = (lang: string) =>
    [...section.matchAll(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, 'g'))].map((m) => m[1] as string);
  return { bash: blocks('bash'), json: blocks('json') };
}

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.stop();
});

describe.skipIf(!hasTools)('README admin example (needs curl and jq on PATH)', () => {
  it('prints the near miss the README shows, after a request with a wrong Content-Type', async () => {
    const refused = await fetch(`${server.url}/v1/submissions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await server.token()}`, 'content-type': 'text/plain' },
      body: 'hello',
      signal: AbortSignal.timeout(5000),
    });
    expect(refused.status).toBe(415);

    const { bash, json } = adminSection();
    expect(bash).toHaveLength(1);
    expect(bash[0]).toContain('--max-time');
    const { stdout } = await run('bash', ['-c', `set -euo pipefail\n${bash[0]}`], {
      env: { ...process.env, BASE: server.url },
      timeout: 15_000,
    });
    expect(
      stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toEqual(
      (json[0] ?? '')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
    );
  });
});
