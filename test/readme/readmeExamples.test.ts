import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/loadConfig.ts';
import { startTestServer, type TestServer } from '../support/testServer.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
const hasTools = spawnSync('sh', ['-c', 'command -v curl && command -v jq']).status === 0;

/** The `bash` blocks of the README's curl walk-through, in order. */
function curlWalkThrough(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('## Walk through the flow with curl');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end);
  return [...section.matchAll(/```bash\n([\s\S]*?)```/g)].map((m) => m[1] as string);
}

let server: TestServer;
let workDir: string;
beforeAll(async () => {
  server = await startTestServer();
  workDir = mkdtempSync(join(tmpdir(), 'readme-'));
});
afterAll(async () => {
  await server?.stop();
  rmSync(workDir, { recursive: true, force: true });
});

describe.skipIf(!hasTools)('README curl examples (need curl and jq on PATH)', () => {
  it('run top to bottom against a real server and end in a Success', async () => {
    const blocks = curlWalkThrough();
    expect(blocks.length).toBeGreaterThanOrEqual(6);
    // One shell, so variables flow from block to block as they do for a reader. The fixture
    // paths in the README are relative to the repository root.
    const script = [
      'set -euo pipefail',
      `cd ${JSON.stringify(ROOT)}`,
      ...blocks.map((b, i) => `echo "--- block ${i + 1}"\n${b}`),
    ].join('\n');
    const { stdout } = await run('bash', ['-c', script], {
      env: { ...process.env, BASE: server.url, TMPDIR: workDir },
      timeout: 30_000,
    });
    const step5 = stdout.split('--- block 5')[1]?.split('--- block 6')[0] ?? '';
    expect(JSON.parse(step5)).toMatchObject({
      score: 92,
      outcome: 'Success',
      thresholds: { success: 80, review: 70 },
    });
    const step6 = stdout.split('--- block 6')[1] ?? '';
    expect(step6).toContain('"code": "invalid-client"');
    expect(step6).toContain('"code": "invalid-token"');
    expect(step6).toContain('<Code>SignatureDoesNotMatch</Code>');
  });
});

describe('README configuration example', () => {
  it('is a valid config file as written', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const yaml = /## Configuration[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(yaml).toBeDefined();
    const file = join(workDir, 'readme-config.yaml');
    writeFileSync(file, yaml as string);
    const config = loadConfig({ env: {}, flags: { configFile: file } });
    expect(config.partners[0]).toMatchObject({
      clientId: 'acme-bank',
      thresholds: { success: 85, review: 72 },
    });
    expect(config.validateResponses).toBe('log');
  });
});
