import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/loadConfig.ts';
import { curlWalkThrough, hasCurlAndJq, runCurlWalkThrough } from '../support/readmeWalkThrough.ts';
import { startTestServer, type TestServer } from '../support/testServer.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

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

describe.skipIf(!hasCurlAndJq)('README curl examples (need curl and jq on PATH)', () => {
  it('run top to bottom against a real server and end in a Success', async () => {
    expect(curlWalkThrough().length).toBeGreaterThanOrEqual(6);
    const output = await runCurlWalkThrough(server.url, workDir);
    expect(JSON.parse(output[4] as string)).toMatchObject({
      score: 92,
      outcome: 'Success',
      thresholds: { success: 80, review: 70 },
    });
    const step6 = output[5] as string;
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
