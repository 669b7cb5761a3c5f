import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/loadConfig.ts';
import { hasCurlAndJq, readmeBlocks, runReadmeBlocks } from '../support/readmeWalkThrough.ts';
import { startTestServer, type TestServer } from '../support/testServer.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const hasTools = hasCurlAndJq;
const bashBlocks = readmeBlocks;
const runBlocks = (blocks: string[]) => runReadmeBlocks(blocks, server.url, workDir);

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
    const blocks = bashBlocks('Walk through the flow with curl');
    expect(blocks.length).toBeGreaterThanOrEqual(6);
    const stdout = await runBlocks(blocks);
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

  it('of "Forcing outcomes" give the scenario outcomes, then expire and revive a token on the test clock', async () => {
    const blocks = bashBlocks('Forcing outcomes');
    expect(blocks).toHaveLength(4);
    const stdout = await runBlocks(blocks);
    const lines = stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line));
    expect(lines).toEqual([
      { score: 74, outcome: 'Review', reasons: [] },
      { score: 0, outcome: 'ERROR', reasons: ['NO_FACE_SELFIE'] },
      { score: 0, outcome: 'ERROR', reasons: ['ENGINE_ERROR'] },
      { frozen: false, ahead: expect.any(Number) },
      { status: 401, code: 'invalid-token' },
      { frozen: false, offsetMs: 0 },
    ]);
    expect(lines[3].ahead).toBeGreaterThanOrEqual(3699);
  });

  it('of the synchronous Facematch module answer Success, then name the field of a bad request', async () => {
    const blocks = bashBlocks('Synchronous Facematch module');
    expect(blocks).toHaveLength(2);
    const stdout = await runBlocks(blocks);
    const [, answer, problem] = stdout.split(/--- block \d\n/);
    expect(JSON.parse(answer as string)).toEqual({ response: { advice: { score: 92 }, outcome: 'Success' } });
    expect(JSON.parse(problem as string)).toEqual({
      status: 400,
      code: 'validation-failed',
      field: '/context/subject/biometrics',
    });
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
